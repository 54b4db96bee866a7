// SPDX-License-Identifier: MIT
// PVH start info (xen docs/misc/pvh.pandoc, start_info.h version 1): the
// structure itself, then the initrd as module 0, then the memory map, each
// 8-byte aligned and all inside the caller's area.  Linux's PVH entry
// (arch/x86/platform/pvh/enlighten.c) takes the command line, the RSDP, the
// first module as the initrd and, with version 1, the memory map as E820.
#include <errno.h>
#include <string.h>

#include <vmmem/access.h>

#include <loader/pvh.h>

#include "spec_pvh.h"

int loader_pvh_write(struct vmmem_map *map, uint64_t gpa, uint64_t area_size,
		     const struct loader_pvh_cfg *cfg)
{
	struct hvm_start_info si = {
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = 1,
	};
	struct hvm_memmap_table_entry mm[LOADER_E820_MAX];
	uint64_t mod_at = gpa + sizeof(si), map_at, need;
	int err;

	if (!map || !cfg || !cfg->e820 || cfg->e820->count == 0 ||
	    cfg->e820->count > LOADER_E820_MAX)
		return -EINVAL;
	map_at = mod_at + (cfg->initrd_size ? sizeof(struct hvm_modlist_entry) : 0);
	need = map_at - gpa + cfg->e820->count * sizeof(mm[0]);
	if (need > area_size || gpa + need < gpa)
		return -ENOSPC;
	si.cmdline_paddr = cfg->cmdline_addr;
	si.rsdp_paddr = cfg->rsdp_addr;
	si.memmap_paddr = map_at;
	si.memmap_entries = (uint32_t)cfg->e820->count;
	memset(mm, 0, sizeof(mm));
	for (size_t i = 0; i < cfg->e820->count; i++) {
		mm[i].addr = cfg->e820->entry[i].addr;
		mm[i].size = cfg->e820->entry[i].size;
		mm[i].type = cfg->e820->entry[i].type;
	}
	if (cfg->initrd_size) {
		struct hvm_modlist_entry mod = {
			.paddr = cfg->initrd_addr, .size = cfg->initrd_size,
		};

		si.nr_modules = 1;
		si.modlist_paddr = mod_at;
		err = vmmem_write(map, mod_at, &mod, sizeof(mod));
		if (err)
			return err;
	}
	err = vmmem_write(map, map_at, mm, cfg->e820->count * sizeof(mm[0]));
	if (!err)
		err = vmmem_write(map, gpa, &si, sizeof(si));
	return err;
}
