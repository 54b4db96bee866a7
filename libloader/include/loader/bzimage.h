/* SPDX-License-Identifier: MIT */
/*
 * bzImage loading per the Linux x86 boot protocol
 * (Documentation/arch/x86/boot.rst): the real-mode setup sectors are
 * skipped, the protected-mode kernel is placed at pref_address or a
 * kernel_alignment-aligned address with init_size bytes of room, and the
 * setup header is kept for the boot params.
 */
#ifndef LOADER_BZIMAGE_H
#define LOADER_BZIMAGE_H

#include <loader/kernel.h>

/* Oldest boot protocol accepted: 2.06 gives cmdline_size and every field
 * a 32/64-bit loader needs. */
#define LOADER_BZIMAGE_MIN_VERSION 0x0206u
/* Protocol version a loader writes for kernels that have no header. */
#define LOADER_BOOT_PROTOCOL_VERSION 0x020fu

/*
 * Checks the setup header of a bzImage and fills info.  -ENOEXEC for a
 * malformed or truncated image, -ENOTSUP for a protocol older than
 * LOADER_BZIMAGE_MIN_VERSION or a zImage (no LOADED_HIGH).
 */
LOADER_WUR int loader_bzimage_parse(const void *image, size_t size,
				    struct loader_bzimage_info *info);

/*
 * Parses the image, chooses the load address (opts->load_addr, or
 * pref_address, or the lowest kernel_alignment-aligned address at or above
 * both pref_address and LOADER_KERNEL_START with init_size bytes backed
 * when the kernel is relocatable) and copies the protected-mode kernel
 * there.  opts may be NULL.  A relocatable kernel is never placed below
 * pref_address: Linux moves itself up to it (head_64.S, LOAD_PHYSICAL_ADDR).
 * opts->load_addr must be aligned to 1 << min_alignment (protocol 2.10+)
 * or kernel_alignment; out->load_alignment is what the boot params then
 * announce as kernel_alignment.  -EINVAL for a load address the kernel
 * cannot run at (unaligned, below pref_address, or, for a non-relocatable
 * kernel, other than pref_address); -EADDRINUSE when the chosen or only
 * possible address would put any of the init_size bytes in the boot area
 * below 1 MiB (out->overlap says where; a relocatable kernel is moved
 * instead); -EFAULT when no backed range fits.
 */
LOADER_WUR int loader_bzimage_load(struct vmmem_map *map, const void *image,
				   size_t size,
				   const struct loader_kernel_opts *opts,
				   struct loader_kernel *out);

#endif
