/* SPDX-License-Identifier: MIT */
/*
 * Checked access to guest memory: the one gate every guest access goes
 * through.  Every function checks the whole range for backing and for
 * overflow before touching a byte, and marks written pages dirty in regions
 * that keep a dirty log.
 *
 * Scalars are little-endian.  A naturally aligned scalar access is a single
 * untorn load or store (the vm-memory CVE-2020-13759 class): a concurrent
 * guest vCPU never observes half of it.  Unaligned scalars are allowed and
 * carry no atomicity promise.
 */
#ifndef VMMEM_ACCESS_H
#define VMMEM_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <vmmem/map.h>

enum vmmem_access {
	VMMEM_READ,	/* the host will only read the memory */
	VMMEM_WRITE,	/* the host may write it: pages are marked dirty */
};

/*
 * Bulk copies.  The range may cross adjacent regions but no gap.  len == 0
 * succeeds and does nothing.  -EFAULT when any byte is unbacked or the range
 * overflows; nothing is copied in that case.
 */
VMMEM_WUR int vmmem_read(const struct vmmem_map *map, uint64_t gpa, void *buf,
			 size_t len);
VMMEM_WUR int vmmem_write(struct vmmem_map *map, uint64_t gpa, const void *buf,
			  size_t len);
/* Sets len bytes at gpa to byte. */
VMMEM_WUR int vmmem_fill(struct vmmem_map *map, uint64_t gpa, uint8_t byte,
			 size_t len);

/* Little-endian scalars; untorn when naturally aligned.  -EFAULT as above. */
VMMEM_WUR int vmmem_load_u8(const struct vmmem_map *map, uint64_t gpa, uint8_t *out);
VMMEM_WUR int vmmem_load_u16(const struct vmmem_map *map, uint64_t gpa, uint16_t *out);
VMMEM_WUR int vmmem_load_u32(const struct vmmem_map *map, uint64_t gpa, uint32_t *out);
VMMEM_WUR int vmmem_load_u64(const struct vmmem_map *map, uint64_t gpa, uint64_t *out);
VMMEM_WUR int vmmem_store_u8(struct vmmem_map *map, uint64_t gpa, uint8_t val);
VMMEM_WUR int vmmem_store_u16(struct vmmem_map *map, uint64_t gpa, uint16_t val);
VMMEM_WUR int vmmem_store_u32(struct vmmem_map *map, uint64_t gpa, uint32_t val);
VMMEM_WUR int vmmem_store_u64(struct vmmem_map *map, uint64_t gpa, uint64_t val);

/*
 * Acquire loads and release stores for ring indices shared with a guest
 * driver (virtqueue avail->idx, used->idx, event indices).  gpa must be
 * naturally aligned: -EINVAL otherwise, since an unaligned access cannot be
 * atomic.
 */
VMMEM_WUR int vmmem_load_acquire_u16(const struct vmmem_map *map, uint64_t gpa,
				     uint16_t *out);
VMMEM_WUR int vmmem_store_release_u16(struct vmmem_map *map, uint64_t gpa,
				      uint16_t val);
VMMEM_WUR int vmmem_load_acquire_u32(const struct vmmem_map *map, uint64_t gpa,
				     uint32_t *out);
VMMEM_WUR int vmmem_store_release_u32(struct vmmem_map *map, uint64_t gpa,
				      uint32_t val);

/*
 * A checked zero-copy window on guest memory: ptr is valid for exactly len
 * bytes.  The range must lie in one region.  With VMMEM_WRITE the pages are
 * marked dirty when the slice is taken.  -EINVAL for len == 0, -EFAULT as
 * for vmmem_translate().
 */
struct vmmem_slice {
	void *ptr;
	size_t len;
};
VMMEM_WUR int vmmem_get_slice(struct vmmem_map *map, uint64_t gpa, uint64_t len,
			      enum vmmem_access access, struct vmmem_slice *out);

/*
 * An iovec list under construction over guest ranges, for preadv/pwritev
 * straight into guest memory.  The caller owns iov[cap].  Each append adds
 * one entry per region the range touches (merging with the previous entry
 * when host-contiguous).
 */
struct vmmem_iovec {
	struct iovec *iov;
	size_t cap;
	size_t count;
	uint64_t bytes;	/* total length of iov[0..count) */
};

static inline void vmmem_iovec_init(struct vmmem_iovec *v, struct iovec *iov,
				    size_t cap)
{
	v->iov = iov;
	v->cap = cap;
	v->count = 0;
	v->bytes = 0;
}

/*
 * Appends [gpa, gpa+len).  -EINVAL for len == 0, -EFAULT when unbacked or
 * overflowing, -ENOSPC when iov[] is full.  On error v is unchanged.
 */
VMMEM_WUR int vmmem_iovec_append(struct vmmem_map *map, struct vmmem_iovec *v,
				 uint64_t gpa, uint64_t len,
				 enum vmmem_access access);

#endif
