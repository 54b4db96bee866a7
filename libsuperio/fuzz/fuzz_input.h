/* SPDX-License-Identifier: MIT */
/*
 * Byte-stream reader shared by the libsuperio fuzz targets: each target
 * turns libFuzzer's input into a sequence of register accesses, host
 * actions and clock moves.  Reads past the end return zeros.
 */
#ifndef SUPERIO_FUZZ_INPUT_H
#define SUPERIO_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)fuzz_u8(in) << (8 * i);
	return v;
}

/* Access widths, mostly valid ones, sometimes not. */
static inline unsigned int fuzz_size(struct fuzz_in *in)
{
	static const unsigned int sizes[8] = { 1, 1, 1, 1, 2, 4, 8, 0 };

	return sizes[fuzz_u8(in) & 7];
}

/* A clock move: small steps, sometimes days, sometimes backwards. */
static inline uint64_t fuzz_clock_step(struct fuzz_in *in, uint64_t now)
{
	uint8_t kind = fuzz_u8(in);
	uint64_t step = fuzz_u32(in);

	if (kind & 0x40)
		step <<= 16; /* up to ~3 days */
	if ((kind & 0x80) && now > step)
		return now - step;
	return now + step;
}

#define FUZZ_CHECK(cond)                 \
	do {                             \
		if (!(cond))             \
			__builtin_trap(); \
	} while (0)

#endif
