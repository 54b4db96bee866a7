// SPDX-License-Identifier: MIT
// Bulk copies, little-endian scalars, ordered index accesses and slices.
#include <errno.h>
#include <string.h>

#include "helpers.h"

static struct vmmem_map *map;

static void setup(void)
{
	map = vmmem_test_layout(0);
}

static void teardown(void)
{
	vmmem_map_free(map);
}

TestSuite(access, .init = setup, .fini = teardown);

static void pattern(uint8_t *buf, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 7);
}

Test(access, write_then_read_crosses_adjacent_regions)
{
	static uint8_t out[0x3000], in[0x3000];

	pattern(out, sizeof(out), 3);
	cr_assert_eq(vmmem_write(map, T_R1 - 0x1800, out, sizeof(out)), 0);
	cr_assert_eq(vmmem_read(map, T_R1 - 0x1800, in, sizeof(in)), 0);
	cr_assert_arr_eq(in, out, sizeof(out));
}

Test(access, write_into_a_gap_faults_and_writes_nothing)
{
	uint8_t ones[32], back[16];

	memset(ones, 0xff, sizeof(ones));
	cr_assert_eq(vmmem_write(map, T_R1 + T_RSIZE - 16, ones, sizeof(ones)), -EFAULT);
	cr_assert_eq(vmmem_read(map, T_R1 + T_RSIZE - 16, back, sizeof(back)), 0);
	for (size_t i = 0; i < sizeof(back); i++)
		cr_assert_eq(back[i], 0, "byte %zu was written before the fault", i);
}

Test(access, read_from_a_gap_faults)
{
	uint8_t buf[4];

	cr_assert_eq(vmmem_read(map, T_GAP, buf, sizeof(buf)), -EFAULT);
}

Test(access, read_wrapping_2_64_faults)
{
	uint8_t buf[4];

	cr_assert_eq(vmmem_read(map, UINT64_MAX - 1, buf, sizeof(buf)), -EFAULT);
}

Test(access, zero_length_copy_succeeds_without_touching_memory)
{
	cr_assert_eq(vmmem_read(map, T_GAP, NULL, 0), 0);
	cr_assert_eq(vmmem_write(map, T_GAP, NULL, 0), 0);
}

Test(access, fill_sets_every_byte)
{
	uint8_t back[0x20];

	cr_assert_eq(vmmem_fill(map, T_R1 - 0x10, 0x5a, sizeof(back)), 0);
	cr_assert_eq(vmmem_read(map, T_R1 - 0x10, back, sizeof(back)), 0);
	for (size_t i = 0; i < sizeof(back); i++)
		cr_assert_eq(back[i], 0x5a);
	cr_assert_eq(vmmem_fill(map, T_GAP - 1, 0, 2), -EFAULT);
}

Test(access, scalars_are_little_endian)
{
	uint8_t bytes[8];

	cr_assert_eq(vmmem_store_u64(map, 0x100, 0x0807060504030201ull), 0);
	cr_assert_eq(vmmem_read(map, 0x100, bytes, sizeof(bytes)), 0);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(bytes[i], i + 1);
	cr_assert_eq(vmmem_store_u16(map, 0x200, 0xbeef), 0);
	cr_assert_eq(vmmem_read(map, 0x200, bytes, 2), 0);
	cr_assert_eq(bytes[0], 0xef);
	cr_assert_eq(bytes[1], 0xbe);
}

Test(access, every_scalar_width_round_trips)
{
	uint8_t b;
	uint16_t h;
	uint32_t w;
	uint64_t q;

	cr_assert_eq(vmmem_store_u8(map, 0x10, 0xa5), 0);
	cr_assert_eq(vmmem_store_u16(map, 0x20, 0xa5b6), 0);
	cr_assert_eq(vmmem_store_u32(map, 0x30, 0xa5b6c7d8), 0);
	cr_assert_eq(vmmem_store_u64(map, 0x40, 0xa5b6c7d8e9f00112ull), 0);
	cr_assert_eq(vmmem_load_u8(map, 0x10, &b), 0);
	cr_assert_eq(vmmem_load_u16(map, 0x20, &h), 0);
	cr_assert_eq(vmmem_load_u32(map, 0x30, &w), 0);
	cr_assert_eq(vmmem_load_u64(map, 0x40, &q), 0);
	cr_assert_eq(b, 0xa5);
	cr_assert_eq(h, 0xa5b6);
	cr_assert_eq(w, 0xa5b6c7d8);
	cr_assert_eq(q, 0xa5b6c7d8e9f00112ull);
}

