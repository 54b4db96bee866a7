/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueue, device side (virtio 1.2 §2.7): configuration and its
 * validation, the available ring consumer, the used ring producer.
 * Notification suppression lives in notify.c, save/restore in state.c.
 */
#include <errno.h>
#include <string.h>

#include <virtq/chain.h>
#include <virtq/queue.h>

#include "queue_internal.h"
#include "ring.h"

static bool is_pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

int virtq_queue_init(struct virtq_queue *q, uint16_t max_size)
{
	if (!is_pow2(max_size) || max_size > VIRTQ_MAX_SIZE)
		return -EINVAL;
	q->max_size = max_size;
	virtq_queue_reset(q);
	return 0;
}

void virtq_queue_reset(struct virtq_queue *q)
{
	uint16_t max = q->max_size;

	memset(q, 0, sizeof(*q));
	q->max_size = max;
	q->size = max;
}

#define VIRTQ_DEFINE_SETTER(name, field, type)				\
int virtq_queue_set_##name(struct virtq_queue *q, type v)		\
{									\
	if (q->ready)							\
		return -EBUSY;						\
	q->field = v;							\
	return 0;							\
}

VIRTQ_DEFINE_SETTER(size, size, uint16_t)
VIRTQ_DEFINE_SETTER(desc_table, desc_table, uint64_t)
VIRTQ_DEFINE_SETTER(avail_ring, avail_ring, uint64_t)
VIRTQ_DEFINE_SETTER(used_ring, used_ring, uint64_t)

int virtq_queue_set_features(struct virtq_queue *q, uint64_t features)
{
	if (q->ready)
		return -EBUSY;
	q->event_idx = (features >> VIRTIO_F_EVENT_IDX) & 1;
	q->indirect = (features >> VIRTIO_F_INDIRECT_DESC) & 1;
	return 0;
}

int virtq__validate(const struct virtq_queue *q, struct vmmem_map *mem)
{
	uint16_t n = q->size;

	if (mem == NULL || !is_pow2(n) || n > q->max_size)
		return -EINVAL;
	if (q->desc_table % VIRTQ_DESC_ALIGN || q->avail_ring % VIRTQ_AVAIL_ALIGN ||
	    q->used_ring % VIRTQ_USED_ALIGN)
		return -EINVAL;
	/* range_is_backed() is false for a range wrapping 2^64 as well. */
	if (!vmmem_range_is_backed(mem, q->desc_table, VIRTQ_DESC_TABLE_BYTES(n)) ||
	    !vmmem_range_is_backed(mem, q->avail_ring, VIRTQ_AVAIL_RING_BYTES(n)) ||
	    !vmmem_range_is_backed(mem, q->used_ring, VIRTQ_USED_RING_BYTES(n)))
		return -EFAULT;
	return 0;
}

static void clear_runtime(struct virtq_queue *q)
{
	q->broken = false;
	q->next_avail = 0;
	q->next_used = 0;
	q->signalled_used = 0;
	q->signalled_valid = false;
	q->used_added = false;
	q->inflight_count = 0;
	memset(q->inflight, 0, sizeof(q->inflight));
}

int virtq_queue_set_ready(struct virtq_queue *q, struct vmmem_map *mem)
{
	int err = virtq__validate(q, mem);

	if (err)
		return err;
	clear_runtime(q);
	q->mem = mem;
	q->ready = true;
	return 0;
}

void virtq_queue_set_not_ready(struct virtq_queue *q)
{
	q->ready = false;
	clear_runtime(q);
}

bool virtq_queue_is_live(const struct virtq_queue *q)
{
	return q->ready && !q->broken;
}

int virtq__break(struct virtq_queue *q, int err)
{
	q->broken = true;
	return err;
}

int virtq__check_live(const struct virtq_queue *q)
{
	if (!q->ready)
		return -EINVAL;
	if (q->broken)
		return -EBADMSG;
	return 0;
}

