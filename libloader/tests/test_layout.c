// SPDX-License-Identifier: MIT
// The layout header: no two areas overlap, the PC conventions hold (tables
// in the BIOS scan range, boot structures below the EBDA, kernel above
// 1 MiB, interrupt controllers inside the MMIO hole), and the areas are as
// large as the structures written into them.
#include <asm/bootparam.h>
#include <criterion/criterion.h>

#include <loader/layout.h>
#include <loader/mptable.h>

struct area {
	const char *name;
	uint64_t start, size;
};

static const struct area areas[] = {
	{ "GDT", LOADER_GDT_START, LOADER_GDT_SIZE },
	{ "IDT", LOADER_IDT_START, LOADER_IDT_SIZE },
	{ "PVH info", LOADER_PVH_INFO_START, LOADER_PVH_INFO_SIZE },
	{ "zero page", LOADER_ZERO_PAGE_START, LOADER_ZERO_PAGE_SIZE },
	{ "boot stack", LOADER_BOOT_STACK_START, LOADER_BOOT_STACK_SIZE },
	{ "page tables", LOADER_PAGE_TABLES_START, LOADER_PAGE_TABLES_SIZE },
	{ "cmdline", LOADER_CMDLINE_START, LOADER_CMDLINE_MAX_SIZE },
	{ "EBDA", LOADER_EBDA_START, LOADER_EBDA_SIZE },
	{ "VGA", LOADER_VGA_START, LOADER_VGA_SIZE },
	{ "ACPI", LOADER_ACPI_START, LOADER_ACPI_SIZE },
	{ "MP table", LOADER_MPTABLE_START, LOADER_MPTABLE_SIZE },
	{ "kernel", LOADER_KERNEL_START, LOADER_MMIO_HOLE_START - LOADER_KERNEL_START },
	{ "MMIO hole", LOADER_MMIO_HOLE_START, LOADER_MMIO_HOLE_SIZE },
	{ "high RAM", LOADER_HIGH_RAM_START, 1ull << 40 },
};
#define N (sizeof(areas) / sizeof(areas[0]))

Test(layout, no_two_areas_overlap)
{
	for (size_t i = 0; i < N; i++) {
		cr_assert_gt(areas[i].size, 0, "%s", areas[i].name);
		for (size_t j = i + 1; j < N; j++)
			cr_assert(areas[i].start + areas[i].size <= areas[j].start ||
				  areas[j].start + areas[j].size <= areas[i].start,
				  "%s overlaps %s", areas[i].name, areas[j].name);
	}
}

Test(layout, boot_structures_sit_in_conventional_memory)
{
	for (size_t i = 0; i < N; i++)
		if (areas[i].start < LOADER_EBDA_START)
			cr_assert_leq(areas[i].start + areas[i].size, LOADER_LOW_RAM_END,
				      "%s", areas[i].name);
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
