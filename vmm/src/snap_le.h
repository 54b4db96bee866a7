/* SPDX-License-Identifier: MIT */
/*
 * Little-endian stores and loads for the snapshot state file
 * (docs/snapshot.md): every integer in the file goes through these, so the
 * format does not depend on the host's byte order or struct layout.
 */
#ifndef VMM_SNAP_LE_H
#define VMM_SNAP_LE_H

#include <stddef.h>
#include <stdint.h>

static inline void vmm__le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void vmm__le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void vmm__le64_put(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t vmm__le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t vmm__le32_get(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline uint64_t vmm__le64_get(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* CRC32C of the header's first 60 bytes followed by the section table
 * (table_end bytes from the start of the file, header included). */
uint32_t vmm__snap_header_crc(const uint8_t *file, size_t table_end);

#endif
