/* SPDX-License-Identifier: MIT */
/*
 * Shared rig of the virtio-net fuzz targets: one device over a loopback
 * backend in a small guest memory, brought up through its registers as
 * Linux does, and a hostile ring built from the fuzzer's input:
 *   byte 0        how many avail entries to publish (mod 2*QSIZE)
 *   bytes 1..128  the descriptor table (QSIZE entries of 16 bytes)
 *   bytes 129..   the avail ring's heads (one byte each, mod QSIZE+2)
 * and whatever follows is written at BUFS for the buffers to point at.
 */
#ifndef VNET_FUZZ_RIG_H
#define VNET_FUZZ_RIG_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <virtq/driver.h>
#include <vmmem/vmmem.h>
#include <vnet/vnet.h>

#define QSIZE 8u
#define RX_RING 0x0u
#define TX_RING 0x400u
#define BUFS 0x1000u
#define MEM_BYTES 0x14000u	/* room for a TX chain past 64 KiB */
#define RIG_ALL_OFFLOADS 0x5d83ull /* CSUM, GUEST_CSUM, GUEST_TSO4/6, GUEST_UFO, HOST_TSO4/6, HOST_UFO */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vmmem_map *mem;
static struct vnet_loopback *lb;
static struct vnet_backend be;
static struct vnet_device dev;
static struct virtq_driver *rxq, *txq;

static void rig_bring_up(uint64_t wanted)
{
	struct virtq_mmio *m = vnet_device_mmio(&dev);
	uint64_t features;

	virtq_driver_free(rxq);
	virtq_driver_free(txq);
	rxq = txq = NULL;
	vnet_device_reset(&dev);
	while (vnet_loopback_count(lb)) {
		static uint8_t sink[VNET_HDR_LEN + VNET_MAX_FRAME];

		if (vnet_loopback_pop(lb, sink, sizeof(sink)) < 0)
			abort();
	}
	if (virtq_driver_mmio_negotiate(m, wanted, &features) ||
	    virtq_driver_new(mem, QSIZE, RX_RING, VIRTQ_DRIVER_EVENT_IDX, &rxq) ||
	    virtq_driver_new(mem, QSIZE, TX_RING, VIRTQ_DRIVER_EVENT_IDX, &txq) ||
	    virtq_driver_mmio_setup_queue(m, VNET_RX_QUEUE, rxq) ||
	    virtq_driver_mmio_setup_queue(m, VNET_TX_QUEUE, txq) ||
	    virtq_driver_mmio_driver_ok(m))
		__builtin_trap();
}

static void rig_init_once(void)
{
	struct vmmem_region_desc r = { .gpa = 0, .size = MEM_BYTES,
				       .backing = VMMEM_BACKING_ANON };
	struct vnet_device_config cfg = { .queue_size = QSIZE, .mtu = 1500 };

	if (mem)
		return;
	if (vmmem_map_new(&mem) || vmmem_map_add_region(mem, &r) ||
	    vnet_loopback_new(4, RIG_ALL_OFFLOADS, &lb))
		abort();
	vnet_loopback_backend(lb, &be);
	cfg.backend = &be;
	cfg.mem = mem;
	if (vnet_device_init(&dev, &cfg))
		abort();
}

/* Lays the hostile ring of `drv` out from the input; returns how many
 * entries were published and consumes the ring bytes from the input. */
static uint16_t rig_hostile_ring(struct virtq_driver *drv, const uint8_t **data,
				 size_t *size)
{
	const uint8_t *d = *data;
	uint16_t published = d[0] % (2u * QSIZE);
	size_t n = *size - 1;

	d++;
	if (vmmem_write(mem, virtq_driver_desc_addr(drv), d,
			n < 16u * QSIZE ? n : 16u * QSIZE))
		__builtin_trap();
	for (uint16_t i = 0; i < published && i < QSIZE; i++) {
		uint16_t head = n > 128u + i ? d[128u + i] % (QSIZE + 2u) : i;

		if (vmmem_store_u16(mem, virtq_driver_avail_addr(drv) + 4 + 2u * i, head))
			__builtin_trap();
	}
	if (virtq_driver_set_avail_idx(drv, published))
		__builtin_trap();
	n = n > 128u + QSIZE ? n - 128u - QSIZE : 0;
	*data = d + (*size - 1 - n);
	*size = n;
	return published;
}

static uint16_t rig_used_idx(struct virtq_driver *drv)
{
	uint16_t idx;

	if (vmmem_load_u16(mem, virtq_driver_used_addr(drv) + 2, &idx))
		__builtin_trap();
	return idx;
}

static uint32_t rig_used_len(struct virtq_driver *drv, uint16_t slot)
{
	uint32_t len;

	if (vmmem_load_u32(mem, virtq_driver_used_addr(drv) + 8 + 8u * (slot % QSIZE),
			   &len))
		__builtin_trap();
	return len;
}

static bool rig_needs_reset(void)
{
	return virtq_mmio_status(vnet_device_mmio(&dev)) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

#endif
