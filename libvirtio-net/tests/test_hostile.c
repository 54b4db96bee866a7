// SPDX-License-Identifier: MIT
/*
 * Hostile drivers, one test per rule of <vnet/device.h>: each bad chain
 * gets its defined outcome (dropped, returned with length 0, counted, or
 * DEVICE_NEEDS_RESET) and the device keeps working for good chains.
 */
#include <endian.h>
#include <errno.h>

#include "harness.h"

static uint16_t add_raw(struct t_net *t, struct virtq_driver *drv, uint16_t idx,
			uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { addr, len, flags, next };

	cr_assert_eq(virtq_driver_write_desc(drv, idx, &d), 0);
	(void)t;
	return idx;
}

static void push(struct t_net *t, struct virtq_driver *drv, uint16_t q, uint16_t head)
{
	cr_assert_eq(virtq_driver_push_head(drv, head), 0);
	cr_assert_eq(virtq_driver_set_avail_idx(drv, virtq_driver_avail_idx(drv)), 0);
	cr_assert_eq(vnet_device_mmio_write(&t->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 4, q), 0);
}

static uint32_t used_len(struct t_net *t, struct virtq_driver *drv, uint16_t slot)
{
	uint32_t len;

	cr_assert_eq(vmmem_load_u32(t->mem, virtq_driver_used_addr(drv) + 8 + 8u * slot,
				    &len), 0);
	return len;
}

static uint16_t used_idx(struct t_net *t, struct virtq_driver *drv)
{
	uint16_t idx;

	cr_assert_eq(vmmem_load_u16(t->mem, virtq_driver_used_addr(drv) + 2, &idx), 0);
	return idx;
}

static void expect_still_works(struct t_net *t)
{
	struct vnet_hdr h = { 0 };
	struct virtq_buf b = { T_TXBUF + 0x4000, VNET_HDR_LEN + 60, false };
	unsigned int before = vnet_loopback_count(t->lb);

	t_put_packet(t, b.addr, &h, 60, 1);
	add_raw(t, t->tx, 9, b.addr, b.len, 0, 0);
	push(t, t->tx, VNET_TX_QUEUE, 9);
	cr_expect_eq(vnet_loopback_count(t->lb), before + 1, "a good frame still goes");
	cr_expect_not(t_needs_reset(t));
}

Test(hostile, tx_chain_longer_than_64k_plus_header_is_dropped)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };

	t_open(&t, ~0ull, 0);
	t_put_packet(&t, T_BIG, &h, VNET_MAX_FRAME + 1, 1);
	add_raw(&t, t.tx, 0, T_BIG, VNET_HDR_LEN + VNET_MAX_FRAME + 1, 0, 0);
	push(&t, t.tx, VNET_TX_QUEUE, 0);
	cr_expect_eq(used_idx(&t, t.tx), 1);
	cr_expect_eq(used_len(&t, t.tx, 0), 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_too_long, 1);
	cr_expect_eq(vnet_loopback_count(t.lb), 0);
	expect_still_works(&t);
	t_close(&t);
}

Test(hostile, tx_long_chain_of_many_descriptors_is_dropped)
{
	struct t_net t;

	t_open(&t, ~0ull, 0);
	/* 15 descriptors of 8 KiB each: 120 KiB in total */
	for (uint16_t i = 0; i < 15; i++)
		add_raw(&t, t.tx, i, T_BIG + 0x2000u * i, 0x2000,
			i < 14 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	push(&t, t.tx, VNET_TX_QUEUE, 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_too_long, 1);
	cr_expect_eq(vnet_loopback_count(t.lb), 0);
	t_close(&t);
}

Test(hostile, tx_bad_csum_offsets_are_dropped)
{
	struct t_net t;
	struct vnet_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			      .csum_start = 50, .csum_offset = 16 };

	t_open(&t, ~0ull, 0);
	cr_expect_eq(t_send(&t, &h, 60, 1), 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_bad_hdr, 1);
	cr_expect_eq(vnet_loopback_count(t.lb), 0);
	t_close(&t);
}

