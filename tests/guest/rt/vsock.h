/* SPDX-License-Identifier: MIT */
/*
 * A freestanding virtio-vsock driver for the kit (virtio 1.2 §5.10): the
 * rx, tx and event queues (§5.10.2), the 44-byte little-endian packet
 * header (§5.10.6), stream connections in both directions (REQUEST,
 * RESPONSE, RW, SHUTDOWN, RST) and the credit rules of §5.10.6.3 on both
 * sides: the driver never sends more than the peer's buf_alloc minus what
 * is in flight (tx_cnt - peer_fwd_cnt), and it advertises its own buf_alloc
 * and fwd_cnt, with fwd_cnt advancing only when the program reads.  Reading
 * is explicit, so a program can hold data unread and watch the peer stop.
 */
#ifndef GK_VSOCK_H
#define GK_VSOCK_H

#include "virtio.h"

#define VIRTIO_ID_VSOCK 19
#define VIRTIO_VSOCK_F_SEQPACKET 1
#define GK_VSOCK_HOST_CID 2
#define VIRTIO_VSOCK_TYPE_STREAM 1

enum {
	VIRTIO_VSOCK_OP_INVALID = 0,
	VIRTIO_VSOCK_OP_REQUEST = 1,
	VIRTIO_VSOCK_OP_RESPONSE = 2,
	VIRTIO_VSOCK_OP_RST = 3,
	VIRTIO_VSOCK_OP_SHUTDOWN = 4,
	VIRTIO_VSOCK_OP_RW = 5,
	VIRTIO_VSOCK_OP_CREDIT_UPDATE = 6,
	VIRTIO_VSOCK_OP_CREDIT_REQUEST = 7,
};
#define VIRTIO_VSOCK_SHUTDOWN_RCV 1u
#define VIRTIO_VSOCK_SHUTDOWN_SEND 2u
#define VIRTIO_VSOCK_EVENT_TRANSPORT_RESET 0

/* struct virtio_vsock_hdr, §5.10.6: 44 bytes, little-endian. */
struct gk_vsock_hdr {
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port, len;
	uint16_t type, op;
	uint32_t flags, buf_alloc, fwd_cnt;
} __attribute__((packed));

#define GK_VSOCK_PAYLOAD 4096	/* per rx buffer and per tx packet */
#define GK_VSOCK_CONNS 4
#define GK_VSOCK_BUF_MAX 65536	/* largest buf_alloc a connection may use */
#define GK_VSOCK_LISTEN 4

enum gk_vsock_state {
	GK_VS_FREE,
	GK_VS_CONNECTING,	/* REQUEST sent, no answer yet */
	GK_VS_ESTABLISHED,
	GK_VS_CLOSED,		/* RST received or sent */
};

struct gk_vsock_conn {
	enum gk_vsock_state state;
	uint32_t local_port, peer_port;
	bool accepted;		/* a host REQUEST: handed out by accept once */
	/* Our side: what we advertise, what arrived, what the program read. */
	uint32_t buf_alloc, rx_cnt, fwd_cnt;
	uint8_t *buf;		/* GK_VSOCK_BUF_MAX bytes, a ring */
	/* The peer's side, from every header it sends. */
	uint32_t tx_cnt, peer_buf_alloc, peer_fwd_cnt;
	uint32_t peer_shut;	/* SHUTDOWN flags received */
	bool rst;		/* RST received */
	unsigned credit_updates, overrun_bytes, rx_pkts;
};

struct gk_vsock {
	struct gk_vdev dev;
	struct gk_vq rxq, txq, evq;
	uint64_t cid;
	struct gk_vsock_conn conn[GK_VSOCK_CONNS];
	uint32_t listen_port[GK_VSOCK_LISTEN], listen_buf[GK_VSOCK_LISTEN];
	unsigned nlisten;
	/* Whatever the device got wrong or we could not place. */
	unsigned bad_pkts, stray_pkts, bad_used, tx_stuck, events;
	uint32_t last_bad;	/* op << 16 | reason, for the report */
};

/* 0, -2 when there is no virtio-vsock device, -1 when init failed. */
int gk_vsock_init(struct gk_vsock *v, struct gk_init_log *log);
/* Handles every used buffer on the three queues. */
void gk_vsock_poll(struct gk_vsock *v);
/* Waits (polling) until done(ctx) or timeout; false on timeout. */
bool gk_vsock_wait(struct gk_vsock *v, bool (*done)(void *), void *ctx,
		   uint64_t timeout_us);

/* Sends REQUEST from local_port to the host's port; the answer comes later. */
struct gk_vsock_conn *gk_vsock_connect(struct gk_vsock *v, uint32_t local_port,
				       uint32_t port, uint32_t buf_alloc);
/* Host REQUESTs to port get RESPONSE with buf_alloc; others get RST. */
bool gk_vsock_listen(struct gk_vsock *v, uint32_t port, uint32_t buf_alloc);
/* An established host connection to port not handed out yet, or NULL. */
struct gk_vsock_conn *gk_vsock_accept(struct gk_vsock *v, uint32_t port);

/* Bytes the peer's credit allows now (§5.10.6.3). */
uint32_t gk_vsock_peer_credit(const struct gk_vsock_conn *c);
static inline uint32_t gk_vsock_unread(const struct gk_vsock_conn *c)
{
	return c->rx_cnt - c->fwd_cnt;
}
/* Sends up to len bytes within the credit; returns how many went out. */
uint32_t gk_vsock_send(struct gk_vsock *v, struct gk_vsock_conn *c,
		       const void *data, uint32_t len);
/* Consumes up to len unread bytes (fwd_cnt advances); returns the count. */
uint32_t gk_vsock_read(struct gk_vsock_conn *c, void *out, uint32_t len);
/* Control packets; false when no tx buffer came free in time. */
bool gk_vsock_credit_update(struct gk_vsock *v, struct gk_vsock_conn *c);
bool gk_vsock_credit_request(struct gk_vsock *v, struct gk_vsock_conn *c);
bool gk_vsock_shutdown(struct gk_vsock *v, struct gk_vsock_conn *c,
		       uint32_t flags);
bool gk_vsock_rst(struct gk_vsock *v, struct gk_vsock_conn *c);

#endif
