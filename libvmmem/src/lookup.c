/* SPDX-License-Identifier: MIT */
/*
 * GPA translation and backing checks, on top of the lookup in
 * map_internal.h (inline there, since every accessor starts with it).
 */
#include <errno.h>

#include "map_internal.h"

const struct vmmem__region *vmmem__find(const struct vmmem_map *map, uint64_t gpa)
{
	return vmmem__lookup(map, gpa);
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
