// SPDX-License-Identifier: MIT
// E820 table construction (ACPI 6.4 §15).  The table is derived from the
// libvmmem regions so it cannot disagree with what is really backed; the
// PC's low holes are carved out of the first region: the EBDA and the BIOS
// area (where the ACPI and MP tables live) become reserved, the VGA window
// disappears.  Linux needs the reserved entries to keep its page allocator
// off the tables.
#include <errno.h>
#include <string.h>

#include <loader/e820.h>
#include <loader/layout.h>

#include "util.h"

void loader_e820_init(struct loader_e820 *t)
{
	memset(t, 0, sizeof(*t));
}

static bool mergeable(const struct loader_e820_entry *a, uint64_t addr,
		      uint64_t size, uint32_t type)
{
	return a->type == type && a->addr + a->size == addr && size;
}

int loader_e820_add(struct loader_e820 *t, uint64_t addr, uint64_t size,
		    uint32_t type)
{
	size_t i;

	if (!t || size == 0 || addr + size < addr || addr + size == 0)
		return -EINVAL;
	for (i = 0; i < t->count && t->entry[i].addr < addr; i++)
		;
	if ((i > 0 && loader__overlaps(t->entry[i - 1].addr, t->entry[i - 1].size,
				       addr, size)) ||
	    (i < t->count && loader__overlaps(t->entry[i].addr, t->entry[i].size,
					      addr, size)))
		return -EINVAL;
	if (i > 0 && mergeable(&t->entry[i - 1], addr, size, type)) {
		t->entry[i - 1].size += size;
		if (i < t->count && mergeable(&t->entry[i - 1], t->entry[i].addr,
					      t->entry[i].size, t->entry[i].type)) {
			t->entry[i - 1].size += t->entry[i].size;
			memmove(&t->entry[i], &t->entry[i + 1],
				(t->count - i - 1) * sizeof(t->entry[0]));
			t->count--;
		}
		return 0;
	}
	if (i < t->count && t->entry[i].type == type && addr + size == t->entry[i].addr) {
		t->entry[i].addr = addr;
		t->entry[i].size += size;
		return 0;
	}
	if (t->count == LOADER_E820_MAX)
		return -ENOSPC;
	memmove(&t->entry[i + 1], &t->entry[i], (t->count - i) * sizeof(t->entry[0]));
	t->entry[i] = (struct loader_e820_entry){ addr, size, type };
	t->count++;
	return 0;
}

/* Adds [lo, hi) clipped to the region [rlo, rhi), if anything remains. */
static int add_clipped(struct loader_e820 *t, uint64_t rlo, uint64_t rhi,
		       uint64_t lo, uint64_t hi, uint32_t type)
{
	lo = lo > rlo ? lo : rlo;
	hi = hi < rhi ? hi : rhi;
	return hi > lo ? loader_e820_add(t, lo, hi - lo, type) : 0;
}

static int add_region(void *ctx, const struct vmmem_region_info *r)
{
	struct loader_e820 *t = ctx;
	uint64_t lo = r->gpa, hi = r->gpa + r->size;
	int err;

	err = add_clipped(t, lo, hi, 0, LOADER_EBDA_START, LOADER_E820_RAM);
	if (!err)
		err = add_clipped(t, lo, hi, LOADER_EBDA_START,
				  LOADER_EBDA_START + LOADER_EBDA_SIZE,
				  LOADER_E820_RESERVED);
	if (!err)
		err = add_clipped(t, lo, hi, LOADER_BIOS_START,
				  LOADER_BIOS_START + LOADER_BIOS_SIZE,
				  LOADER_E820_RESERVED);
	if (!err)
		err = add_clipped(t, lo, hi, LOADER_HIMEM_START, UINT64_MAX,
				  LOADER_E820_RAM);
	return err;
}

int loader_e820_build(const struct vmmem_map *map, struct loader_e820 *t)
{
	int err;

	if (!map || !t)
		return -EINVAL;
	loader_e820_init(t);
	if (vmmem_map_region_count(map) == 0)
		return -EINVAL;
	err = vmmem_map_for_each_region(map, add_region, t);
	if (err)
		return err;
	return t->count ? 0 : -EINVAL;
}
