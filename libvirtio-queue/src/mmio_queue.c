/* SPDX-License-Identifier: MIT */
/*
 * Queue registers of a virtio-mmio device (virtio 1.2 §4.2.2 QueueSel ..
 * QueueReady, §4.2.3.2 virtqueue configuration) and queue notification.
 * A queue may only be configured between FEATURES_OK and DRIVER_OK; any
 * attempt to change one after DRIVER_OK is refused and makes the device
 * need a reset, since the device already trusts the addresses it validated
 * (the Firecracker CVE-2026-5747 pattern).  The one write accepted in every
 * state is QueueReady = 0, which stops the queue (§4.2.2.2): the queue is
 * then quiesced (no notification reaches the device, pop and add_used
 * refuse it) until the device is reset; without VIRTIO_F_RING_RESET it is
 * not re-enabled after DRIVER_OK.
 */
#include <errno.h>

#include <virtq/mmio.h>

#include "mmio_internal.h"

static struct virtq_queue *selected(struct virtq_mmio *dev)
{
	if (dev->queue_sel >= dev->cfg.num_queues)
		return NULL;
	return &dev->cfg.queues[dev->queue_sel];
}

int virtq__queue_read(struct virtq_mmio *dev, uint64_t offset, uint32_t *value)
{
	struct virtq_queue *q = selected(dev);

	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		/* 0 says "no such queue" (§4.2.3.2 step 3). */
		*value = q ? q->max_size : 0;
		return 0;
	case VIRTIO_MMIO_QUEUE_READY:
		*value = q ? q->ready : 0;
		return 0;
	default:
		return -EINVAL;	/* write-only or unknown */
	}
}

static uint64_t set_low(uint64_t old, uint32_t v)
{
	return (old & ~UINT64_C(0xffffffff)) | v;
}

static uint64_t set_high(uint64_t old, uint32_t v)
{
	return (old & UINT64_C(0xffffffff)) | ((uint64_t)v << 32);
}

static int ready_write(struct virtq_mmio *dev, struct virtq_queue *q, uint32_t v)
{
	int err;

	if (v == 0) {
		/* The device lets go of the queue's chains while it may
		 * still complete them (§4.2.2.1). */
		if (q->ready && dev->cfg.ops->queue_stop)
			dev->cfg.ops->queue_stop(dev->cfg.ctx,
						 (uint16_t)(q - dev->cfg.queues));
		virtq_queue_set_not_ready(q);
		return 0;
	}
	if (v != 1)
		return -EINVAL;
	if (q->ready)
		return 0;
	err = virtq_queue_set_ready(q, dev->cfg.mem);
	if (err)
		virtq_mmio_needs_reset(dev);
	return err;
}

static int config_write(struct virtq_mmio *dev, struct virtq_queue *q,
			uint64_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		return v > UINT16_MAX ? -EINVAL : virtq_queue_set_size(q, (uint16_t)v);
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return virtq_queue_set_desc_table(q, set_low(q->desc_table, v));
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		return virtq_queue_set_desc_table(q, set_high(q->desc_table, v));
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		return virtq_queue_set_avail_ring(q, set_low(q->avail_ring, v));
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		return virtq_queue_set_avail_ring(q, set_high(q->avail_ring, v));
	case VIRTIO_MMIO_QUEUE_USED_LOW:
		return virtq_queue_set_used_ring(q, set_low(q->used_ring, v));
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		return virtq_queue_set_used_ring(q, set_high(q->used_ring, v));
	case VIRTIO_MMIO_QUEUE_READY:
		return ready_write(dev, q, v);
	default:
		return -EINVAL;
	}
}

static bool is_queue_register(uint64_t off)
{
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
	case VIRTIO_MMIO_QUEUE_READY:
		return true;
	default:
		return false;
	}
}

int virtq__queue_write(struct virtq_mmio *dev, uint64_t off, uint32_t v)
{
	struct virtq_queue *q = selected(dev);
	uint32_t st = dev->status;

	if (!is_queue_register(off))
		return -EINVAL;	/* read-only or unknown register */
	if (q == NULL)
		return -EINVAL;
	/* §4.2.2.2: the driver stops a queue by writing 0 to QueueReady and
	 * reading it back, in any state: Linux's vm_del_vq does it on every
	 * unbind, with DRIVER_OK still set, and WARNs if it reads 1.  So this
	 * case runs before any status-based refusal below. */
	if (off == VIRTIO_MMIO_QUEUE_READY && v == 0)
		return ready_write(dev, q, v);
	if (st & VIRTIO_CONFIG_S_DRIVER_OK) {
		virtq_mmio_needs_reset(dev);
		return -EPERM;
	}
	if (!(st & VIRTIO_CONFIG_S_FEATURES_OK) ||
	    (st & (VIRTIO_CONFIG_S_FAILED | VIRTIO_CONFIG_S_NEEDS_RESET)))
		return -EPERM;
	/* §4.2.2.3: a ready queue is not reconfigured (setters say -EBUSY). */
	return config_write(dev, q, off, v);
}

int virtq_mmio_queue_notified(struct virtq_mmio *dev, uint16_t index)
{
	uint32_t st = dev->status;

	if (index >= dev->cfg.num_queues)
		return -EINVAL;
	if (!(st & VIRTIO_CONFIG_S_DRIVER_OK) ||
	    (st & (VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED)) ||
	    !virtq_queue_is_live(&dev->cfg.queues[index]))
		return -EPERM;
	if (dev->cfg.ops->queue_notify)
		dev->cfg.ops->queue_notify(dev->cfg.ctx, index);
	return 0;
}

int virtq_mmio_signal_used(struct virtq_mmio *dev, uint16_t index)
{
	int r;

	if (index >= dev->cfg.num_queues)
		return -EINVAL;
	r = virtq_queue_needs_notification(&dev->cfg.queues[index]);
	/* -EINVAL only says the queue is not ready (e.g. just reset). */
	if (r < 0 && r != -EINVAL)
		virtq_mmio_needs_reset(dev);
	if (r < 0)
		return r;
	if (r)
		virtq_mmio_raise(dev, VIRTIO_MMIO_INT_VRING);
	return r;
}
