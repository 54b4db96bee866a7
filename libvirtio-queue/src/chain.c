/* SPDX-License-Identifier: MIT */
/*
 * Descriptor chain walking (virtio 1.2 §2.7.5 and §2.7.5.3), with every
 * check of <virtq/chain.h>.  Descriptors are copied out of guest memory
 * once and only the copy is examined, so a driver rewriting a descriptor
 * concurrently cannot make a checked value change under us.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include <virtq/chain.h>

static int fail(struct virtq_chain *c, int err)
{
	c->error = err;
	c->has_next = false;
	return err;
}

static int read_desc(struct virtq_chain *c, struct virtq_desc *d)
{
	uint64_t gpa = c->table + 16u * (uint64_t)c->next;
	const uint8_t *src;
	struct vmmem_slice s;
	uint8_t raw[16];
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;

	/* gpa is inside a table whose backing was checked, so it cannot wrap.
	 * One checked window is the fast path; a descriptor straddling two
	 * adjacent regions (possible only in an unaligned indirect table)
	 * takes the copying path.  Each field is read exactly once, so the
	 * driver cannot change a value between our check and our use. */
	if (vmmem_get_slice(c->mem, gpa, sizeof(raw), VMMEM_READ, &s) == 0)
		src = s.ptr;
	else if (vmmem_read(c->mem, gpa, raw, sizeof(raw)) == 0)
		src = raw;
	else
		return -EFAULT;
	memcpy(&addr, src, 8);
	memcpy(&len, src + 8, 4);
	memcpy(&flags, src + 12, 2);
	memcpy(&next, src + 14, 2);
	d->addr = le64toh(addr);
	d->len = le32toh(len);
	d->flags = le16toh(flags);
	d->next = le16toh(next);
	return 0;
}

/* Switches the walk into the indirect table d describes (§2.7.5.3.1). */
static int enter_indirect(struct virtq_chain *c, const struct virtq_desc *d)
{
	uint32_t entries = d->len / 16;

	if (!c->indirect_ok || c->in_indirect || (d->flags & VIRTQ_DESC_F_NEXT))
		return fail(c, -EBADMSG);
	if (d->len == 0 || d->len % 16 || entries > VIRTQ_INDIRECT_MAX)
		return fail(c, -EBADMSG);
	if (!vmmem_range_is_backed(c->mem, d->addr, d->len))
		return fail(c, -EFAULT);
	c->in_indirect = true;
	c->table = d->addr;
	c->table_size = entries;
	c->next = 0;
	c->hops_left = entries;
	c->has_next = true;
	return 0;
}

/* Checks one buffer descriptor and accounts for it. */
static int accept_buffer(struct virtq_chain *c, const struct virtq_desc *d)
{
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	uint64_t total = c->readable_bytes + c->writable_bytes + d->len;

	if (d->len == 0 || d->addr + d->len < d->addr)
		return fail(c, -EBADMSG);
	if (!writable && c->seen_writable)
		return fail(c, -EBADMSG);	/* readable after writable */
	if (total > UINT32_MAX)
		return fail(c, -EBADMSG);
	if (!vmmem_range_is_backed(c->mem, d->addr, d->len))
		return fail(c, -EFAULT);
	if (writable) {
		c->seen_writable = true;
		c->writable_bytes += d->len;
	} else {
		c->readable_bytes += d->len;
	}
	c->count++;
	c->has_next = d->flags & VIRTQ_DESC_F_NEXT;
	c->next = d->next;
	return 0;
}

int virtq_chain_next(struct virtq_chain *c, struct virtq_desc *out)
{
	struct virtq_desc d;
	int err;

	if (c->error)
		return c->error;
	for (;;) {
		if (!c->has_next)
			return 0;
		if (c->next >= c->table_size || c->hops_left == 0)
			return fail(c, -EBADMSG);	/* out of range, or a loop */
		c->hops_left--;
		if (read_desc(c, &d))
			return fail(c, -EFAULT);
		if (!(d.flags & VIRTQ_DESC_F_INDIRECT))
			break;
		err = enter_indirect(c, &d);
		if (err)
			return err;
	}
	err = accept_buffer(c, &d);
	if (err)
		return err;
	*out = d;
	return 1;
}

int virtq_desc_append_iovec(struct vmmem_map *mem, const struct virtq_desc *desc,
			    bool want_writable, struct vmmem_iovec *iov)
{
	bool writable = virtq_desc_is_writable(desc);

	if (writable != want_writable)
		return -EBADMSG;
	return vmmem_iovec_append(mem, iov, desc->addr, desc->len,
				  writable ? VMMEM_WRITE : VMMEM_READ);
}

int virtq_chain_collect(struct virtq_chain *c, struct vmmem_iovec *readable,
			struct vmmem_iovec *writable)
{
	struct virtq_desc d;
	int n = 0, r;

	while ((r = virtq_chain_next(c, &d)) == 1) {
		bool w = virtq_desc_is_writable(&d);
		struct vmmem_iovec *iov = w ? writable : readable;

		if (iov == NULL)
			return -EBADMSG;
		r = virtq_desc_append_iovec(c->mem, &d, w, iov);
		if (r)
			return r;
		n++;
	}
	return r < 0 ? r : n;
}
