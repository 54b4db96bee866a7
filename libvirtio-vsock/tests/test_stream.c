/* SPDX-License-Identifier: MIT */
/*
 * Real Unix sockets in a scratch directory, both connect directions of
 * the hybrid model (Firecracker's vsock design) with data each way, the
 * CONNECT/OK handshake, teardown, and credit stalls in both directions
 * (virtio 1.2 §5.10.6.3 flow control).
 */
#include <fcntl.h>

#include "harness.h"

#define BUF_ALLOC (16u * 1024u)

static struct t_vsock t;

static void setup(void)
{
	t_open(&t, 4, BUF_ALLOC);
	t_post_rx(&t, T_RX_SLOTS);
}

static void teardown(void)
{
	t_close(&t);
}

TestSuite(stream, .init = setup, .fini = teardown);

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 13u + (i >> 8));
}

/* Receives the next packet and gives its buffer back to the device. */
static void recv_pkt(struct vsock_hdr *h, uint8_t *buf)
{
	t_expect(&t, h, buf, T_RX_PAYLOAD);
	t_post_rx(&t, 1);
}

static int accept_one(int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	cr_assert_geq(fd, 0);
	return fd;
}

static struct vsock_conn *conn_of(uint32_t peer_port)
{
	for (uint32_t i = 0; i < t.dev->mux.max_conns; i++)
		if (t.dev->mux.conns[i].state != VSOCK__FREE &&
		    t.dev->mux.conns[i].peer_port == peer_port)
			return &t.dev->mux.conns[i];
	cr_assert_fail("no connection for guest port %u", peer_port);
	return NULL;
}

/* Guest port 1000 connects to host port 52; returns the host's socket. */
static int guest_connect(int lfd, uint32_t guest_buf_alloc)
{
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0), r;
	uint8_t buf[T_RX_PAYLOAD];

	h.buf_alloc = guest_buf_alloc;
	t_send(&t, &h, NULL, 0);
	recv_pkt(&r, buf);
	cr_assert_eq(r.op, VIRTIO_VSOCK_OP_RESPONSE);
	cr_assert_eq(r.src_port, 52u);
	cr_assert_eq(r.dst_port, 1000u);
	cr_assert_eq(r.buf_alloc, BUF_ALLOC, "our credit advertised");
	return accept_one(lfd);
}

Test(stream, guest_connects_data_both_ways_then_closes)
{
	int lfd = t_listen_port(&t, 52), afd = guest_connect(lfd, 65536);
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_RW, 1000, 52, 10);
	uint8_t buf[T_RX_PAYLOAD];
	char got[16] = { 0 };

	t_send(&t, &h, "hello host", 10);
	t_host_read(&t, afd, got, 10);
	cr_assert_str_eq(got, "hello host");
	cr_assert_eq(send(afd, "hello guest", 11, 0), 11);
	recv_pkt(&h, buf);
	cr_assert_eq(h.op, VIRTIO_VSOCK_OP_RW);
	cr_assert_eq(h.len, 11u);
	cr_assert_eq(h.src_port, 52u);
	cr_assert_eq(h.dst_port, 1000u);
	cr_assert_eq(memcmp(buf, "hello guest", 11), 0);
	cr_assert_eq(h.fwd_cnt, 10u, "our fwd_cnt counts what reached the host");

	/* The host closes: the guest hears SHUTDOWN(SEND), closes its side
	 * too (RCV|SEND) and the device ends it with RST, as Linux does. */
	close(afd);
	recv_pkt(&h, buf);
	cr_assert_eq(h.op, VIRTIO_VSOCK_OP_SHUTDOWN);
	cr_assert_eq(h.flags, (uint32_t)VIRTIO_VSOCK_SHUTDOWN_SEND);
	t_send_op(&t, VIRTIO_VSOCK_OP_SHUTDOWN, 1000, 52,
		  VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 52, 1000);
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
	cr_assert_eq(t.nwatch, 1u);
	cr_assert_eq(t_stats(&t)->bytes_to_host, 10u);
	cr_assert_eq(t_stats(&t)->bytes_to_guest, 11u);
	close(lfd);
}

Test(stream, guest_shutdown_send_half_closes_the_host_socket)
{
	int lfd = t_listen_port(&t, 52), afd = guest_connect(lfd, 65536);
	struct vsock_hdr h;
	uint8_t buf[T_RX_PAYLOAD];
	char c;

	t_send_op(&t, VIRTIO_VSOCK_OP_SHUTDOWN, 1000, 52, VIRTIO_VSOCK_SHUTDOWN_SEND);
	cr_assert_eq(recv(afd, &c, 1, 0), 0, "host reads end of file");
	/* ... and can still answer. */
	cr_assert_eq(send(afd, "late", 4, 0), 4);
	recv_pkt(&h, buf);
	cr_assert_eq(h.op, VIRTIO_VSOCK_OP_RW);
	cr_assert_eq(memcmp(buf, "late", 4), 0);
	close(afd);
	close(lfd);
}

