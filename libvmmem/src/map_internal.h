/* SPDX-License-Identifier: MIT */
/*
 * Private layout of a guest memory map, shared by the files of libvmmem.
 */
#ifndef VMMEM_MAP_INTERNAL_H
#define VMMEM_MAP_INTERNAL_H

#include <errno.h>
#include <stdatomic.h> /* the dirty bitmaps */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmmem/map.h>

struct vmmem__region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
	int fd;			/* owned by the map; -1 for anonymous memory */
	uint64_t fd_offset;
	uint32_t flags;
	_Atomic uint64_t *dirty; /* one bit per page, NULL without a log */
	size_t dirty_words;
};

struct vmmem_map {
	/*
	 * starts[i] == regions[i].gpa: the lookup searches this dense array
	 * (eight starts per cache line) instead of striding over the regions.
	 * Both are written only while the map is built, before it is shared;
	 * lookups write nothing, so any number of vCPU threads may look up
	 * concurrently without atomics or cache-line traffic.
	 */
	uint64_t starts[VMMEM_MAX_REGIONS];
	struct vmmem__region regions[VMMEM_MAX_REGIONS];
	size_t count;
	uint64_t total_size;
};

/* Whether gpa + len - 1 overflows 2^64 (len > 0). */
static inline bool vmmem__wraps(uint64_t gpa, uint64_t len)
{
	return len - 1 > UINT64_MAX - gpa;
}

static inline bool vmmem__holds(const struct vmmem__region *r, uint64_t gpa)
{
	return gpa >= r->gpa && gpa - r->gpa < r->size;
}

/*
 * Region holding gpa, or NULL: a branchless binary search over the sorted
 * starts.  Each step halves the candidates with a conditional move, so the
 * cost is log2(count) steps whether consecutive lookups stay in one region
 * or alternate (a last-hit cache only wins the first case, and its shared
 * hint is written from every vCPU thread).  It reads the map and writes
 * nothing: concurrent lookups are safe as long as the map no longer
 * changes, which is the rule for a shared map (see <vmmem/map.h>).
 * Inline because every scalar accessor starts with it.
 */
static inline const struct vmmem__region *vmmem__lookup(const struct vmmem_map *map,
							uint64_t gpa)
{
	const uint64_t *starts = map->starts;
	size_t n = map->count, base = 0;

	if (n == 0)
		return NULL;
	/* Invariant: the answer, if any, is in [base, base + n). */
	while (n > 1) {
		size_t half = n / 2;

		base = starts[base + half] <= gpa ? base + half : base;
		n -= half;
	}
	return vmmem__holds(&map->regions[base], gpa) ? &map->regions[base] : NULL;
}

/* vmmem__lookup() out of line, for the loops over multi-region ranges. */
const struct vmmem__region *vmmem__find(const struct vmmem_map *map, uint64_t gpa);

/*
 * Checks that [gpa, gpa+len) lies in one region and returns it.
 * -EINVAL for len == 0, -EFAULT otherwise.
 */
static inline int vmmem__span(const struct vmmem_map *map, uint64_t gpa, uint64_t len,
			      const struct vmmem__region **out)
{
	const struct vmmem__region *r;

	if (len == 0)
		return -EINVAL;
	if (vmmem__wraps(gpa, len))
		return -EFAULT;
	r = vmmem__lookup(map, gpa);
	if (!r || len > r->size - (gpa - r->gpa))
		return -EFAULT;
	*out = r;
	return 0;
}

/* Sets the dirty bits of [gpa, gpa+len) in r, which must contain the range. */
void vmmem__mark_dirty(const struct vmmem__region *r, uint64_t gpa, uint64_t len);

#endif
