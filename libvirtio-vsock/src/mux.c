/* SPDX-License-Identifier: MIT */
/*
 * The host side of the device, guest-to-host direction and connection
 * management (see <mux.h>): the connection table, guest packets turned into
 * connects and socket writes, the CONNECT line of host peers, and the fd
 * interest announced to the caller.
 *
 * Hostile-input rules (each with a counter in struct vsock_device_stats):
 *  - the table never holds more than max_conns connections, pending host
 *    peers included; beyond it a guest REQUEST gets an RST and a host peer
 *    is accepted and closed at once;
 *  - guest data beyond our credit resets the connection; otherwise it goes
 *    to the socket, and what the socket does not take waits in a ring of
 *    buf_alloc bytes, which the credit rule keeps from overflowing;
 *  - a packet that is invalid in its connection's state resets it, and a
 *    packet for no connection gets an RST (as Linux's transport does).
 */
#define _GNU_SOURCE	/* accept4 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mux.h"

static struct vsock_conn *find_ports(struct vsock__mux *m, uint32_t local, uint32_t peer)
{
	for (uint32_t i = 0; i < m->max_conns; i++) {
		struct vsock_conn *c = &m->conns[i];

		if (c->state >= VSOCK__CONNECTING && c->local_port == local &&
		    c->peer_port == peer)
			return c;
	}
	return NULL;
}

static struct vsock_conn *find_fd(struct vsock__mux *m, int fd)
{
	for (uint32_t i = 0; i < m->max_conns; i++)
		if (m->conns[i].state != VSOCK__FREE && m->conns[i].fd == fd)
			return &m->conns[i];
	return NULL;
}

/* A free slot, or NULL (and a refusal counted) at the cap. */
static struct vsock_conn *alloc_conn(struct vsock__mux *m)
{
	if (m->nconns < m->max_conns)
		for (uint32_t i = 0; i < m->max_conns; i++)
			if (m->conns[i].state == VSOCK__FREE) {
				m->nconns++;
				return &m->conns[i];
			}
	m->stats->conns_refused++;
	return NULL;
}

static void watch(struct vsock__mux *m, int fd, uint32_t events)
{
	if (m->watch.fn)
		m->watch.fn(m->watch.ctx, fd, events);
}

void vsock__mux_arm(struct vsock__mux *m, struct vsock_conn *c)
{
	uint32_t want = 0;

	switch (c->state) {
	case VSOCK__AWAIT_LINE:
		want = VSOCK_EV_IN;
		break;
	case VSOCK__CONNECTING:
		/* Watched only to notice a peer that leaves early. */
		want = c->readable ? 0 : VSOCK_EV_IN;
		break;
	case VSOCK__ESTABLISHED:
		/* IN stays armed while the data can move on (a short read
		 * clears `readable`, so no EAGAIN round is needed).  A
		 * connection whose data waits for guest credit or rx buffers
		 * is not watched, so a stall costs no wake-ups. */
		if (!c->host_eof && !(c->peer_shut & VIRTIO_VSOCK_SHUTDOWN_RCV) &&
		    !(c->readable && (m->rx_starved || !vsock__conn_peer_credit(c))))
			want |= VSOCK_EV_IN;
		if (c->buf_len)
			want |= VSOCK_EV_OUT;
		break;
	case VSOCK__FREE:
		return;
	}
	if (want != c->watched) {
		c->watched = want;
		watch(m, c->fd, want);
	}
}

void vsock__mux_set_rx_starved(struct vsock__mux *m, bool starved)
{
	if (m->rx_starved == starved)
		return;
	m->rx_starved = starved;
	for (uint32_t i = 0; i < m->max_conns; i++)
		if (m->conns[i].state == VSOCK__ESTABLISHED && m->conns[i].readable)
			vsock__mux_arm(m, &m->conns[i]);
}

void vsock__mux_close(struct vsock__mux *m, struct vsock_conn *c)
{
	if (c->watched)
		watch(m, c->fd, 0);
	close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	m->nconns--;
}

void vsock__mux_owe_rst(struct vsock__mux *m, uint32_t local_port, uint32_t peer_port)
{
	if (m->rst_len == m->rst_cap) {
		m->stats->rst_dropped++;
		return;
	}
	m->rst[(m->rst_head + m->rst_len++) % m->rst_cap] =
		(struct vsock__rst){ local_port, peer_port };
}

