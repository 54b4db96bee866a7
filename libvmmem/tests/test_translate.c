// SPDX-License-Identifier: MIT
// GPA -> HVA translation and range checks: every rejection path.
#include <errno.h>

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

TestSuite(translate, .init = setup, .fini = teardown);

Test(translate, range_inside_a_region_translates)
{
	struct vmmem_region_info info;
	void *hva;

	cr_assert_eq(vmmem_map_region_info(map, 1, &info), 0);
	cr_assert_eq(vmmem_translate(map, T_R1 + 0x10, 0x100, &hva), 0);
	cr_assert_eq(hva, (uint8_t *)info.hva + 0x10);
}

Test(translate, whole_region_translates)
{
	void *hva;

	cr_assert_eq(vmmem_translate(map, T_R2, T_RSIZE, &hva), 0);
}

Test(translate, zero_length_is_rejected)
{
	void *hva;

	cr_assert_eq(vmmem_translate(map, T_R0, 0, &hva), -EINVAL);
}

Test(translate, one_byte_past_the_last_region_faults)
{
	void *hva;

	cr_assert_eq(vmmem_translate(map, T_R2, T_RSIZE + 1, &hva), -EFAULT);
	cr_assert_eq(vmmem_translate(map, T_R2 + T_RSIZE, 1, &hva), -EFAULT);
}

Test(translate, address_in_a_gap_faults)
{
	void *hva;

	cr_assert_eq(vmmem_translate(map, T_GAP, 1, &hva), -EFAULT);
	/* starts in RAM, runs into the gap */
	cr_assert_eq(vmmem_translate(map, T_R1 + T_RSIZE - 1, 2, &hva), -EFAULT);
}

Test(translate, span_across_adjacent_regions_faults)
{
	void *hva;

	/* Two mmaps are not host-contiguous: a single pointer cannot cover them. */
	cr_assert_eq(vmmem_translate(map, T_R0 + T_RSIZE - 8, 16, &hva), -EFAULT);
}

Test(translate, range_wrapping_2_64_faults)
{
	void *hva;

	cr_assert_eq(vmmem_translate(map, T_R0 + 0x10, UINT64_MAX, &hva), -EFAULT);
	cr_assert_eq(vmmem_translate(map, UINT64_MAX, 2, &hva), -EFAULT);
}

Test(translate, address_below_the_first_region_faults)
{
	struct vmmem_map *m;
	void *hva;

	cr_assert_eq(vmmem_map_new(&m), 0);
	cr_assert_eq(vmmem_test_add(m, 0x10000, 0x1000, 0), 0);
	cr_assert_eq(vmmem_translate(m, 0xffff, 1, &hva), -EFAULT);
	vmmem_map_free(m);
}

Test(translate, empty_map_faults)
{
	struct vmmem_map *m;
	void *hva;

	cr_assert_eq(vmmem_map_new(&m), 0);
	cr_assert_eq(vmmem_translate(m, 0, 1, &hva), -EFAULT);
	vmmem_map_free(m);
}

Test(translate, last_byte_of_the_address_space)
{
	struct vmmem_map *m;
	void *hva;

	cr_assert_eq(vmmem_map_new(&m), 0);
	cr_assert_eq(vmmem_test_add(m, 0xfffffffffffff000ull, 0x1000, 0), 0);
	cr_assert_eq(vmmem_translate(m, UINT64_MAX, 1, &hva), 0);
	cr_assert_eq(vmmem_translate(m, UINT64_MAX, 2, &hva), -EFAULT);
	vmmem_map_free(m);
}

Test(translate, lookups_alternating_between_regions_stay_correct)
{
	struct vmmem_region_info r0, r2;
	void *hva;

	/* Consecutive lookups in different regions, with a gap in between. */
	cr_assert_eq(vmmem_map_region_info(map, 0, &r0), 0);
	cr_assert_eq(vmmem_map_region_info(map, 2, &r2), 0);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(vmmem_translate(map, T_R0 + 4, 4, &hva), 0);
		cr_assert_eq(hva, (uint8_t *)r0.hva + 4);
		cr_assert_eq(vmmem_translate(map, T_R2 + 4, 4, &hva), 0);
		cr_assert_eq(hva, (uint8_t *)r2.hva + 4);
		cr_assert_eq(vmmem_translate(map, T_GAP, 4, &hva), -EFAULT);
	}
}

Test(translate, range_is_backed_across_adjacent_regions)
{
	cr_assert(vmmem_range_is_backed(map, T_R0 + 0x100, T_RSIZE));
	cr_assert(vmmem_range_is_backed(map, T_R0, 2 * T_RSIZE));
}

Test(translate, range_is_not_backed_across_a_gap)
{
	cr_assert_not(vmmem_range_is_backed(map, T_R1, T_RSIZE + 1));
	cr_assert_not(vmmem_range_is_backed(map, T_R0, T_R2 + 1));
}

Test(translate, range_is_not_backed_when_empty_or_wrapping)
{
	cr_assert_not(vmmem_range_is_backed(map, T_R0, 0));
	cr_assert_not(vmmem_range_is_backed(map, T_R0 + 1, UINT64_MAX));
}

/*
 * The search halves the candidates with a conditional move: check it at
 * every map size up to the limit, added in shuffled order (so the sorted
 * starts are rebuilt by insertion), at each region's first and last byte,
 * below the first region and in every gap.
 */
Test(translate, every_region_of_every_map_size_is_found)
{
	for (uint64_t count = 1; count <= VMMEM_MAX_REGIONS; count++) {
		struct vmmem_map *m;
		void *hva;

		cr_assert_eq(vmmem_map_new(&m), 0);
		for (uint64_t k = 0; k < count; k++) {
			uint64_t i = (k * 37) % count; /* 37 is prime to every count <= 64 but 37 */

			if (count == 37)
				i = count - 1 - k;
			cr_assert_eq(vmmem_test_add(m, 0x10000 + i * 0x3000, 0x1000, 0), 0);
		}
		cr_assert_eq(vmmem_translate(m, 0xffff, 1, &hva), -EFAULT);
		for (uint64_t i = 0; i < count; i++) {
			struct vmmem_region_info info;
			uint64_t start = 0x10000 + i * 0x3000;

			cr_assert_eq(vmmem_map_region_info(m, i, &info), 0);
			cr_assert_eq(info.gpa, start);
			cr_assert_eq(vmmem_translate(m, start, 1, &hva), 0);
			cr_assert_eq(hva, info.hva, "count %lu region %lu", count, i);
			cr_assert_eq(vmmem_translate(m, start + 0xfff, 1, &hva), 0);
			cr_assert_eq(hva, (uint8_t *)info.hva + 0xfff);
			cr_assert_eq(vmmem_translate(m, start + 0x1000, 1, &hva), -EFAULT);
			cr_assert_eq(vmmem_translate(m, start + 0x2fff, 1, &hva), -EFAULT);
		}
		vmmem_map_free(m);
	}
}
