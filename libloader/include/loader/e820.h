/* SPDX-License-Identifier: MIT */
/*
 * The BIOS E820 memory map (ACPI 6.4 §15, "System Address Map Interfaces")
 * as handed to Linux in the boot params and, with the same types, in the
 * PVH memory map.  Built from the libvmmem map so that it always matches
 * the guest's RAM: conventional memory below the EBDA, the EBDA and BIOS
 * area reserved, RAM from 1 MiB up to the MMIO hole, RAM above 4 GiB.  The
 * MMIO hole is a gap, so Linux treats it as free I/O space.
 */
#ifndef LOADER_E820_H
#define LOADER_E820_H

#include <stddef.h>
#include <stdint.h>

#include <vmmem/map.h>

#define LOADER_E820_WUR __attribute__((warn_unused_result))

/* Address range types (ACPI 6.4 table 15.312). */
#define LOADER_E820_RAM		1u
#define LOADER_E820_RESERVED	2u
#define LOADER_E820_ACPI	3u
#define LOADER_E820_NVS		4u
#define LOADER_E820_UNUSABLE	5u

/* The zero page holds at most 128 entries (E820_MAX_ENTRIES_ZEROPAGE). */
#define LOADER_E820_MAX 128u

struct loader_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

struct loader_e820 {
	struct loader_e820_entry entry[LOADER_E820_MAX];
	size_t count;		/* sorted by addr, never overlapping */
};

/* Empties the table. */
void loader_e820_init(struct loader_e820 *t);

/*
 * Inserts [addr, addr+size) keeping the table sorted, merging with an
 * adjacent entry of the same type.  -EINVAL for size 0, a wrapping range,
 * or an overlap with an existing entry; -ENOSPC when full.
 */
LOADER_E820_WUR int loader_e820_add(struct loader_e820 *t, uint64_t addr,
				    uint64_t size, uint32_t type);

/*
 * Builds the table for map: every region as RAM except that the EBDA
 * (LOADER_EBDA_*) and BIOS area (LOADER_BIOS_*) are reserved and the VGA
 * window is left out.  -ENOSPC when it does not fit, -EINVAL for an empty
 * map.
 */
LOADER_E820_WUR int loader_e820_build(const struct vmmem_map *map,
				      struct loader_e820 *t);

#endif
