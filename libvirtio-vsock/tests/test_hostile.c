/* SPDX-License-Identifier: MIT */
/*
 * A hostile guest driver against the device, one test per case: each
 * has a defined outcome (a counter, an RST to the sender, a dropped
 * packet or DEVICE_NEEDS_RESET) and the device keeps serving afterwards.
 * The sanitizer build checks that no case reads or writes out of bounds.
 */
#include "harness.h"

static struct t_vsock t;

static void setup(void)
{
	t_open(&t, 4, 0);
	t_post_rx(&t, 16);
}

static void teardown(void)
{
	t_close(&t);
}

TestSuite(hostile, .init = setup, .fini = teardown);

/* After each case a good connection still works. */
static void assert_still_serves(void)
{
	int lfd = t_listen_port(&t, 77);

	cr_assert_not(t_needs_reset(&t));
	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 4000, 77, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 77, 4000);
	t_send_op(&t, VIRTIO_VSOCK_OP_RST, 4000, 77, 0);
	close(lfd);
}

Test(hostile, forged_src_cid_dropped_without_reply)
{
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);

	h.src_cid = T_CID + 1;
	t_send(&t, &h, NULL, 0);
	h.src_cid = VSOCK_HOST_CID;
	t_send(&t, &h, NULL, 0);
	cr_assert_eq(t_stats(&t)->rejected[VSOCK_PKT_BAD_SRC_CID], 2u);
	t_expect_nothing(&t);
	assert_still_serves();
}

Test(hostile, dst_cid_other_than_host_dropped)
{
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);

	h.dst_cid = 4;
	t_send(&t, &h, NULL, 0);
	cr_assert_eq(t_stats(&t)->rejected[VSOCK_PKT_BAD_DST_CID], 1u);
	t_expect_nothing(&t);
	assert_still_serves();
}

Test(hostile, unknown_type_answered_with_rst)
{
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);

	h.type = VIRTIO_VSOCK_TYPE_SEQPACKET;
	t_send(&t, &h, NULL, 0);
	cr_assert_eq(t_stats(&t)->rejected[VSOCK_PKT_BAD_TYPE], 1u);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 52, 1000);
	assert_still_serves();
}

Test(hostile, unknown_op_answered_with_rst)
{
	t_send_op(&t, 42, 1000, 52, 0);
	t_send_op(&t, VIRTIO_VSOCK_OP_INVALID, 1001, 52, 0);
	cr_assert_eq(t_stats(&t)->rejected[VSOCK_PKT_BAD_OP], 2u);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 52, 1000);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 52, 1001);
	assert_still_serves();
}

Test(hostile, rst_with_bad_fields_gets_no_rst_back)
{
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_RST, 1000, 52, 5);

	t_send(&t, &h, NULL, 0);	/* len on a control op */
	cr_assert_eq(t_stats(&t)->rejected[VSOCK_PKT_BAD_LEN], 1u);
	t_expect_nothing(&t);
}

Test(hostile, len_beyond_the_chain_resets_the_connection)
{
	int lfd = t_listen_port(&t, 52);
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_RW, 1000, 52, 200);
	uint8_t data[100] = { 0 };

	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 1000);
	t_send(&t, &h, data, sizeof(data));	/* claims 200, carries 100 */
	cr_assert_eq(t_stats(&t)->rejected[VSOCK_PKT_BAD_LEN], 1u);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 52, 1000);
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
	cr_assert_eq(t_stats(&t)->bytes_to_host, 0u, "nothing of it forwarded");
	close(lfd);
	assert_still_serves();
}

Test(hostile, len_beyond_max_packet_refused)
{
	static uint8_t data[VSOCK_MAX_PKT_LEN + 16];
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_RW, 1000, 52, VSOCK_MAX_PKT_LEN + 1);

	t_send(&t, &h, data, sizeof(data));
	cr_assert_eq(t_stats(&t)->rejected[VSOCK_PKT_BAD_LEN], 1u);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 52, 1000);
}

Test(hostile, header_shorter_than_44_bytes_dropped)
{
	struct virtq_buf b = { T_TX_HDR, VSOCK_HDR_SIZE - 1, false };

	t_send_bufs(&t, &b, 1);
	cr_assert_eq(t_stats(&t)->rejected[VSOCK_PKT_SHORT], 1u);
	t_expect_nothing(&t);
	assert_still_serves();
}

