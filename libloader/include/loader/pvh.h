/* SPDX-License-Identifier: MIT */
/*
 * PVH boot information: struct hvm_start_info version 1 with its module
 * list and memory map (xen/include/public/arch-x86/hvm/start_info.h,
 * docs/misc/pvh.pandoc).  The guest enters at the ELF note's 32-bit entry
 * with EBX pointing at the start info.
 */
#ifndef LOADER_PVH_H
#define LOADER_PVH_H

#include <stdint.h>

#include <loader/e820.h>
#include <loader/kernel.h>

#define LOADER_PVH_MAGIC 0x336ec578u

struct loader_pvh_cfg {
	uint64_t cmdline_addr;		/* 0: none */
	uint64_t initrd_addr;		/* becomes module 0 when size != 0 */
	uint64_t initrd_size;
	uint64_t rsdp_addr;		/* 0: none */
	const struct loader_e820 *e820;	/* required */
};

/*
 * Writes hvm_start_info at gpa, the module list and the memory map after
 * it, all within area_size bytes (LOADER_PVH_INFO_SIZE at
 * LOADER_PVH_INFO_START fits 128 map entries).  -EINVAL for a missing E820,
 * -ENOSPC when it does not fit area_size, -EFAULT when not backed.
 */
LOADER_WUR int loader_pvh_write(struct vmmem_map *map, uint64_t gpa,
				uint64_t area_size,
				const struct loader_pvh_cfg *cfg);

#endif
