// SPDX-License-Identifier: MIT
// E820: sorted insertion, merging, overlap rejection, and a table built
// from a map that matches it (low RAM, reserved EBDA and BIOS area, the
// MMIO hole as a gap, RAM above 4 GiB).
#include <criterion/criterion.h>
#include <errno.h>

#include <loader/e820.h>
#include <loader/layout.h>

#include "fixtures.h"

static struct loader_e820 t;

static void setup(void)
{
	loader_e820_init(&t);
}

TestSuite(e820, .init = setup);

static void expect(size_t i, uint64_t addr, uint64_t size, uint32_t type)
{
	cr_assert_lt(i, t.count);
	cr_assert_eq(t.entry[i].addr, addr, "entry %zu addr %#llx", i,
		     (unsigned long long)t.entry[i].addr);
	cr_assert_eq(t.entry[i].size, size, "entry %zu size %#llx", i,
		     (unsigned long long)t.entry[i].size);
	cr_assert_eq(t.entry[i].type, type, "entry %zu type", i);
}

Test(e820, entries_are_kept_sorted)
{
	cr_assert_eq(loader_e820_add(&t, 0x5000, 0x1000, LOADER_E820_RAM), 0);
	cr_assert_eq(loader_e820_add(&t, 0x1000, 0x1000, LOADER_E820_RAM), 0);
	cr_assert_eq(loader_e820_add(&t, 0x3000, 0x1000, LOADER_E820_RESERVED), 0);
	cr_assert_eq(t.count, 3);
	expect(0, 0x1000, 0x1000, LOADER_E820_RAM);
	expect(1, 0x3000, 0x1000, LOADER_E820_RESERVED);
	expect(2, 0x5000, 0x1000, LOADER_E820_RAM);
}

Test(e820, adjacent_entries_of_one_type_merge)
{
	cr_assert_eq(loader_e820_add(&t, 0x1000, 0x1000, LOADER_E820_RAM), 0);
	cr_assert_eq(loader_e820_add(&t, 0x3000, 0x1000, LOADER_E820_RAM), 0);
	cr_assert_eq(loader_e820_add(&t, 0x2000, 0x1000, LOADER_E820_RAM), 0);
	cr_assert_eq(t.count, 1);
	expect(0, 0x1000, 0x3000, LOADER_E820_RAM);
}

Test(e820, adjacent_entries_of_different_types_stay_apart)
{
	cr_assert_eq(loader_e820_add(&t, 0x1000, 0x1000, LOADER_E820_RAM), 0);
	cr_assert_eq(loader_e820_add(&t, 0x2000, 0x1000, LOADER_E820_ACPI), 0);
	cr_assert_eq(t.count, 2);
}

Test(e820, rejects_overlap)
{
	cr_assert_eq(loader_e820_add(&t, 0x1000, 0x2000, LOADER_E820_RAM), 0);
	cr_assert_eq(loader_e820_add(&t, 0x2fff, 0x10, LOADER_E820_RAM), -EINVAL);
	cr_assert_eq(loader_e820_add(&t, 0x0, 0x1001, LOADER_E820_RESERVED), -EINVAL);
	cr_assert_eq(t.count, 1);
}

Test(e820, rejects_empty_and_wrapping_ranges)
{
	cr_assert_eq(loader_e820_add(&t, 0x1000, 0, LOADER_E820_RAM), -EINVAL);
	cr_assert_eq(loader_e820_add(&t, UINT64_MAX - 5, 0x10, LOADER_E820_RAM), -EINVAL);
}

Test(e820, rejects_entry_past_capacity)
{
	for (uint64_t i = 0; i < LOADER_E820_MAX; i++)
		cr_assert_eq(loader_e820_add(&t, i * 0x2000, 0x1000, LOADER_E820_RAM), 0);
	cr_assert_eq(loader_e820_add(&t, 0x10000000, 0x1000, LOADER_E820_RAM), -ENOSPC);
}

Test(e820, built_from_a_map_split_around_the_hole)
{
	struct vmmem_map *m = fx_map(LOADER_MMIO_HOLE_START, 0x40000000);

	cr_assert_eq(loader_e820_build(m, &t), 0);
	cr_assert_eq(t.count, 5);
	expect(0, 0, LOADER_EBDA_START, LOADER_E820_RAM);
	expect(1, LOADER_EBDA_START, LOADER_EBDA_SIZE, LOADER_E820_RESERVED);
	expect(2, LOADER_BIOS_START, LOADER_BIOS_SIZE, LOADER_E820_RESERVED);
	expect(3, LOADER_HIMEM_START, LOADER_MMIO_HOLE_START - LOADER_HIMEM_START,
	       LOADER_E820_RAM);
	expect(4, LOADER_HIGH_RAM_START, 0x40000000, LOADER_E820_RAM);
	vmmem_map_free(m);
}

Test(e820, vga_window_is_not_reported)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);

	cr_assert_eq(loader_e820_build(m, &t), 0);
	for (size_t i = 0; i < t.count; i++)
		cr_assert_not(t.entry[i].addr < LOADER_VGA_START + LOADER_VGA_SIZE &&
			      LOADER_VGA_START < t.entry[i].addr + t.entry[i].size &&
			      t.entry[i].addr != LOADER_EBDA_START &&
			      t.entry[i].addr >= LOADER_VGA_START);
	vmmem_map_free(m);
}

Test(e820, small_map_reports_only_what_is_backed)
{
	struct vmmem_map *m = fx_map(0x80000, 0);

	cr_assert_eq(loader_e820_build(m, &t), 0);
	cr_assert_eq(t.count, 1);
	expect(0, 0, 0x80000, LOADER_E820_RAM);
	vmmem_map_free(m);
}

Test(e820, empty_map_is_rejected)
{
	struct vmmem_map *m;

	cr_assert_eq(vmmem_map_new(&m), 0);
	cr_assert_eq(loader_e820_build(m, &t), -EINVAL);
	vmmem_map_free(m);
}
