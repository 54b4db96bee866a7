/* SPDX-License-Identifier: MIT */
/*
 * The boot vCPU's architectural state and the tables it points at, for the
 * two ways into a Linux kernel: the 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol": long mode,
 * identity-mapped paging, __BOOT_CS/__BOOT_DS, RSI = boot params) and PVH
 * (xen docs/misc/pvh.pandoc: 32-bit protected mode, paging off, flat
 * segments, EBX = hvm_start_info).  The GDT, IDT and page tables are
 * written into guest memory at the <loader/layout.h> addresses; the
 * register values are returned for the VMM to load (the segment fields
 * map one to one onto struct kvm_segment).
 */
#ifndef LOADER_BOOTCPU_H
#define LOADER_BOOTCPU_H

#include <stdbool.h>
#include <stdint.h>

#include <loader/kernel.h>

enum loader_entry_mode {
	LOADER_ENTRY_LONG_MODE,	/* 64-bit entry with boot params */
	LOADER_ENTRY_PVH,	/* 32-bit PVH entry with hvm_start_info */
};

/* A segment register as loaded from a GDT descriptor; limit in bytes. */
struct loader_segment {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type;		/* descriptor type field */
	uint8_t dpl;
	bool present, s, db, l, g, avl;
};

struct loader_boot_cpu {
	uint64_t rip, rsp, rflags;
	uint64_t rsi;		/* boot params (long mode) */
	uint64_t rbx;		/* hvm_start_info (PVH) */
	uint64_t cr0, cr3, cr4, efer;
	uint64_t gdt_base, idt_base;
	uint16_t gdt_limit, idt_limit;
	struct loader_segment cs;
	struct loader_segment ds;	/* also ES, FS, GS and SS */
	struct loader_segment tr;
};

/*
 * Writes the GDT and empty IDT and, for long mode, page tables mapping the
 * first 4 GiB with 2 MiB pages, then fills out.  The entry is k->entry
 * (long mode; requires k->has_entry64) or k->pvh_entry (PVH; requires
 * k->has_pvh).  RSI/RBX point at LOADER_ZERO_PAGE_START /
 * LOADER_PVH_INFO_START, where the caller writes the boot information.
 * -EINVAL for a mode the kernel does not offer, when any of
 * [k->load_addr, k->load_end) is at or above 4 GiB (outside the identity
 * map in long mode, beyond 32-bit addressing with paging off in PVH), or
 * for long mode when the entry is; -EFAULT when the low memory is not
 * backed.
 */
LOADER_WUR int loader_boot_cpu_setup(struct vmmem_map *map,
				     const struct loader_kernel *k,
				     enum loader_entry_mode mode,
				     struct loader_boot_cpu *out);

#endif