Test(access, unaligned_scalars_work)
{
	uint32_t w;

	cr_assert_eq(vmmem_store_u32(map, 0x101, 0x11223344), 0);
	cr_assert_eq(vmmem_load_u32(map, 0x101, &w), 0);
	cr_assert_eq(w, 0x11223344);
}

Test(access, scalar_straddling_adjacent_regions_works)
{
	uint64_t q;

	cr_assert_eq(vmmem_store_u64(map, T_R1 - 4, 0x1122334455667788ull), 0);
	cr_assert_eq(vmmem_load_u64(map, T_R1 - 4, &q), 0);
	cr_assert_eq(q, 0x1122334455667788ull);
}

Test(access, scalar_straddling_into_a_gap_faults)
{
	uint32_t w = 0x12345678;

	cr_assert_eq(vmmem_store_u32(map, T_GAP - 2, 1), -EFAULT);
	cr_assert_eq(vmmem_load_u32(map, T_GAP - 2, &w), -EFAULT);
	cr_assert_eq(w, 0x12345678, "output written on failure");
}

Test(access, acquire_release_round_trip)
{
	uint16_t h;
	uint32_t w;

	cr_assert_eq(vmmem_store_release_u16(map, 0x302, 0x1234), 0);
	cr_assert_eq(vmmem_load_acquire_u16(map, 0x302, &h), 0);
	cr_assert_eq(h, 0x1234);
	cr_assert_eq(vmmem_store_release_u32(map, 0x304, 0xcafef00d), 0);
	cr_assert_eq(vmmem_load_acquire_u32(map, 0x304, &w), 0);
	cr_assert_eq(w, 0xcafef00d);
}

Test(access, unaligned_ordered_access_is_rejected)
{
	uint16_t h;
	uint32_t w;

	cr_assert_eq(vmmem_load_acquire_u16(map, 0x301, &h), -EINVAL);
	cr_assert_eq(vmmem_store_release_u16(map, 0x301, 1), -EINVAL);
	cr_assert_eq(vmmem_load_acquire_u32(map, 0x302, &w), -EINVAL);
	cr_assert_eq(vmmem_store_release_u32(map, 0x302, 1), -EINVAL);
}

Test(access, ordered_access_outside_ram_faults)
{
	uint16_t h;

	cr_assert_eq(vmmem_load_acquire_u16(map, T_GAP, &h), -EFAULT);
	cr_assert_eq(vmmem_store_release_u16(map, T_GAP, 1), -EFAULT);
}

Test(access, slice_covers_exactly_the_checked_range)
{
	struct vmmem_slice s;

	cr_assert_eq(vmmem_get_slice(map, T_R2 + 8, 24, VMMEM_READ, &s), 0);
	cr_assert_eq(s.len, 24);
	cr_assert_eq(vmmem_write(map, T_R2 + 8, "abc", 3), 0);
	cr_assert_eq(memcmp(s.ptr, "abc", 3), 0);
}

Test(access, slice_rejections)
{
	struct vmmem_slice s;

	cr_assert_eq(vmmem_get_slice(map, T_R2, 0, VMMEM_READ, &s), -EINVAL);
	cr_assert_eq(vmmem_get_slice(map, T_R1 - 1, 2, VMMEM_READ, &s), -EFAULT);
	cr_assert_eq(vmmem_get_slice(map, T_GAP, 1, VMMEM_WRITE, &s), -EFAULT);
	cr_assert_eq(vmmem_get_slice(map, 8, UINT64_MAX, VMMEM_READ, &s), -EFAULT);
}
