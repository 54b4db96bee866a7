// SPDX-License-Identifier: MIT
/* The transmit path: frames reach the backend intact with their header,
 * from any chain shape; used length 0; interrupts; backend back-pressure. */
#include <errno.h>

#include "harness.h"

static uint8_t out[VNET_HDR_LEN + VNET_MAX_FRAME];

Test(tx, frame_reaches_the_backend_with_its_header)
{
	struct t_net t;
	struct vnet_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			      .csum_start = 34, .csum_offset = 16 }, got;
	uint8_t want[1500];

	t_open(&t, ~0ull, 0);
	cr_expect_eq(t_send(&t, &h, 1500, 7), 0, "TX writes nothing");
	cr_assert_eq(vnet_loopback_pop(t.lb, out, sizeof(out)), VNET_HDR_LEN + 1500);
	vnet_hdr_decode(out, &got);
	cr_expect_eq(got.flags, h.flags);
	cr_expect_eq(got.csum_start, 34);
	t_frame(want, 1500, 7);
	cr_expect_arr_eq(out + VNET_HDR_LEN, want, 1500);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_frames, 1);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_bytes, 1500);
	t_close(&t);
}

/* §5.1.6.2.2: unknown flag bits are ignored, and the backend (a tap, for
 * which they mean nothing either) gets the header without them. */
Test(tx, unknown_header_flag_bits_are_cleared_and_the_frame_sent)
{
	struct t_net t;
	struct vnet_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM | 0xf8,
			      .csum_start = 34, .csum_offset = 16 }, got;

	t_open(&t, ~0ull, 0);
	cr_expect_eq(t_send(&t, &h, 100, 7), 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_bad_hdr, 0);
	cr_assert_eq(vnet_loopback_pop(t.lb, out, sizeof(out)), VNET_HDR_LEN + 100);
	vnet_hdr_decode(out, &got);
	cr_expect_eq(got.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	cr_expect_eq(got.csum_start, 34);
	t_close(&t);
}

Test(tx, header_split_across_descriptors_and_regions_is_gathered)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	/* 5 + 7 bytes of header, then a frame straddling the two regions */
	uint64_t a = T_REGION - 700;
	struct virtq_buf b[3] = {
		{ T_TXBUF, 5, false }, { T_TXBUF + 0x100, 7, false }, { a, 1400, false },
	};
	uint8_t wire[VNET_HDR_LEN], frame[1400];
	uint16_t head, got;
	uint32_t used;

	t_open(&t, ~0ull, 0);
	vnet_hdr_encode(&h, wire);
	wire[0] = 0;
	cr_assert_eq(vmmem_write(t.mem, T_TXBUF, wire, 5), 0);
	cr_assert_eq(vmmem_write(t.mem, T_TXBUF + 0x100, wire + 5, 7), 0);
	t_frame(frame, 1400, 3);
	cr_assert_eq(vmmem_write(t.mem, a, frame, 1400), 0);
	cr_assert_eq(virtq_driver_add_indirect(t.tx, b, 3, T_TABLE, &head), 0);
	t_kick(&t, t.tx, VNET_TX_QUEUE);
	cr_assert_eq(virtq_driver_get_used(t.tx, &got, &used), 1);
	cr_assert_eq(vnet_loopback_pop(t.lb, out, sizeof(out)), VNET_HDR_LEN + 1400);
	cr_expect_arr_eq(out + VNET_HDR_LEN, frame, 1400);
	t_close(&t);
}

Test(tx, largest_gso_frame_passes)
{
	struct t_net t;
	struct vnet_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34,
			      .csum_offset = 16, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			      .gso_size = 1448, .hdr_len = 66 };
	struct virtq_buf b = { T_BIG, VNET_HDR_LEN + VNET_MAX_FRAME, false };
	uint16_t head, got;
	uint32_t used;

	t_open(&t, ~0ull, 0);
	t_put_packet(&t, T_BIG, &h, VNET_MAX_FRAME, 9);
	cr_assert_eq(virtq_driver_add(t.tx, &b, 1, &head), 0);
	t_kick(&t, t.tx, VNET_TX_QUEUE);
	cr_assert_eq(virtq_driver_get_used(t.tx, &got, &used), 1);
	cr_expect_eq(vnet_loopback_pop(t.lb, out, sizeof(out)),
		     VNET_HDR_LEN + VNET_MAX_FRAME);
	t_close(&t);
}

Test(tx, batch_of_frames_gets_one_interrupt)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };

	t_open(&t, ~0ull, 0);
	for (unsigned int i = 0; i < 4; i++) {
		struct virtq_buf b = { T_TXBUF + 0x800u * i, VNET_HDR_LEN + 60, false };
		uint16_t head;

		t_put_packet(&t, b.addr, &h, 60, (uint8_t)i);
		cr_assert_eq(virtq_driver_add(t.tx, &b, 1, &head), 0);
	}
	t.irqs = 0;
	t_kick(&t, t.tx, VNET_TX_QUEUE);
	cr_expect_eq(t.irqs, 1);
	cr_expect_eq(vnet_loopback_count(t.lb), 4);
	for (unsigned int i = 0; i < 4; i++) {
		cr_assert_eq(vnet_loopback_pop(t.lb, out, sizeof(out)), VNET_HDR_LEN + 60);
		cr_expect_eq(out[VNET_HDR_LEN], (uint8_t)i, "in order");
	}
	t_close(&t);
}

Test(tx, full_backend_keeps_the_frame_until_writable)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	struct virtq_buf b = { T_TXBUF, VNET_HDR_LEN + 60, false };
	uint16_t head, got;
	uint32_t used;

	t_open(&t, ~0ull, 0);
	vnet_loopback_fail_sends(t.lb, 1, -EAGAIN);
	t_put_packet(&t, T_TXBUF, &h, 60, 1);
	cr_assert_eq(virtq_driver_add(t.tx, &b, 1, &head), 0);
	t_kick(&t, t.tx, VNET_TX_QUEUE);
	cr_expect_eq(virtq_driver_get_used(t.tx, &got, &used), 0, "not consumed");
	vnet_device_tx_ready(&t.dev);
	cr_expect_eq(virtq_driver_get_used(t.tx, &got, &used), 1);
	cr_expect_eq(vnet_loopback_count(t.lb), 1);
	t_close(&t);
}

Test(tx, backend_error_drops_and_counts)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };

	t_open(&t, ~0ull, 0);
	vnet_loopback_fail_sends(t.lb, 1, -EIO);
	cr_expect_eq(t_send(&t, &h, 60, 1), 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_backend_errors, 1);
	cr_expect_eq(vnet_loopback_count(t.lb), 0);
	cr_expect_eq(t_send(&t, &h, 60, 1), 0);
	cr_expect_eq(vnet_loopback_count(t.lb), 1, "the next one goes");
	t_close(&t);
}

Test(tx, event_idx_keeps_avail_event_current)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	uint16_t ev;

	t_open(&t, ~0ull, VIRTQ_DRIVER_EVENT_IDX);
	for (int i = 0; i < 20; i++) {
		cr_assert_eq(t_send(&t, &h, 60, (uint8_t)i), 0);
		cr_assert_eq(vnet_loopback_pop(t.lb, out, sizeof(out)), VNET_HDR_LEN + 60);
	}
	cr_assert_eq(vmmem_load_u16(t.mem, virtq_driver_used_addr(t.tx) + 4 + 8 * T_QSIZE,
				    &ev), 0);
	cr_expect_eq(ev, 20);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_frames, 20);
	t_close(&t);
}
