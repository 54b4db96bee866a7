/* SPDX-License-Identifier: MIT */
/*
 * Save and restore of one split virtqueue.  A restored state comes from a
 * file and is as untrusted as guest input, so restore re-runs every check
 * that configuration and set_ready run.
 */
#include <errno.h>

#include <virtq/queue.h>

#include "queue_internal.h"

int virtq_queue_save(const struct virtq_queue *q, struct virtq_queue_state *st)
{
	if (q->inflight_count)
		return -EBUSY;
	*st = (struct virtq_queue_state){
		.max_size = q->max_size,
		.size = q->size,
		.ready = q->ready,
		.event_idx = q->event_idx,
		.indirect = q->indirect,
		.broken = q->broken,
		.desc_table = q->desc_table,
		.avail_ring = q->avail_ring,
		.used_ring = q->used_ring,
		.next_avail = q->next_avail,
		.next_used = q->next_used,
		.signalled_used = q->signalled_used,
		.signalled_valid = q->signalled_valid,
	};
	return 0;
}

static bool flags_ok(const struct virtq_queue_state *st)
{
	return st->ready <= 1 && st->event_idx <= 1 && st->indirect <= 1 &&
	       st->broken <= 1 && st->signalled_valid <= 1;
}

static int restore_checked(struct virtq_queue *q, struct vmmem_map *mem,
			   const struct virtq_queue_state *st)
{
	int err;

	if (st->max_size != q->max_size || !flags_ok(st))
		return -EINVAL;
	q->size = st->size;
	q->desc_table = st->desc_table;
	q->avail_ring = st->avail_ring;
	q->used_ring = st->used_ring;
	q->event_idx = st->event_idx;
	q->indirect = st->indirect;
	if (!st->ready)
		return 0;
	err = virtq_queue_set_ready(q, mem);
	if (err)
		return err;
	/* A quiesced queue has returned every head it popped, so both
	 * indices are equal; any common value is reachable, and a driver
	 * that disagrees with it breaks the queue on its next pop. */
	if (st->next_avail != st->next_used)
		return -EINVAL;
	q->broken = st->broken;
	q->next_avail = st->next_avail;
	q->next_used = st->next_used;
	q->signalled_used = st->signalled_used;
	q->signalled_valid = st->signalled_valid;
	/* Entries added after the last decision still owe one. */
	q->used_added = !st->signalled_valid || st->signalled_used != st->next_used;
	return 0;
}

int virtq_queue_restore(struct virtq_queue *q, struct vmmem_map *mem,
			const struct virtq_queue_state *st)
{
	int err;

	virtq_queue_reset(q);
	err = restore_checked(q, mem, st);
	if (err)
		virtq_queue_reset(q);
	return err;
}
