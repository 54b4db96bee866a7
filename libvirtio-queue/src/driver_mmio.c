/* SPDX-License-Identifier: MIT */
/*
 * The register sequence Linux's virtio_mmio driver performs at probe time
 * (virtio 1.2 §3.1.1 device initialisation, §4.2.3 virtio-mmio specifics),
 * played against a struct virtq_mmio by tests, benchmarks and examples.
 */
#include <errno.h>

#include <virtq/driver.h>

static int rd(struct virtq_mmio *dev, uint64_t off, uint32_t *v)
{
	uint64_t x;

	if (virtq_mmio_read(dev, off, 4, &x))
		return -EIO;
	*v = (uint32_t)x;
	return 0;
}

/* Register writes may be refused; the caller checks the effect by reading
 * back, as Linux does. */
static void wr(struct virtq_mmio *dev, uint64_t off, uint32_t v)
{
	(void)!virtq_mmio_write(dev, off, 4, v);
}

static int add_status(struct virtq_mmio *dev, uint32_t bit, uint32_t *now)
{
	uint32_t s;

	if (rd(dev, VIRTIO_MMIO_STATUS, &s))
		return -EIO;
	wr(dev, VIRTIO_MMIO_STATUS, s | bit);
	return rd(dev, VIRTIO_MMIO_STATUS, now);
}

int virtq_driver_mmio_negotiate(struct virtq_mmio *dev, uint64_t wanted,
				uint64_t *features)
{
	uint32_t magic, version, id, lo, hi, s;
	uint64_t acked;

	if (rd(dev, VIRTIO_MMIO_MAGIC_VALUE, &magic) || rd(dev, VIRTIO_MMIO_VERSION, &version) ||
	    rd(dev, VIRTIO_MMIO_DEVICE_ID, &id))
		return -EIO;
	if (magic != VIRTQ_MMIO_MAGIC || version != VIRTQ_MMIO_VERSION || id == 0)
		return -ENODEV;
	wr(dev, VIRTIO_MMIO_STATUS, 0);
	if (add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE, &s) ||
	    add_status(dev, VIRTIO_CONFIG_S_DRIVER, &s))
		return -EIO;
	wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	if (rd(dev, VIRTIO_MMIO_DEVICE_FEATURES, &lo))
		return -EIO;
	wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	if (rd(dev, VIRTIO_MMIO_DEVICE_FEATURES, &hi))
		return -EIO;
	acked = (wanted | (UINT64_C(1) << VIRTIO_F_VERSION_1)) &
		(((uint64_t)hi << 32) | lo);
	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)acked);
	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(acked >> 32));
	if (add_status(dev, VIRTIO_CONFIG_S_FEATURES_OK, &s))
		return -EIO;
	if (!(s & VIRTIO_CONFIG_S_FEATURES_OK))
		return -EIO;
	*features = acked;
	return 0;
}

int virtq_driver_mmio_setup_queue(struct virtq_mmio *dev, uint16_t index,
				  const struct virtq_driver *drv)
{
	uint32_t ready, max;
	uint64_t desc = virtq_driver_desc_addr(drv), avail = virtq_driver_avail_addr(drv),
		 used = virtq_driver_used_addr(drv);

	wr(dev, VIRTIO_MMIO_QUEUE_SEL, index);
	if (rd(dev, VIRTIO_MMIO_QUEUE_READY, &ready) || rd(dev, VIRTIO_MMIO_QUEUE_NUM_MAX, &max))
		return -EIO;
	if (ready)
		return -EBUSY;
	if (max == 0)
		return -ENOENT;
	if (virtq_driver_size(drv) > max)
		return -EINVAL;
	wr(dev, VIRTIO_MMIO_QUEUE_NUM, virtq_driver_size(drv));
	wr(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(dev, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(dev, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	wr(dev, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	wr(dev, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	wr(dev, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	wr(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	if (rd(dev, VIRTIO_MMIO_QUEUE_READY, &ready))
		return -EIO;
	return ready ? 0 : -EIO;
}

int virtq_driver_mmio_driver_ok(struct virtq_mmio *dev)
{
	uint32_t s;

	if (add_status(dev, VIRTIO_CONFIG_S_DRIVER_OK, &s))
		return -EIO;
	if ((s & VIRTIO_CONFIG_S_NEEDS_RESET) || !(s & VIRTIO_CONFIG_S_DRIVER_OK))
		return -EIO;
	return 0;
}