Test(hostile, tx_bad_gso_is_dropped)
{
	struct t_net t;
	struct vnet_hdr zero_size = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 54 };
	struct vnet_hdr not_negotiated = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV6,
					   .gso_size = 1000, .hdr_len = 74 };

	t_open(&t, ~BIT(VIRTIO_NET_F_HOST_TSO6), 0);
	cr_expect_eq(t_send(&t, &zero_size, 3000, 1), 0);
	cr_expect_eq(t_send(&t, &not_negotiated, 3000, 1), 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_bad_hdr, 2);
	cr_expect_eq(vnet_loopback_count(t.lb), 0);
	t_close(&t);
}

Test(hostile, tx_shorter_than_header_and_ethernet_is_dropped)
{
	struct t_net t;

	t_open(&t, ~0ull, 0);
	add_raw(&t, t.tx, 0, T_TXBUF, VNET_HDR_LEN + VNET_ETH_HLEN - 1, 0, 0);
	push(&t, t.tx, VNET_TX_QUEUE, 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_malformed, 1);
	expect_still_works(&t);
	t_close(&t);
}

Test(hostile, tx_chain_outside_memory_is_dropped)
{
	struct t_net t;

	t_open(&t, ~0ull, 0);
	add_raw(&t, t.tx, 0, T_TXBUF, VNET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	add_raw(&t, t.tx, 1, 0x40000000u, 100, 0, 0);
	push(&t, t.tx, VNET_TX_QUEUE, 0);
	cr_expect_eq(used_idx(&t, t.tx), 1);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_malformed, 1);
	expect_still_works(&t);
	t_close(&t);
}

Test(hostile, tx_writable_descriptor_is_a_direction_mistake)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };

	t_open(&t, ~0ull, 0);
	t_put_packet(&t, T_TXBUF, &h, 60, 1);
	add_raw(&t, t.tx, 0, T_TXBUF, VNET_HDR_LEN + 60, VIRTQ_DESC_F_WRITE, 0);
	push(&t, t.tx, VNET_TX_QUEUE, 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_malformed, 1);
	cr_expect_eq(vnet_loopback_count(t.lb), 0);
	expect_still_works(&t);
	t_close(&t);
}

Test(hostile, tx_descriptor_loop_ends)
{
	struct t_net t;

	t_open(&t, ~0ull, 0);
	add_raw(&t, t.tx, 0, T_TXBUF, 100, VIRTQ_DESC_F_NEXT, 1);
	add_raw(&t, t.tx, 1, T_TXBUF, 100, VIRTQ_DESC_F_NEXT, 0);
	push(&t, t.tx, VNET_TX_QUEUE, 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_malformed, 1);
	expect_still_works(&t);
	t_close(&t);
}

Test(hostile, rx_buffer_smaller_than_the_header_is_returned_empty)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	uint16_t head;
	uint32_t len;

	t_open(&t, ~0ull, 0);
	t_inject(&t, &h, 60, 4);
	t_post_rx(&t, 1, VNET_HDR_LEN - 1);
	cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
	cr_expect_eq(len, 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_short_buffer, 1);
	/* the frame waited for a proper buffer */
	t_post_rx_from(&t, 1, 1, 2048);
	cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
	cr_expect_eq(len, VNET_HDR_LEN + 60);
	t_close(&t);
}

Test(hostile, rx_readable_descriptor_is_a_direction_mistake)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };

	t_open(&t, ~0ull, 0);
	t_inject(&t, &h, 60, 4);
	add_raw(&t, t.rx, 0, T_RXBUF, 2048, 0, 0);
	push(&t, t.rx, VNET_RX_QUEUE, 0);
	cr_expect_eq(used_idx(&t, t.rx), 1);
	cr_expect_eq(used_len(&t, t.rx, 0), 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_bad_buffer, 1);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 0);
	t_close(&t);
}

