// SPDX-License-Identifier: MIT
// CRC32C for snapshot state files (crc32c.h).  The table is the reflected
// Castagnoli polynomial, built once at first use; the hardware path feeds
// eight bytes at a time to SSE4.2's crc32 (Intel SDM vol. 2A, "CRC32"),
// which computes the same reflected CRC without the pre/post inversion.
#include <string.h>

#include "crc32c.h"

#define CRC32C_POLY_REFLECTED 0x82F63B78u

static uint32_t crc_table[256];
static bool crc_table_ready;

static void table_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ ((c & 1u) ? CRC32C_POLY_REFLECTED : 0u);
		crc_table[i] = c;
	}
	/* Benign race: every thread writes the same values. */
	__atomic_store_n(&crc_table_ready, true, __ATOMIC_RELEASE);
}

uint32_t vmm__crc32c_table(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!__atomic_load_n(&crc_table_ready, __ATOMIC_ACQUIRE))
		table_build();
	crc = ~crc;
	for (size_t i = 0; i < len; i++)
		crc = crc_table[(crc ^ p[i]) & 0xffu] ^ (crc >> 8);
	return ~crc;
}

#if defined(__x86_64__)
bool vmm__crc32c_hw_available(void)
{
	return __builtin_cpu_supports("sse4.2");
}

__attribute__((target("sse4.2")))
uint32_t vmm__crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t c = (uint32_t)~crc;

	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);	/* unaligned-safe; x86 is little-endian */
		c = __builtin_ia32_crc32di(c, v);
		p += 8;
		len -= 8;
	}
	while (len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return ~(uint32_t)c;
}
#else
bool vmm__crc32c_hw_available(void)
{
	return false;
}

uint32_t vmm__crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	return vmm__crc32c_table(crc, buf, len);
}
#endif

uint32_t vmm__crc32c(uint32_t crc, const void *buf, size_t len)
{
	if (vmm__crc32c_hw_available())
		return vmm__crc32c_hw(crc, buf, len);
	return vmm__crc32c_table(crc, buf, len);
}
