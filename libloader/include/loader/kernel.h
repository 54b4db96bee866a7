/* SPDX-License-Identifier: MIT */
/*
 * Kernel images: what a load produced, and loading with format detection.
 * An ELF vmlinux is loaded by its program headers (elf.h); a bzImage by the
 * Linux x86 boot protocol (bzimage.h, Documentation/arch/x86/boot.rst).
 * Every image is treated as hostile: all offsets and sizes are checked
 * against the file and the guest map before any byte is written.
 */
#ifndef LOADER_KERNEL_H
#define LOADER_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmmem/map.h>
#include <loader/layout.h>

#define LOADER_WUR __attribute__((warn_unused_result))

enum loader_kernel_format {
	LOADER_FORMAT_UNKNOWN = 0,
	LOADER_FORMAT_ELF,	/* ELF64 x86_64 vmlinux */
	LOADER_FORMAT_BZIMAGE,	/* Linux x86 boot protocol image */
};

/* Bytes of the setup header kept for the boot params: offsets 0x1f1 up to
 * the end of struct setup_header (kernel_info_offset, protocol 2.15). */
#define LOADER_SETUP_HEADER_MAX 0x7bu

/* Setup-header facts of a bzImage (zero for ELF kernels). */
struct loader_bzimage_info {
	uint16_t version;		/* boot protocol, e.g. 0x020f */
	uint8_t setup_sects;		/* after the "0 means 4" rule */
	uint8_t loadflags;
	uint16_t xloadflags;		/* 0 before protocol 2.12 */
	bool relocatable;		/* relocatable_kernel */
	uint32_t kernel_alignment;	/* power of two */
	uint8_t min_alignment;		/* log2, 0 before 2.10 */
	uint64_t pref_address;		/* 0 before 2.10 */
	uint32_t init_size;		/* bytes needed from the load address */
	uint32_t initrd_addr_max;	/* highest byte an initrd may occupy */
	uint32_t cmdline_size;		/* max command line length, no NUL */
	uint64_t setup_size;		/* (setup_sects + 1) * 512 */
	uint64_t kernel_size;		/* protected-mode part, syssize * 16 */
	uint32_t payload_offset;	/* from the protected-mode start */
	uint32_t payload_length;
	uint8_t header[LOADER_SETUP_HEADER_MAX]; /* raw bytes from 0x1f1 */
	uint32_t header_len;		/* valid bytes in header[] */
};

/* LOADER_KERNEL_SEGMENT_BZIMAGE in struct loader_kernel_overlap: the
 * protected-mode kernel of a bzImage rather than an ELF program header. */
#define LOADER_KERNEL_SEGMENT_BZIMAGE (-1)

/*
 * Why a load was refused with -EADDRINUSE: which part of the image would
 * have landed in the boot area (<loader/layout.h>), and on what.
 */
struct loader_kernel_overlap {
	int segment;		/* ELF program header index, or
				 * LOADER_KERNEL_SEGMENT_BZIMAGE */
	uint64_t start;		/* guest range of that segment */
	uint64_t end;		/* one past its last byte (saturated at 2^64-1) */
	const struct loader_area *area;	/* the boot-area part it overlaps */
};

/* Where a loaded kernel went and how to enter it. */
struct loader_kernel {
	enum loader_kernel_format format;
	uint64_t load_addr;	/* lowest guest address the kernel owns */
	uint64_t load_end;	/* one past the highest (memsz / init_size) */
	/* bzImage: what the boot params announce as kernel_alignment (Linux
	 * runs at load_addr rounded up to it): the image's own value, or
	 * 1 << min_alignment when a relocatable kernel's load_addr, chosen
	 * by the caller, is aligned only to that.  0 for ELF. */
	uint32_t load_alignment;
	uint64_t entry;		/* 64-bit entry: ELF e_entry, bzImage load+0x200 */
	bool has_entry64;	/* false for a bzImage without XLF_KERNEL_64 */
	uint64_t entry32;	/* 32-bit protected-mode entry (bzImage) */
	bool has_pvh;		/* the ELF has XEN_ELFNOTE_PHYS32_ENTRY */
	uint32_t pvh_entry;	/* its value: 32-bit PVH entry point */
	uint32_t cmdline_max;	/* longest command line, without the NUL */
	uint32_t initrd_addr_max; /* highest byte an initrd may occupy */
	struct loader_bzimage_info bz; /* bzImage only */
	/* Filled (with format, the rest of the struct zero) only when a
	 * load or parse returned -EADDRINUSE. */
	struct loader_kernel_overlap overlap;
};

/* Load options; zero-initialise for defaults. */
struct loader_kernel_opts {
	/* bzImage: where to put the protected-mode kernel; 0 lets the loader
	 * follow pref_address / kernel_alignment.  Ignored for ELF, which
	 * goes where its program headers say. */
	uint64_t load_addr;
	/* The guest memory the image goes to already reads as zero: it was
	 * just mapped (anonymous, as vmmem_map_add_region() maps it) and
	 * nothing has been written there.  An ELF segment's bytes past
	 * p_filesz (its .bss) are then left as they are instead of being
	 * zero-filled, which spares touching those pages before the guest
	 * does; with transparent huge pages, each 2 MiB of .bss filled is a
	 * huge page the host must clear first.  Wrong for memory that held
	 * anything, such as a reused map. */
	bool memory_zeroed;
};

/* Identifies an image by its magic bytes; never fails. */
enum loader_kernel_format loader_kernel_detect(const void *image, size_t size);

/*
 * Loads an ELF or bzImage (auto-detected) into map.  opts may be NULL.
 * -ENOEXEC: not a kernel or malformed; -ENOTSUP: valid but unsupported
 * (old boot protocol, wrong architecture); -EFAULT: does not fit the map;
 * -EADDRINUSE: a segment (or the bzImage's protected-mode kernel) would
 * overlap the boot area below 1 MiB, and out->overlap says which.
 * Nothing is written to the map unless every check passed.
 */
LOADER_WUR int loader_kernel_load(struct vmmem_map *map, const void *image,
				  size_t size,
				  const struct loader_kernel_opts *opts,
				  struct loader_kernel *out);

/* As loader_kernel_load(), reading the image from a file (mapped
 * read-only).  -errno from open/fstat/mmap as well. */
LOADER_WUR int loader_kernel_load_file(struct vmmem_map *map, const char *path,
				       const struct loader_kernel_opts *opts,
				       struct loader_kernel *out);

/* The same from a file the caller opened for reading, so that the file it
 * checked is the file loaded.  fd stays open, its offset unchanged. */
LOADER_WUR int loader_kernel_load_fd(struct vmmem_map *map, int fd,
				     const struct loader_kernel_opts *opts,
				     struct loader_kernel *out);

/*
 * Writes a one-line explanation of a load result into buf (always NUL-
 * terminated when len > 0), e.g. "ELF program header 1 at [0x7000,
 * 0x8000) overlaps the zero page [0x7000, 0x8000)" for -EADDRINUSE, or the
 * meaning of the other errors above.  k may be NULL except for
 * -EADDRINUSE, whose details it holds.  Returns what snprintf() returns.
 */
int loader_kernel_strerror(int err, const struct loader_kernel *k, char *buf,
			   size_t len);

#endif