Test(stream, guest_rst_closes_the_host_socket)
{
	int lfd = t_listen_port(&t, 52), afd = guest_connect(lfd, 65536);
	char c;

	t_send_op(&t, VIRTIO_VSOCK_OP_RST, 1000, 52, 0);
	cr_assert_eq(recv(afd, &c, 1, 0), 0);
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
	t_expect_nothing(&t);
	close(afd);
	close(lfd);
}

/* Reads the host side's "OK <port>\n" and returns the port. */
static uint32_t read_ok_line(int hfd)
{
	char line[32] = { 0 };
	size_t n = 0;
	unsigned int port;

	while (n < sizeof(line) - 1) {
		t_host_read(&t, hfd, line + n, 1);
		if (line[n++] == '\n')
			break;
	}
	cr_assert_eq(sscanf(line, "OK %u\n", &port), 1, "line \"%s\"", line);
	return port;
}

/* A host process asks for guest port 5000; returns the REQUEST. */
static int host_connect(struct vsock_hdr *req)
{
	int hfd = t_connect_host(&t);
	uint8_t buf[T_RX_PAYLOAD];

	cr_assert_eq(send(hfd, "CONNECT 5000\n", 13, 0), 13);
	recv_pkt(req, buf);
	cr_assert_eq(req->op, VIRTIO_VSOCK_OP_REQUEST);
	cr_assert_eq(req->dst_port, 5000u);
	cr_assert_geq(req->src_port, 1u << 30, "ephemeral host port");
	cr_assert_eq(req->dst_cid, T_CID);
	return hfd;
}

Test(stream, host_connects_data_both_ways)
{
	struct vsock_hdr req, h;
	uint8_t buf[T_RX_PAYLOAD];
	int hfd = host_connect(&req);
	char got[8] = { 0 };

	h = t_hdr(VIRTIO_VSOCK_OP_RESPONSE, 5000, req.src_port, 0);
	t_send(&t, &h, NULL, 0);
	cr_assert_eq(read_ok_line(hfd), req.src_port);
	cr_assert_eq(t_stats(&t)->conns_opened, 1u);

	cr_assert_eq(send(hfd, "ping", 4, 0), 4);
	recv_pkt(&h, buf);
	cr_assert_eq(h.op, VIRTIO_VSOCK_OP_RW);
	cr_assert_eq(h.src_port, req.src_port);
	cr_assert_eq(h.dst_port, 5000u);
	cr_assert_eq(memcmp(buf, "ping", 4), 0);

	h = t_hdr(VIRTIO_VSOCK_OP_RW, 5000, req.src_port, 4);
	t_send(&t, &h, "pong", 4);
	t_host_read(&t, hfd, got, 4);
	cr_assert_str_eq(got, "pong");

	t_send_op(&t, VIRTIO_VSOCK_OP_RST, 5000, req.src_port, 0);
	cr_assert_eq(recv(hfd, got, 1, 0), 0);
	close(hfd);
}

Test(stream, bytes_sent_with_the_connect_line_wait_for_ok)
{
	int hfd = t_connect_host(&t);
	struct vsock_hdr req, h;
	uint8_t buf[T_RX_PAYLOAD];

	cr_assert_eq(send(hfd, "CONNECT 5000\nearly", 18, 0), 18);
	recv_pkt(&req, buf);
	cr_assert_eq(req.op, VIRTIO_VSOCK_OP_REQUEST);
	t_expect_nothing(&t);
	h = t_hdr(VIRTIO_VSOCK_OP_RESPONSE, 5000, req.src_port, 0);
	t_send(&t, &h, NULL, 0);
	(void)read_ok_line(hfd);
	recv_pkt(&h, buf);
	cr_assert_eq(h.op, VIRTIO_VSOCK_OP_RW);
	cr_assert_eq(h.len, 5u);
	cr_assert_eq(memcmp(buf, "early", 5), 0);
	close(hfd);
}

Test(stream, guest_refusing_host_connection_closes_it)
{
	struct vsock_hdr req;
	int hfd = host_connect(&req);
	char c;

	t_send_op(&t, VIRTIO_VSOCK_OP_RST, 5000, req.src_port, 0);
	cr_assert_eq(recv(hfd, &c, 1, 0), 0, "EOF and no OK line");
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
	close(hfd);
}

Test(stream, host_leaving_before_response_resets_guest_side)
{
	struct vsock_hdr req;
	int hfd = host_connect(&req);

	close(hfd);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, req.src_port, 5000);
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
}

