// SPDX-License-Identifier: MIT
// Kernel format detection and the format-independent entry points.  An ELF
// starts with "\177ELF" (gABI e_ident); a bzImage carries 0xAA55 at 0x1fe
// and "HdrS" at 0x202 (boot.rst).  Anything else is not a kernel.
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <loader/bzimage.h>
#include <loader/elf.h>
#include <loader/kernel.h>

#include "file.h"

enum loader_kernel_format loader_kernel_detect(const void *image, size_t size)
{
	const uint8_t *p = image;

	if (!image)
		return LOADER_FORMAT_UNKNOWN;
	if (size >= 4 && memcmp(p, "\177ELF", 4) == 0)
		return LOADER_FORMAT_ELF;
	if (size >= 0x206 && p[0x1fe] == 0x55 && p[0x1ff] == 0xaa &&
	    memcmp(p + 0x202, "HdrS", 4) == 0)
		return LOADER_FORMAT_BZIMAGE;
	return LOADER_FORMAT_UNKNOWN;
}

int loader_kernel_load(struct vmmem_map *map, const void *image, size_t size,
		       const struct loader_kernel_opts *opts,
		       struct loader_kernel *out)
{
	switch (loader_kernel_detect(image, size)) {
	case LOADER_FORMAT_ELF:
		return loader_elf_load(map, image, size, opts, out);
	case LOADER_FORMAT_BZIMAGE:
		return loader_bzimage_load(map, image, size, opts, out);
	case LOADER_FORMAT_UNKNOWN:
		break;
	}
	return image ? -ENOEXEC : -EINVAL;
}

static int load_mapped(struct vmmem_map *map, struct loader__file *f,
		       const struct loader_kernel_opts *opts, struct loader_kernel *out)
{
	int err = f->data ? loader_kernel_load(map, f->data, f->size, opts, out) : -ENOEXEC;

	loader__file_unmap(f);
	return err;
}

int loader_kernel_load_file(struct vmmem_map *map, const char *path,
			    const struct loader_kernel_opts *opts,
			    struct loader_kernel *out)
{
	struct loader__file f;
	int err = loader__file_map(path, &f);

	return err ? err : load_mapped(map, &f, opts, out);
}

int loader_kernel_load_fd(struct vmmem_map *map, int fd,
			  const struct loader_kernel_opts *opts,
			  struct loader_kernel *out)
{
	struct loader__file f;
	int err = loader__file_map_fd(fd, &f);

	return err ? err : load_mapped(map, &f, opts, out);
}

static const char *plain_meaning(int err)
{
	switch (err) {
	case 0:			return "loaded";
	case -ENOEXEC:		return "not a kernel image, or a malformed one";
	case -ENOTSUP:		return "a kernel image this loader does not support";
	case -EFAULT:		return "the kernel does not fit guest memory";
	case -EINVAL:		return "invalid argument or load address";
	case -EADDRINUSE:	return "the kernel overlaps the boot area below 1 MiB";
	default:		return NULL;
	}
}

static int describe_overlap(const struct loader_kernel_overlap *o,
			    const struct loader_area *a, char *buf, size_t len)
{
	char seg[48];

	if (o->segment == LOADER_KERNEL_SEGMENT_BZIMAGE)
		snprintf(seg, sizeof(seg), "bzImage protected-mode kernel");
	else
		snprintf(seg, sizeof(seg), "ELF program header %d", o->segment);
	return snprintf(buf, len,
			"%s at [%#" PRIx64 ", %#" PRIx64 ") overlaps the %s [%#" PRIx64
			", %#" PRIx64 ") reserved for boot structures",
			seg, o->start, o->end, a->name, a->start, a->start + a->size);
}

int loader_kernel_strerror(int err, const struct loader_kernel *k, char *buf,
			   size_t len)
{
	const char *what = plain_meaning(err);

	if (err == -EADDRINUSE && k != NULL && k->overlap.area != NULL)
		return describe_overlap(&k->overlap, k->overlap.area, buf, len);
	if (what)
		return snprintf(buf, len, "%s", what);
	return snprintf(buf, len, "%s", strerror(-err));
}
