/* SPDX-License-Identifier: MIT */
/*
 * Fixtures for tests of the whole device: a virtio-blk device over a
 * scratch image, brought up through its MMIO registers by libvirtio-queue's
 * driver-side helper exactly as Linux's virtio_mmio probe does, and a
 * counting interrupt line.  Requests are laid out in slots: slot i has its
 * header at T_HDR + 32*i, data at T_DATA + 4096*i and status at
 * T_STATUS + i.
 */
#ifndef VBLK_TEST_DEVHARNESS_H
#define VBLK_TEST_DEVHARNESS_H

#include <virtq/driver.h>

#include "harness.h"

#define T_RING 0x80000u		/* rings of the driver's queue */
#define T_TABLE 0x90000u	/* indirect tables */
#define T_QSIZE 16u
/* The driver accepts whatever is offered, EVENT_IDX only when it uses it. */
#define T_FEATURES(drv_flags) ((drv_flags) & VIRTQ_DRIVER_EVENT_IDX ? ~0ull \
			       : ~(1ull << VIRTIO_F_EVENT_IDX))

struct t_dev {
	struct vmmem_map *mem;
	struct vblk_file *file;
	struct vblk_backend be;
	struct vblk_async *async;
	struct vblk_device dev;
	struct virtq_driver *drv;
	uint64_t features;
	unsigned int irqs;
	uint32_t isr;
};

static void t_irq(void *ctx, uint32_t isr)
{
	struct t_dev *t = ctx;

	t->irqs++;
	t->isr |= isr;
}

/* Resets the device through Status and sets it up again with fresh rings;
 * the driver accepts the offered features that are also in wanted. */
static inline void t_bring_up_with(struct t_dev *t, uint32_t drv_flags,
				   uint64_t wanted)
{
	virtq_driver_free(t->drv);
	cr_assert_eq(virtq_driver_mmio_negotiate(vblk_device_mmio(&t->dev),
						 T_FEATURES(drv_flags) & wanted,
						 &t->features), 0);
	cr_assert_eq(virtq_driver_new(t->mem, T_QSIZE, T_RING, drv_flags, &t->drv), 0);
	cr_assert_eq(virtq_driver_mmio_setup_queue(vblk_device_mmio(&t->dev), 0,
						   t->drv), 0);
	cr_assert_eq(virtq_driver_mmio_driver_ok(vblk_device_mmio(&t->dev)), 0);
}

static inline void t_bring_up(struct t_dev *t, uint32_t drv_flags)
{
	t_bring_up_with(t, drv_flags, ~0ull);
}

/*
 * Creates the device over t->be (set up by the caller, with t->mem), with
 * an async engine of depth 8 made with async_flags when async, and brings
 * it up accepting the offered features in wanted.
 */
static inline void t_dev_start(struct t_dev *t, bool async, unsigned int async_flags,
			       uint32_t drv_flags, uint64_t wanted,
			       const struct rlim_config *limit)
{
	struct vblk_device_config cfg = {
		.backend = &t->be, .mem = t->mem, .irq = { t_irq, t },
		.id = "cvmm-test", .queue_size = T_QSIZE, .limit = limit,
	};

	if (async)
		cr_assert_eq(vblk_async_new(&t->be, cfg.id, 8, async_flags,
					    &t->async), 0);
	cfg.async = t->async;
	cr_assert_eq(vblk_device_init(&t->dev, &cfg), 0);
	t_bring_up_with(t, drv_flags, wanted);
}

/* Opens the device with an optional rate limit (NULL: none). */
static inline void t_dev_open_limited(struct t_dev *t, bool read_only, bool async,
				      uint32_t drv_flags,
				      const struct rlim_config *limit)
{
	memset(t, 0, sizeof(*t));
	t->mem = t_mem();
	t->file = t_disk(read_only, &t->be);
	t_dev_start(t, async, 0, drv_flags, ~0ull, limit);
}

