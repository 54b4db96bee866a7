// SPDX-License-Identifier: MIT
// The layout header: no two areas overlap, the PC conventions hold (tables
// in the BIOS scan range, boot structures below the EBDA, kernel above
// 1 MiB, interrupt controllers inside the MMIO hole), and the areas are as
// large as the structures written into them.
#include <asm/bootparam.h>
#include <criterion/criterion.h>
#include <string.h>

#include <loader/layout.h>
#include <loader/mptable.h>

/* The boot area's named parts come from the library; the areas above it
 * are listed here to check that none overlaps another. */
static const struct loader_area upper[] = {
	{ "kernel", LOADER_KERNEL_START, LOADER_MMIO_HOLE_START - LOADER_KERNEL_START },
	{ "MMIO hole", LOADER_MMIO_HOLE_START, LOADER_MMIO_HOLE_SIZE },
	{ "high RAM", LOADER_HIGH_RAM_START, 1ull << 40 },
};
#define N_UPPER (sizeof(upper) / sizeof(upper[0]))
#define N_MAX 32

static size_t all_areas(struct loader_area *out)
{
	size_t n;
	const struct loader_area *boot = loader_layout_boot_areas(&n);

	cr_assert_leq(n + N_UPPER, N_MAX);
	memcpy(out, boot, n * sizeof(*boot));
	memcpy(out + n, upper, sizeof(upper));
	return n + N_UPPER;
}

Test(layout, no_two_areas_overlap)
{
	struct loader_area a[N_MAX];
	size_t n = all_areas(a);

	for (size_t i = 0; i < n; i++) {
		cr_assert_gt(a[i].size, 0, "%s", a[i].name);
		for (size_t j = i + 1; j < n; j++)
			cr_assert(a[i].start + a[i].size <= a[j].start ||
				  a[j].start + a[j].size <= a[i].start,
				  "%s overlaps %s", a[i].name, a[j].name);
	}
}

Test(layout, boot_structures_sit_in_conventional_memory)
{
	struct loader_area a[N_MAX];
	size_t n = all_areas(a);

	for (size_t i = 0; i < n; i++)
		if (a[i].start < LOADER_EBDA_START)
			cr_assert_leq(a[i].start + a[i].size, LOADER_LOW_RAM_END,
				      "%s", a[i].name);
}

Test(layout, every_boot_structure_is_inside_the_boot_area)
{
	size_t n;
	const struct loader_area *boot = loader_layout_boot_areas(&n);

	cr_assert_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		cr_assert_geq(boot[i].start, LOADER_BOOT_AREA_START, "%s", boot[i].name);
		cr_assert_leq(boot[i].start + boot[i].size, LOADER_BOOT_AREA_END,
			      "%s", boot[i].name);
		if (i)
			cr_assert_gt(boot[i].start, boot[i - 1].start, "lowest first");
	}
	cr_assert_geq(LOADER_KERNEL_START, LOADER_BOOT_AREA_END);
}

Test(layout, every_structure_the_loader_places_is_listed)
{
	static const uint64_t placed[] = {
		LOADER_GDT_START, LOADER_IDT_START, LOADER_PVH_INFO_START,
		LOADER_ZERO_PAGE_START, LOADER_BOOT_STACK_START, LOADER_PML4_START,
		LOADER_PDPT_START, LOADER_PD_START, LOADER_CMDLINE_START,
		LOADER_ACPI_START, LOADER_MPTABLE_START,
	};

	for (size_t i = 0; i < sizeof(placed) / sizeof(placed[0]); i++) {
		const struct loader_area *a = loader_layout_boot_overlap(placed[i], 1);

		cr_assert_not_null(a);
		cr_assert_neq(a->size, LOADER_BOOT_AREA_END - LOADER_BOOT_AREA_START,
			      "0x%llx has a named area", (unsigned long long)placed[i]);
	}
}

Test(layout, boot_overlap_names_the_area)
{
	cr_assert_str_eq(loader_layout_boot_overlap(LOADER_ZERO_PAGE_START, 1)->name,
			 "zero page");
	cr_assert_str_eq(loader_layout_boot_overlap(0x1000, 0x10000)->name,
			 "PVH start info", "the lowest area touched");
	cr_assert_str_eq(loader_layout_boot_overlap(0x40000, 0x1000)->name,
			 "low memory below 1 MiB");
	cr_assert_str_eq(loader_layout_boot_overlap(0, 1)->name, "BIOS data area");
}

