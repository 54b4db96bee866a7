// SPDX-License-Identifier: MIT
// The boot area of <loader/layout.h> as a table: the structures the loader
// and the boot vCPU setup place below 1 MiB (Documentation/arch/x86/boot.rst
// for the zero page and command line, Xen's PVH start info, ACPI 6.4
// §5.2.5.1 and MP spec 1.4 §4 for the tables in the BIOS scan range), so
// that a refused kernel image can be told which one it would have hit.
#include <loader/layout.h>

#include "util.h"

static const struct loader_area boot_areas[] = {
	{ "BIOS data area", LOADER_BIOS_DATA_START, LOADER_BIOS_DATA_SIZE },
	{ "GDT", LOADER_GDT_START, LOADER_GDT_SIZE },
	{ "IDT", LOADER_IDT_START, LOADER_IDT_SIZE },
	{ "PVH start info", LOADER_PVH_INFO_START, LOADER_PVH_INFO_SIZE },
	{ "zero page", LOADER_ZERO_PAGE_START, LOADER_ZERO_PAGE_SIZE },
	{ "boot stack", LOADER_BOOT_STACK_START, LOADER_BOOT_STACK_SIZE },
	{ "page tables", LOADER_PAGE_TABLES_START, LOADER_PAGE_TABLES_SIZE },
	{ "command line", LOADER_CMDLINE_START, LOADER_CMDLINE_MAX_SIZE },
	{ "EBDA", LOADER_EBDA_START, LOADER_EBDA_SIZE },
	{ "VGA window", LOADER_VGA_START, LOADER_VGA_SIZE },
	{ "ACPI tables", LOADER_ACPI_START, LOADER_ACPI_SIZE },
	{ "MP table", LOADER_MPTABLE_START, LOADER_MPTABLE_SIZE },
};

static const struct loader_area low_memory = {
	"low memory below 1 MiB", LOADER_BOOT_AREA_START,
	LOADER_BOOT_AREA_END - LOADER_BOOT_AREA_START,
};

const struct loader_area *loader_layout_boot_areas(size_t *count)
{
	*count = sizeof(boot_areas) / sizeof(boot_areas[0]);
	return boot_areas;
}

const struct loader_area *loader_layout_boot_overlap(uint64_t start, uint64_t len)
{
	/* Clamp a wrapping range: only its part below 2^64 can be compared. */
	if (len > UINT64_MAX - start)
		len = UINT64_MAX - start;
	if (!loader__overlaps(start, len, low_memory.start, low_memory.size))
		return NULL;
	for (size_t i = 0; i < sizeof(boot_areas) / sizeof(boot_areas[0]); i++)
		if (loader__overlaps(start, len, boot_areas[i].start, boot_areas[i].size))
			return &boot_areas[i];
	return &low_memory;
}
