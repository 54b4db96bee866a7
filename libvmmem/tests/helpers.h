/* SPDX-License-Identifier: MIT */
/* Small builders shared by the libvmmem unit tests. */
#ifndef VMMEM_TEST_HELPERS_H
#define VMMEM_TEST_HELPERS_H

#include <criterion/criterion.h>

#include <vmmem/vmmem.h>

static inline int vmmem_test_add(struct vmmem_map *map, uint64_t gpa, uint64_t size,
				 uint32_t flags)
{
	struct vmmem_region_desc d = { .gpa = gpa, .size = size,
				       .backing = VMMEM_BACKING_ANON, .flags = flags };
	return vmmem_map_add_region(map, &d);
}

/*
 * The layout most tests use: two adjacent regions [0, 64K) and [64K, 128K),
 * a gap, then [1M, 1M+64K).  Mirrors low RAM, more RAM, the MMIO hole, and
 * RAM above it.
 */
#define T_R0 0x0ull
#define T_R1 0x10000ull
#define T_GAP 0x20000ull
#define T_R2 0x100000ull
#define T_RSIZE 0x10000ull

static inline struct vmmem_map *vmmem_test_layout(uint32_t flags)
{
	struct vmmem_map *map;

	cr_assert_eq(vmmem_map_new(&map), 0);
	cr_assert_eq(vmmem_test_add(map, T_R0, T_RSIZE, flags), 0);
	cr_assert_eq(vmmem_test_add(map, T_R1, T_RSIZE, flags), 0);
	cr_assert_eq(vmmem_test_add(map, T_R2, T_RSIZE, flags), 0);
	return map;
}

#endif
