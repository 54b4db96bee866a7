/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio register file, version 2 (virtio 1.2 §4.2.2): access
 * width checks, dispatch of each register, the device-specific
 * configuration space, and the interrupt status shared with device
 * threads.  The status machine is in mmio_status.c, queue registers in
 * mmio_queue.c, save/restore in mmio_state.c.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include <virtq/mmio.h>

#include "mmio_internal.h"

/* Configuration space fits in the 4 KiB page after the register file. */
#define VIRTQ_MMIO_CONFIG_MAX (4096u - VIRTQ_MMIO_CONFIG_OFFSET)

int virtq_mmio_init(struct virtq_mmio *dev, const struct virtq_mmio_config *cfg)
{
	if (cfg == NULL || cfg->ops == NULL ||
	    cfg->ops->version != VIRTQ_DEVICE_OPS_VERSION ||
	    cfg->num_queues == 0 || cfg->num_queues > VIRTQ_MMIO_MAX_QUEUES ||
	    cfg->queues == NULL || cfg->mem == NULL ||
	    cfg->config_size > VIRTQ_MMIO_CONFIG_MAX)
		return -EINVAL;
	/* QueueNumMax must be a non-zero power of two for Linux to use the
	 * queue: catch a queue the caller forgot to virtq_queue_init(). */
	for (uint16_t i = 0; i < cfg->num_queues; i++) {
		uint16_t max = cfg->queues[i].max_size;

		if (max == 0 || (max & (max - 1)) || max > VIRTQ_MAX_SIZE)
			return -EINVAL;
	}
	memset(dev, 0, sizeof(*dev));
	dev->cfg = *cfg;
	virtq__mmio_clear(dev);
	return 0;
}

void virtq__mmio_clear(struct virtq_mmio *dev)
{
	for (uint16_t i = 0; i < dev->cfg.num_queues; i++)
		virtq_queue_reset(&dev->cfg.queues[i]);
	dev->device_features = virtq__offered_features(dev);
	dev->driver_features = 0;
	dev->device_features_sel = 0;
	dev->driver_features_sel = 0;
	dev->queue_sel = 0;
	dev->shm_sel = 0;
	dev->status = 0;
	/* ConfigGeneration is deliberately kept: it only ever moves on.
	 * InterruptStatus is shared with device threads: atomic store. */
	__atomic_store_n(&dev->interrupt_status, 0, __ATOMIC_SEQ_CST);
}

void virtq_mmio_reset(struct virtq_mmio *dev)
{
	/* The device drops its work first, so that it never completes a
	 * request into a queue that was just reset. */
	if (dev->cfg.ops->reset)
		dev->cfg.ops->reset(dev->cfg.ctx);
	virtq__mmio_clear(dev);
}

/* 1/2/4/8-byte naturally aligned accesses inside config_size. */
static bool config_access_ok(const struct virtq_mmio *dev, uint64_t off,
			     unsigned int size)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	if (off % size)
		return false;
	return off < dev->cfg.config_size && size <= dev->cfg.config_size - off;
}

static int config_read(struct virtq_mmio *dev, uint64_t off, unsigned int size,
		       uint64_t *value)
{
	uint64_t le = 0;

	if (!config_access_ok(dev, off, size))
		return -EINVAL;
	if (dev->cfg.ops->config_read)
		dev->cfg.ops->config_read(dev->cfg.ctx, (uint32_t)off, &le, size);
	/* The bytes are little endian and fill the low end of le. */
	*value = le64toh(le);
	return 0;
}

static int config_write(struct virtq_mmio *dev, uint64_t off, unsigned int size,
			uint64_t value)
{
	uint64_t le = htole64(value);

	if (!config_access_ok(dev, off, size))
		return -EINVAL;
	if (dev->cfg.ops->config_write)
		dev->cfg.ops->config_write(dev->cfg.ctx, (uint32_t)off, &le, size);
	return 0;
}

static uint32_t half(uint64_t v, uint32_t sel)
{
	return sel == 0 ? (uint32_t)v : sel == 1 ? (uint32_t)(v >> 32) : 0;
}

static int control_read(struct virtq_mmio *dev, uint64_t off, uint32_t *v)
{
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:		*v = VIRTQ_MMIO_MAGIC; return 0;
	case VIRTIO_MMIO_VERSION:		*v = VIRTQ_MMIO_VERSION; return 0;
	case VIRTIO_MMIO_DEVICE_ID:		*v = dev->cfg.device_id; return 0;
	case VIRTIO_MMIO_VENDOR_ID:		*v = dev->cfg.vendor_id; return 0;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		*v = half(dev->device_features, dev->device_features_sel);
		return 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		*v = virtq_mmio_interrupt_status(dev);
		return 0;
	case VIRTIO_MMIO_STATUS:		*v = dev->status; return 0;
	case VIRTIO_MMIO_CONFIG_GENERATION:	*v = dev->config_generation; return 0;
	/* No shared memory regions: a length of -1 says "no such region"
	 * (§4.2.2), and the base reads the same way. */
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:		*v = UINT32_MAX; return 0;
	default:
		return virtq__queue_read(dev, off, v);
	}
}

