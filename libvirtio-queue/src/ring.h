/* SPDX-License-Identifier: MIT */
/*
 * Private: guest addresses of the fields of a split virtqueue's rings
 * (virtio 1.2 §2.7.6 available ring, §2.7.8 used ring).  Every address is
 * computed from a ring base validated by virtq_queue_set_ready(), which
 * checked that the whole ring, event field included, is backed and does not
 * wrap, so these sums cannot overflow.
 */
#ifndef VIRTQ_RING_H
#define VIRTQ_RING_H

#include <stdint.h>

#include <virtq/queue.h>

static inline uint64_t virtq__avail_flags(const struct virtq_queue *q)
{
	return q->avail_ring;
}

static inline uint64_t virtq__avail_idx(const struct virtq_queue *q)
{
	return q->avail_ring + 2;
}

static inline uint64_t virtq__avail_entry(const struct virtq_queue *q, uint16_t slot)
{
	return q->avail_ring + 4 + 2u * (uint64_t)(slot & (q->size - 1));
}

/* used_event lives after the avail ring's entries. */
static inline uint64_t virtq__used_event(const struct virtq_queue *q)
{
	return q->avail_ring + 4 + 2u * (uint64_t)q->size;
}

static inline uint64_t virtq__used_flags(const struct virtq_queue *q)
{
	return q->used_ring;
}

static inline uint64_t virtq__used_idx(const struct virtq_queue *q)
{
	return q->used_ring + 2;
}

static inline uint64_t virtq__used_entry(const struct virtq_queue *q, uint16_t slot)
{
	return q->used_ring + 4 + 8u * (uint64_t)(slot & (q->size - 1));
}

/* avail_event lives after the used ring's entries. */
static inline uint64_t virtq__avail_event(const struct virtq_queue *q)
{
	return q->used_ring + 4 + 8u * (uint64_t)q->size;
}

#endif