Test(hostile, rx_chain_outside_memory_is_returned_empty_and_nothing_written)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	uint8_t first = 0xaa;

	t_open(&t, ~0ull, 0);
	cr_assert_eq(vmmem_store_u8(t.mem, T_RXBUF, 0xaa), 0);
	t_inject(&t, &h, 60, 4);
	add_raw(&t, t.rx, 0, T_RXBUF, 2048, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	add_raw(&t, t.rx, 1, 3 * T_REGION, 2048, VIRTQ_DESC_F_WRITE, 0);
	push(&t, t.rx, VNET_RX_QUEUE, 0);
	cr_expect_eq(used_len(&t, t.rx, 0), 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_bad_buffer, 1);
	cr_assert_eq(vmmem_load_u8(t.mem, T_RXBUF, &first), 0);
	cr_expect_eq(first, 0xaa, "checked before writing");
	t_close(&t);
}

/*
 * A driver may aim a receive buffer at its own used ring (the input
 * fuzz-virtio-net-rx found, issue 18).  The buffer is device-writable, so
 * the frame lands there, over the element the device published for the
 * short buffer before it.  The device's own bookkeeping stays right and
 * the next frame goes to a proper buffer; the fuzz target checks its
 * used-ring sums only when no writable buffer reaches into the rings.
 */
Test(hostile, rx_buffer_over_the_used_ring_is_written_as_given)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	struct virtq_buf b[2] = { { T_RXBUF, VNET_HDR_LEN - 4, true }, { 0, 2048, true } };
	uint16_t head;

	t_open(&t, ~0ull, 0);
	b[1].addr = virtq_driver_used_addr(t.rx);
	for (unsigned int i = 0; i < 2; i++)
		cr_assert_eq(virtq_driver_add(t.rx, &b[i], 1, &head), 0);
	t_inject(&t, &h, 60, 4);
	t_kick(&t, t.rx, VNET_RX_QUEUE);
	cr_expect_not(t_needs_reset(&t));
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_short_buffer, 1);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 1);
	cr_expect_eq(used_idx(&t, t.rx), 2);
	cr_expect_eq(used_len(&t, t.rx, 1), VNET_HDR_LEN + 60);
	cr_expect_eq(used_len(&t, t.rx, 0), 1u << 16,
		     "element 0 holds header bytes 8-11 (num_buffers = 1), not 0");
	t_inject(&t, &h, 60, 5);
	t_post_rx_from(&t, 2, 1, 2048);
	cr_expect_eq(used_idx(&t, t.rx), 3);
	cr_expect_eq(used_len(&t, t.rx, 2), VNET_HDR_LEN + 60);
	t_expect_frame(&t, T_RXBUF + 2 * T_RXSLOT + VNET_HDR_LEN, 60, 5);
	t_close(&t);
}

Test(hostile, rx_frame_needing_too_many_merged_buffers_is_dropped)
{
	struct t_net t;
	struct vnet_device_config cfg = { .queue_size = 512 };
	struct vnet_hdr h = { 0 };
	struct virtq_mmio *m;
	uint16_t head;
	uint32_t len;

	t_init(&t, &cfg, 0);
	m = vnet_device_mmio(&t.dev);
	cr_assert_eq(virtq_driver_mmio_negotiate(m, ~BIT(VIRTIO_F_EVENT_IDX), &t.features), 0);
	cr_assert_eq(virtq_driver_new(t.mem, 512, T_RX_RING, 0, &t.rx), 0);
	cr_assert_eq(virtq_driver_new(t.mem, 16, T_TX_RING + 0x4000, 0, &t.tx), 0);
	cr_assert_eq(virtq_driver_mmio_setup_queue(m, 0, t.rx), 0);
	cr_assert_eq(virtq_driver_mmio_setup_queue(m, 1, t.tx), 0);
	cr_assert_eq(virtq_driver_mmio_driver_ok(m), 0);
	t_inject(&t, &h, 4000, 1);
	/* 300 buffers of 13 bytes: the frame needs 309 */
	for (unsigned int i = 0; i < 300; i++) {
		struct virtq_buf b = { T_BIG + 16u * i, 13, true };

		cr_assert_eq(virtq_driver_add(t.rx, &b, 1, &head), 0);
	}
	t_kick(&t, t.rx, VNET_RX_QUEUE);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_dropped, 1);
	for (unsigned int i = 0; i < VNET_RX_MAX_BUFS; i++) {
		cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
		cr_expect_eq(len, 0);
	}
	cr_expect_not(t_needs_reset(&t));
	t_close(&t);
}