void vsock__mux_reset_conn(struct vsock__mux *m, struct vsock_conn *c)
{
	/* The guest knows the connection unless our REQUEST is still owed. */
	if (c->state == VSOCK__ESTABLISHED ||
	    (c->state == VSOCK__CONNECTING &&
	     !(c->owe & VSOCK__OWE(VIRTIO_VSOCK_OP_REQUEST))))
		vsock__mux_owe_rst(m, c->local_port, c->peer_port);
	vsock__mux_close(m, c);
}

/*
 * Ends a connection once nothing can flow any more: both directions shut
 * by the guest (Linux's transport answers that with RST too), or the host
 * at end of file and the guest done sending; buffered bytes go out first.
 * Also half-closes the host socket once the guest stops sending.
 */
void vsock__mux_check_done(struct vsock__mux *m, struct vsock_conn *c)
{
	const uint32_t both = VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND;

	if (c->state != VSOCK__ESTABLISHED || c->buf_len)
		return;
	if (c->peer_shut == both ||
	    (c->host_eof && (c->peer_shut & VIRTIO_VSOCK_SHUTDOWN_SEND))) {
		vsock__mux_reset_conn(m, c);
		return;
	}
	if ((c->peer_shut & VIRTIO_VSOCK_SHUTDOWN_SEND) && !c->wr_shut) {
		c->wr_shut = true;
		(void)shutdown(c->fd, SHUT_WR);
	}
}

static int send_iov(int fd, const struct iovec *iov, size_t n)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = n };
	ssize_t r = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (r >= 0)
		return (int)r;
	return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
}

static void wrote(struct vsock__mux *m, struct vsock_conn *c, uint32_t n)
{
	m->stats->bytes_to_host += n;
	vsock__conn_forwarded(c, n);
}

/* Appends len bytes to the connection's ring; the credit rule guarantees
 * they fit (buf_len + len <= buf_alloc). */
static void ring_put(struct vsock_conn *c, const void *src, size_t len)
{
	uint32_t at = (c->buf_off + c->buf_len) % c->buf_alloc;
	size_t first = c->buf_alloc - at < len ? c->buf_alloc - at : len;

	memcpy(c->buf + at, src, first);
	memcpy(c->buf, (const char *)src + first, len - first);
	c->buf_len += (uint32_t)len;
}

/* Buffers the payload bytes from offset skip on. */
static int buffer_rest(struct vsock_conn *c, const struct iovec *iov, size_t niov,
		       size_t skip)
{
	if (!c->buf && !(c->buf = malloc(c->buf_alloc)))
		return -ENOMEM;
	for (size_t i = 0; i < niov; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		ring_put(c, (const char *)iov[i].iov_base + skip, iov[i].iov_len - skip);
		skip = 0;
	}
	return 0;
}

static void forward(struct vsock__mux *m, struct vsock_conn *c,
		    const struct iovec *iov, size_t niov, uint32_t len)
{
	int n = 0;

	/* Bytes already waiting go first, so order is kept. */
	if (c->buf_len == 0) {
		n = send_iov(c->fd, iov, niov);
		if (n < 0) {	/* EPIPE: the host peer is gone */
			vsock__mux_reset_conn(m, c);
			return;
		}
		wrote(m, c, (uint32_t)n);
	}
	if ((uint32_t)n < len && buffer_rest(c, iov, niov, (size_t)n))
		vsock__mux_reset_conn(m, c);
}

/* Writes buffered bytes the socket now takes. */
static void flush(struct vsock__mux *m, struct vsock_conn *c)
{
	while (c->buf_len) {
		uint32_t first = c->buf_alloc - c->buf_off;
		struct iovec iov[2] = {
			{ c->buf + c->buf_off, first < c->buf_len ? first : c->buf_len },
			{ c->buf, first < c->buf_len ? c->buf_len - first : 0 },
		};
		int n = send_iov(c->fd, iov, iov[1].iov_len ? 2 : 1);

		if (n < 0) {
			vsock__mux_reset_conn(m, c);
			return;
		}
		if (n == 0)
			break;
		c->buf_off = (c->buf_off + (uint32_t)n) % c->buf_alloc;
		c->buf_len -= (uint32_t)n;
		wrote(m, c, (uint32_t)n);
	}
	vsock__mux_check_done(m, c);
}