int virtq_mmio_read(struct virtq_mmio *dev, uint64_t offset, unsigned int size,
		    uint64_t *value)
{
	uint32_t v = 0;
	int err;

	*value = 0;
	if (offset >= VIRTQ_MMIO_CONFIG_OFFSET)
		return config_read(dev, offset - VIRTQ_MMIO_CONFIG_OFFSET, size, value);
	/* §4.2.2.2: control registers are read 32 bits wide and aligned. */
	if (size != 4 || offset % 4)
		return -EINVAL;
	err = control_read(dev, offset, &v);
	if (err == 0)
		*value = v;
	return err;
}

static int driver_features_write(struct virtq_mmio *dev, uint32_t value)
{
	uint32_t st = dev->status;
	uint64_t mask;

	/* Only between DRIVER and FEATURES_OK (§3.1.1 steps 3-5). */
	if (!(st & VIRTIO_CONFIG_S_DRIVER) ||
	    (st & (VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_FAILED |
		   VIRTIO_CONFIG_S_NEEDS_RESET)))
		return -EPERM;
	if (dev->driver_features_sel > 1)
		return -EINVAL;
	mask = dev->driver_features_sel ? UINT64_C(0xffffffff) << 32 : UINT64_C(0xffffffff);
	dev->driver_features = (dev->driver_features & ~mask) |
			       ((uint64_t)value << (32 * dev->driver_features_sel));
	return 0;
}

static int control_write(struct virtq_mmio *dev, uint64_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:	dev->device_features_sel = v; return 0;
	case VIRTIO_MMIO_DRIVER_FEATURES:	return driver_features_write(dev, v);
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:	dev->driver_features_sel = v; return 0;
	case VIRTIO_MMIO_QUEUE_SEL:		dev->queue_sel = v; return 0;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Without NOTIFICATION_DATA the value is the queue index. */
		if (v > UINT16_MAX)
			return -EINVAL;
		return virtq_mmio_queue_notified(dev, (uint16_t)v);
	case VIRTIO_MMIO_INTERRUPT_ACK:
		/* Atomic: a device thread may be setting a new bit right now,
		 * and a plain read-modify-write would lose it. */
		__atomic_fetch_and(&dev->interrupt_status, ~v, __ATOMIC_SEQ_CST);
		return 0;
	case VIRTIO_MMIO_STATUS:		return virtq__status_write(dev, v);
	case VIRTIO_MMIO_SHM_SEL:		dev->shm_sel = v; return 0;
	default:
		return virtq__queue_write(dev, off, v);
	}
}

int virtq_mmio_write(struct virtq_mmio *dev, uint64_t offset, unsigned int size,
		     uint64_t value)
{
	if (offset >= VIRTQ_MMIO_CONFIG_OFFSET)
		return config_write(dev, offset - VIRTQ_MMIO_CONFIG_OFFSET, size, value);
	if (size != 4 || offset % 4 || value > UINT32_MAX)
		return -EINVAL;
	return control_write(dev, offset, (uint32_t)value);
}

void virtq_mmio_raise(struct virtq_mmio *dev, uint32_t isr)
{
	/* The bits must be visible in InterruptStatus before the line
	 * fires, or the guest's handler may read 0 and ignore it. */
	__atomic_fetch_or(&dev->interrupt_status, isr, __ATOMIC_SEQ_CST);
	if (dev->cfg.irq.fn)
		dev->cfg.irq.fn(dev->cfg.irq.ctx, isr);
}

uint32_t virtq_mmio_interrupt_status(const struct virtq_mmio *dev)
{
	return __atomic_load_n(&dev->interrupt_status, __ATOMIC_SEQ_CST);
}

void virtq_mmio_config_changed(struct virtq_mmio *dev)
{
	dev->config_generation++;
	virtq_mmio_raise(dev, VIRTIO_MMIO_INT_CONFIG);
}

void virtq_mmio_needs_reset(struct virtq_mmio *dev)
{
	bool was = dev->status & VIRTIO_CONFIG_S_NEEDS_RESET;

	dev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* §2.1.2: after DRIVER_OK the driver learns it by a config change
	 * notification. */
	if (!was && (dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		virtq_mmio_raise(dev, VIRTIO_MMIO_INT_CONFIG);
}

uint32_t virtq_mmio_status(const struct virtq_mmio *dev)
{
	return dev->status;
}

uint64_t virtq_mmio_features(const struct virtq_mmio *dev)
{
	return dev->driver_features;
}

struct virtq_queue *virtq_mmio_queue(struct virtq_mmio *dev, uint16_t index)
{
	return index < dev->cfg.num_queues ? &dev->cfg.queues[index] : NULL;
}
