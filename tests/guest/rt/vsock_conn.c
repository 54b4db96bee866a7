// SPDX-License-Identifier: MIT
/*
 * virtio-vsock stream connections (virtio 1.2 §5.10.6.3-§5.10.6.6): the
 * connection table, the answers a driver owes (RESPONSE to a REQUEST on a
 * listening port, RST to anything else, §5.10.6.4), and both credit rules
 * of §5.10.6.3.  Every header we send carries our buf_alloc and fwd_cnt,
 * and every header the host sends refreshes its buf_alloc and fwd_cnt,
 * whatever its op, as Linux's transport does.
 */
#include "vsock_priv.h"

static struct gk_vsock_conn *find(struct gk_vsock *v, uint32_t local,
				  uint32_t peer)
{
	for (unsigned i = 0; i < GK_VSOCK_CONNS; i++) {
		struct gk_vsock_conn *c = &v->conn[i];

		if (c->state != GK_VS_FREE && c->state != GK_VS_CLOSED &&
		    c->local_port == local && c->peer_port == peer)
			return c;
	}
	return NULL;
}

/* A free slot; closed connections are reused once nobody looks at them. */
static struct gk_vsock_conn *alloc(struct gk_vsock *v, uint32_t local,
				   uint32_t peer, uint32_t buf_alloc)
{
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < GK_VSOCK_CONNS; i++) {
			struct gk_vsock_conn *c = &v->conn[i];
			uint8_t *buf = c->buf;

			if (c->state != (pass ? GK_VS_CLOSED : GK_VS_FREE))
				continue;
			memset(c, 0, sizeof(*c));
			c->buf = buf;
			c->local_port = local;
			c->peer_port = peer;
			c->buf_alloc = buf_alloc;
			return c;
		}
	return NULL;
}

static bool send_op(struct gk_vsock *v, struct gk_vsock_conn *c, uint16_t op,
		    uint32_t flags, const void *data, uint32_t len)
{
	struct gk_vsock_hdr h = {
		.src_port = c->local_port, .dst_port = c->peer_port,
		.op = op, .flags = flags,
		.buf_alloc = c->buf_alloc, .fwd_cnt = c->fwd_cnt,
	};

	if (!gk_vsock__xmit(v, &h, data, len))
		return false;
	c->tx_cnt += len;
	return true;
}

/* RST to the ports of a packet we have no connection for (§5.10.6.4). */
static void rst_reply(struct gk_vsock *v, const struct gk_vsock_hdr *in)
{
	struct gk_vsock_hdr h = {
		.src_port = in->dst_port, .dst_port = in->src_port,
		.op = VIRTIO_VSOCK_OP_RST,
	};

	gk_vsock__xmit(v, &h, NULL, 0);
}

static int listening(const struct gk_vsock *v, uint32_t port)
{
	for (unsigned i = 0; i < v->nlisten; i++)
		if (v->listen_port[i] == port)
			return (int)i;
	return -1;
}

static void on_request(struct gk_vsock *v, const struct gk_vsock_hdr *h)
{
	int l = listening(v, h->dst_port);
	struct gk_vsock_conn *c = l < 0 ? NULL :
		alloc(v, h->dst_port, h->src_port, v->listen_buf[l]);

	if (!c) {
		rst_reply(v, h);
		return;
	}
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	c->state = GK_VS_ESTABLISHED;
	c->accepted = true;
	if (!send_op(v, c, VIRTIO_VSOCK_OP_RESPONSE, 0, NULL, 0))
		c->state = GK_VS_CLOSED;
}

/* Data: kept only within the credit we advertised (§5.10.6.3.1). */
static void on_rw(struct gk_vsock_conn *c, const struct gk_vsock_hdr *h,
		  const uint8_t *data)
{
	if (h->len > c->buf_alloc - gk_vsock_unread(c)) {
		c->overrun_bytes += h->len;
		return;
	}
	for (uint32_t i = 0; i < h->len; i++)
		c->buf[(c->rx_cnt + i) % GK_VSOCK_BUF_MAX] = data[i];
	c->rx_cnt += h->len;
}