Test(hostile, header_split_across_descriptors_accepted)
{
	int lfd = t_listen_port(&t, 52);
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	uint8_t raw[VSOCK_HDR_SIZE];
	struct virtq_buf b[3] = {
		{ T_TX_HDR, 10, false }, { T_TX_HDR + 10, 1, false },
		{ T_TX_HDR + 11, VSOCK_HDR_SIZE - 11, false },
	};

	vsock_hdr_encode(&h, raw);
	cr_assert_eq(vmmem_write(t.mem, T_TX_HDR, raw, sizeof(raw)), 0);
	t_send_bufs(&t, b, 3);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 1000);
	close(lfd);
}

Test(hostile, tx_chain_outside_memory_dropped)
{
	struct virtq_buf b[2] = {
		{ T_TX_HDR, VSOCK_HDR_SIZE, false }, { T_MEM - 16, 4096, false },
	};
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_RW, 1000, 52, 16);
	uint8_t raw[VSOCK_HDR_SIZE];

	vsock_hdr_encode(&h, raw);
	cr_assert_eq(vmmem_write(t.mem, T_TX_HDR, raw, sizeof(raw)), 0);
	t_send_bufs(&t, b, 2);
	b[0].addr = 1ull << 40;	/* the header itself unbacked */
	t_send_bufs(&t, b, 1);
	cr_assert_eq(t_stats(&t)->malformed, 2u);
	t_expect_nothing(&t);
	assert_still_serves();
}

Test(hostile, tx_chain_with_a_writable_buffer_dropped)
{
	struct virtq_buf b[2] = {
		{ T_TX_HDR, VSOCK_HDR_SIZE, false }, { T_TX_DATA, 16, true },
	};
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	uint8_t raw[VSOCK_HDR_SIZE];

	vsock_hdr_encode(&h, raw);
	cr_assert_eq(vmmem_write(t.mem, T_TX_HDR, raw, sizeof(raw)), 0);
	t_send_bufs(&t, b, 2);
	cr_assert_eq(t_stats(&t)->malformed, 1u);
	t_expect_nothing(&t);
}

Test(hostile, tx_descriptor_loop_dropped_without_hang)
{
	struct virtq_desc d = { T_TX_HDR, VSOCK_HDR_SIZE, VIRTQ_DESC_F_NEXT, T_QSIZE - 1 };
	uint16_t head, got;
	uint32_t len;

	/* A fresh queue: descriptor QSIZE-1 is unused by the helper. */
	cr_assert_eq(virtq_driver_write_desc(t.drv[VSOCK_QUEUE_TX], T_QSIZE - 1, &d), 0);
	cr_assert_eq(virtq_driver_push_head(t.drv[VSOCK_QUEUE_TX], T_QSIZE - 1), 0);
	t_kick(&t, VSOCK_QUEUE_TX);
	cr_assert_eq(t_stats(&t)->malformed, 1u);
	cr_assert_not(t_needs_reset(&t));
	(void)head;
	cr_assert_eq(vmmem_load_u16(t.mem, virtq_driver_used_addr(t.drv[VSOCK_QUEUE_TX]) + 2,
				    &got), 0);
	cr_assert_eq(got, 1u, "head returned");
	(void)len;
}

Test(hostile, rx_chain_outside_memory_returned_empty)
{
	struct virtq_buf b[2] = {
		{ T_MEM - 8, VSOCK_HDR_SIZE, true }, { T_RX_SLOT(0), 100, true },
	};
	struct t_vsock *tp = &t;
	uint16_t head;

	/* Replace the good buffers: a fresh rx queue with a bad one first. */
	t_bring_up(tp);
	cr_assert_eq(virtq_driver_add(t.drv[VSOCK_QUEUE_RX], b, 2, &head), 0);
	t_kick(&t, VSOCK_QUEUE_RX);
	t_send_op(&t, VIRTIO_VSOCK_OP_RW, 1, 2, 0);	/* provokes an RST */
	cr_assert_eq(t_stats(&t)->malformed, 1u);
	cr_assert_eq(virtq_driver_used_pending(t.drv[VSOCK_QUEUE_RX]), 1);
	{
		uint16_t h2;
		uint32_t len;

		cr_assert_eq(virtq_driver_get_used(t.drv[VSOCK_QUEUE_RX], &h2, &len), 1);
		cr_assert_eq(h2, head);
		cr_assert_eq(len, 0u);
	}
	/* The RST waits for a good buffer. */
	t_post_rx(&t, 4);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 2, 1);
	assert_still_serves();
}

