/* SPDX-License-Identifier: MIT */
/*
 * Driver side of a split virtqueue (virtio 1.2 §2.7.13 "Supplying Buffers
 * to The Device", §2.7.14 "Receiving Used Buffers"), in the way Linux's
 * virtio_ring lays out and uses it.  Bookkeeping (free list, chain
 * lengths) is host-side so that a misbehaving device cannot corrupt it.
 */
#include <errno.h>
#include <stdlib.h>

#include <virtq/driver.h>

struct virtq_driver {
	struct vmmem_map *mem;
	uint16_t size;
	bool event_idx;
	uint64_t desc, avail, used;
	uint16_t free_head;
	uint16_t num_free;
	uint16_t avail_idx;	/* shadow of avail->idx */
	uint16_t published;	/* avail->idx at the last publish */
	uint16_t last_used;	/* next used slot to reap */
	bool irq_off;		/* interrupts disabled by the driver */
	uint16_t *free_next;	/* free list links, per descriptor */
	uint16_t *chain_len;	/* descriptors held by each outstanding head */
	uint16_t *chain_tail;	/* last descriptor of each outstanding head */
};

static uint64_t used_offset(uint16_t size)
{
	uint64_t end = VIRTQ_DESC_TABLE_BYTES(size) + VIRTQ_AVAIL_RING_BYTES(size);

	return (end + VIRTQ_USED_ALIGN - 1) & ~(uint64_t)(VIRTQ_USED_ALIGN - 1);
}

uint64_t virtq_driver_ring_bytes(uint16_t size)
{
	return used_offset(size) + VIRTQ_USED_RING_BYTES(size);
}

int virtq_driver_new(struct vmmem_map *mem, uint16_t size, uint64_t base,
		     uint32_t flags, struct virtq_driver **out)
{
	struct virtq_driver *d;
	uint64_t bytes = virtq_driver_ring_bytes(size);

	if (size == 0 || (size & (size - 1)) || base % VIRTQ_DESC_ALIGN ||
	    (flags & ~VIRTQ_DRIVER_EVENT_IDX))
		return -EINVAL;
	if (!vmmem_range_is_backed(mem, base, bytes))
		return -EFAULT;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->free_next = calloc(size, sizeof(uint16_t));
	d->chain_len = calloc(size, sizeof(uint16_t));
	d->chain_tail = calloc(size, sizeof(uint16_t));
	if (!d->free_next || !d->chain_len || !d->chain_tail ||
	    vmmem_fill(mem, base, 0, (size_t)bytes)) {
		virtq_driver_free(d);
		return -ENOMEM;
	}
	d->mem = mem;
	d->size = size;
	d->event_idx = flags & VIRTQ_DRIVER_EVENT_IDX;
	d->desc = base;
	d->avail = base + VIRTQ_DESC_TABLE_BYTES(size);
	d->used = base + used_offset(size);
	for (uint32_t i = 0; i < size; i++)
		d->free_next[i] = (uint16_t)(i + 1);
	d->num_free = size;
	*out = d;
	return 0;
}

void virtq_driver_free(struct virtq_driver *d)
{
	if (d == NULL)
		return;
	free(d->free_next);
	free(d->chain_len);
	free(d->chain_tail);
	free(d);
}

uint16_t virtq_driver_size(const struct virtq_driver *d) { return d->size; }
uint64_t virtq_driver_desc_addr(const struct virtq_driver *d) { return d->desc; }
uint64_t virtq_driver_avail_addr(const struct virtq_driver *d) { return d->avail; }
uint64_t virtq_driver_used_addr(const struct virtq_driver *d) { return d->used; }
uint16_t virtq_driver_num_free(const struct virtq_driver *d) { return d->num_free; }
uint16_t virtq_driver_avail_idx(const struct virtq_driver *d) { return d->avail_idx; }

static int store_desc(struct vmmem_map *mem, uint64_t gpa, const struct virtq_desc *v)
{
	if (vmmem_store_u64(mem, gpa, v->addr) ||
	    vmmem_store_u32(mem, gpa + 8, v->len) ||
	    vmmem_store_u16(mem, gpa + 12, v->flags) ||
	    vmmem_store_u16(mem, gpa + 14, v->next))
		return -EFAULT;
	return 0;
}

int virtq_driver_write_desc(struct virtq_driver *d, uint16_t index,
			    const struct virtq_desc *desc)
{
	if (index >= d->size)
		return -EINVAL;
	return store_desc(d->mem, d->desc + 16u * (uint64_t)index, desc);
}

int virtq_driver_push_head(struct virtq_driver *d, uint16_t head)
{
	uint64_t slot = d->avail + 4 + 2u * (uint64_t)(d->avail_idx & (d->size - 1));

	if (vmmem_store_u16(d->mem, slot, head))
		return -EFAULT;
	d->avail_idx++;
	return 0;
}

int virtq_driver_set_avail_idx(struct virtq_driver *d, uint16_t idx)
{
	d->avail_idx = idx;
	d->published = idx;
	return vmmem_store_release_u16(d->mem, d->avail + 2, idx);
}

static uint16_t flags_of(const struct virtq_buf *b, bool more)
{
	return (uint16_t)((b->writable ? VIRTQ_DESC_F_WRITE : 0) |
			  (more ? VIRTQ_DESC_F_NEXT : 0));
}

/* Takes n descriptors off the free list for a chain starting at the head. */
static uint16_t take(struct virtq_driver *d, size_t n)
{
	uint16_t head = d->free_head, last = head, i = head;

	for (size_t k = 0; k < n; k++) {
		last = i;
		i = d->free_next[i];
	}
	d->free_head = i;
	d->num_free = (uint16_t)(d->num_free - n);
	d->chain_len[head] = (uint16_t)n;
	d->chain_tail[head] = last;
	return head;
}