static void on_conn(struct gk_vsock *v, struct gk_vsock_conn *c,
		    const struct gk_vsock_hdr *h, const uint8_t *data)
{
	c->rx_pkts++;
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	if (h->op == VIRTIO_VSOCK_OP_RST) {
		c->rst = true;
		c->state = GK_VS_CLOSED;
		return;
	}
	if (c->state == GK_VS_CONNECTING) {
		c->state = h->op == VIRTIO_VSOCK_OP_RESPONSE ? GK_VS_ESTABLISHED :
							       GK_VS_CLOSED;
		return;
	}
	switch (h->op) {
	case VIRTIO_VSOCK_OP_RW:
		on_rw(c, h, data);
		break;
	case VIRTIO_VSOCK_OP_SHUTDOWN:
		c->peer_shut |= h->flags;
		break;
	case VIRTIO_VSOCK_OP_CREDIT_UPDATE:
		c->credit_updates++;
		break;
	case VIRTIO_VSOCK_OP_CREDIT_REQUEST:
		send_op(v, c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
		break;
	default:	/* REQUEST or RESPONSE on a live connection */
		send_op(v, c, VIRTIO_VSOCK_OP_RST, 0, NULL, 0);
		c->state = GK_VS_CLOSED;
		break;
	}
}

void gk_vsock__dispatch(struct gk_vsock *v, const struct gk_vsock_hdr *h,
			const uint8_t *data)
{
	struct gk_vsock_conn *c = find(v, h->dst_port, h->src_port);

	if (c) {
		on_conn(v, c, h, data);
		return;
	}
	v->stray_pkts += h->op != VIRTIO_VSOCK_OP_REQUEST;
	if (h->op == VIRTIO_VSOCK_OP_REQUEST)
		on_request(v, h);
	else if (h->op != VIRTIO_VSOCK_OP_RST)
		rst_reply(v, h);
}

struct gk_vsock_conn *gk_vsock_connect(struct gk_vsock *v, uint32_t local_port,
				       uint32_t port, uint32_t buf_alloc)
{
	struct gk_vsock_conn *c;

	if (buf_alloc > GK_VSOCK_BUF_MAX || find(v, local_port, port))
		return NULL;
	c = alloc(v, local_port, port, buf_alloc);
	if (!c)
		return NULL;
	c->state = GK_VS_CONNECTING;
	if (!send_op(v, c, VIRTIO_VSOCK_OP_REQUEST, 0, NULL, 0)) {
		c->state = GK_VS_FREE;
		return NULL;
	}
	return c;
}

bool gk_vsock_listen(struct gk_vsock *v, uint32_t port, uint32_t buf_alloc)
{
	if (v->nlisten == GK_VSOCK_LISTEN || buf_alloc > GK_VSOCK_BUF_MAX ||
	    listening(v, port) >= 0)
		return false;
	v->listen_port[v->nlisten] = port;
	v->listen_buf[v->nlisten++] = buf_alloc;
	return true;
}

struct gk_vsock_conn *gk_vsock_accept(struct gk_vsock *v, uint32_t port)
{
	for (unsigned i = 0; i < GK_VSOCK_CONNS; i++) {
		struct gk_vsock_conn *c = &v->conn[i];

		if (c->accepted && c->local_port == port &&
		    c->state == GK_VS_ESTABLISHED) {
			c->accepted = false;
			return c;
		}
	}
	return NULL;
}

uint32_t gk_vsock_peer_credit(const struct gk_vsock_conn *c)
{
	uint32_t in_flight = c->tx_cnt - c->peer_fwd_cnt;

	return in_flight >= c->peer_buf_alloc ? 0 : c->peer_buf_alloc - in_flight;
}

uint32_t gk_vsock_send(struct gk_vsock *v, struct gk_vsock_conn *c,
		       const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint32_t sent = 0;

	while (sent < len && c->state == GK_VS_ESTABLISHED &&
	       !(c->peer_shut & VIRTIO_VSOCK_SHUTDOWN_RCV)) {
		uint32_t n = len - sent, credit = gk_vsock_peer_credit(c);

		if (n > credit)
			n = credit;
		if (n > GK_VSOCK_PAYLOAD)
			n = GK_VSOCK_PAYLOAD;
		if (n == 0 || !send_op(v, c, VIRTIO_VSOCK_OP_RW, 0, p + sent, n))
			break;
		sent += n;
	}
	return sent;
}

uint32_t gk_vsock_read(struct gk_vsock_conn *c, void *out, uint32_t len)
{
	uint8_t *o = out;
	uint32_t n = gk_vsock_unread(c);

	if (n > len)
		n = len;
	for (uint32_t i = 0; i < n; i++)
		o[i] = c->buf[(c->fwd_cnt + i) % GK_VSOCK_BUF_MAX];
	c->fwd_cnt += n;
	return n;
}

bool gk_vsock_credit_update(struct gk_vsock *v, struct gk_vsock_conn *c)
{
	return send_op(v, c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
}

bool gk_vsock_credit_request(struct gk_vsock *v, struct gk_vsock_conn *c)
{
	return send_op(v, c, VIRTIO_VSOCK_OP_CREDIT_REQUEST, 0, NULL, 0);
}

bool gk_vsock_shutdown(struct gk_vsock *v, struct gk_vsock_conn *c,
		       uint32_t flags)
{
	return send_op(v, c, VIRTIO_VSOCK_OP_SHUTDOWN, flags, NULL, 0);
}

bool gk_vsock_rst(struct gk_vsock *v, struct gk_vsock_conn *c)
{
	bool ok = send_op(v, c, VIRTIO_VSOCK_OP_RST, 0, NULL, 0);

	c->state = GK_VS_CLOSED;
	return ok;
}