static inline void t_dev_open(struct t_dev *t, bool read_only, bool async,
			      uint32_t drv_flags)
{
	t_dev_open_limited(t, read_only, async, drv_flags, NULL);
}

static inline void t_dev_close(struct t_dev *t)
{
	vblk_device_reset(&t->dev);
	virtq_driver_free(t->drv);
	vblk_async_free(t->async);
	vblk_file_free(t->file);
	vmmem_map_free(t->mem);
}

static inline bool t_needs_reset(struct t_dev *t)
{
	return virtq_mmio_status(vblk_device_mmio(&t->dev)) &
	       VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* Adds request slot i (header + optional data + status) without
 * publishing it; returns the head. */
static inline uint16_t t_add(struct t_dev *t, unsigned int i, uint32_t type,
			     uint64_t sector, uint32_t len, bool indirect)
{
	struct virtq_buf b[3];
	size_t n = 0;
	uint16_t head;

	t_hdr(t->mem, T_HDR + 32u * i, type, sector);
	cr_assert_eq(vmmem_store_u8(t->mem, T_STATUS + i, 0xee), 0);
	b[n++] = (struct virtq_buf){ T_HDR + 32u * i, 16, false };
	if (len)
		b[n++] = (struct virtq_buf){ T_DATA + 4096u * i, len,
					     type != VIRTIO_BLK_T_OUT &&
					     type != VIRTIO_BLK_T_DISCARD &&
					     type != VIRTIO_BLK_T_WRITE_ZEROES };
	b[n++] = (struct virtq_buf){ T_STATUS + i, 1, true };
	if (indirect)
		cr_assert_eq(virtq_driver_add_indirect(t->drv, b, n,
						       T_TABLE + 64u * i, &head), 0);
	else
		cr_assert_eq(virtq_driver_add(t->drv, b, n, &head), 0);
	return head;
}

/* Publishes and notifies through the QueueNotify register. */
static inline void t_kick(struct t_dev *t)
{
	cr_assert_geq(virtq_driver_publish(t->drv), 0);
	cr_assert_eq(vblk_device_mmio_write(&t->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0), 0);
}

/* Waits for every async completion and returns the next used entry. */
static inline void t_used(struct t_dev *t, uint16_t *head, uint32_t *len)
{
	for (int tries = 0; tries < 1000; tries++) {
		int r = virtq_driver_get_used(t->drv, head, len);

		cr_assert_geq(r, 0);
		if (r == 1)
			return;
		cr_assert_geq(vblk_device_complete(&t->dev, true), 0);
	}
	cr_assert_fail("no used entry");
}

static inline uint8_t t_status(struct t_dev *t, unsigned int i)
{
	uint8_t s;

	cr_assert_eq(vmmem_load_u8(t->mem, T_STATUS + i, &s), 0);
	return s;
}

/* One request, start to finish; returns its status byte. */
static inline uint8_t t_request(struct t_dev *t, unsigned int i, uint32_t type,
				uint64_t sector, uint32_t len)
{
	uint16_t head, got;
	uint32_t used;

	head = t_add(t, i, type, sector, len, false);
	t_kick(t);
	t_used(t, &got, &used);
	cr_assert_eq(got, head);
	return t_status(t, i);
}

/* The raw used ring, for heads the driver helper did not submit. */
static inline uint16_t t_used_idx(struct t_dev *t)
{
	uint16_t idx;

	cr_assert_eq(vmmem_load_u16(t->mem, virtq_driver_used_addr(t->drv) + 2, &idx), 0);
	return idx;
}

static inline void t_used_elem(struct t_dev *t, uint16_t slot, uint32_t *id,
			       uint32_t *len)
{
	uint64_t e = virtq_driver_used_addr(t->drv) + 4 + 8u * (slot % T_QSIZE);

	cr_assert_eq(vmmem_load_u32(t->mem, e, id), 0);
	cr_assert_eq(vmmem_load_u32(t->mem, e + 4, len), 0);
}

#endif
