/* SPDX-License-Identifier: MIT */
/*
 * Initial ramdisk placement (Documentation/arch/x86/boot.rst, "initrd"):
 * as high as possible, page-aligned, entirely below initrd_addr_max, in
 * backed RAM above the legacy area, overlapping neither the kernel nor the
 * boot structures of <loader/layout.h>.
 */
#ifndef LOADER_INITRD_H
#define LOADER_INITRD_H

#include <stddef.h>
#include <stdint.h>

#include <loader/kernel.h>

struct loader_initrd {
	uint64_t addr;	/* page aligned */
	uint64_t size;
};

/*
 * Chooses an address for size bytes.  addr_max is the highest byte the
 * initrd may occupy (kernel->initrd_addr_max when kernel is given and
 * addr_max is 0).  kernel may be NULL.  -EINVAL for size 0, -ENOSPC when no
 * backed range fits.
 */
LOADER_WUR int loader_initrd_place(const struct vmmem_map *map, uint64_t size,
				   uint64_t addr_max,
				   const struct loader_kernel *kernel,
				   uint64_t *addr);

/* Places (as above) and copies the initrd into guest memory. */
LOADER_WUR int loader_initrd_load(struct vmmem_map *map, const void *data,
				  size_t size, uint64_t addr_max,
				  const struct loader_kernel *kernel,
				  struct loader_initrd *out);

/* As loader_initrd_load(), reading the file at path: -errno from open(2),
 * -EINVAL for an empty file or one that is not a regular file. */
LOADER_WUR int loader_initrd_load_file(struct vmmem_map *map, const char *path,
				       uint64_t addr_max,
				       const struct loader_kernel *kernel,
				       struct loader_initrd *out);

/* As loader_initrd_load_file(), from a file the caller opened (and may have
 * checked): the file loaded is the one it holds, whatever its path names
 * by then.  fd stays open and its offset where it was; -EBADF for fd < 0. */
LOADER_WUR int loader_initrd_load_fd(struct vmmem_map *map, int fd, uint64_t addr_max,
				     const struct loader_kernel *kernel,
				     struct loader_initrd *out);

#endif