/*
 * With MRG_RXBUF a frame may need more buffers than the ring has heads.
 * The device cannot hold them all and wait for one more (the driver has
 * no descriptor left to post): it drops the frame once it holds as many
 * as the ring (T_QSIZE here), and the next frame goes through.
 */
Test(hostile, rx_frame_needing_more_buffers_than_the_ring_holds_is_dropped)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	uint16_t head;
	uint32_t len;

	t_open(&t, ~0ull, 0);
	cr_assert(t.features & BIT(VIRTIO_NET_F_MRG_RXBUF));
	t_inject(&t, &h, 3000, 1);	/* 16 buffers of 100 bytes hold 1600 */
	t_inject(&t, &h, 60, 2);
	t_post_rx(&t, T_QSIZE, 100);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_dropped, 1);
	for (unsigned int i = 0; i < T_QSIZE; i++) {
		cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
		cr_expect_eq(len, 0);
	}
	cr_expect_not(t_needs_reset(&t));
	t_post_rx(&t, 1, 100);
	cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
	cr_expect_eq(len, VNET_HDR_LEN + 60);
	t_expect_frame(&t, T_RXBUF + VNET_HDR_LEN, 60, 2);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 1);
	t_close(&t);
}

static void put_desc(uint8_t *p, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint64_t a = htole64(addr);
	uint32_t l = htole32(len);
	uint16_t f = htole16(flags), n = htole16(next);

	memcpy(p, &a, 8);
	memcpy(p + 8, &l, 4);
	memcpy(p + 12, &f, 2);
	memcpy(p + 14, &n, 2);
}

/*
 * A guest may change a descriptor while the device uses its chain.  Here
 * the device's own write does it, deterministically: the first buffer of
 * an indirect chain covers the table entry of the second, and the frame
 * bytes that land there describe an 8-byte buffer elsewhere.  The frame
 * must go where the checked descriptors said, in one buffer (no
 * MRG_RXBUF), and the head come back complete.
 */
Test(hostile, rx_frame_is_written_to_the_descriptors_as_checked)
{
	struct t_net t;
	uint8_t table[64] = { 0 }, pkt[VNET_HDR_LEN + 100] = { 0 }, got[64];
	const uint64_t elsewhere = T_RXBUF + T_RXSLOT;
	struct vnet_hdr h = { 0 };

	t_open(&t, ~BIT(VIRTIO_NET_F_MRG_RXBUF), 0);
	/* entry 0: 48 bytes over entries 1-3; entry 3: the real buffer */
	put_desc(table, T_TABLE + 16, 48, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	put_desc(table + 48, T_RXBUF, 2048, VIRTQ_DESC_F_WRITE, 0);
	cr_assert_eq(vmmem_write(t.mem, T_TABLE, table, sizeof(table)), 0);
	cr_assert_eq(vmmem_write(t.mem, elsewhere, table, 16), 0);
	vnet_hdr_encode(&h, pkt);
	t_frame(pkt + VNET_HDR_LEN, 100, 4);
	/* frame bytes 32-47 overwrite entry 3 */
	put_desc(pkt + 32, elsewhere, 8, VIRTQ_DESC_F_WRITE, 0);
	cr_assert_eq(vnet_loopback_push(t.lb, pkt, sizeof(pkt)), 0);
	add_raw(&t, t.rx, 0, T_TABLE, sizeof(table), VIRTQ_DESC_F_INDIRECT, 0);
	push(&t, t.rx, VNET_RX_QUEUE, 0);
	cr_assert_eq(used_idx(&t, t.rx), 1, "head held back");
	cr_expect_eq(used_len(&t, t.rx, 0), sizeof(pkt));
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 1);
	cr_assert_eq(vmmem_read(t.mem, T_RXBUF, got, sizeof(pkt) - 48), 0);
	cr_expect_arr_eq(got, pkt + 48, sizeof(pkt) - 48);
	cr_assert_eq(vmmem_read(t.mem, elsewhere, got, 16), 0);
	cr_expect_arr_eq(got, table, 16, "nothing written elsewhere");
	t_close(&t);
}

