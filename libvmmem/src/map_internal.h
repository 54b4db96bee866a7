/* SPDX-License-Identifier: MIT */
/*
 * Private layout of a guest memory map, shared by the files of libvmmem.
 */
#ifndef VMMEM_MAP_INTERNAL_H
#define VMMEM_MAP_INTERNAL_H

#include <stdatomic.h>
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
	struct vmmem__region regions[VMMEM_MAX_REGIONS];
	size_t count;
	uint64_t total_size;
	/* Index of the region that served the last lookup.  Relaxed atomics:
	 * it is a hint, any value below count is correct. */
	_Atomic size_t last_hit;
};

/* Region holding gpa, or NULL. */
const struct vmmem__region *vmmem__find(const struct vmmem_map *map, uint64_t gpa);

/*
 * Checks that [gpa, gpa+len) lies in one region and returns it.
 * -EINVAL for len == 0, -EFAULT otherwise.
 */
int vmmem__span(const struct vmmem_map *map, uint64_t gpa, uint64_t len,
		const struct vmmem__region **out);

/* Whether gpa + len - 1 overflows 2^64 (len > 0). */
static inline bool vmmem__wraps(uint64_t gpa, uint64_t len)
{
	return len - 1 > UINT64_MAX - gpa;
}

/* Sets the dirty bits of [gpa, gpa+len) in r, which must contain the range. */
void vmmem__mark_dirty(const struct vmmem__region *r, uint64_t gpa, uint64_t len);

#endif
