/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 guest physical memory layout the loader and a VMM agree on:
 * where the boot structures, the platform tables, the kernel and the MMIO
 * hole live.  Low memory follows the PC conventions Linux still relies on
 * (real-mode area below 0x9fc00, EBDA at 0x9fc00, BIOS area 0xe0000-0xfffff
 * scanned for the ACPI RSDP and the MP floating pointer, MP spec 1.4 §4 and
 * ACPI 6.4 §5.2.5.1); the rest follows Documentation/arch/x86/boot.rst.
 * tests/test_layout.c proves that no two areas overlap.
 *
 * Everything the loader and the boot vCPU setup place before the guest's
 * first instruction lies in the boot area, [LOADER_BOOT_AREA_START,
 * LOADER_BOOT_AREA_END): the real-mode and BIOS region below 1 MiB.  A
 * kernel image that overlapped it would be overwritten by the zero page,
 * the page tables or the tables (or overwrite them), so both kernel loaders
 * refuse such an image with -EADDRINUSE and say which segment and which
 * area collided (<loader/kernel.h>).  Linux kernels are linked at 1 MiB or
 * above (boot.rst: the protected-mode kernel is loaded at 0x100000 or
 * higher), and Firecracker refuses ELF segments below it the same way.
 */
#ifndef LOADER_LAYOUT_H
#define LOADER_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* Real-mode interrupt vector table and BIOS data area: not written by the
 * loader, but Linux reads the BDA (the EBDA pointer at 0x40e). */
#define LOADER_BIOS_DATA_START		0x0ull
#define LOADER_BIOS_DATA_SIZE		0x500ull

/* GDT for the boot vCPU: two null descriptors, code at selector 0x10 and
 * data at 0x18 (the __BOOT_CS/__BOOT_DS boot.rst asks for), then a TSS. */
#define LOADER_GDT_START		0x500ull
#define LOADER_GDT_SIZE			0x28ull
/* An empty IDT; Linux installs its own before enabling interrupts. */
#define LOADER_IDT_START		0x530ull
#define LOADER_IDT_SIZE			0x8ull
/* hvm_start_info, then its module list and memory map (PVH entry only). */
#define LOADER_PVH_INFO_START		0x6000ull
#define LOADER_PVH_INFO_SIZE		0x1000ull
/* The "zero page": struct boot_params for the 32/64-bit boot protocol. */
#define LOADER_ZERO_PAGE_START		0x7000ull
#define LOADER_ZERO_PAGE_SIZE		0x1000ull
/* Boot stack of the first vCPU; RSP starts just below its top. */
#define LOADER_BOOT_STACK_START		0x8000ull
#define LOADER_BOOT_STACK_SIZE		0x1000ull
#define LOADER_BOOT_STACK_POINTER	0x8ff0ull
/* Identity-mapping page tables for the 64-bit entry: PML4, PDPT and four
 * page directories of 2 MiB pages, enough for the first 4 GiB. */