static void guest_connect(struct vsock__mux *m, const struct vsock_hdr *h)
{
	struct vsock_conn *c;
	int fd;

	c = alloc_conn(m);
	if (!c) {
		vsock__mux_owe_rst(m, h->dst_port, h->src_port);
		return;
	}
	fd = vsock__uds_connect(m->path, h->dst_port);
	if (fd < 0) {
		m->nconns--;	/* the slot is still FREE */
		m->stats->connect_failed++;
		vsock__mux_owe_rst(m, h->dst_port, h->src_port);
		return;
	}
	vsock__conn_init(c, VSOCK__ESTABLISHED, fd, h->dst_port, h->src_port, m->buf_alloc);
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	c->owe = VSOCK__OWE(VIRTIO_VSOCK_OP_RESPONSE);
	m->stats->conns_opened++;
	vsock__mux_arm(m, c);
}

static void accepted(struct vsock__mux *m, struct vsock_conn *c)
{
	char ok[24];
	int n = snprintf(ok, sizeof(ok), "OK %u\n", c->local_port);

	if (vsock__uds_send_all(c->fd, ok, (size_t)n)) {
		vsock__mux_reset_conn(m, c);
		return;
	}
	m->stats->conns_opened++;
	vsock__mux_arm(m, c);
}

void vsock__mux_guest_pkt(struct vsock__mux *m, const struct vsock_hdr *h,
			  const struct iovec *payload, size_t niov)
{
	struct vsock_conn *c = find_ports(m, h->dst_port, h->src_port);

	if (!c) {
		if (h->op == VIRTIO_VSOCK_OP_REQUEST)
			guest_connect(m, h);
		else if (h->op != VIRTIO_VSOCK_OP_RST)
			vsock__mux_owe_rst(m, h->dst_port, h->src_port);
		return;
	}
	switch (vsock__conn_on_guest(c, h)) {
	case VSOCK__ACT_NONE:
		break;
	case VSOCK__ACT_FORWARD:
		forward(m, c, payload, niov, h->len);
		break;
	case VSOCK__ACT_ACCEPTED:
		accepted(m, c);
		return;
	case VSOCK__ACT_SHUTDOWN:
		vsock__mux_check_done(m, c);
		break;
	case VSOCK__ACT_CLOSE:
		vsock__mux_close(m, c);
		return;
	case VSOCK__ACT_RESET:
		m->stats->protocol_resets++;
		vsock__mux_reset_conn(m, c);
		return;
	case VSOCK__ACT_OVERRUN:
		m->stats->credit_overruns++;
		vsock__mux_reset_conn(m, c);
		return;
	}
	vsock__mux_arm(m, c);
}

void vsock__mux_guest_bad(struct vsock__mux *m, const struct vsock_hdr *h)
{
	struct vsock_conn *c = find_ports(m, h->dst_port, h->src_port);

	if (c)
		vsock__mux_reset_conn(m, c);
	else if (h->op != VIRTIO_VSOCK_OP_RST)
		vsock__mux_owe_rst(m, h->dst_port, h->src_port);
}

/* A local port no connection uses, for a host-initiated connection. */
static uint32_t alloc_port(struct vsock__mux *m)
{
	for (;;) {
		uint32_t p = m->next_port++;
		bool used = false;

		if (m->next_port >= 2u * VSOCK__EPHEMERAL_BASE)
			m->next_port = VSOCK__EPHEMERAL_BASE;
		for (uint32_t i = 0; i < m->max_conns && !used; i++)
			used = m->conns[i].state >= VSOCK__CONNECTING &&
			       m->conns[i].local_port == p;
		if (!used)	/* at most max_conns ports are in use */
			return p;
	}
}

/*
 * Reads the CONNECT line one byte at a time, so that stream bytes the
 * peer sends after it stay in the socket.  A partial line is kept in the
 * connection (the fd stays readable otherwise and would spin).
 */
static void read_line(struct vsock__mux *m, struct vsock_conn *c)
{
	uint32_t port;

	while (c->line_len < sizeof(c->line)) {
		ssize_t n = recv(c->fd, c->line + c->line_len, 1, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {		/* gone before asking */
			vsock__mux_close(m, c);
			return;
		}
		if (c->line[c->line_len++] == '\n')
			break;
	}
	if (vsock__uds_parse_connect(c->line, c->line_len, &port)) {
		m->stats->bad_connect_lines++;
		vsock__mux_close(m, c);
		return;
	}
	c->state = VSOCK__CONNECTING;
	c->local_port = alloc_port(m);
	c->peer_port = port;
	c->owe = VSOCK__OWE(VIRTIO_VSOCK_OP_REQUEST);
	vsock__mux_arm(m, c);
}

/* A connecting peer became readable: early data waits; EOF ends it. */
static void peek_connecting(struct vsock__mux *m, struct vsock_conn *c)
{
	char b;
	ssize_t n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n > 0) {
		c->readable = true;
		vsock__mux_arm(m, c);
	} else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
		vsock__mux_reset_conn(m, c);
	}
}

