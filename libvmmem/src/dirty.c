/* SPDX-License-Identifier: MIT */
/*
 * Dirty-page bitmaps.  Writers on any thread set bits with atomic OR, and a
 * snapshot thread takes them with atomic exchange, so a page written while
 * the bitmap is harvested is reported now or in the next round, never lost.
 */
#include <errno.h>

#include <vmmem/dirty.h>

#include "map_internal.h"

void vmmem__mark_dirty(const struct vmmem__region *r, uint64_t gpa, uint64_t len)
{
	uint64_t first, last;

	if (!r->dirty || len == 0)
		return;
	first = (gpa - r->gpa) / VMMEM_PAGE_SIZE;
	last = (gpa - r->gpa + len - 1) / VMMEM_PAGE_SIZE;
	for (uint64_t page = first; page <= last; page++) {
		uint64_t bit = UINT64_C(1) << (page % 64);
		_Atomic uint64_t *word = &r->dirty[page / 64];

		/* Skip the locked RMW when the bit is already set: most writes
		 * hit pages that are dirty already. */
		if (!(atomic_load_explicit(word, memory_order_relaxed) & bit))
			atomic_fetch_or_explicit(word, bit, memory_order_relaxed);
	}
}

size_t vmmem_dirty_bitmap_words(const struct vmmem_map *map, size_t idx)
{
	return idx < map->count ? map->regions[idx].dirty_words : 0;
}

int vmmem_dirty_mark(struct vmmem_map *map, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		return 0;
	if (!vmmem_range_is_backed(map, gpa, len))
		return -EFAULT;
	while (len) {
		const struct vmmem__region *r = vmmem__find(map, gpa);
		uint64_t room = r->size - (gpa - r->gpa);
		uint64_t step = len < room ? len : room;

		vmmem__mark_dirty(r, gpa, step);
		gpa += step;
		len -= step;
	}
	return 0;
}

int vmmem_dirty_test(const struct vmmem_map *map, uint64_t gpa)
{
	const struct vmmem__region *r = vmmem__find(map, gpa);
	uint64_t page;

	if (!r)
		return -EFAULT;
	if (!r->dirty)
		return -ENOTSUP;
	page = (gpa - r->gpa) / VMMEM_PAGE_SIZE;
	return (atomic_load_explicit(&r->dirty[page / 64], memory_order_relaxed) >>
		(page % 64)) & 1;
}

int vmmem_dirty_fetch_clear(struct vmmem_map *map, size_t idx, uint64_t *out,
			    size_t words)
{
	const struct vmmem__region *r;

	if (idx >= map->count)
		return -EINVAL;
	r = &map->regions[idx];
	if (!r->dirty)
		return -ENOTSUP;
	if (words < r->dirty_words)
		return -EINVAL;
	for (size_t w = 0; w < r->dirty_words; w++)
		out[w] = atomic_exchange_explicit(&r->dirty[w], 0, memory_order_relaxed);
	return 0;
}
