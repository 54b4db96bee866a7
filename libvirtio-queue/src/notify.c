/* SPDX-License-Identifier: MIT */
/*
 * Notification suppression in both directions (virtio 1.2 §2.7.7 used
 * buffer notifications, §2.7.10 available buffer notifications, and the
 * event-index variant negotiated by VIRTIO_F_EVENT_IDX).
 *
 * Both checks follow a store by the device with a load of a value the
 * driver writes; x86 may reorder exactly that pair (store→load), which
 * would lose a wake-up, so each has a full fence.
 */
#include <errno.h>

#include <virtq/queue.h>

#include "queue_internal.h"
#include "ring.h"

int virtq_queue_needs_notification(struct virtq_queue *q)
{
	uint16_t old = q->signalled_used, now = q->next_used, v;
	bool valid = q->signalled_valid;
	int err = virtq__check_live(q);

	if (err)
		return err;
	if (!q->used_added)
		return 0;	/* nothing added since the last decision */
	q->used_added = false;
	/*
	 * Full fence: our used->idx store must be visible before we read
	 * used_event / avail->flags.  Otherwise the driver may read the old
	 * used->idx, re-enable interrupts, and we read its old used_event:
	 * both sides then wait for each other.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->signalled_used = now;
	q->signalled_valid = true;
	if (q->event_idx) {
		if (vmmem_load_u16(q->mem, virtq__used_event(q), &v))
			return virtq__break(q, -EFAULT);
		/* The first decision has no old index to compare with. */
		return !valid || virtq_need_event(v, now, old);
	}
	if (vmmem_load_u16(q->mem, virtq__avail_flags(q), &v))
		return virtq__break(q, -EFAULT);
	return !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

int virtq_queue_disable_notification(struct virtq_queue *q)
{
	int err = virtq__check_live(q);

	if (err)
		return err;
	/* With EVENT_IDX the driver only kicks when crossing avail_event,
	 * which stays where pop left it: nothing to write. */
	if (q->event_idx)
		return 0;
	if (vmmem_store_u16(q->mem, virtq__used_flags(q), VIRTQ_USED_F_NO_NOTIFY))
		return virtq__break(q, -EFAULT);
	return 0;
}

int virtq_queue_enable_notification(struct virtq_queue *q)
{
	int n, err = virtq__check_live(q);

	if (err)
		return err;
	if (q->event_idx)
		err = vmmem_store_u16(q->mem, virtq__avail_event(q), q->next_avail);
	else
		err = vmmem_store_u16(q->mem, virtq__used_flags(q), 0);
	if (err)
		return virtq__break(q, -EFAULT);
	/*
	 * Full fence: the driver must see notifications enabled before we
	 * look at avail->idx one last time; otherwise an entry published in
	 * between is neither seen here nor kicked to us.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	n = virtq__avail_pending(q);
	return n < 0 ? n : n > 0;
}