Test(hostile, rx_buffer_smaller_than_header_returned_empty)
{
	struct virtq_buf b = { T_RX_SLOT(0), VSOCK_HDR_SIZE - 1, true };
	uint16_t head, got;
	uint32_t len;

	t_bring_up(&t);
	cr_assert_eq(virtq_driver_add(t.drv[VSOCK_QUEUE_RX], &b, 1, &head), 0);
	t_kick(&t, VSOCK_QUEUE_RX);
	t_send_op(&t, VIRTIO_VSOCK_OP_RW, 1, 2, 0);
	cr_assert_eq(virtq_driver_get_used(t.drv[VSOCK_QUEUE_RX], &got, &len), 1);
	cr_assert_eq(len, 0u);
	cr_assert_eq(t_stats(&t)->malformed, 1u);
}

Test(hostile, connection_flood_capped_and_counted)
{
	int lfd = t_listen_port(&t, 52);

	/* Cap 4 (setup): four connections, then every REQUEST is refused. */
	for (uint32_t p = 0; p < 4; p++) {
		t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000 + p, 52, 0);
		t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 1000 + p);
	}
	for (uint32_t p = 4; p < 10; p++) {
		t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000 + p, 52, 0);
		t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 52, 1000 + p);
	}
	cr_assert_eq(vsock_device_conn_count(t.dev), 4u);
	cr_assert_eq(t_stats(&t)->conns_refused, 6u);
	/* Closing one frees a slot. */
	t_send_op(&t, VIRTIO_VSOCK_OP_RST, 1000, 52, 0);
	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 2000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 2000);
	close(lfd);
}

Test(hostile, rst_replies_bounded_when_guest_never_reads)
{
	/* No rx buffers left to take replies: they queue up to a bound. */
	t_bring_up(&t);
	for (uint32_t p = 0; p < 3 * 4 + 5; p++)
		t_send_op(&t, VIRTIO_VSOCK_OP_RW, 1000 + p, 52, 0);
	cr_assert_eq(t_stats(&t)->rst_dropped, 5u + 4u, "ring holds 2 * max_conns");
	t_post_rx(&t, 16);
	for (uint32_t p = 0; p < 2 * 4; p++)
		t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 52, 1000 + p);
	t_expect_nothing(&t);
}

Test(hostile, duplicate_request_resets_the_connection)
{
	int lfd = t_listen_port(&t, 52);

	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 1000);
	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 52, 1000);
	cr_assert_eq(t_stats(&t)->protocol_resets, 1u);
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
	close(lfd);
}

Test(hostile, packets_for_no_connection_get_rst)
{
	t_send_op(&t, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 52, 1000);
	t_send_op(&t, VIRTIO_VSOCK_OP_RST, 1000, 52, 0);	/* never answered */
	t_expect_nothing(&t);
}

Test(hostile, request_to_port_without_listener_gets_rst)
{
	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000, 9999, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 9999, 1000);
	cr_assert_eq(t_stats(&t)->connect_failed, 1u);
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
}

Test(hostile, avail_index_jump_needs_reset_then_recovers)
{
	cr_assert_eq(virtq_driver_set_avail_idx(t.drv[VSOCK_QUEUE_TX], T_QSIZE + 5), 0);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_QUEUE_NOTIFY, 4,
					     VSOCK_QUEUE_TX), 0);
	cr_assert(t_needs_reset(&t));
	cr_assert_eq(t_stats(&t)->needs_reset, 1u);
	t_bring_up(&t);
	t_post_rx(&t, 4);
	assert_still_serves();
}

