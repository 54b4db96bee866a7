// SPDX-License-Identifier: MIT
// Initrd placement (boot.rst: "as high as possible below initrd_addr_max",
// like GRUB and QEMU do): regions are tried from the highest address down,
// above the legacy area and LOADER_CMDLINE/ACPI structures (all below
// LOADER_HIMEM_START), dodging the kernel's [load_addr, load_end).
#include <errno.h>

#include <vmmem/access.h>

#include <loader/initrd.h>
#include <loader/layout.h>

#include "file.h"
#include "util.h"

struct place {
	uint64_t size, limit;		/* limit: one past the last usable byte */
	uint64_t k_start, k_end;	/* kernel range to avoid, may be empty */
	uint64_t found;
	bool ok;
};

/* Highest page-aligned start for size bytes in [lo, hi), if any. */
static bool top_fit(uint64_t lo, uint64_t hi, uint64_t size, uint64_t *addr)
{
	uint64_t a;

	if (hi <= lo || hi - lo < size)
		return false;
	a = loader__align_down(hi - size, VMMEM_PAGE_SIZE);
	if (a < lo)
		return false;
	*addr = a;
	return true;
}

static void try_region(struct place *p, const struct vmmem_region_info *r)
{
	uint64_t lo = r->gpa < LOADER_HIMEM_START ? LOADER_HIMEM_START : r->gpa;
	uint64_t hi = r->gpa + r->size < p->limit ? r->gpa + r->size : p->limit;
	uint64_t a;

	if (!top_fit(lo, hi, p->size, &a))
		return;
	if (loader__overlaps(a, p->size, p->k_start, p->k_end - p->k_start)) {
		/* Above the kernel did not fit: try the room below it. */
		if (!top_fit(lo, hi < p->k_start ? hi : p->k_start, p->size, &a))
			return;
	}
	if (!p->ok || a > p->found) {
		p->found = a;
		p->ok = true;
	}
}

static int visit(void *ctx, const struct vmmem_region_info *r)
{
	try_region(ctx, r);
	return 0;
}

int loader_initrd_place(const struct vmmem_map *map, uint64_t size,
			uint64_t addr_max, const struct loader_kernel *kernel,
			uint64_t *addr)
{
	struct place p = { .size = size };

	if (!map || !addr || size == 0)
		return -EINVAL;
	if (addr_max == 0 && kernel)
		addr_max = kernel->initrd_addr_max;
	if (addr_max == 0)
		return -EINVAL;
	p.limit = addr_max == UINT64_MAX ? UINT64_MAX : addr_max + 1;
	if (kernel && kernel->load_end > kernel->load_addr) {
		p.k_start = kernel->load_addr;
		p.k_end = kernel->load_end;
	}
	(void)vmmem_map_for_each_region(map, visit, &p);
	if (!p.ok)
		return -ENOSPC;
	*addr = p.found;
	return 0;
}

int loader_initrd_load(struct vmmem_map *map, const void *data, size_t size,
		       uint64_t addr_max, const struct loader_kernel *kernel,
		       struct loader_initrd *out)
{
	uint64_t addr;
	int err;

	if (!data || !out)
		return -EINVAL;
	err = loader_initrd_place(map, size, addr_max, kernel, &addr);
	if (!err)
		err = vmmem_write(map, addr, data, size);
	if (err)
		return err;
	out->addr = addr;
	out->size = size;
	return 0;
}

static int load_mapped(struct vmmem_map *map, struct loader__file *f, uint64_t addr_max,
		       const struct loader_kernel *kernel, struct loader_initrd *out)
{
	int err = f->data ? loader_initrd_load(map, f->data, f->size, addr_max, kernel, out)
			  : -EINVAL;

	loader__file_unmap(f);
	return err;
}

int loader_initrd_load_file(struct vmmem_map *map, const char *path,
			    uint64_t addr_max, const struct loader_kernel *kernel,
			    struct loader_initrd *out)
{
	struct loader__file f;
	int err = loader__file_map(path, &f);

	return err ? err : load_mapped(map, &f, addr_max, kernel, out);
}

int loader_initrd_load_fd(struct vmmem_map *map, int fd, uint64_t addr_max,
			  const struct loader_kernel *kernel, struct loader_initrd *out)
{
	struct loader__file f;
	int err = loader__file_map_fd(fd, &f);

	return err ? err : load_mapped(map, &f, addr_max, kernel, out);
}
