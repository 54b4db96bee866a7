/* SPDX-License-Identifier: MIT */
/*
 * The connection state machine and its credit accounting (virtio 1.2
 * §5.10.6.3 - §5.10.6.6), without sockets: one test per transition and
 * per credit rule of src/conn.h.
 */
#include <criterion/criterion.h>

#include "conn.h"

#define CID 3u
#define BUF 4096u

static struct vsock_hdr pkt(uint16_t op, uint32_t len)
{
	return (struct vsock_hdr){
		.src_cid = CID, .dst_cid = VSOCK_HOST_CID, .src_port = 1000,
		.dst_port = 52, .len = len, .type = VIRTIO_VSOCK_TYPE_STREAM,
		.op = op, .buf_alloc = 8192, .fwd_cnt = 0,
	};
}

static struct vsock_conn established(void)
{
	struct vsock_conn c;

	vsock__conn_init(&c, VSOCK__ESTABLISHED, -1, 52, 1000, BUF);
	return c;
}

Test(conn, response_completes_a_host_initiated_connection)
{
	struct vsock_conn c;
	struct vsock_hdr h = pkt(VIRTIO_VSOCK_OP_RESPONSE, 0), out;

	vsock__conn_init(&c, VSOCK__CONNECTING, -1, 1u << 30, 1000, BUF);
	c.owe = VSOCK__OWE(VIRTIO_VSOCK_OP_REQUEST);
	/* The REQUEST was never sent: a RESPONSE cannot answer it. */
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_RESET);
	vsock__conn_init(&c, VSOCK__CONNECTING, -1, 1u << 30, 1000, BUF);
	vsock__conn_header(&c, CID, VIRTIO_VSOCK_OP_REQUEST, 0, 0, &out);
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_ACCEPTED);
	cr_assert_eq(c.state, VSOCK__ESTABLISHED);
	cr_assert_eq(c.peer_buf_alloc, 8192u, "credit taken from the RESPONSE");
}

Test(conn, connecting_refuses_anything_but_response_and_rst)
{
	uint16_t ops[] = { VIRTIO_VSOCK_OP_REQUEST, VIRTIO_VSOCK_OP_RW,
			   VIRTIO_VSOCK_OP_CREDIT_UPDATE, VIRTIO_VSOCK_OP_SHUTDOWN };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct vsock_conn c;
		struct vsock_hdr h = pkt(ops[i], 0);

		vsock__conn_init(&c, VSOCK__CONNECTING, -1, 7, 1000, BUF);
		cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_RESET, "op %u", ops[i]);
	}
}

Test(conn, rst_closes_in_every_state)
{
	struct vsock_hdr h = pkt(VIRTIO_VSOCK_OP_RST, 0);
	struct vsock_conn c = established();

	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_CLOSE);
	vsock__conn_init(&c, VSOCK__CONNECTING, -1, 7, 1000, BUF);
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_CLOSE);
}

Test(conn, request_or_response_on_live_connection_resets)
{
	struct vsock_conn c = established();
	struct vsock_hdr h = pkt(VIRTIO_VSOCK_OP_REQUEST, 0);

	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_RESET);
	c = established();
	h.op = VIRTIO_VSOCK_OP_RESPONSE;
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_RESET);
}

Test(conn, rw_within_credit_is_forwarded_and_counted)
{
	struct vsock_conn c = established();
	struct vsock_hdr h = pkt(VIRTIO_VSOCK_OP_RW, 1000);

	cr_assert_eq(vsock__conn_own_credit(&c), BUF);
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_FORWARD);
	cr_assert_eq(c.rx_cnt, 1000u);
	cr_assert_eq(vsock__conn_own_credit(&c), BUF - 1000);
	h.len = 0;
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_NONE, "empty RW");
}

Test(conn, rw_beyond_credit_is_an_overrun)
{
	struct vsock_conn c = established();
	struct vsock_hdr h = pkt(VIRTIO_VSOCK_OP_RW, BUF);

	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_FORWARD);
	h.len = 1;	/* nothing forwarded yet: no credit left */
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_OVERRUN);
	cr_assert_eq(c.rx_cnt, BUF, "the overrun is not counted in");
	vsock__conn_forwarded(&c, 1);
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_FORWARD);
}

Test(conn, credit_accounting_survives_counter_wrap)
{
	struct vsock_conn c = established();
	struct vsock_hdr h = pkt(VIRTIO_VSOCK_OP_RW, 100);

	c.rx_cnt = c.fwd_cnt = c.fwd_sent = UINT32_MAX - 50;
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_FORWARD);
	cr_assert_eq(vsock__conn_own_credit(&c), BUF - 100);
	vsock__conn_forwarded(&c, 100);
	cr_assert_eq(vsock__conn_own_credit(&c), BUF);
}

