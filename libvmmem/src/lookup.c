/* SPDX-License-Identifier: MIT */
/*
 * GPA lookup: a last-hit cache in front of a binary search over the sorted
 * regions, and the range checks every accessor relies on.
 */
#include <errno.h>

#include "map_internal.h"

static bool region_holds(const struct vmmem__region *r, uint64_t gpa)
{
	return gpa >= r->gpa && gpa - r->gpa < r->size;
}

const struct vmmem__region *vmmem__find(const struct vmmem_map *map, uint64_t gpa)
{
	/* The cache is a hint shared by all threads; a stale value only costs
	 * a search.  The cast drops const on the hint alone. */
	_Atomic size_t *hint = (_Atomic size_t *)&map->last_hit;
	size_t hit = atomic_load_explicit(hint, memory_order_relaxed);
	size_t lo = 0, hi = map->count;

	if (hit < map->count && region_holds(&map->regions[hit], gpa))
		return &map->regions[hit];
	/* Last region whose start is <= gpa. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map->regions[mid].gpa <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !region_holds(&map->regions[lo - 1], gpa))
		return NULL;
	atomic_store_explicit(hint, lo - 1, memory_order_relaxed);
	return &map->regions[lo - 1];
}

int vmmem__span(const struct vmmem_map *map, uint64_t gpa, uint64_t len,
		const struct vmmem__region **out)
{
	const struct vmmem__region *r;

	if (len == 0)
		return -EINVAL;
	if (vmmem__wraps(gpa, len))
		return -EFAULT;
	r = vmmem__find(map, gpa);
	if (!r || len > r->size - (gpa - r->gpa))
		return -EFAULT;
	*out = r;
	return 0;
}

int vmmem_translate(const struct vmmem_map *map, uint64_t gpa, uint64_t len, void **hva)
{
	const struct vmmem__region *r;
	int err = vmmem__span(map, gpa, len, &r);

	if (err)
		return err;
	*hva = r->hva + (gpa - r->gpa);
	return 0;
}

bool vmmem_range_is_backed(const struct vmmem_map *map, uint64_t gpa, uint64_t len)
{
	if (len == 0 || vmmem__wraps(gpa, len))
		return false;
	while (len) {
		const struct vmmem__region *r = vmmem__find(map, gpa);
		uint64_t room;

		if (!r)
			return false;
		room = r->size - (gpa - r->gpa);
		if (len <= room)
			return true;
		/* Continue in the region that must start right after this one. */
		gpa += room;
		len -= room;
	}
	return true;
}
