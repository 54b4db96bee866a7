/* SPDX-License-Identifier: MIT */
/*
 * Bulk copies, little-endian scalars and slices over guest memory.
 *
 * A guest vCPU may touch the same memory concurrently, so a naturally aligned
 * scalar is read or written with one atomic access of its width: the guest
 * can never see (or make us see) a torn value.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include <vmmem/access.h>
#include <vmmem/dirty.h>

#include "map_internal.h"

/* Calls fn on each host-contiguous piece of a range checked beforehand. */
typedef void (*chunk_fn)(const struct vmmem__region *r, uint8_t *hva,
			 size_t off, size_t len, void *ctx);

static int for_each_chunk(const struct vmmem_map *map, uint64_t gpa, size_t len,
			  chunk_fn fn, void *ctx)
{
	size_t done = 0;

	if (len == 0)
		return 0;
	if (!vmmem_range_is_backed(map, gpa, len))
		return -EFAULT;
	while (done < len) {
		const struct vmmem__region *r = vmmem__find(map, gpa + done);
		uint64_t room = r->size - (gpa + done - r->gpa);
		size_t n = len - done < room ? len - done : (size_t)room;

		fn(r, r->hva + (gpa + done - r->gpa), done, n, ctx);
		done += n;
	}
	return 0;
}

static void copy_out(const struct vmmem__region *r, uint8_t *hva, size_t off,
		     size_t len, void *buf)
{
	(void)r;
	memcpy((uint8_t *)buf + off, hva, len);
}

static void copy_in(const struct vmmem__region *r, uint8_t *hva, size_t off,
		    size_t len, void *buf)
{
	memcpy(hva, (const uint8_t *)buf + off, len);
	vmmem__mark_dirty(r, r->gpa + (uint64_t)(hva - r->hva), len);
}

static void fill_in(const struct vmmem__region *r, uint8_t *hva, size_t off,
		    size_t len, void *byte)
{
	(void)off;
	memset(hva, *(uint8_t *)byte, len);
	vmmem__mark_dirty(r, r->gpa + (uint64_t)(hva - r->hva), len);
}

int vmmem_read(const struct vmmem_map *map, uint64_t gpa, void *buf, size_t len)
{
	return for_each_chunk(map, gpa, len, copy_out, buf);
}

int vmmem_write(struct vmmem_map *map, uint64_t gpa, const void *buf, size_t len)
{
	return for_each_chunk(map, gpa, len, copy_in, (void *)buf);
}

int vmmem_fill(struct vmmem_map *map, uint64_t gpa, uint8_t byte, size_t len)
{
	return for_each_chunk(map, gpa, len, fill_in, &byte);
}

/*
 * Scalars: one region lookup, then an atomic access when aligned.  Ranges
 * that straddle two adjacent regions fall back to a bulk copy (and cannot be
 * aligned, since regions are page aligned).
 */
#define VMMEM_DEFINE_LOAD(bits)							\
int vmmem_load_u##bits(const struct vmmem_map *map, uint64_t gpa,		\
		       uint##bits##_t *out)					\
{										\
	const struct vmmem__region *r;						\
	uint##bits##_t v;							\
										\
	if (vmmem__span(map, gpa, sizeof(v), &r) == 0) {			\
		uint8_t *p = r->hva + (gpa - r->gpa);				\
										\
		if (gpa % sizeof(v) == 0)					\
			v = __atomic_load_n((uint##bits##_t *)(void *)p,	\
					    __ATOMIC_RELAXED);			\
		else								\
			memcpy(&v, p, sizeof(v));				\
	} else if (vmmem_read(map, gpa, &v, sizeof(v)) != 0) {			\
		return -EFAULT;							\
	}									\
	*out = le##bits##toh(v);						\
	return 0;								\
}

#define VMMEM_DEFINE_STORE(bits)						\
int vmmem_store_u##bits(struct vmmem_map *map, uint64_t gpa,			\
			uint##bits##_t val)					\
{										\
	const struct vmmem__region *r;						\
	uint##bits##_t v = htole##bits(val);					\
										\
	if (vmmem__span(map, gpa, sizeof(v), &r) != 0)				\
		return vmmem_write(map, gpa, &v, sizeof(v));			\
	if (gpa % sizeof(v) == 0)						\
		__atomic_store_n((uint##bits##_t *)(void *)(r->hva + (gpa - r->gpa)), \
				 v, __ATOMIC_RELAXED);				\
	else									\
		memcpy(r->hva + (gpa - r->gpa), &v, sizeof(v));			\
	vmmem__mark_dirty(r, gpa, sizeof(v));					\
	return 0;								\
}

/* Byte accesses need no endianness conversion. */
#define le8toh(x) (x)
#define htole8(x) (x)

VMMEM_DEFINE_LOAD(8)
VMMEM_DEFINE_LOAD(16)
VMMEM_DEFINE_LOAD(32)
VMMEM_DEFINE_LOAD(64)
VMMEM_DEFINE_STORE(8)
VMMEM_DEFINE_STORE(16)
VMMEM_DEFINE_STORE(32)
VMMEM_DEFINE_STORE(64)

/*
 * Ordered index accesses.  An acquire load of avail->idx makes the ring
 * entries the driver published before it visible; a release store of
 * used->idx publishes our used entries before the index.  x86 gives this
 * for free, but the compiler must not reorder either.
 */
#define VMMEM_DEFINE_ORDERED(bits)						\
int vmmem_load_acquire_u##bits(const struct vmmem_map *map, uint64_t gpa,	\
			       uint##bits##_t *out)				\
{										\
	const struct vmmem__region *r;						\
	int err;								\
										\
	if (gpa % (bits / 8))							\
		return -EINVAL;							\
	err = vmmem__span(map, gpa, bits / 8, &r);				\
	if (err)								\
		return err;							\
	*out = le##bits##toh(__atomic_load_n(					\
		(uint##bits##_t *)(void *)(r->hva + (gpa - r->gpa)),		\
		__ATOMIC_ACQUIRE));						\
	return 0;								\
}										\
										\
int vmmem_store_release_u##bits(struct vmmem_map *map, uint64_t gpa,		\
				uint##bits##_t val)				\
{										\
	const struct vmmem__region *r;						\
	int err;								\
										\
	if (gpa % (bits / 8))							\
		return -EINVAL;							\
	err = vmmem__span(map, gpa, bits / 8, &r);				\
	if (err)								\
		return err;							\
	__atomic_store_n((uint##bits##_t *)(void *)(r->hva + (gpa - r->gpa)),	\
			 htole##bits(val), __ATOMIC_RELEASE);			\
	vmmem__mark_dirty(r, gpa, bits / 8);					\
	return 0;								\
}

VMMEM_DEFINE_ORDERED(16)
VMMEM_DEFINE_ORDERED(32)

int vmmem_get_slice(struct vmmem_map *map, uint64_t gpa, uint64_t len,
		    enum vmmem_access access, struct vmmem_slice *out)
{
	const struct vmmem__region *r;
	int err = vmmem__span(map, gpa, len, &r);

	if (err)
		return err;
	if (access == VMMEM_WRITE)
		vmmem__mark_dirty(r, gpa, len);
	out->ptr = r->hva + (gpa - r->gpa);
	out->len = (size_t)len;
	return 0;
}
