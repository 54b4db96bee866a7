/* SPDX-License-Identifier: MIT */
/*
 * The boot params ("zero page", struct boot_params of <asm/bootparam.h>)
 * for the 32-bit and 64-bit boot protocols (Documentation/arch/x86/boot.rst
 * and zero-page.rst): the kernel's setup header, the loader type, the
 * command line, the ramdisk, the ACPI RSDP and the E820 map.
 */
#ifndef LOADER_BOOTPARAMS_H
#define LOADER_BOOTPARAMS_H

#include <stdint.h>

#include <loader/e820.h>
#include <loader/kernel.h>

/* type_of_loader 0xff: "undefined" loader, as other VMMs report. */
#define LOADER_TYPE_OF_LOADER 0xffu

struct loader_boot_params_cfg {
	const struct loader_kernel *kernel; /* its setup header is copied */
	uint64_t cmdline_addr;		/* 0: no command line */
	uint32_t cmdline_len;		/* bytes without the NUL */
	uint64_t initrd_addr;		/* 0 with initrd_size 0: none */
	uint64_t initrd_size;
	uint64_t rsdp_addr;		/* 0: let the kernel scan for it */
	const struct loader_e820 *e820;	/* required */
};

/*
 * Writes a complete boot_params (4096 bytes) at gpa.  The setup header is
 * a bzImage's own, with kernel_alignment set to kernel->load_alignment
 * when that is non-zero.  An initrd above 4 GiB goes into the ext_*
 * fields, which only the 64-bit entry reads.  The command line and its
 * NUL must lie below 4 GiB: the 32-bit entry cannot reach above, and the
 * 64-bit entry reads the line through the page tables of
 * loader_boot_cpu_setup(), which map only the low 4 GiB.  -EINVAL for a
 * missing kernel or E820, a command line reaching 4 GiB or longer than
 * the kernel accepts; -EFAULT when gpa is not backed.
 */
LOADER_WUR int loader_boot_params_write(struct vmmem_map *map, uint64_t gpa,
					const struct loader_boot_params_cfg *cfg);

#endif
