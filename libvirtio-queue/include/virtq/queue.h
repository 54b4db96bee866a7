/* SPDX-License-Identifier: MIT */
/*
 * The device side of a split virtqueue (virtio 1.2 §2.7): configuration,
 * validation when the queue becomes ready, consumption of the available
 * ring, production of used entries, notification suppression in both
 * directions (flags and EVENT_IDX, §2.7.7 / §2.7.10), save/restore and reset.
 *
 * The queue is caller-allocated and never allocates.  All guest memory is
 * reached through <vmmem/access.h>.  A driver that breaks the queue contract
 * (available index running ahead by more than the queue size, a head out of
 * range, a head submitted again while in flight) makes the queue *broken*:
 * every later call fails with -EBADMSG until virtq_queue_reset(), and the
 * device is expected to set DEVICE_NEEDS_RESET (see virtq_mmio_needs_reset()).
 *
 * Threading: one queue is used by one thread at a time (the caller
 * serialises, typically with the device lock); only the guest runs
 * concurrently, and every index shared with it is accessed with the
 * ordering commented at the access.
 *
 * Typical device loop (EVENT_IDX or not, the same code):
 *
 *	do {
 *		virtq_queue_disable_notification(q);
 *		while ((r = virtq_queue_pop(q, &chain)) == 1) {
 *			... walk chain with virtq_chain_next() ...
 *			virtq_queue_add_used(q, chain.head, written);
 *		}
 *	} while (r == 0 && virtq_queue_enable_notification(q) == 1);
 *	if (virtq_queue_needs_notification(q) == 1)
 *		raise the used-buffer interrupt;
 */
#ifndef VIRTQ_QUEUE_H
#define VIRTQ_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include <vmmem/access.h>
#include <vmmem/map.h>
#include <virtq/spec.h>

#define VIRTQ_WUR __attribute__((warn_unused_result))

struct virtq_chain;

/*
 * One split virtqueue.  Fields are public so that a transport or a device
 * can inspect them, but they are changed only through the functions below.
 */
struct virtq_queue {
	/* Configuration, written by the transport before the queue is ready. */
	uint16_t max_size;	/* QueueNumMax: a power of two, <= VIRTQ_MAX_SIZE */
	uint16_t size;		/* QueueNum; validated by virtq_queue_set_ready() */
	uint64_t desc_table;	/* GPA of the descriptor table */
	uint64_t avail_ring;	/* GPA of the available ring */
	uint64_t used_ring;	/* GPA of the used ring */
	bool event_idx;		/* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_F_INDIRECT_DESC negotiated */

	/* Run-time state. */
	bool ready;		/* validated and in use */
	bool broken;		/* the driver broke the contract: reset needed */
	struct vmmem_map *mem;	/* guest memory; set when ready */
	uint16_t next_avail;	/* next avail ring slot the device reads */
	uint16_t next_used;	/* next used ring slot (shadow of used->idx) */
	uint16_t signalled_used; /* used->idx at the last interrupt decision */
	bool signalled_valid;	/* signalled_used is meaningful */
	bool used_added;	/* add_used since the last interrupt decision */
	uint32_t inflight_count; /* heads popped and not yet returned */
	/* One bit per head: popped and not yet returned to the used ring. */
	uint64_t inflight[VIRTQ_MAX_SIZE / 64];
};

/*
 * Initialises q as after a device reset, with QueueNumMax = max_size.
 * -EINVAL unless max_size is a power of two in [1, VIRTQ_MAX_SIZE].
 */
VIRTQ_WUR int virtq_queue_init(struct virtq_queue *q, uint16_t max_size);

/* Back to the state after virtq_queue_init() (size = max_size, addresses 0,
 * not ready, not broken, nothing in flight).  max_size is kept. */
void virtq_queue_reset(struct virtq_queue *q);

/*
 * Configuration setters, refused with -EBUSY while the queue is ready
 * (changing a live queue is how a driver could redirect the device's writes
 * after it validated them).  Values are checked by virtq_queue_set_ready().
 */
VIRTQ_WUR int virtq_queue_set_size(struct virtq_queue *q, uint16_t size);
VIRTQ_WUR int virtq_queue_set_desc_table(struct virtq_queue *q, uint64_t gpa);
VIRTQ_WUR int virtq_queue_set_avail_ring(struct virtq_queue *q, uint64_t gpa);
VIRTQ_WUR int virtq_queue_set_used_ring(struct virtq_queue *q, uint64_t gpa);
/* Applies the ring features of the negotiated feature set (EVENT_IDX,
 * INDIRECT_DESC).  -EBUSY while ready. */
VIRTQ_WUR int virtq_queue_set_features(struct virtq_queue *q, uint64_t features);

/*
 * Validates the configuration and makes the queue live:
 *  -EINVAL size 0, above max_size or not a power of two; a ring address
 *          not aligned to 16 (descriptors), 2 (avail) or 4 (used);
 *  -EFAULT a ring (with its event field) not wholly backed by mem, or its
 *          end wrapping 2^64.
 * On error the queue stays not ready.  Indices start at 0.
 */
