/* SPDX-License-Identifier: MIT */
/*
 * Save and restore of a virtio-mmio device with its queues.  A saved state
 * is untrusted input: restore accepts only what a live driver could have
 * produced through the registers (virtio 1.2 §2.1, §2.2, §4.2.3).
 */
#include <errno.h>

#include <virtq/mmio.h>

#include "mmio_internal.h"

#define BIT(n) (UINT64_C(1) << (n))
#define ISR_BITS (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG)

int virtq_mmio_save(const struct virtq_mmio *dev, struct virtq_mmio_state *st)
{
	*st = (struct virtq_mmio_state){
		.device_features = dev->device_features,
		.driver_features = dev->driver_features,
		.device_features_sel = dev->device_features_sel,
		.driver_features_sel = dev->driver_features_sel,
		.queue_sel = dev->queue_sel,
		.shm_sel = dev->shm_sel,
		.status = dev->status,
		.config_generation = dev->config_generation,
		.interrupt_status = virtq_mmio_interrupt_status(dev),
		.num_queues = dev->cfg.num_queues,
	};
	for (uint16_t i = 0; i < dev->cfg.num_queues; i++) {
		int err = virtq_queue_save(&dev->cfg.queues[i], &st->queues[i]);

		if (err)
			return err;
	}
	return 0;
}

static bool header_ok(const struct virtq_mmio *dev, const struct virtq_mmio_state *st)
{
	bool features_ok = st->status & VIRTIO_CONFIG_S_FEATURES_OK;

	if (st->num_queues != dev->cfg.num_queues ||
	    st->device_features != dev->device_features)
		return false;
	if (!virtq__status_reachable(st->status) || (st->interrupt_status & ~ISR_BITS))
		return false;
	/* Before FEATURES_OK the driver may have written anything to
	 * DriverFeatures (it is checked when FEATURES_OK is set); after it,
	 * only an acceptable set can be there. */
	return !features_ok ||
	       virtq__features_acceptable(st->device_features, st->driver_features);
}

/* A queue's ring features follow the negotiated set, and only a queue of a
 * device past FEATURES_OK can be ready. */
static bool queue_consistent(const struct virtq_mmio_state *st,
			     const struct virtq_queue_state *q)
{
	bool features_ok = st->status & VIRTIO_CONFIG_S_FEATURES_OK;
	uint64_t f = features_ok ? st->driver_features : 0;

	if (q->ready && !features_ok)
		return false;
	return q->event_idx == ((f & BIT(VIRTIO_F_EVENT_IDX)) != 0) &&
	       q->indirect == ((f & BIT(VIRTIO_F_INDIRECT_DESC)) != 0);
}

static int restore_checked(struct virtq_mmio *dev, const struct virtq_mmio_state *st)
{
	if (!header_ok(dev, st))
		return -EINVAL;
	for (uint16_t i = 0; i < st->num_queues; i++) {
		int err;

		if (!queue_consistent(st, &st->queues[i]))
			return -EINVAL;
		err = virtq_queue_restore(&dev->cfg.queues[i], dev->cfg.mem,
					  &st->queues[i]);
		if (err)
			return err;
	}
	dev->driver_features = st->driver_features;
	dev->device_features_sel = st->device_features_sel;
	dev->driver_features_sel = st->driver_features_sel;
	dev->queue_sel = st->queue_sel;
	dev->shm_sel = st->shm_sel;
	dev->status = st->status;
	dev->config_generation = st->config_generation;
	__atomic_store_n(&dev->interrupt_status, st->interrupt_status, __ATOMIC_SEQ_CST);
	return 0;
}

int virtq_mmio_restore(struct virtq_mmio *dev, const struct virtq_mmio_state *st)
{
	uint32_t s;
	int err;

	virtq_mmio_reset(dev);
	err = restore_checked(dev, st);
	if (err) {
		virtq_mmio_reset(dev);
		return err;
	}
	s = dev->status;
	if ((s & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(s & (VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED)) &&
	    dev->cfg.ops->activate &&
	    (err = dev->cfg.ops->activate(dev->cfg.ctx, dev->driver_features)) < 0) {
		virtq_mmio_reset(dev);
		return err;
	}
	return 0;
}
