/* SPDX-License-Identifier: MIT */
/*
 * Dirty-page tracking for regions created with VMMEM_REGION_DIRTY_LOG.
 * One bit per VMMEM_PAGE_SIZE page, set atomically by every write that goes
 * through libvmmem (bulk writes, stores, write slices, write iovecs), so that
 * concurrent writers never lose a bit.  Writes made by KVM on behalf of the
 * guest are tracked by KVM's own dirty log, not here.
 */
#ifndef VMMEM_DIRTY_H
#define VMMEM_DIRTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmmem/map.h>

/* Words of 64 bits needed for the bitmap of region idx; 0 when it keeps none. */
size_t vmmem_dirty_bitmap_words(const struct vmmem_map *map, size_t idx);

/* Marks [gpa, gpa+len) dirty, e.g. after a device wrote through a pointer it
 * obtained earlier.  -EFAULT when unbacked; regions without a log ignore it. */
VMMEM_WUR int vmmem_dirty_mark(struct vmmem_map *map, uint64_t gpa, uint64_t len);

/* Whether the page holding gpa is dirty.  -EFAULT when unbacked, -ENOTSUP
 * when its region keeps no dirty log; otherwise 0 or 1. */
VMMEM_WUR int vmmem_dirty_test(const struct vmmem_map *map, uint64_t gpa);

/*
 * Atomically fetches and clears the bitmap of region idx into out[words]
 * (bit n of word w is page w*64+n of the region).  -EINVAL for a bad idx or
 * words too small, -ENOTSUP when the region keeps no log.
 */
VMMEM_WUR int vmmem_dirty_fetch_clear(struct vmmem_map *map, size_t idx,
				      uint64_t *out, size_t words);

#endif
