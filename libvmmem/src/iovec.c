/* SPDX-License-Identifier: MIT */
/*
 * iovec lists over guest ranges, so that block I/O can preadv/pwritev
 * straight into guest memory without a bounce buffer.
 */
#include <errno.h>

#include <vmmem/access.h>

#include "map_internal.h"

/* Entries [gpa, gpa+len) needs, or -EFAULT when some byte is unbacked. */
static int count_entries(const struct vmmem_map *map, uint64_t gpa, uint64_t len)
{
	int n = 0;

	if (!vmmem_range_is_backed(map, gpa, len))
		return -EFAULT;
	while (len) {
		const struct vmmem__region *r = vmmem__find(map, gpa);
		uint64_t room = r->size - (gpa - r->gpa);
		uint64_t step = len < room ? len : room;

		n++;
		gpa += step;
		len -= step;
	}
	return n;
}

/* Whether the first piece of [gpa, ...) continues the last entry in host
 * memory, so that it needs no new slot. */
static bool merges_with_last(const struct vmmem_map *map, const struct vmmem_iovec *v,
			     uint64_t gpa)
{
	const struct vmmem__region *r = vmmem__find(map, gpa);
	const struct iovec *last;

	if (!v->count || !r)
		return false;
	last = &v->iov[v->count - 1];
	return (uint8_t *)last->iov_base + last->iov_len == r->hva + (gpa - r->gpa);
}

static void push(struct vmmem_iovec *v, uint8_t *base, size_t len)
{
	struct iovec *last = v->count ? &v->iov[v->count - 1] : NULL;

	if (last && (uint8_t *)last->iov_base + last->iov_len == base) {
		last->iov_len += len;
	} else {
		v->iov[v->count].iov_base = base;
		v->iov[v->count].iov_len = len;
		v->count++;
	}
	v->bytes += len;
}

int vmmem_iovec_append(struct vmmem_map *map, struct vmmem_iovec *v, uint64_t gpa,
		       uint64_t len, enum vmmem_access access)
{
	int need;

	if (len == 0)
		return -EINVAL;
	if (len > SIZE_MAX)
		return -EFAULT;
	need = count_entries(map, gpa, len);
	if (need < 0)
		return need;
	if (merges_with_last(map, v, gpa))
		need--;
	/* Checked up front so that a failed append leaves v unchanged. */
	if ((size_t)need > v->cap - v->count)
		return -ENOSPC;
	while (len) {
		const struct vmmem__region *r = vmmem__find(map, gpa);
		uint64_t room = r->size - (gpa - r->gpa);
		uint64_t step = len < room ? len : room;

		if (access == VMMEM_WRITE)
			vmmem__mark_dirty(r, gpa, step);
		push(v, r->hva + (gpa - r->gpa), (size_t)step);
		gpa += step;
		len -= step;
	}
	return 0;
}
