/* SPDX-License-Identifier: MIT */
/* Overflow-checked arithmetic and little-endian field access shared by the
 * parsers, so that every bound is checked the same way. */
#ifndef LOADER_UTIL_H
#define LOADER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* True when [off, off+len) lies within size bytes. */
static inline bool loader__in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* True when [a, a+alen) and [b, b+blen) share a byte; ranges must not wrap. */
static inline bool loader__overlaps(uint64_t a, uint64_t alen, uint64_t b,
				    uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static inline uint16_t loader__le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t loader__le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t loader__le64(const uint8_t *p)
{
	return (uint64_t)loader__le32(p) | (uint64_t)loader__le32(p + 4) << 32;
}

static inline void loader__put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void loader__put32(uint8_t *p, uint32_t v)
{
	loader__put16(p, (uint16_t)v);
	loader__put16(p + 2, (uint16_t)(v >> 16));
}

static inline void loader__put64(uint8_t *p, uint64_t v)
{
	loader__put32(p, (uint32_t)v);
	loader__put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint64_t loader__align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static inline uint64_t loader__align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

#endif