Test(stream, malformed_connect_lines_closed_and_counted)
{
	int a = t_connect_host(&t), b = t_connect_host(&t);
	char junk[40], c;

	memset(junk, 'x', sizeof(junk));
	cr_assert_eq(send(a, "CONNECT five\n", 13, 0), 13);
	cr_assert_eq(send(b, junk, sizeof(junk), 0), (ssize_t)sizeof(junk));
	for (int i = 0; i < 20 && t_stats(&t)->bad_connect_lines < 2; i++)
		(void)t_pump(&t, 10);
	cr_assert_eq(t_stats(&t)->bad_connect_lines, 2u);
	cr_assert_eq(recv(a, &c, 1, 0), 0);
	/* Closed with unread bytes: the peer may see ECONNRESET instead. */
	cr_assert_leq(recv(b, &c, 1, 0), 0);
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
	t_expect_nothing(&t);
	close(a);
	close(b);
}

Test(stream, host_connection_flood_capped_and_counted)
{
	int fds[6];
	char c;

	for (int i = 0; i < 6; i++)
		fds[i] = t_connect_host(&t);
	for (int i = 0; i < 5; i++)
		(void)t_pump(&t, 5);
	cr_assert_eq(vsock_device_conn_count(t.dev), 4u, "cap of 4");
	cr_assert_eq(t_stats(&t)->conns_refused, 2u);
	cr_assert_eq(recv(fds[5], &c, 1, 0), 0, "the refused peer sees EOF");
	for (int i = 0; i < 6; i++)
		close(fds[i]);
}

/* Guest-side view of the device's credit, from the headers it sent. */
struct guest_credit {
	uint32_t buf_alloc, fwd_cnt, tx_cnt;
};

static uint32_t credit_left(const struct guest_credit *g)
{
	return g->buf_alloc - (g->tx_cnt - g->fwd_cnt);
}

static void drain_updates(struct guest_credit *g)
{
	struct vsock_hdr h;
	uint8_t buf[T_RX_PAYLOAD];

	for (int i = 0; i < 5; i++) {
		(void)t_pump(&t, 2);
		while (t_recv(&t, &h, buf, sizeof(buf))) {
			t_post_rx(&t, 1);
			cr_assert_eq(h.op, VIRTIO_VSOCK_OP_CREDIT_UPDATE);
			g->buf_alloc = h.buf_alloc;
			g->fwd_cnt = h.fwd_cnt;
		}
	}
}

Test(stream, host_peer_that_never_reads_stalls_guest_credit)
{
	int lfd = t_listen_port(&t, 52), afd = guest_connect(lfd, 65536);
	struct guest_credit g = { BUF_ALLOC, 0, 0 };
	static uint8_t chunk[4096], got[1 << 20];
	uint64_t total = 0;
	struct vsock_conn *c;

	/* Send as the guest's credit allows until the device grants none. */
	for (int i = 0; i < 2000; i++) {
		uint32_t n = credit_left(&g) < sizeof(chunk) ? credit_left(&g) : sizeof(chunk);
		struct vsock_hdr h;

		if (n == 0) {
			drain_updates(&g);
			if (credit_left(&g) == 0)
				break;
			continue;
		}
		for (uint32_t k = 0; k < n; k++)
			chunk[k] = pattern(total + k);
		h = t_hdr(VIRTIO_VSOCK_OP_RW, 1000, 52, n);
		t_send(&t, &h, chunk, n);
		total += n;
		g.tx_cnt += n;
	}
	cr_assert_eq(credit_left(&g), 0u, "the device stopped granting credit");
	c = conn_of(1000);
	/* Host memory held for the stalled peer is exactly buf_alloc. */
	cr_assert_eq(c->buf_len, BUF_ALLOC);
	cr_assert(t_watched(&t, c->fd) & VSOCK_EV_OUT);
	cr_assert_eq(t_stats(&t)->credit_overruns, 0u);
	cr_assert_lt(total, sizeof(got));

	/* The host reads everything, in order; credit comes back. */
	t_host_read(&t, afd, got, total);
	for (uint64_t k = 0; k < total; k++)
		cr_assert_eq(got[k], pattern(k), "byte %llu", (unsigned long long)k);
	drain_updates(&g);
	cr_assert_eq(g.fwd_cnt, g.tx_cnt, "all forwarded and told");
	cr_assert_eq(c->buf_len, 0u);
	cr_assert_eq(t_watched(&t, c->fd) & VSOCK_EV_OUT, 0u);
	close(afd);
	close(lfd);
}

