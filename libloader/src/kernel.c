// SPDX-License-Identifier: MIT
// Kernel format detection and the format-independent entry points.  An ELF
// starts with "\177ELF" (gABI e_ident); a bzImage carries 0xAA55 at 0x1fe
// and "HdrS" at 0x202 (boot.rst).  Anything else is not a kernel.
#include <errno.h>
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
		return loader_elf_load(map, image, size, out);
	case LOADER_FORMAT_BZIMAGE:
		return loader_bzimage_load(map, image, size, opts, out);
	case LOADER_FORMAT_UNKNOWN:
		break;
	}
	return image ? -ENOEXEC : -EINVAL;
}

int loader_kernel_load_file(struct vmmem_map *map, const char *path,
			    const struct loader_kernel_opts *opts,
			    struct loader_kernel *out)
{
	struct loader__file f;
	int err = loader__file_map(path, &f);

	if (err)
		return err;
	err = f.data ? loader_kernel_load(map, f.data, f.size, opts, out) : -ENOEXEC;
	loader__file_unmap(&f);
	return err;
}