static void accept_all(struct vsock__mux *m)
{
	for (;;) {
		int fd = accept4(m->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct vsock_conn *c;

		if (fd < 0)
			return;
		c = alloc_conn(m);
		if (!c) {
			close(fd);
			continue;
		}
		vsock__conn_init(c, VSOCK__AWAIT_LINE, fd, 0, 0, m->buf_alloc);
		vsock__mux_arm(m, c);
	}
}

int vsock__mux_process_fd(struct vsock__mux *m, int fd, uint32_t events)
{
	struct vsock_conn *c;

	if (fd == m->listen_fd) {
		accept_all(m);
		return 0;
	}
	c = find_fd(m, fd);
	if (!c)
		return -ENOENT;
	switch (c->state) {
	case VSOCK__AWAIT_LINE:
		read_line(m, c);
		return 0;
	case VSOCK__CONNECTING:
		peek_connecting(m, c);
		return 0;
	case VSOCK__ESTABLISHED:
		if (c->buf_len && (events & (VSOCK_EV_OUT | VSOCK_EV_ERR | VSOCK_EV_HUP)))
			flush(m, c);
		if (c->state != VSOCK__ESTABLISHED)
			return 0;
		if (events & (VSOCK_EV_IN | VSOCK_EV_ERR | VSOCK_EV_HUP))
			c->readable = true;
		vsock__mux_arm(m, c);
		return 0;
	case VSOCK__FREE:
		break;
	}
	return -ENOENT;
}

int vsock__mux_init(struct vsock__mux *m, const struct vsock_device_config *cfg,
		    struct vsock_device_stats *stats)
{
	size_t n = strlen(cfg->uds_path);

	memset(m, 0, sizeof(*m));
	m->listen_fd = -1;
	/* Room for "_<port>" with the longest port. */
	if (n + sizeof("_4294967295") > sizeof(m->path))
		return -ENAMETOOLONG;
	memcpy(m->path, cfg->uds_path, n + 1);
	m->guest_cid = cfg->guest_cid;
	m->max_conns = cfg->max_conns ? cfg->max_conns : VSOCK_DEFAULT_MAX_CONNS;
	m->buf_alloc = cfg->buf_alloc ? cfg->buf_alloc : VSOCK_DEFAULT_BUF_ALLOC;
	m->next_port = VSOCK__EPHEMERAL_BASE;
	m->watch = cfg->watch;
	m->stats = stats;
	/* One owed RST per connection plus as many strays again. */
	m->rst_cap = 2u * m->max_conns;
	m->conns = calloc(m->max_conns, sizeof(*m->conns));
	m->rst = calloc(m->rst_cap, sizeof(*m->rst));
	if (!m->conns || !m->rst) {
		vsock__mux_fini(m);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < m->max_conns; i++)
		m->conns[i].fd = -1;
	m->listen_fd = vsock__uds_listen(m->path);
	if (m->listen_fd < 0) {
		int err = m->listen_fd;

		vsock__mux_fini(m);
		return err;
	}
	watch(m, m->listen_fd, VSOCK_EV_IN);
	return 0;
}

void vsock__mux_reset(struct vsock__mux *m)
{
	for (uint32_t i = 0; i < m->max_conns; i++)
		if (m->conns[i].state != VSOCK__FREE)
			vsock__mux_close(m, &m->conns[i]);
	m->rst_head = m->rst_len = 0;
	m->rr = 0;
	m->rx_starved = false;
}

void vsock__mux_fini(struct vsock__mux *m)
{
	if (m->conns)
		vsock__mux_reset(m);
	if (m->listen_fd >= 0) {
		watch(m, m->listen_fd, 0);
		close(m->listen_fd);
		unlink(m->path);
		m->listen_fd = -1;
	}
	free(m->conns);
	free(m->rst);
	m->conns = NULL;
	m->rst = NULL;
}
