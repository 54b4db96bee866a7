// SPDX-License-Identifier: MIT
// Initrd placement: highest page-aligned address below initrd_addr_max,
// in backed RAM above 1 MiB, clear of the kernel.
#include <criterion/criterion.h>
#include <errno.h>

#include <loader/initrd.h>
#include <loader/layout.h>

#include "fixtures.h"

static struct loader_kernel kern(uint64_t start, uint64_t end, uint32_t max)
{
	struct loader_kernel k = { .load_addr = start, .load_end = end,
				   .initrd_addr_max = max };
	return k;
}

Test(initrd, goes_to_the_top_of_low_ram)
{
	struct vmmem_map *m = fx_map(0x8000000, 0);
	struct loader_kernel k = kern(0x1000000, 0x2000000, 0x7fffffff);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x123456, 0, &k, &a), 0);
	cr_assert_eq(a, (0x8000000 - 0x123456) & ~0xfffull);
	cr_assert_leq(a + 0x123456, 0x8000000);
	vmmem_map_free(m);
}

Test(initrd, stays_below_initrd_addr_max)
{
	struct vmmem_map *m = fx_map(0x8000000, 0);
	struct loader_kernel k = kern(0x1000000, 0x2000000, 0x3ffffff);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x100000, 0, &k, &a), 0);
	cr_assert_eq(a, 0x4000000 - 0x100000);
	vmmem_map_free(m);
}

Test(initrd, never_above_4g_with_32_bit_max)
{
	struct vmmem_map *m = fx_map(0x8000000, 0x10000000);
	struct loader_kernel k = kern(0x1000000, 0x2000000, 0x7fffffff);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x100000, 0, &k, &a), 0);
	cr_assert_lt(a, 0x8000000);
	cr_assert_eq(loader_initrd_place(m, 0x100000, UINT64_MAX, &k, &a), 0);
	cr_assert_eq(a, 0x110000000ull - 0x100000);
	vmmem_map_free(m);
}

Test(initrd, dodges_the_kernel)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	struct loader_kernel k = kern(0x1000000, 0x3c00000, 0x7fffffff);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x800000, 0, &k, &a), 0);
	cr_assert_eq(a, 0x1000000 - 0x800000);
	cr_assert_geq(a, LOADER_HIMEM_START);
	vmmem_map_free(m);
}

Test(initrd, never_below_1mib)
{
	struct vmmem_map *m = fx_map(0x400000, 0);
	struct loader_kernel k = kern(0x100000, 0x380000, 0x7fffffff);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x100000, 0, &k, &a), -ENOSPC);
	vmmem_map_free(m);
}

Test(initrd, rejects_an_initrd_larger_than_ram)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x4000000, 0x7fffffff, NULL, &a), -ENOSPC);
	vmmem_map_free(m);
}

Test(initrd, rejects_zero_size)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0, 0x7fffffff, NULL, &a), -EINVAL);
	vmmem_map_free(m);
}

Test(initrd, needs_a_limit)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x1000, 0, NULL, &a), -EINVAL);
	vmmem_map_free(m);
}

Test(initrd, load_copies_the_bytes)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	struct loader_kernel k = kern(0x1000000, 0x2000000, 0x7fffffff);
	struct loader_initrd rd;
	uint8_t data[5000], got[5000];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	cr_assert_eq(loader_initrd_load(m, data, sizeof(data), 0, &k, &rd), 0);
	cr_assert_eq(rd.size, sizeof(data));
	cr_assert_eq(rd.addr % 4096, 0);
	cr_assert_eq(vmmem_read(m, rd.addr, got, sizeof(got)), 0);
	cr_assert_arr_eq(got, data, sizeof(data));
	vmmem_map_free(m);
}
