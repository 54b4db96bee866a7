// SPDX-License-Identifier: MIT
// CRC32C (crc32c.h): the check value and the iSCSI test vectors of
// RFC 3720 §B.4, chaining, and the SSE4.2 path agreeing with the table for
// every length and alignment.
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "crc32c.h"

static uint32_t both(const void *p, size_t n)
{
	uint32_t t = vmm__crc32c_table(0, p, n);

	if (vmm__crc32c_hw_available())
		cr_assert_eq(vmm__crc32c_hw(0, p, n), t);
	cr_assert_eq(vmm__crc32c(0, p, n), t);
	return t;
}

Test(crc32c, check_value_of_123456789)
{
	cr_assert_eq(both("123456789", 9), 0xE3069283u);
}

Test(crc32c, rfc3720_32_bytes_of_zeros)
{
	uint8_t b[32] = { 0 };

	cr_assert_eq(both(b, sizeof(b)), 0x8A9136AAu);
}

Test(crc32c, rfc3720_32_bytes_of_ones)
{
	uint8_t b[32];

	memset(b, 0xff, sizeof(b));
	cr_assert_eq(both(b, sizeof(b)), 0x62A8AB43u);
}

Test(crc32c, rfc3720_incrementing_bytes)
{
	uint8_t b[32];

	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	cr_assert_eq(both(b, sizeof(b)), 0x46DD794Eu);
}

Test(crc32c, rfc3720_decrementing_bytes)
{
	uint8_t b[32];

	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)(31 - i);
	cr_assert_eq(both(b, sizeof(b)), 0x113FDB5Cu);
}

Test(crc32c, rfc3720_iscsi_read_pdu)
{
	const uint8_t pdu[48] = {
		0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
		0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};

	cr_assert_eq(both(pdu, sizeof(pdu)), 0xD9963A56u);
}

Test(crc32c, empty_buffer_is_zero)
{
	cr_assert_eq(both("", 0), 0u);
}

Test(crc32c, chaining_equals_one_pass)
{
	const char *s = "The quick brown fox jumps over the lazy dog";
	size_t n = strlen(s);

	for (size_t cut = 0; cut <= n; cut++) {
		uint32_t a = vmm__crc32c(0, s, cut);

		cr_assert_eq(vmm__crc32c(a, s + cut, n - cut), vmm__crc32c(0, s, n));
		cr_assert_eq(vmm__crc32c_table(vmm__crc32c_table(0, s, cut), s + cut, n - cut),
			     vmm__crc32c_table(0, s, n));
	}
}

Test(crc32c, hardware_agrees_with_table_at_every_length_and_alignment)
{
	uint8_t buf[600];
	uint32_t x = 1;

	if (!vmm__crc32c_hw_available())
		cr_skip_test("this CPU has no SSE4.2; the table is the only path");
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= 520; len++)
			cr_assert_eq(vmm__crc32c_hw(0x1234u, buf + off, len),
				     vmm__crc32c_table(0x1234u, buf + off, len),
				     "off %zu len %zu", off, len);
}