Test(stream, guest_sending_beyond_credit_is_reset)
{
	int lfd = t_listen_port(&t, 52), afd = guest_connect(lfd, 65536);
	static uint8_t chunk[4096];
	uint64_t sent = 0;
	struct vsock_hdr h;

	/* A guest ignoring credit: the host never reads, so once the kernel
	 * buffer and buf_alloc are full the next byte is an overrun. */
	while (t_stats(&t)->credit_overruns == 0 && sent < (8u << 20)) {
		h = t_hdr(VIRTIO_VSOCK_OP_RW, 1000, 52, sizeof(chunk));
		t_send(&t, &h, chunk, sizeof(chunk));
		sent += sizeof(chunk);
	}
	cr_assert_eq(t_stats(&t)->credit_overruns, 1u);
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
	for (;;) {	/* skip the credit updates before the RST */
		uint8_t buf[T_RX_PAYLOAD];

		recv_pkt(&h, buf);
		if (h.op != VIRTIO_VSOCK_OP_CREDIT_UPDATE)
			break;
	}
	cr_assert_eq(h.op, VIRTIO_VSOCK_OP_RST);
	cr_assert_leq(t_stats(&t)->bytes_to_host + BUF_ALLOC, sent);
	close(afd);
	close(lfd);
}

Test(stream, guest_that_never_reads_stalls_host_data)
{
	int lfd = t_listen_port(&t, 52), afd = guest_connect(lfd, 8192);
	static uint8_t big[256 * 1024];
	uint8_t buf[T_RX_PAYLOAD];
	uint64_t got = 0;
	ssize_t wrote;
	struct vsock_hdr h;
	struct vsock_conn *c;

	for (size_t k = 0; k < sizeof(big); k++)
		big[k] = pattern(k);
	cr_assert_eq(fcntl(afd, F_SETFL, O_NONBLOCK), 0);
	wrote = send(afd, big, sizeof(big), 0);
	cr_assert_gt(wrote, 8192);
	/* Exactly the guest's 8 KiB of credit arrives, then nothing. */
	while (got < 8192) {
		recv_pkt(&h, buf);
		cr_assert_eq(h.op, VIRTIO_VSOCK_OP_RW);
		cr_assert_eq(memcmp(buf, big + got, h.len), 0);
		got += h.len;
	}
	cr_assert_eq(got, 8192u);
	t_expect_nothing(&t);
	cr_assert_geq(t_stats(&t)->credit_stalls, 1u);
	c = conn_of(1000);
	/* No busy polling while stalled, and no host-side copy either. */
	cr_assert_eq(t_watched(&t, c->fd) & VSOCK_EV_IN, 0u);
	cr_assert_null(c->buf);
	cr_assert_eq(t_stats(&t)->bytes_to_guest, 8192u);

	/* The guest reads and says so: 8 KiB more. */
	h = t_hdr(VIRTIO_VSOCK_OP_CREDIT_UPDATE, 1000, 52, 0);
	h.buf_alloc = 8192;
	h.fwd_cnt = 8192;
	t_send(&t, &h, NULL, 0);
	while (got < 16384) {
		recv_pkt(&h, buf);
		cr_assert_eq(h.op, VIRTIO_VSOCK_OP_RW);
		cr_assert_eq(memcmp(buf, big + got, h.len), 0);
		got += h.len;
	}
	t_expect_nothing(&t);
	cr_assert_eq(t_stats(&t)->bytes_to_guest, 16384u);
	close(afd);
	close(lfd);
}

Test(stream, credit_request_answered)
{
	int lfd = t_listen_port(&t, 52), afd = guest_connect(lfd, 65536);

	t_send_op(&t, VIRTIO_VSOCK_OP_CREDIT_REQUEST, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 52, 1000);
	close(afd);
	close(lfd);
}

Test(stream, host_data_without_rx_buffers_waits_unwatched)
{
	int lfd = t_listen_port(&t, 52), afd;
	struct vsock_hdr h = t_hdr(VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	uint8_t buf[T_RX_PAYLOAD];
	struct vsock_conn *c;

	t_bring_up(&t);		/* fresh rings: exactly one rx buffer */
	t_post_rx(&t, 1);
	t_send(&t, &h, NULL, 0);
	t_expect(&t, &h, buf, sizeof(buf));
	cr_assert_eq(h.op, VIRTIO_VSOCK_OP_RESPONSE);
	afd = accept_one(lfd);
	c = conn_of(1000);
	cr_assert(t_watched(&t, c->fd) & VSOCK_EV_IN);
	cr_assert_eq(send(afd, "wait", 4, 0), 4);
	for (int i = 0; i < 5; i++)
		(void)t_pump(&t, 5);
	/* Readable, but the guest has no buffer: not watched (no spin). */
	cr_assert(c->readable);
	cr_assert_eq(t_watched(&t, c->fd) & VSOCK_EV_IN, 0u);
	t_post_rx(&t, 1);
	t_expect(&t, &h, buf, sizeof(buf));
	cr_assert_eq(h.op, VIRTIO_VSOCK_OP_RW);
	cr_assert_eq(memcmp(buf, "wait", 4), 0);
	cr_assert(t_watched(&t, c->fd) & VSOCK_EV_IN, "watched again");
	close(afd);
	close(lfd);
}