int virtq_driver_add(struct virtq_driver *d, const struct virtq_buf *bufs,
		     size_t n, uint16_t *head)
{
	uint16_t h, i;

	if (n == 0)
		return -EINVAL;
	if (n > d->num_free)
		return -ENOSPC;
	h = i = d->free_head;
	for (size_t k = 0; k < n; k++) {
		bool more = k + 1 < n;
		struct virtq_desc v = { bufs[k].addr, bufs[k].len, flags_of(&bufs[k], more),
					more ? d->free_next[i] : 0 };

		if (virtq_driver_write_desc(d, i, &v))
			return -EFAULT;
		i = d->free_next[i];
	}
	take(d, n);
	*head = h;
	return virtq_driver_push_head(d, h);
}

int virtq_driver_add_indirect(struct virtq_driver *d, const struct virtq_buf *bufs,
			      size_t n, uint64_t table, uint16_t *head)
{
	struct virtq_desc v;

	if (n == 0 || n > VIRTQ_INDIRECT_MAX || table % VIRTQ_DESC_ALIGN)
		return -EINVAL;
	if (d->num_free == 0)
		return -ENOSPC;
	for (size_t k = 0; k < n; k++) {
		bool more = k + 1 < n;

		v = (struct virtq_desc){ bufs[k].addr, bufs[k].len, flags_of(&bufs[k], more),
					 more ? (uint16_t)(k + 1) : 0 };
		if (store_desc(d->mem, table + 16u * (uint64_t)k, &v))
			return -EFAULT;
	}
	v = (struct virtq_desc){ table, (uint32_t)(16u * n), VIRTQ_DESC_F_INDIRECT, 0 };
	if (virtq_driver_write_desc(d, d->free_head, &v))
		return -EFAULT;
	*head = take(d, 1);
	return virtq_driver_push_head(d, *head);
}

int virtq_driver_publish(struct virtq_driver *d)
{
	uint16_t old = d->published, now = d->avail_idx, v;

	/* Release: ring entries and descriptors before the index. */
	if (vmmem_store_release_u16(d->mem, d->avail + 2, now))
		return -EFAULT;
	d->published = now;
	/* Full fence: the index must be visible before we read the device's
	 * suppression state, or both sides may wait for each other. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (d->event_idx) {
		if (vmmem_load_u16(d->mem, d->used + 4 + 8u * (uint64_t)d->size, &v))
			return -EFAULT;
		return virtq_need_event(v, now, old);
	}
	if (vmmem_load_u16(d->mem, d->used, &v))
		return -EFAULT;
	return !(v & VIRTQ_USED_F_NO_NOTIFY);
}

int virtq_driver_get_used(struct virtq_driver *d, uint16_t *head, uint32_t *len)
{
	uint16_t idx;
	uint32_t id, l;
	uint64_t slot;

	/* Acquire: the used element is read after the index announcing it. */
	if (vmmem_load_acquire_u16(d->mem, d->used + 2, &idx))
		return -EFAULT;
	if (idx == d->last_used)
		return 0;
	if ((uint16_t)(idx - d->last_used) > d->size)
		return -EBADMSG;
	slot = d->used + 4 + 8u * (uint64_t)(d->last_used & (d->size - 1));
	if (vmmem_load_u32(d->mem, slot, &id) || vmmem_load_u32(d->mem, slot + 4, &l))
		return -EFAULT;
	if (id >= d->size || d->chain_len[id] == 0)
		return -EBADMSG;
	d->free_next[d->chain_tail[id]] = d->free_head;
	d->free_head = (uint16_t)id;
	d->num_free = (uint16_t)(d->num_free + d->chain_len[id]);
	d->chain_len[id] = 0;
	d->last_used++;
	/* As Linux does: with interrupts on, ask for one at the next entry. */
	if (d->event_idx && !d->irq_off &&
	    vmmem_store_u16(d->mem, d->avail + 4 + 2u * (uint64_t)d->size, d->last_used))
		return -EFAULT;
	*head = (uint16_t)id;
	*len = l;
	return 1;
}

int virtq_driver_enable_interrupts(struct virtq_driver *d)
{
	d->irq_off = false;
	if (vmmem_store_u16(d->mem, d->avail, 0))
		return -EFAULT;
	if (d->event_idx &&
	    vmmem_store_u16(d->mem, d->avail + 4 + 2u * (uint64_t)d->size, d->last_used))
		return -EFAULT;
	/* Full fence: the device must see interrupts enabled before the
	 * caller re-reads used->idx (virtq_driver_used_pending). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

int virtq_driver_used_pending(struct virtq_driver *d)
{
	uint16_t idx;

	if (vmmem_load_acquire_u16(d->mem, d->used + 2, &idx))
		return -EFAULT;
	if ((uint16_t)(idx - d->last_used) > d->size)
		return -EBADMSG;
	return (uint16_t)(idx - d->last_used);
}

int virtq_driver_disable_interrupts(struct virtq_driver *d)
{
	d->irq_off = true;
	if (vmmem_store_u16(d->mem, d->avail, VIRTQ_AVAIL_F_NO_INTERRUPT))
		return -EFAULT;
	/* With EVENT_IDX the flag is ignored: park used_event half a ring
	 * space away so that it is not crossed soon. */
	if (d->event_idx &&
	    vmmem_store_u16(d->mem, d->avail + 4 + 2u * (uint64_t)d->size,
			    (uint16_t)(d->last_used + 0x8000u)))
		return -EFAULT;
	return 0;
}
