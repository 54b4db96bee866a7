// SPDX-License-Identifier: MIT
// Building maps: region validation, ordering and overlap rejection.
#include <criterion/criterion.h>
#include <errno.h>

#include <vmmem/vmmem.h>

static struct vmmem_map *map;

static void setup(void)
{
	cr_assert_eq(vmmem_map_new(&map), 0);
}

static void teardown(void)
{
	vmmem_map_free(map);
}

TestSuite(map, .init = setup, .fini = teardown);

static int add_anon(uint64_t gpa, uint64_t size)
{
	struct vmmem_region_desc d = { .gpa = gpa, .size = size,
				       .backing = VMMEM_BACKING_ANON };
	return vmmem_map_add_region(map, &d);
}

Test(map, regions_are_sorted_by_gpa)
{
	struct vmmem_region_info info;

	cr_assert_eq(add_anon(0x100000, 0x1000), 0);
	cr_assert_eq(add_anon(0x0, 0x1000), 0);
	cr_assert_eq(vmmem_map_region_count(map), 2);
	cr_assert_eq(vmmem_map_region_info(map, 0, &info), 0);
	cr_assert_eq(info.gpa, 0);
	cr_assert_eq(vmmem_map_total_size(map), 0x2000);
}

Test(map, overlap_is_rejected)
{
	cr_assert_eq(add_anon(0x10000, 0x2000), 0);
	cr_assert_eq(add_anon(0x11000, 0x2000), -EINVAL);
	cr_assert_eq(add_anon(0xf000, 0x2000), -EINVAL);
	cr_assert_eq(vmmem_map_region_count(map), 1);
}

Test(map, zero_size_is_rejected)
{
	cr_assert_eq(add_anon(0, 0), -EINVAL);
}
