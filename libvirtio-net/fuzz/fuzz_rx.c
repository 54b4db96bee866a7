// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the receive path with MRG_RXBUF (virtio 1.2
 * §5.1.6.3-4) and a hostile driver.  The input gives a frame's header and
 * length (from the host side), then the receive ring (see rig.h).
 * Invariants (a violation traps):
 *  - unless the device asked for a reset, the used index advances by at
 *    most the entries published, and the used lengths add up to exactly
 *    the bytes delivered (header + frame per delivered frame);
 *  - a delivered frame's num_buffers is at least 1;
 *  - after a reset and a fresh bring-up, a frame reaches a good buffer.
 * The used-ring sums are checked only when no device-writable buffer
 * reaches into the rings: a driver may aim a receive buffer at its own used
 * ring, the device then rightly writes the frame over the elements it
 * published, and the ring no longer tells what the device did.
 */
#include "rig.h"

static void check_recovers(void)
{
	uint8_t pkt[VNET_HDR_LEN + 60] = { 0 };
	struct virtq_buf b = { BUFS, 2048, true };
	uint16_t head, got;
	uint32_t len;

	rig_bring_up(~0ull);
	if (vnet_loopback_push(lb, pkt, sizeof(pkt)) ||
	    virtq_driver_add(rxq, &b, 1, &head) || virtq_driver_publish(rxq) < 0 ||
	    vnet_device_notify(&dev, VNET_RX_QUEUE) ||
	    virtq_driver_get_used(rxq, &got, &len) != 1 || got != head ||
	    len != sizeof(pkt))
		__builtin_trap();
}

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
};

static struct desc load_desc(uint64_t at)
{
	struct desc d;

	if (vmmem_load_u64(mem, at, &d.addr) || vmmem_load_u32(mem, at + 8, &d.len) ||
	    vmmem_load_u16(mem, at + 12, &d.flags))
		__builtin_trap();
	return d;
}

static bool writes_rings(struct desc d)
{
	return (d.flags & VIRTQ_DESC_F_WRITE) && d.len && d.addr < BUFS;
}

/* Whether any descriptor of the table, or of an indirect table one of them
 * names, lets the device write below BUFS, where the rings are. */
static bool rings_writable(struct virtq_driver *drv)
{
	for (uint32_t i = 0; i < QSIZE; i++) {
		struct desc d = load_desc(virtq_driver_desc_addr(drv) + 16u * i);

		if (writes_rings(d))
			return true;
		if (!(d.flags & VIRTQ_DESC_F_INDIRECT))
			continue;
		if (d.addr > MEM_BYTES)
			continue;
		for (uint64_t at = d.addr; at < d.addr + d.len && MEM_BYTES - at >= 16; at += 16)
			if (writes_rings(load_desc(at)))
				return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[VNET_HDR_LEN + 4096];
	const struct vnet_device_stats *st = vnet_device_stats(&dev);
	uint64_t frames0, bytes0, sum = 0;
	uint16_t published, used;
	uint32_t len;

	rig_init_once();
	if (size < VNET_HDR_LEN + 4)
		return 0;
	/* header, then a 2-byte frame length (up to 4 KiB) */
	memcpy(frame, data, VNET_HDR_LEN);
	len = (uint32_t)(data[VNET_HDR_LEN] | data[VNET_HDR_LEN + 1] << 8) % 4096u;
	for (uint32_t i = 0; i < len; i++)
		frame[VNET_HDR_LEN + i] = (uint8_t)i;
	data += VNET_HDR_LEN + 2;
	size -= VNET_HDR_LEN + 2;
	rig_bring_up(~0ull);
	frames0 = st->rx_frames;
	bytes0 = st->rx_bytes;
	if (vnet_loopback_push(lb, frame, VNET_HDR_LEN + len))
		__builtin_trap();
	published = rig_hostile_ring(rxq, &data, &size);
	if (size && vmmem_write(mem, BUFS, data, size < MEM_BYTES - BUFS ?
						size : MEM_BYTES - BUFS))
		__builtin_trap();
	(void)vnet_device_notify(&dev, VNET_RX_QUEUE);
	used = rig_used_idx(rxq);
	if (!rig_needs_reset() && !rings_writable(rxq)) {
		if (used > published)
			__builtin_trap();
		for (uint16_t i = 0; i < used; i++)
			sum += rig_used_len(rxq, i);
		if (sum != (st->rx_bytes - bytes0) +
			   (st->rx_frames - frames0) * VNET_HDR_LEN)
			__builtin_trap();
	}
	check_recovers();
	return 0;
}