VIRTQ_WUR int virtq_queue_set_ready(struct virtq_queue *q, struct vmmem_map *mem);

/* Marks the queue not ready (QueueReady = 0); the configuration is kept. */
void virtq_queue_set_not_ready(struct virtq_queue *q);

/* True when ready and not broken. */
bool virtq_queue_is_live(const struct virtq_queue *q);

/*
 * Reads avail->idx and returns how many entries the driver has published
 * that the device has not consumed yet, or -EBADMSG (and the queue becomes
 * broken) when that number exceeds the queue size (vm-virtio#196).
 * -EINVAL when not ready; -EBADMSG when already broken.
 */
VIRTQ_WUR int virtq_queue_pending(struct virtq_queue *q);

/*
 * Takes the next available head and prepares chain to walk it:
 *   1  a chain was popped (chain->head is in flight until add_used);
 *   0  the available ring is empty;
 *  -EBADMSG the driver broke the contract (index jump > size, head >= size,
 *          head already in flight): the queue is now broken;
 *  -EFAULT the ring is no longer backed (the map changed): broken too;
 *  -EINVAL the queue is not ready.
 * Descriptor-level problems are reported later by virtq_chain_next(); such
 * a chain's head is still valid and must be returned with add_used.
 */
VIRTQ_WUR int virtq_queue_pop(struct virtq_queue *q, struct virtq_chain *chain);

/*
 * Undoes the last pop: chain must be the most recently popped chain and
 * still in flight.  The next pop reads the same avail slot again (e.g. a
 * device that ran out of backend resources retries later).  -EINVAL when
 * chain is not the last pop or was already returned.
 */
VIRTQ_WUR int virtq_queue_unpop(struct virtq_queue *q,
				const struct virtq_chain *chain);

/*
 * Returns head to the driver with `len` bytes written into its device-
 * writable buffers: writes the used element, then publishes used->idx with
 * release ordering.  -EINVAL for a head that is not in flight (a device
 * bug; the ring is not touched); -EBADMSG when broken; -EFAULT when the used
 * ring is no longer backed.
 */
VIRTQ_WUR int virtq_queue_add_used(struct virtq_queue *q, uint16_t head,
				   uint32_t len);

/*
 * Whether the driver wants an interrupt for the used entries added since
 * the last call that returned 1 (§2.7.10): with EVENT_IDX, Linux's
 * vring_need_event(used_event, used_idx, last signalled); otherwise unless
 * avail->flags has VIRTQ_AVAIL_F_NO_INTERRUPT.  Returns 1 (interrupt), 0
 * (suppressed, or nothing new) or -errno.
 */
VIRTQ_WUR int virtq_queue_needs_notification(struct virtq_queue *q);

/*
 * Driver-to-device notification suppression (§2.7.7 / §2.7.10).
 * disable: without EVENT_IDX sets VIRTQ_USED_F_NO_NOTIFY in used->flags;
 * with EVENT_IDX does nothing (the driver notifies only when crossing
 * avail_event, which enable keeps current).
 * enable: clears the flag or sets avail_event = next_avail, then re-reads
 * avail->idx behind a full barrier and returns 1 when entries arrived in
 * the meantime (the caller must drain again), 0 otherwise, or -errno.
 */
VIRTQ_WUR int virtq_queue_disable_notification(struct virtq_queue *q);
VIRTQ_WUR int virtq_queue_enable_notification(struct virtq_queue *q);

/*
 * Saved state of one queue, a plain struct.  In-flight heads are not part
 * of it: a device quiesces (returns every popped head) before saving.
 */
struct virtq_queue_state {
	uint16_t max_size;
	uint16_t size;
	uint8_t ready;
	uint8_t event_idx;
	uint8_t indirect;
	uint8_t broken;
	uint64_t desc_table;
	uint64_t avail_ring;
	uint64_t used_ring;
	uint16_t next_avail;
	uint16_t next_used;
	uint16_t signalled_used;
	uint8_t signalled_valid;
};

/* Copies the state out.  -EBUSY while heads are in flight. */
VIRTQ_WUR int virtq_queue_save(const struct virtq_queue *q,
			       struct virtq_queue_state *st);

/*
 * Restores a saved state, re-validating everything as set_ready does
 * (max_size must equal q's, flags 0/1, a ready queue's rings valid and
 * backed by mem, and its two indices equal since nothing was in flight).
 * -EINVAL / -EFAULT on a bad state, leaving q reset.
 */
VIRTQ_WUR int virtq_queue_restore(struct virtq_queue *q, struct vmmem_map *mem,
				  const struct virtq_queue_state *st);

/* Linux's vring_need_event(): whether moving the index from old to new_idx
 * crossed event_idx (all modulo 2^16). */
static inline bool virtq_need_event(uint16_t event_idx, uint16_t new_idx,
				    uint16_t old)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old);
}

#endif
