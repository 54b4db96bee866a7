// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the transmit path (virtio 1.2 §5.1.6.2) with a
 * hostile driver.  Descriptors, avail ring, headers and frames all come
 * from the input (see rig.h).  Invariants (a violation traps):
 *  - unless the device asked for a reset, the used index advances by at
 *    most the entries published, and every used length is 0;
 *  - every frame that reached the backend is at most header + 64 KiB +
 *    Ethernet, at least header + Ethernet, and its header passes the
 *    transmit check under the negotiated features;
 *  - after a reset and a fresh bring-up, a good frame goes through.
 */
#include "rig.h"

static void check_sent(void)
{
	static uint8_t f[VNET_HDR_LEN + VNET_MAX_FRAME + 1];
	struct vnet_hdr h;
	ssize_t n;

	while ((n = vnet_loopback_pop(lb, f, sizeof(f))) != -EAGAIN) {
		if (n < (ssize_t)(VNET_HDR_LEN + VNET_ETH_HLEN) ||
		    n > (ssize_t)(VNET_HDR_LEN + VNET_MAX_FRAME))
			__builtin_trap();
		vnet_hdr_decode(f, &h);
		if (vnet_hdr_check_tx(&h, (uint32_t)n - VNET_HDR_LEN,
				      vnet_device_features(&dev), 1500))
			__builtin_trap();
	}
}

static void check_recovers(void)
{
	uint8_t pkt[VNET_HDR_LEN + 60] = { 0 };
	struct virtq_buf b = { BUFS, sizeof(pkt), false };
	uint16_t head, got;
	uint32_t len;

	rig_bring_up(~0ull);
	if (vmmem_write(mem, BUFS, pkt, sizeof(pkt)) ||
	    virtq_driver_add(txq, &b, 1, &head) || virtq_driver_publish(txq) < 0 ||
	    vnet_device_notify(&dev, VNET_TX_QUEUE) ||
	    virtq_driver_get_used(txq, &got, &len) != 1 || got != head ||
	    vnet_loopback_count(lb) != 1)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t published, used;
	uint64_t wanted;

	rig_init_once();
	if (size < 3)
		return 0;
	/* The first byte picks the offloads the driver takes. */
	wanted = ~0ull & ~((uint64_t)(data[0] & 0x3f) << 11) &
		 ~((uint64_t)(data[0] >> 6) * 1ull);
	rig_bring_up(wanted);
	data++;
	size--;
	published = rig_hostile_ring(txq, &data, &size);
	if (size && vmmem_write(mem, BUFS, data, size < MEM_BYTES - BUFS ?
						size : MEM_BYTES - BUFS))
		__builtin_trap();
	if (vnet_device_notify(&dev, VNET_TX_QUEUE) == 0)
		vnet_device_tx_ready(&dev);
	check_sent();
	used = rig_used_idx(txq);
	if (!rig_needs_reset()) {
		if (used > published)
			__builtin_trap();
		for (uint16_t i = 0; i < used; i++)
			if (rig_used_len(txq, i) != 0)
				__builtin_trap();
	}
	check_recovers();
	return 0;
}
