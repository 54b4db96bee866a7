// SPDX-License-Identifier: MIT
// libFuzzer target: "queue memory + register writes".  The input is a
// program of operations a hostile guest can perform against a virtio-mmio
// device (the echo test device): register reads and writes of any width
// and offset, stores anywhere in guest RAM (rings, descriptors, tables),
// queue notifications, plus a shortcut through Linux's probe sequence so
// that queue processing is reached quickly.  After every operation the
// transport and queue invariants are checked; a violation traps.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "echo_dev.h"

#define RAM_SIZE	0x10000u	/* 64 KiB at 0, then a hole */
#define HIGH_BASE	0x20000u
#define RING		0x1000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cursor {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct cursor *c, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes && c->left; i++, c->left--)
		v |= (uint64_t)*c->p++ << (8 * i);
	return v;
}

static void check(struct echo_dev *d)
{
	uint32_t st = virtq_mmio_status(&d->mmio);

	if (st & ~(uint32_t)0xcf)
		__builtin_trap();
	if (virtq_mmio_interrupt_status(&d->mmio) & ~3u)
		__builtin_trap();
	for (int i = 0; i < ECHO_QUEUES; i++) {
		const struct virtq_queue *q = &d->queues[i];

		if (q->inflight_count > q->size)
			__builtin_trap();
		if (!q->ready)
			continue;
		/* A ready queue was validated: aligned and inside RAM. */
		if (!(st & VIRTIO_CONFIG_S_FEATURES_OK) || q->desc_table % 16 ||
		    q->avail_ring % 2 || q->used_ring % 4 || q->size == 0 ||
		    (q->size & (q->size - 1)) || q->size > q->max_size)
			__builtin_trap();
		if (q->used_ring + VIRTQ_USED_RING_BYTES(q->size) > HIGH_BASE + RAM_SIZE)
			__builtin_trap();
	}
}

static void probe(struct echo_dev *d, struct vmmem_map *mem, uint8_t arg)
{
	struct virtq_driver *drv;
	uint64_t f;

	if (virtq_driver_mmio_negotiate(&d->mmio, arg & 1 ? UINT64_MAX : 0, &f))
		return;
	if (virtq_driver_new(mem, (uint16_t)(1u << (arg >> 5)), RING, 0, &drv))
		return;
	if (virtq_driver_mmio_setup_queue(&d->mmio, 0, drv) == 0)
		(void)!virtq_driver_mmio_driver_ok(&d->mmio);
	virtq_driver_free(drv);
}

static void save_restore(struct echo_dev *d)
{
	static struct virtq_mmio_state st;

	if (virtq_mmio_save(&d->mmio, &st) == 0 && virtq_mmio_restore(&d->mmio, &st))
		__builtin_trap();	/* a state we saved must restore */
}

static void step(struct echo_dev *d, struct vmmem_map *mem, struct cursor *c)
{
	uint8_t op = (uint8_t)take(c, 1);
	uint64_t v;

	switch (op % 7) {
	case 0: {
		uint64_t off = take(c, 2) & 0x1ff;
		unsigned int width = 1u << (take(c, 1) & 3);

		(void)!virtq_mmio_write(&d->mmio, off, width, take(c, width));
		break;
	}
	case 1:
		(void)!virtq_mmio_read(&d->mmio, take(c, 2) & 0x1ff, 1u << (op >> 6), &v);
		break;
	case 2:
		(void)!vmmem_store_u64(mem, take(c, 2) & (RAM_SIZE - 8), take(c, 8));
		break;
	case 3:
		(void)!vmmem_store_u16(mem, take(c, 2) & (RAM_SIZE - 2), (uint16_t)take(c, 2));
		break;
	case 4:
		(void)!virtq_mmio_queue_notified(&d->mmio, (uint16_t)(take(c, 1) % 3));
		break;
	case 5:
		probe(d, mem, (uint8_t)take(c, 1));
		break;
	default:
		save_restore(d);
		break;
	}
	check(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmmem_map *mem;
	static struct echo_dev dev;
	struct cursor c = { data, size };

	if (mem == NULL) {
		struct vmmem_region_desc lo = { .gpa = 0, .size = RAM_SIZE,
						.backing = VMMEM_BACKING_ANON };
		struct vmmem_region_desc hi = { .gpa = HIGH_BASE, .size = RAM_SIZE,
						.backing = VMMEM_BACKING_ANON };

		if (vmmem_map_new(&mem) || vmmem_map_add_region(mem, &lo) ||
		    vmmem_map_add_region(mem, &hi))
			__builtin_trap();
	}
	if (vmmem_fill(mem, 0, 0, RAM_SIZE) || echo_init(&dev, mem, UINT64_MAX))
		__builtin_trap();
	while (c.left)
		step(&dev, mem, &c);
	return 0;
}
