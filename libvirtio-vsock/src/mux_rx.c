/* SPDX-License-Identifier: MIT */
/*
 * The host side of the device, host-to-guest direction: choosing the next
 * packet for the guest's rx queue (virtio 1.2 §5.10.6.2).  Owed RSTs go
 * first, then each connection's owed control packets (REQUEST, RESPONSE,
 * CREDIT_UPDATE), then data, round-robin so one busy connection cannot
 * starve the others.
 *
 * Data is read from the host socket straight into the guest's rx buffer,
 * never more than the guest's credit allows.  So a guest that stops reading
 * (never returns credit) stalls its connection: the socket is not read and
 * not watched, the host peer's writes back up in the kernel, and the
 * device holds no copy of the data at all.
 */
#include <errno.h>
#include <sys/uio.h>

#include "iov.h"
#include "mux.h"

/* Connections that could have data for the guest now. */
static bool may_send_data(const struct vsock_conn *c)
{
	return c->state == VSOCK__ESTABLISHED && c->readable && !c->host_eof &&
	       !(c->peer_shut & VIRTIO_VSOCK_SHUTDOWN_RCV);
}

/* Also where a stall is noticed: data waits and the guest gave no credit. */
bool vsock__mux_rx_pending(struct vsock__mux *m)
{
	bool pending = m->rst_len != 0;

	for (uint32_t i = 0; i < m->max_conns; i++) {
		struct vsock_conn *c = &m->conns[i];

		if (c->state < VSOCK__CONNECTING)
			continue;
		if (c->owe)
			pending = true;
		if (!may_send_data(c))
			continue;
		if (vsock__conn_peer_credit(c)) {
			pending = true;
		} else if (!c->stalled) {
			c->stalled = true;
			m->stats->credit_stalls++;
			vsock__mux_arm(m, c);	/* stop watching it */
		}
	}
	return pending;
}

static bool control(struct vsock__mux *m, struct vsock_conn *c, struct vsock_hdr *h)
{
	static const uint16_t order[] = {
		VIRTIO_VSOCK_OP_REQUEST, VIRTIO_VSOCK_OP_RESPONSE,
		VIRTIO_VSOCK_OP_CREDIT_UPDATE,
	};

	for (unsigned int i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (c->owe & VSOCK__OWE(order[i])) {
			c->owe &= ~VSOCK__OWE(order[i]);
			vsock__conn_header(c, m->guest_cid, order[i], 0, 0, h);
			return true;
		}
	return false;
}

/* 1 with a packet in *h, 0 when this connection has nothing now. */
static int data(struct vsock__mux *m, struct vsock_conn *c, struct vsock_hdr *h,
		const struct iovec *iov, size_t niov, size_t cap)
{
	uint32_t credit = vsock__conn_peer_credit(c);
	struct iovec part[UIO_MAXIOV < 64 ? UIO_MAXIOV : 64];
	size_t want = cap < VSOCK_MAX_PKT_LEN ? cap : VSOCK_MAX_PKT_LEN;
	ssize_t n;

	if (credit == 0)
		return 0;
	c->stalled = false;
	if (want > credit)
		want = credit;
	if (want == 0) {
		/* An rx buffer with no room past the header: data waits for
		 * a bigger one, unwatched, or a readable socket would spin. */
		vsock__mux_set_rx_starved(m, true);
		return 0;
	}
	n = readv(c->fd, part, (int)vsock__iov_slice(iov, niov, 0, want, part, 64));
	if (n > 0) {
		vsock__conn_header(c, m->guest_cid, VIRTIO_VSOCK_OP_RW, 0, (uint32_t)n, h);
		m->stats->bytes_to_guest += (uint64_t)n;
		/* A short read emptied the socket: wait for the next IN. */
		if ((size_t)n < want)
			c->readable = false;
		vsock__mux_arm(m, c);
		return 1;
	}
	c->readable = false;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		vsock__mux_arm(m, c);
		return 0;
	}
	if (n < 0) {
		vsock__mux_reset_conn(m, c);
		return 0;
	}
	/* End of file: the host will send no more. */
	c->host_eof = true;
	vsock__conn_header(c, m->guest_cid, VIRTIO_VSOCK_OP_SHUTDOWN,
			   VIRTIO_VSOCK_SHUTDOWN_SEND, 0, h);
	vsock__mux_check_done(m, c);
	if (c->state == VSOCK__ESTABLISHED)
		vsock__mux_arm(m, c);
	return 1;
}

int vsock__mux_rx_fill(struct vsock__mux *m, struct vsock_hdr *h,
		       const struct iovec *iov, size_t niov, size_t cap)
{
	uint32_t i, k;

	if (m->rst_len) {
		struct vsock__rst r = m->rst[m->rst_head];

		m->rst_head = (m->rst_head + 1) % m->rst_cap;
		m->rst_len--;
		vsock__rst_header(m->guest_cid, r.local_port, r.peer_port, h);
		return 1;
	}
	for (i = 0; i < m->max_conns; i++) {
		k = (m->rr + i) % m->max_conns;
		if (m->conns[k].state >= VSOCK__CONNECTING && control(m, &m->conns[k], h)) {
			m->rr = k + 1;
			return 1;
		}
	}
	for (i = 0; i < m->max_conns; i++) {
		k = (m->rr + i) % m->max_conns;
		if (may_send_data(&m->conns[k]) && data(m, &m->conns[k], h, iov, niov, cap)) {
			m->rr = k + 1;
			return 1;
		}
	}
	return 0;
}