#define LOADER_PAGE_TABLES_START	0x9000ull
#define LOADER_PML4_START		0x9000ull
#define LOADER_PDPT_START		0xa000ull
#define LOADER_PD_START			0xb000ull
#define LOADER_PAGE_TABLES_SIZE		0x6000ull
/* Kernel command line; the boot protocol requires it below 4 GiB. */
#define LOADER_CMDLINE_START		0x20000ull
#define LOADER_CMDLINE_MAX_SIZE		0x10000ull
/* End of conventional RAM reported to the guest; the EBDA follows. */
#define LOADER_LOW_RAM_END		0x9fc00ull
/* Extended BIOS data area, reported reserved. */
#define LOADER_EBDA_START		0x9fc00ull
#define LOADER_EBDA_SIZE		0x400ull
/* VGA window and option ROMs: neither RAM nor reported. */
#define LOADER_VGA_START		0xa0000ull
#define LOADER_VGA_SIZE			0x40000ull
/* ACPI tables, RSDP first so a legacy scan of 0xe0000-0xfffff finds it. */
#define LOADER_ACPI_START		0xe0000ull
#define LOADER_ACPI_SIZE		0x10000ull
/* MP floating pointer and configuration table (also in the scanned area). */
#define LOADER_MPTABLE_START		0xf0000ull
#define LOADER_MPTABLE_SIZE		0x10000ull
/* The reserved BIOS area as a whole, as reported in E820. */
#define LOADER_BIOS_START		0xe0000ull
#define LOADER_BIOS_SIZE		0x20000ull
/* First byte above the legacy area: "high memory" for the boot protocol. */
#define LOADER_HIMEM_START		0x100000ull
/* The boot area: every structure above, and the gaps between them. */
#define LOADER_BOOT_AREA_START		0x0ull
#define LOADER_BOOT_AREA_END		LOADER_HIMEM_START
/* Where a kernel goes when its header does not say (boot.rst: 16 MiB is
 * the x86_64 default CONFIG_PHYSICAL_START). */
#define LOADER_KERNEL_START		0x1000000ull
/* The 32-bit MMIO hole below 4 GiB: virtio-mmio devices, IOAPIC, LAPIC.
 * RAM that would fall here is placed above 4 GiB instead. */
#define LOADER_MMIO_HOLE_START		0xc0000000ull
#define LOADER_MMIO_HOLE_SIZE		0x40000000ull
/* First virtio-mmio window inside the hole and the stride between them. */
#define LOADER_VIRTIO_MMIO_START	0xd0000000ull
#define LOADER_VIRTIO_MMIO_STRIDE	0x1000ull
/* Interrupt controllers (fixed by the x86 architecture). */
#define LOADER_IOAPIC_START		0xfec00000ull
#define LOADER_IOAPIC_SIZE		0x1000ull
#define LOADER_LAPIC_START		0xfee00000ull
#define LOADER_LAPIC_SIZE		0x1000ull
/* RAM resumes here when the guest has more than fits below the hole. */
#define LOADER_HIGH_RAM_START		0x100000000ull

/* Legacy interrupt lines the platform tables describe. */
#define LOADER_COM1_PORT		0x3f8u
#define LOADER_COM1_IRQ			4u
#define LOADER_I8042_DATA_PORT		0x60u
#define LOADER_I8042_CMD_PORT		0x64u
#define LOADER_I8042_KBD_IRQ		1u
#define LOADER_I8042_AUX_IRQ		12u
#define LOADER_RTC_PORT			0x70u
#define LOADER_RTC_IRQ			8u
/* First IOAPIC pin for virtio-mmio devices: above the ISA range, so no
 * ISA polarity default or legacy driver can claim it. */
#define LOADER_VIRTIO_FIRST_GSI		16u
/* Pins of the IOAPIC KVM's in-kernel irqchip emulates. */
#define LOADER_IOAPIC_PINS		24u

/* One named area of guest memory. */
struct loader_area {
	const char *name;	/* e.g. "zero page", for error messages */
	uint64_t start;
	uint64_t size;
};

/*
 * The named areas of the boot area, lowest first (BIOS data, GDT, IDT, PVH
 * start info, zero page, boot stack, page tables, command line, EBDA, VGA
 * window, ACPI tables, MP table); *count receives their number.  The gaps
 * between them are part of the boot area too.
 */
const struct loader_area *loader_layout_boot_areas(size_t *count);

/*
 * Which part of the boot area the guest range [start, start + len) overlaps:
 * the first named area it touches, or an area named "low memory below
 * 1 MiB" covering the whole boot area when it touches only a gap; NULL
 * when it does not overlap the boot area (or len is 0).  A range that
 * wraps 2^64 is treated as reaching to the top of the address space.
 */
const struct loader_area *loader_layout_boot_overlap(uint64_t start, uint64_t len);

#endif