Test(conn, rw_after_guest_shutdown_send_resets)
{
	struct vsock_conn c = established();
	struct vsock_hdr h = pkt(VIRTIO_VSOCK_OP_SHUTDOWN, 0);

	h.flags = VIRTIO_VSOCK_SHUTDOWN_SEND;
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_SHUTDOWN);
	cr_assert_eq(c.peer_shut, (uint32_t)VIRTIO_VSOCK_SHUTDOWN_SEND);
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_NONE, "repeat is a no-op");
	h = pkt(VIRTIO_VSOCK_OP_RW, 1);
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_RESET);
}

Test(conn, shutdown_flags_accumulate)
{
	struct vsock_conn c = established();
	struct vsock_hdr h = pkt(VIRTIO_VSOCK_OP_SHUTDOWN, 0);

	h.flags = VIRTIO_VSOCK_SHUTDOWN_RCV;
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_SHUTDOWN);
	h.flags = VIRTIO_VSOCK_SHUTDOWN_SEND;
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_SHUTDOWN);
	cr_assert_eq(c.peer_shut, 3u);
}

Test(conn, credit_request_owes_an_update)
{
	struct vsock_conn c = established();
	struct vsock_hdr h = pkt(VIRTIO_VSOCK_OP_CREDIT_REQUEST, 0), out;

	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_NONE);
	cr_assert(c.owe & VSOCK__OWE(VIRTIO_VSOCK_OP_CREDIT_UPDATE));
	vsock__conn_header(&c, CID, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, 0, &out);
	cr_assert_not(c.owe & VSOCK__OWE(VIRTIO_VSOCK_OP_CREDIT_UPDATE));
	cr_assert_eq(out.buf_alloc, BUF);
}

Test(conn, every_guest_packet_updates_peer_credit)
{
	struct vsock_conn c = established();
	struct vsock_hdr h = pkt(VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0), out;

	h.buf_alloc = 1000;
	h.fwd_cnt = 0;
	cr_assert_eq(vsock__conn_on_guest(&c, &h), VSOCK__ACT_NONE);
	cr_assert_eq(vsock__conn_peer_credit(&c), 1000u);
	vsock__conn_header(&c, CID, VIRTIO_VSOCK_OP_RW, 0, 600, &out);
	cr_assert_eq(vsock__conn_peer_credit(&c), 400u, "sent bytes use credit");
	h.fwd_cnt = 600;
	h.op = VIRTIO_VSOCK_OP_RW;
	(void)vsock__conn_on_guest(&c, &h);
	cr_assert_eq(vsock__conn_peer_credit(&c), 1000u, "RW headers carry credit too");
}

Test(conn, peer_fwd_cnt_ahead_of_what_we_sent_grants_nothing)
{
	struct vsock_conn c = established();
	struct vsock_hdr h = pkt(VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0);

	h.buf_alloc = 1000;
	h.fwd_cnt = 5000;	/* we never sent 5000 bytes */
	(void)vsock__conn_on_guest(&c, &h);
	cr_assert_eq(vsock__conn_peer_credit(&c), 0u);
}

Test(conn, forwarding_owes_update_after_a_quarter_of_the_buffer)
{
	struct vsock_conn c = established();

	vsock__conn_forwarded(&c, BUF / 4 - 1);
	cr_assert_not(c.owe & VSOCK__OWE(VIRTIO_VSOCK_OP_CREDIT_UPDATE));
	vsock__conn_forwarded(&c, 1);
	cr_assert(c.owe & VSOCK__OWE(VIRTIO_VSOCK_OP_CREDIT_UPDATE));
}

Test(conn, headers_carry_ports_cids_and_our_credit)
{
	struct vsock_conn c = established();
	struct vsock_hdr out;

	c.fwd_cnt = 77;
	vsock__conn_header(&c, CID, VIRTIO_VSOCK_OP_RESPONSE, 0, 0, &out);
	cr_assert_eq(out.src_cid, VSOCK_HOST_CID);
	cr_assert_eq(out.dst_cid, CID);
	cr_assert_eq(out.src_port, 52u);
	cr_assert_eq(out.dst_port, 1000u);
	cr_assert_eq(out.type, VIRTIO_VSOCK_TYPE_STREAM);
	cr_assert_eq(out.fwd_cnt, 77u);
	cr_assert_eq(c.fwd_sent, 77u);
	vsock__rst_header(CID, 9, 10, &out);
	cr_assert_eq(out.op, VIRTIO_VSOCK_OP_RST);
	cr_assert_eq(out.src_port, 9u);
	cr_assert_eq(out.dst_port, 10u);
}
