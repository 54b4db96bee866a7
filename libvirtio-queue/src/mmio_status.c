/* SPDX-License-Identifier: MIT */
/*
 * The device status state machine of a virtio-mmio device (virtio 1.2
 * §2.1 Device Status Field, §3.1.1 Driver Requirements: Device
 * Initialization) and feature negotiation (§2.2).  The driver adds one
 * status bit per step and Linux re-reads the register after each write, so
 * Status reads back exactly what was accepted.
 */
#include <errno.h>

#include <virtq/mmio.h>

#include "mmio_internal.h"

#define BIT(n) (UINT64_C(1) << (n))

/* Transport-range feature bits (24..49) this library implements. */
#define TRANSPORT_MASK (((UINT64_C(1) << 50) - 1) & ~((UINT64_C(1) << 24) - 1))
#define TRANSPORT_IMPLEMENTED (BIT(VIRTIO_F_INDIRECT_DESC) | BIT(VIRTIO_F_EVENT_IDX) | \
			       BIT(VIRTIO_F_VERSION_1))

uint64_t virtq__offered_features(const struct virtq_mmio *dev)
{
	uint64_t f = 0;

	if (dev->cfg.ops->features)
		f = dev->cfg.ops->features(dev->cfg.ctx);
	/* Offering a ring feature we do not implement (RING_PACKED, say)
	 * would make Linux use it; VERSION_1 is mandatory for version 2. */
	f &= ~TRANSPORT_MASK | TRANSPORT_IMPLEMENTED;
	return f | BIT(VIRTIO_F_VERSION_1);
}

bool virtq__features_acceptable(uint64_t offered, uint64_t acked)
{
	/* §2.2.1: no feature the device did not offer; §6.1: a non-legacy
	 * device refuses a driver that did not accept VERSION_1. */
	return (acked & ~offered) == 0 && (acked & BIT(VIRTIO_F_VERSION_1));
}

bool virtq__status_reachable(uint32_t s)
{
	if (s & ~(uint32_t)(VIRTQ__STATUS_DRIVER_BITS | VIRTIO_CONFIG_S_NEEDS_RESET))
		return false;
	if ((s & VIRTIO_CONFIG_S_DRIVER) && !(s & VIRTIO_CONFIG_S_ACKNOWLEDGE))
		return false;
	if ((s & VIRTIO_CONFIG_S_FEATURES_OK) && !(s & VIRTIO_CONFIG_S_DRIVER))
		return false;
	if ((s & VIRTIO_CONFIG_S_DRIVER_OK) && !(s & VIRTIO_CONFIG_S_FEATURES_OK))
		return false;
	return true;
}

static void apply_queue_features(struct virtq_mmio *dev)
{
	for (uint16_t i = 0; i < dev->cfg.num_queues; i++) {
		/* Queues cannot be ready before FEATURES_OK, so this succeeds. */
		if (virtq_queue_set_features(&dev->cfg.queues[i], dev->driver_features))
			virtq_mmio_needs_reset(dev);
	}
}

/* Handles the FEATURES_OK and DRIVER_OK steps of a write adding `added`. */
static int advance(struct virtq_mmio *dev, uint32_t next, uint32_t added)
{
	int err = 0;

	if (added & VIRTIO_CONFIG_S_FEATURES_OK) {
		if (!virtq__features_acceptable(dev->device_features,
						dev->driver_features)) {
			/* Leave FEATURES_OK clear: the driver re-reads and
			 * gives up (§3.1.1 step 6). */
			next &= ~(uint32_t)(VIRTIO_CONFIG_S_FEATURES_OK |
					    VIRTIO_CONFIG_S_DRIVER_OK);
			added &= ~(uint32_t)VIRTIO_CONFIG_S_DRIVER_OK;
			err = -EINVAL;
		} else {
			apply_queue_features(dev);
		}
	}
	dev->status = next | (dev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && dev->cfg.ops->activate &&
	    dev->cfg.ops->activate(dev->cfg.ctx, dev->driver_features) < 0) {
		virtq_mmio_needs_reset(dev);
		err = -EIO;
	}
	return err;
}

int virtq__status_write(struct virtq_mmio *dev, uint32_t value)
{
	uint32_t old = dev->status & VIRTQ__STATUS_DRIVER_BITS;
	uint32_t next = value & ~(uint32_t)VIRTIO_CONFIG_S_NEEDS_RESET;
	uint32_t added = next & ~old;

	if (value == 0) {
		virtq_mmio_reset(dev);
		return 0;
	}
	/* The driver echoes NEEDS_RESET back when it ORs in a bit, but may
	 * not set it itself; unknown bits and skipped steps are refused. */
	if ((value & VIRTIO_CONFIG_S_NEEDS_RESET) &&
	    !(dev->status & VIRTIO_CONFIG_S_NEEDS_RESET))
		return -EINVAL;
	if (!virtq__status_reachable(value))
		return -EINVAL;
	/* Bits only go away through a reset (write 0). */
	if ((next & old) != old)
		return -EINVAL;
	if (added == 0)
		return 0;
	if (added == VIRTIO_CONFIG_S_FAILED) {
		dev->status |= VIRTIO_CONFIG_S_FAILED;
		return 0;
	}
	/* After FAILED or NEEDS_RESET the only way forward is a reset. */
	if (dev->status & (VIRTIO_CONFIG_S_FAILED | VIRTIO_CONFIG_S_NEEDS_RESET))
		return -EPERM;
	return advance(dev, next, added);
}
