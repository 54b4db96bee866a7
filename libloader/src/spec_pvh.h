/* SPDX-License-Identifier: MIT */
/*
 * PVH start-of-day structures, version 1, with the names of
 * xen/include/public/arch-x86/hvm/start_info.h (not in linux-libc-dev).
 * All fields are little-endian and naturally aligned.
 */
#ifndef LOADER_SPEC_PVH_H
#define LOADER_SPEC_PVH_H

#include <stdint.h>

#define XEN_HVM_START_MAGIC_VALUE 0x336ec578u

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;		/* version 1 */
	uint32_t memmap_entries;	/* version 1 */
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;		/* XEN_HVM_MEMMAP_TYPE_*, the E820 values */
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "start_info.h layout");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "start_info.h layout");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "start_info.h layout");

#endif
