/* SPDX-License-Identifier: MIT */
/*
 * ELF64 vmlinux loading through libelf (System V gABI, x86_64 psABI): every
 * PT_LOAD segment is copied to its physical address, memsz beyond filesz is
 * zeroed (unless the memory is known to read as zero already), and the PVH
 * entry is read from the Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY
 * (xen/include/public/elfnote.h).
 */
#ifndef LOADER_ELF_H
#define LOADER_ELF_H

#include <loader/kernel.h>

/* Xen ELF note type carrying the 32-bit PVH entry point. */
#define LOADER_XEN_ELFNOTE_PHYS32_ENTRY 18u

/* Largest number of program headers accepted (Linux has 5). */
#define LOADER_ELF_MAX_PHDRS 64u

/*
 * Checks an ELF image without touching guest memory: class, data, machine,
 * program headers, segment bounds and overlap, entry and PVH note.  Fills
 * out (load_addr/load_end span all PT_LOAD segments).  map may be NULL;
 * when given, every segment must be backed by it (-EFAULT otherwise).
 * -ENOEXEC for a malformed image, -ENOTSUP for a foreign class or machine,
 * -EADDRINUSE for a PT_LOAD segment overlapping the boot area below 1 MiB
 * (<loader/layout.h>): out->overlap then names the program header index,
 * its physical range and the area, and the rest of *out is zero.
 */
LOADER_WUR int loader_elf_parse(const struct vmmem_map *map, const void *image,
				size_t size, struct loader_kernel *out);

/* Parses (as above, with map) then writes the segments into map, with
 * their zero fill unless opts->memory_zeroed (<loader/kernel.h>).  opts
 * may be NULL. */
LOADER_WUR int loader_elf_load(struct vmmem_map *map, const void *image, size_t size,
			       const struct loader_kernel_opts *opts,
			       struct loader_kernel *out);

#endif
