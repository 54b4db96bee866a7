/* SPDX-License-Identifier: MIT */
/*
 * Guest physical memory map: a sorted set of non-overlapping regions, each
 * backed by a host mapping (anonymous, memfd or file).  Gaps between regions
 * are allowed; on x86 the 32-bit MMIO hole below 4 GiB is one.
 *
 * The map is built once (add regions), then shared read-only between vCPU
 * threads and the event loop: add every region before the map is shared.
 * Lookups are lock-free and write nothing, so concurrent readers are safe.
 */
#ifndef VMMEM_MAP_H
#define VMMEM_MAP_H

#include <stddef.h>
#include <stdint.h>

#define VMMEM_WUR __attribute__((warn_unused_result))

/* Granule of dirty tracking and of region alignment. */
#define VMMEM_PAGE_SIZE 4096u

/* Upper bound on regions in one map; keeps lookups and snapshots bounded. */
#define VMMEM_MAX_REGIONS 64u

enum vmmem_backing {
	VMMEM_BACKING_ANON,	/* private anonymous memory, MAP_NORESERVE */
	VMMEM_BACKING_MEMFD,	/* a memfd created by the map, MAP_SHARED */
	VMMEM_BACKING_FILE,	/* the caller's fd, MAP_SHARED (or MAP_PRIVATE with
				 * VMMEM_REGION_PRIVATE); the map dup()s it */
};

/* Region flags. */
#define VMMEM_REGION_HUGEPAGES (1u << 0) /* back with huge pages (MAP_HUGETLB / MFD_HUGETLB) */
#define VMMEM_REGION_DIRTY_LOG (1u << 1) /* keep a dirty-page bitmap for this region */
/* VMMEM_BACKING_FILE only: map the file MAP_PRIVATE instead of MAP_SHARED.
 * Pages are read from the file on first touch and guest writes stay in
 * private copies, never reaching the file (restoring a snapshot's memory
 * file lazily, as Firecracker's File backend does). */
#define VMMEM_REGION_PRIVATE (1u << 2)

struct vmmem_region_desc {
	uint64_t gpa;		/* page aligned */
	uint64_t size;		/* page aligned, non-zero */
	enum vmmem_backing backing;
	int fd;			/* VMMEM_BACKING_FILE only */
	uint64_t fd_offset;	/* VMMEM_BACKING_FILE only, page aligned */
	uint32_t flags;		/* VMMEM_REGION_* */
};

/* What a caller may know about a region, e.g. to register a KVM slot. */
struct vmmem_region_info {
	uint64_t gpa;
	uint64_t size;
	void *hva;		/* host address of gpa; valid for size bytes */
	int fd;			/* -1 for anonymous regions */
	uint64_t fd_offset;
	uint32_t flags;
};

struct vmmem_map;

/* Creates an empty map.  -ENOMEM on allocation failure. */
VMMEM_WUR int vmmem_map_new(struct vmmem_map **out);

/* Unmaps every region and frees the map.  NULL is a no-op. */
void vmmem_map_free(struct vmmem_map *map);

/*
 * Maps a new region and inserts it in GPA order.
 * -EINVAL: unaligned or zero size, gpa+size wraps 2^64, overlap with an
 *          existing region, bad backing/flags, too many regions;
 * -errno from mmap/memfd_create/ftruncate otherwise.
 */
VMMEM_WUR int vmmem_map_add_region(struct vmmem_map *map,
				   const struct vmmem_region_desc *desc);

size_t vmmem_map_region_count(const struct vmmem_map *map);

/* Region number idx in GPA order.  -EINVAL when idx is out of range. */
VMMEM_WUR int vmmem_map_region_info(const struct vmmem_map *map, size_t idx,
				    struct vmmem_region_info *out);

/* Calls fn for every region in GPA order; stops at and returns the first
 * non-zero value fn returns. */
typedef int (*vmmem_region_fn)(void *ctx, const struct vmmem_region_info *region);
int vmmem_map_for_each_region(const struct vmmem_map *map, vmmem_region_fn fn,
			      void *ctx);

/* Sum of all region sizes. */
uint64_t vmmem_map_total_size(const struct vmmem_map *map);

/*
 * Translates [gpa, gpa+len) to a host address.  The whole range must lie in
 * one region.  -EINVAL for len == 0; -EFAULT when any byte is unbacked, the
 * range spans two regions, or gpa+len overflows 2^64.
 */
VMMEM_WUR int vmmem_translate(const struct vmmem_map *map, uint64_t gpa,
			      uint64_t len, void **hva);

/* True when every byte of [gpa, gpa+len) is backed, possibly by several
 * adjacent regions.  False for len == 0 and for overflowing ranges. */
_Bool vmmem_range_is_backed(const struct vmmem_map *map, uint64_t gpa,
			    uint64_t len);

#endif
