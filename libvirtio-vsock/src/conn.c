/* SPDX-License-Identifier: MIT */
/*
 * The connection state machine of <conn.h> (virtio 1.2 §5.10.6.3 -
 * §5.10.6.6).  Every guest packet refreshes the guest's credit fields
 * first, as Linux's virtio_transport_space_update() does for every
 * packet, so a CREDIT_UPDATE is only a header with nothing else to do.
 */
#include <string.h>

#include "conn.h"

void vsock__conn_init(struct vsock_conn *c, enum vsock__conn_state state, int fd,
		      uint32_t local_port, uint32_t peer_port, uint32_t buf_alloc)
{
	memset(c, 0, sizeof(*c));
	c->state = state;
	c->fd = fd;
	c->local_port = local_port;
	c->peer_port = peer_port;
	c->buf_alloc = buf_alloc;
}

uint32_t vsock__conn_peer_credit(const struct vsock_conn *c)
{
	uint32_t in_flight = c->tx_cnt - c->peer_fwd_cnt;

	return in_flight >= c->peer_buf_alloc ? 0 : c->peer_buf_alloc - in_flight;
}

uint32_t vsock__conn_own_credit(const struct vsock_conn *c)
{
	/* rx_cnt - fwd_cnt never exceeds buf_alloc: on_guest refuses it. */
	return c->buf_alloc - (c->rx_cnt - c->fwd_cnt);
}

static enum vsock__act on_rw(struct vsock_conn *c, const struct vsock_hdr *h)
{
	/* Data after the guest said it would send no more. */
	if (c->peer_shut & VIRTIO_VSOCK_SHUTDOWN_SEND)
		return VSOCK__ACT_RESET;
	if (h->len > vsock__conn_own_credit(c))
		return VSOCK__ACT_OVERRUN;
	c->rx_cnt += h->len;
	return h->len ? VSOCK__ACT_FORWARD : VSOCK__ACT_NONE;
}

static enum vsock__act on_established(struct vsock_conn *c, const struct vsock_hdr *h)
{
	switch (h->op) {
	case VIRTIO_VSOCK_OP_RW:
		return on_rw(c, h);
	case VIRTIO_VSOCK_OP_SHUTDOWN:
		if ((c->peer_shut | h->flags) == c->peer_shut)
			return VSOCK__ACT_NONE;
		c->peer_shut |= h->flags;
		return VSOCK__ACT_SHUTDOWN;
	case VIRTIO_VSOCK_OP_CREDIT_REQUEST:
		c->owe |= VSOCK__OWE(VIRTIO_VSOCK_OP_CREDIT_UPDATE);
		return VSOCK__ACT_NONE;
	case VIRTIO_VSOCK_OP_CREDIT_UPDATE:
		return VSOCK__ACT_NONE;
	default:	/* REQUEST or RESPONSE on a live connection */
		return VSOCK__ACT_RESET;
	}
}

enum vsock__act vsock__conn_on_guest(struct vsock_conn *c, const struct vsock_hdr *h)
{
	if (h->op == VIRTIO_VSOCK_OP_RST)
		return VSOCK__ACT_CLOSE;
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	switch (c->state) {
	case VSOCK__CONNECTING:
		/* The REQUEST may still be owed: a RESPONSE to a packet the
		 * guest never saw is a protocol error. */
		if (h->op != VIRTIO_VSOCK_OP_RESPONSE ||
		    (c->owe & VSOCK__OWE(VIRTIO_VSOCK_OP_REQUEST)))
			return VSOCK__ACT_RESET;
		c->state = VSOCK__ESTABLISHED;
		return VSOCK__ACT_ACCEPTED;
	case VSOCK__ESTABLISHED:
		return on_established(c, h);
	case VSOCK__FREE:
	case VSOCK__AWAIT_LINE:	/* not addressable by the guest */
		break;
	}
	return VSOCK__ACT_RESET;
}

void vsock__conn_forwarded(struct vsock_conn *c, uint32_t n)
{
	c->fwd_cnt += n;
	if (c->fwd_cnt - c->fwd_sent >= c->buf_alloc / 4u && c->fwd_cnt != c->fwd_sent)
		c->owe |= VSOCK__OWE(VIRTIO_VSOCK_OP_CREDIT_UPDATE);
}

void vsock__conn_header(struct vsock_conn *c, uint64_t guest_cid, uint16_t op,
			uint32_t flags, uint32_t len, struct vsock_hdr *h)
{
	*h = (struct vsock_hdr){
		.src_cid = VSOCK_HOST_CID, .dst_cid = guest_cid,
		.src_port = c->local_port, .dst_port = c->peer_port,
		.len = len, .type = VIRTIO_VSOCK_TYPE_STREAM, .op = op,
		.flags = flags, .buf_alloc = c->buf_alloc, .fwd_cnt = c->fwd_cnt,
	};
	/* Every header tells the guest our fwd_cnt: no update owed now. */
	c->fwd_sent = c->fwd_cnt;
	c->owe &= ~VSOCK__OWE(VIRTIO_VSOCK_OP_CREDIT_UPDATE);
	c->tx_cnt += len;
}

void vsock__rst_header(uint64_t guest_cid, uint32_t local_port,
		       uint32_t peer_port, struct vsock_hdr *h)
{
	*h = (struct vsock_hdr){
		.src_cid = VSOCK_HOST_CID, .dst_cid = guest_cid,
		.src_port = local_port, .dst_port = peer_port,
		.type = VIRTIO_VSOCK_TYPE_STREAM, .op = VIRTIO_VSOCK_OP_RST,
	};
}