/*
 * The device writes into the first VNET_RX_MAX_SEGS descriptors of a chain
 * only (each is recorded when the chain is checked).  Without MRG_RXBUF a
 * frame that needs more of them is dropped and the chain kept: here 300
 * buffers of 4 bytes, a frame of 12 + 1100 bytes (278 buffers) and then
 * one of 12 + 60 bytes, which fits.
 */
Test(hostile, rx_frame_needing_more_than_max_segs_descriptors_is_dropped)
{
	enum { NDESC = 300 };
	static uint8_t table[NDESC * 16];
	struct t_net t;
	struct vnet_hdr h = { 0 };

	t_open(&t, ~BIT(VIRTIO_NET_F_MRG_RXBUF), 0);
	cr_assert_gt(NDESC, VNET_RX_MAX_SEGS);
	for (unsigned int i = 0; i < NDESC; i++)
		put_desc(table + 16u * i, T_RXBUF + 4u * i, 4,
			 VIRTQ_DESC_F_WRITE | (i + 1 < NDESC ? VIRTQ_DESC_F_NEXT : 0),
			 (uint16_t)(i + 1 < NDESC ? i + 1 : 0));
	cr_assert_eq(vmmem_write(t.mem, T_TABLE, table, sizeof(table)), 0);
	t_inject(&t, &h, 1100, 1);
	t_inject(&t, &h, 60, 2);
	add_raw(&t, t.rx, 0, T_TABLE, sizeof(table), VIRTQ_DESC_F_INDIRECT, 0);
	push(&t, t.rx, VNET_RX_QUEUE, 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_dropped, 1);
	cr_assert_eq(used_idx(&t, t.rx), 1);
	cr_expect_eq(used_len(&t, t.rx, 0), VNET_HDR_LEN + 60);
	t_expect_frame(&t, T_RXBUF + VNET_HDR_LEN, 60, 2);
	cr_expect_not(t_needs_reset(&t));
	t_close(&t);
}

Test(hostile, head_submitted_twice_needs_reset)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };

	t_open(&t, ~0ull, 0);
	t_inject(&t, &h, 3000, 1);
	add_raw(&t, t.rx, 0, T_RXBUF, 1024, VIRTQ_DESC_F_WRITE, 0);
	push(&t, t.rx, VNET_RX_QUEUE, 0);	/* held: the frame needs more */
	push(&t, t.rx, VNET_RX_QUEUE, 0);	/* the same head again */
	cr_expect(t_needs_reset(&t));
	cr_expect_eq(vnet_device_stats(&t.dev)->needs_reset, 1);
	vnet_device_reset(&t.dev);
	t_bring_up(&t, ~0ull, 0);
	cr_expect_not(t_needs_reset(&t));
	t_close(&t);
}

Test(hostile, avail_index_jump_needs_reset)
{
	struct t_net t;

	t_open(&t, ~0ull, 0);
	cr_assert_eq(virtq_driver_set_avail_idx(t.tx, 100), 0);
	cr_assert_eq(vnet_device_mmio_write(&t.dev, VIRTIO_MMIO_QUEUE_NOTIFY, 4,
					    VNET_TX_QUEUE), 0);
	cr_expect(t_needs_reset(&t));
	t_close(&t);
}