int virtq__avail_pending(struct virtq_queue *q)
{
	uint16_t idx;

	/*
	 * Acquire: the avail entries (and the descriptors they name) that the
	 * driver wrote before publishing idx must be read after idx, or we
	 * could see the new index with a stale ring entry.
	 */
	if (vmmem_load_acquire_u16(q->mem, virtq__avail_idx(q), &idx))
		return virtq__break(q, -EFAULT);
	/* A driver can never have more than `size` heads outstanding: a
	 * bigger distance is a corrupt index (vm-virtio#196). */
	if ((uint16_t)(idx - q->next_avail) > q->size)
		return virtq__break(q, -EBADMSG);
	return (uint16_t)(idx - q->next_avail);
}

int virtq_queue_pending(struct virtq_queue *q)
{
	int err = virtq__check_live(q);

	return err ? err : virtq__avail_pending(q);
}

static bool inflight_test(const struct virtq_queue *q, uint16_t head)
{
	return (q->inflight[head / 64] >> (head % 64)) & 1;
}

static void inflight_set(struct virtq_queue *q, uint16_t head, bool on)
{
	uint64_t bit = UINT64_C(1) << (head % 64);

	if (on) {
		q->inflight[head / 64] |= bit;
		q->inflight_count++;
	} else {
		q->inflight[head / 64] &= ~bit;
		q->inflight_count--;
	}
}

static void chain_start(const struct virtq_queue *q, struct virtq_chain *c,
			uint16_t head)
{
	memset(c, 0, sizeof(*c));
	c->mem = q->mem;
	c->head = head;
	c->avail_slot = q->next_avail;
	c->queue_size = q->size;
	c->indirect_ok = q->indirect;
	c->has_next = true;
	c->table = q->desc_table;
	c->table_size = q->size;
	c->next = head;
	/* A chain visits each descriptor of the table at most once. */
	c->hops_left = q->size;
}

int virtq_queue_pop(struct virtq_queue *q, struct virtq_chain *chain)
{
	uint16_t head;
	int n = virtq_queue_pending(q);

	if (n <= 0)
		return n;
	/* Ordered after the acquire load of avail->idx in pending. */
	if (vmmem_load_u16(q->mem, virtq__avail_entry(q, q->next_avail), &head))
		return virtq__break(q, -EFAULT);
	if (head >= q->size || inflight_test(q, head))
		return virtq__break(q, -EBADMSG);
	chain_start(q, chain, head);
	inflight_set(q, head, true);
	q->next_avail++;
	/* Keep avail_event current on every pop (as QEMU does): a device that
	 * forgets enable_notification() must not stall the driver, which
	 * otherwise kicks only when crossing a stale avail_event. */
	if (q->event_idx &&
	    vmmem_store_u16(q->mem, virtq__avail_event(q), q->next_avail))
		return virtq__break(q, -EFAULT);
	return 1;
}

int virtq_queue_unpop(struct virtq_queue *q, const struct virtq_chain *chain)
{
	int err = virtq__check_live(q);

	if (err)
		return err;
	if ((uint16_t)(chain->avail_slot + 1) != q->next_avail ||
	    chain->head >= q->size || !inflight_test(q, chain->head))
		return -EINVAL;
	inflight_set(q, chain->head, false);
	q->next_avail--;
	return 0;
}

int virtq_queue_add_used(struct virtq_queue *q, uint16_t head, uint32_t len)
{
	uint64_t entry;
	int err = virtq__check_live(q);

	if (err)
		return err;
	if (head >= q->size || !inflight_test(q, head))
		return -EINVAL;
	entry = virtq__used_entry(q, q->next_used);
	if (vmmem_store_u32(q->mem, entry, head) ||
	    vmmem_store_u32(q->mem, entry + 4, len))
		return virtq__break(q, -EFAULT);
	q->next_used++;
	/* Release: the element above must be visible before the index that
	 * tells the driver it may read it. */
	if (vmmem_store_release_u16(q->mem, virtq__used_idx(q), q->next_used))
		return virtq__break(q, -EFAULT);
	inflight_set(q, head, false);
	q->used_added = true;
	return 0;
}
