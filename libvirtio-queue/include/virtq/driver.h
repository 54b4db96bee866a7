/* SPDX-License-Identifier: MIT */
/*
 * A driver-side split virtqueue (virtio 1.2 §2.7.13, what Linux's
 * virtio_ring does), for tests, benchmarks, fuzzers and examples that need
 * to play the guest: it lays out the three rings in a libvmmem map, builds
 * direct and indirect chains, publishes them, decides whether to kick, and
 * reaps used entries.  It also has raw helpers to build hostile rings.
 * It can drive a virtio-mmio transport through its registers as Linux's
 * virtio_mmio probe does (virtq_driver_mmio_*).
 *
 * The driver trusts nothing it reads back from guest memory either: a used
 * entry naming a head it did not submit is -EBADMSG.
 */
#ifndef VIRTQ_DRIVER_H
#define VIRTQ_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmmem/map.h>
#include <virtq/mmio.h>
#include <virtq/queue.h>
#include <virtq/spec.h>

struct virtq_driver;

/* Flags of virtq_driver_new(). */
#define VIRTQ_DRIVER_EVENT_IDX	(1u << 0) /* use used_event/avail_event */

/* Bytes of guest memory virtq_driver_new() lays the rings out in, for a
 * queue of `size` entries (descriptor table, then avail, then used at the
 * next 4-byte boundary). */
uint64_t virtq_driver_ring_bytes(uint16_t size);

/*
 * Lays out and zeroes a queue of `size` entries (a power of two up to
 * VIRTQ_MAX_SIZE) at `base` (16-byte aligned) in mem.  -EINVAL for a bad
 * size or alignment, -EFAULT when the rings are not backed, -ENOMEM.
 */
VIRTQ_WUR int virtq_driver_new(struct vmmem_map *mem, uint16_t size,
			       uint64_t base, uint32_t flags,
			       struct virtq_driver **out);
/* NULL is a no-op. */
void virtq_driver_free(struct virtq_driver *drv);

/* Queue size and the guest addresses of the three rings. */
uint16_t virtq_driver_size(const struct virtq_driver *drv);
uint64_t virtq_driver_desc_addr(const struct virtq_driver *drv);
uint64_t virtq_driver_avail_addr(const struct virtq_driver *drv);
uint64_t virtq_driver_used_addr(const struct virtq_driver *drv);

/* Free descriptors left. */
uint16_t virtq_driver_num_free(const struct virtq_driver *drv);

/* One buffer of a chain to build. */
struct virtq_buf {
	uint64_t addr;
	uint32_t len;
	bool writable;	/* device-writable */
};

/*
 * Builds a direct chain of n buffers from free descriptors and puts its
 * head in the avail ring (not yet visible: see publish).  -ENOSPC when
 * fewer than n descriptors are free, -EINVAL for n == 0.
 */
VIRTQ_WUR int virtq_driver_add(struct virtq_driver *drv,
			       const struct virtq_buf *bufs, size_t n,
			       uint16_t *head);

/*
 * Builds an indirect chain: writes n descriptors as a table at table_gpa
 * (16-byte aligned, 16*n bytes, owned by the caller until the head is
 * used) and uses one ring descriptor pointing at it.
 */
VIRTQ_WUR int virtq_driver_add_indirect(struct virtq_driver *drv,
					const struct virtq_buf *bufs, size_t n,
					uint64_t table_gpa, uint16_t *head);

/*
 * Makes the added heads visible: release-stores avail->idx.  Returns 1 when
 * the device asked to be notified (avail_event crossed, or no NO_NOTIFY
 * flag), 0 when not, or -errno.
 */
VIRTQ_WUR int virtq_driver_publish(struct virtq_driver *drv);

/*
 * Reaps one used entry: 1 with *head and *len set (its descriptors are
 * freed), 0 when none, -EBADMSG for a used entry naming a head that is not
 * outstanding or a used index running ahead.  With EVENT_IDX and
 * interrupts enabled it then sets used_event to the next entry, as Linux's
 * virtqueue_get_buf() does.
 */
VIRTQ_WUR int virtq_driver_get_used(struct virtq_driver *drv, uint16_t *head,
				    uint32_t *len);

/*
 * Interrupt suppression as the driver sees it: with EVENT_IDX writes
 * used_event = last seen used index (interrupt on the next completion) or
 * leaves it behind (disable); without, sets/clears NO_INTERRUPT.
 */
VIRTQ_WUR int virtq_driver_enable_interrupts(struct virtq_driver *drv);
VIRTQ_WUR int virtq_driver_disable_interrupts(struct virtq_driver *drv);

/*
 * Used entries the device has published and the driver not reaped yet
 * (acquire load of used->idx), or -errno.  Called after enabling
 * interrupts, it closes the race Linux's virtqueue_enable_cb() closes: an
 * entry added just before the device saw interrupts enabled.
 */
VIRTQ_WUR int virtq_driver_used_pending(struct virtq_driver *drv);

/*
 * Raw access for hostile tests: write descriptor `index` as given (no
 * bookkeeping), append `head` to the avail ring, or force avail->idx.
 * These bypass the free list; do not mix them with add/get_used on the same
 * descriptors.
 */
VIRTQ_WUR int virtq_driver_write_desc(struct virtq_driver *drv, uint16_t index,
				      const struct virtq_desc *desc);
VIRTQ_WUR int virtq_driver_push_head(struct virtq_driver *drv, uint16_t head);
VIRTQ_WUR int virtq_driver_set_avail_idx(struct virtq_driver *drv, uint16_t idx);

/* Shadow avail index (what the next publish stores). */
uint16_t virtq_driver_avail_idx(const struct virtq_driver *drv);

/*
 * Linux's virtio_mmio probe through the registers of dev: checks magic,
 * version and device ID, resets, sets ACKNOWLEDGE and DRIVER, reads the
 * offered features and acks `wanted & offered` (plus VERSION_1), sets
 * FEATURES_OK and checks it stuck.  *features receives the acked set.
 * -ENODEV for a bad magic/version, -EIO when FEATURES_OK was refused.
 */
VIRTQ_WUR int virtq_driver_mmio_negotiate(struct virtq_mmio *dev,
					  uint64_t wanted, uint64_t *features);

/* Programs queue `index` of dev with drv's size and rings and sets
 * QueueReady.  -EIO when the device refused it (QueueReady reads 0). */
VIRTQ_WUR int virtq_driver_mmio_setup_queue(struct virtq_mmio *dev,
					    uint16_t index,
					    const struct virtq_driver *drv);

/* Sets DRIVER_OK.  -EIO when the device reports NEEDS_RESET afterwards. */
VIRTQ_WUR int virtq_driver_mmio_driver_ok(struct virtq_mmio *dev);

#endif