Test(hostile, rx_buffers_with_no_room_for_data_do_not_spin)
{
	int lfd = t_listen_port(&t, 52), afd, events = 0;
	struct virtq_buf b = { T_RX_SLOT(0), VSOCK_HDR_SIZE, true };
	uint16_t head, got;
	uint32_t len;

	t_bring_up(&t);
	t_post_rx(&t, 1);
	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 1000);
	afd = accept(lfd, NULL, NULL);
	cr_assert_geq(afd, 0);
	/* Only header-sized buffers from now on. */
	cr_assert_eq(virtq_driver_add(t.drv[VSOCK_QUEUE_RX], &b, 1, &head), 0);
	t_kick(&t, VSOCK_QUEUE_RX);
	cr_assert_eq(send(afd, "data", 4, 0), 4);
	for (int i = 0; i < 3; i++)
		(void)t_pump(&t, 10);
	for (int i = 0; i < 20; i++)
		events += t_pump(&t, 0);
	cr_assert_eq(events, 0, "the readable socket keeps waking the loop");
	/* Control packets still fit. */
	t_send_op(&t, VIRTIO_VSOCK_OP_CREDIT_REQUEST, 1000, 52, 0);
	cr_assert_eq(virtq_driver_get_used(t.drv[VSOCK_QUEUE_RX], &got, &len), 1);
	cr_assert_eq(got, head);
	cr_assert_eq(len, VSOCK_HDR_SIZE);
	/* A real buffer gets the data. */
	t_post_rx(&t, 1);
	{
		struct vsock_hdr h;
		uint8_t buf[T_RX_PAYLOAD];

		t_expect(&t, &h, buf, sizeof(buf));
		cr_assert_eq(h.op, VIRTIO_VSOCK_OP_RW);
		cr_assert_eq(memcmp(buf, "data", 4), 0);
	}
	close(afd);
	close(lfd);
}

/* The device-side fd of the only established connection. */
static int conn_fd(void)
{
	for (uint32_t i = 0; i < t.dev->mux.max_conns; i++)
		if (t.dev->mux.conns[i].state == VSOCK__ESTABLISHED)
			return t.dev->mux.conns[i].fd;
	cr_assert_fail("no established connection");
	return -1;
}

/* A connection from guest port 1000 to host port 52 with host data
 * waiting, then `stop` makes the device unable to take rx buffers: the
 * socket must leave the watch set, or a level-triggered loop spins. */
static void assert_stopped_rx_does_not_spin(void (*stop)(void))
{
	int lfd = t_listen_port(&t, 52), afd, fd, events = 0;

	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 1000);
	afd = accept(lfd, NULL, NULL);
	cr_assert_geq(afd, 0);
	fd = conn_fd();
	stop();
	cr_assert_eq(send(afd, "data", 4, 0), 4);
	for (int i = 0; i < 3; i++)
		(void)t_pump(&t, 10);
	cr_assert_eq(t_watched(&t, fd) & VSOCK_EV_IN, 0u,
		     "socket still watched for data the device cannot deliver");
	for (int i = 0; i < 20; i++)
		events += t_pump(&t, 0);
	cr_assert_eq(events, 0, "the readable socket keeps waking the loop");
	cr_assert_eq(vsock_device_conn_count(t.dev), 1u);
	close(afd);
	close(lfd);
}

static void stop_rx_queue(void)
{
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_QUEUE_SEL, 4,
					     VSOCK_QUEUE_RX), 0);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_QUEUE_READY, 4, 0), 0);
}

static void break_tx_queue(void)
{
	cr_assert_eq(virtq_driver_set_avail_idx(t.drv[VSOCK_QUEUE_TX], T_QSIZE + 5), 0);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_QUEUE_NOTIFY, 4,
					     VSOCK_QUEUE_TX), 0);
	cr_assert(t_needs_reset(&t));
}

Test(hostile, host_data_with_rx_queue_stopped_does_not_spin)
{
	assert_stopped_rx_does_not_spin(stop_rx_queue);
}

Test(hostile, host_data_in_needs_reset_does_not_spin)
{
	assert_stopped_rx_does_not_spin(break_tx_queue);
	/* A reset brings the device back. */
	t_bring_up(&t);
	t_post_rx(&t, 4);
	assert_still_serves();
}