Test(layout, boot_overlap_boundaries)
{
	cr_assert_null(loader_layout_boot_overlap(LOADER_BOOT_AREA_END, 0x1000));
	cr_assert_null(loader_layout_boot_overlap(LOADER_ZERO_PAGE_START, 0));
	cr_assert_not_null(loader_layout_boot_overlap(LOADER_BOOT_AREA_END - 1, 1));
	cr_assert_null(loader_layout_boot_overlap(UINT64_MAX - 0x10, 0x100),
		       "a range wrapping 2^64 is clamped, not wrapped into low memory");
}

Test(layout, tables_are_in_the_bios_scan_range)
{
	/* ACPI 6.4 §5.2.5.1 and MP spec §4: 0xe0000-0xfffff is searched. */
	cr_assert_geq(LOADER_ACPI_START, 0xe0000);
	cr_assert_leq(LOADER_MPTABLE_START + LOADER_MPTABLE_SIZE, 0x100000);
	cr_assert_eq(LOADER_BIOS_START, LOADER_ACPI_START);
	cr_assert_eq(LOADER_BIOS_START + LOADER_BIOS_SIZE,
		     LOADER_MPTABLE_START + LOADER_MPTABLE_SIZE);
	cr_assert_eq(LOADER_ACPI_START % 16, 0);
	cr_assert_eq(LOADER_MPTABLE_START % 16, 0);
}

Test(layout, zero_page_holds_boot_params)
{
	cr_assert_geq(LOADER_ZERO_PAGE_SIZE, sizeof(struct boot_params));
	cr_assert_eq(LOADER_ZERO_PAGE_START % 4096, 0);
}

Test(layout, page_tables_are_page_aligned_and_ordered)
{
	cr_assert_eq(LOADER_PML4_START, LOADER_PAGE_TABLES_START);
	cr_assert_eq(LOADER_PDPT_START, LOADER_PML4_START + 0x1000);
	cr_assert_eq(LOADER_PD_START, LOADER_PDPT_START + 0x1000);
	/* four page directories map 4 GiB with 2 MiB pages */
	cr_assert_leq(LOADER_PD_START + 4 * 0x1000,
		      LOADER_PAGE_TABLES_START + LOADER_PAGE_TABLES_SIZE);
}

Test(layout, stack_pointer_is_inside_the_stack)
{
	cr_assert_gt(LOADER_BOOT_STACK_POINTER, LOADER_BOOT_STACK_START);
	cr_assert_lt(LOADER_BOOT_STACK_POINTER, LOADER_BOOT_STACK_START + LOADER_BOOT_STACK_SIZE);
	cr_assert_eq(LOADER_BOOT_STACK_POINTER % 16, 0);
}

Test(layout, kernel_and_cmdline_follow_the_boot_protocol)
{
	cr_assert_geq(LOADER_KERNEL_START, LOADER_HIMEM_START);
	cr_assert_eq(LOADER_KERNEL_START % 0x200000, 0, "2 MiB aligned for x86_64");
	cr_assert_lt(LOADER_CMDLINE_START + LOADER_CMDLINE_MAX_SIZE, 0xa0000,
		     "below the EBDA as the 2.02+ protocol recommends");
}

Test(layout, mmio_hole_holds_the_devices_and_ends_at_4g)
{
	uint64_t end = LOADER_MMIO_HOLE_START + LOADER_MMIO_HOLE_SIZE;

	cr_assert_eq(end, LOADER_HIGH_RAM_START);
	cr_assert_geq(LOADER_VIRTIO_MMIO_START, LOADER_MMIO_HOLE_START);
	cr_assert_lt(LOADER_VIRTIO_MMIO_START, LOADER_IOAPIC_START);
	cr_assert_geq(LOADER_IOAPIC_START, LOADER_MMIO_HOLE_START);
	cr_assert_leq(LOADER_LAPIC_START + LOADER_LAPIC_SIZE, end);
	cr_assert_lt(LOADER_VIRTIO_FIRST_GSI, LOADER_IOAPIC_PINS);
	cr_assert_geq(LOADER_VIRTIO_FIRST_GSI, 16);
}

Test(layout, mp_table_area_fits_the_largest_table)
{
	size_t max = 16 + 44 + LOADER_MPTABLE_MAX_CPUS * 20 + 8 + 8 +
		     (LOADER_IOAPIC_PINS + 2) * 8;

	cr_assert_leq(max, LOADER_MPTABLE_SIZE);
}
