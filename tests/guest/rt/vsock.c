// SPDX-License-Identifier: MIT
/*
 * virtio-vsock transport (virtio 1.2 §5.10): queue set-up, the tx packet
 * pool, and receive dispatch.  Every rx buffer is one device-writable
 * descriptor of header plus GK_VSOCK_PAYLOAD bytes (the device may put a
 * header and payload in one buffer, §5.10.6.2); every tx packet is two
 * descriptors, header then payload, so the device's parsing across
 * descriptors is exercised.  A received packet is checked before it is
 * believed: its length against the used length, its CIDs and type
 * (§5.10.6.1); data beyond the credit we advertised is counted as an
 * overrun and dropped.  Connection calls are in vsock_conn.c.
 */
#include "vsock.h"
#include "vsock_priv.h"

#define VSOCK_VECTOR 0x49
#define RXBUFS 64
#define EVBUFS 4
#define TXBUFS 32
#define TX_WAIT_US 2000000

static struct gk_vring_mem rx_mem, tx_mem, ev_mem;
static struct rxbuf {
	struct gk_vsock_hdr hdr;
	uint8_t data[GK_VSOCK_PAYLOAD];
} rx_buf[RXBUFS] GK_ALIGNED(64);
static uint32_t ev_buf[EVBUFS];
static struct {
	struct gk_vsock_hdr hdr;
	uint8_t data[GK_VSOCK_PAYLOAD];
} tx_buf[TXBUFS] GK_ALIGNED(64);
static bool tx_busy[TXBUFS];
static uint8_t conn_buf[GK_VSOCK_CONNS][GK_VSOCK_BUF_MAX];

static int post_rx(struct gk_vsock *v, unsigned i)
{
	struct gk_buf b = { (uintptr_t)&rx_buf[i], sizeof(rx_buf[i]), true };

	return gk_vq_add(&v->rxq, &b, 1, false, gk_vq_cookie(i));
}

static int post_ev(struct gk_vsock *v, unsigned i)
{
	struct gk_buf b = { (uintptr_t)&ev_buf[i], sizeof(ev_buf[i]), true };

	return gk_vq_add(&v->evq, &b, 1, false, gk_vq_cookie(i));
}

int gk_vsock_init(struct gk_vsock *v, struct gk_init_log *log)
{
	struct gk_vq *qs[3] = { &v->rxq, &v->txq, &v->evq };
	struct gk_vring_mem *mems[3] = { &rx_mem, &tx_mem, &ev_mem };
	uint64_t want = VF_BIT(VIRTIO_F_VERSION_1) | VF_BIT(VIRTIO_F_EVENT_IDX);

	memset(v, 0, sizeof(*v));
	for (unsigned i = 0; i < GK_VSOCK_CONNS; i++)
		v->conn[i].buf = conn_buf[i];
	if (gk_vdev_find(&v->dev, VIRTIO_ID_VSOCK, 0))
		return -2;
	if (gk_vdev_init_queues(&v->dev, want, qs, mems, 3, 0, log))
		return -1;
	v->cid = gk_vdev_cfg64(&v->dev, 0);
	/* The interrupt only ends a gk_wait() early; all work is polled. */
	if (gk_vdev_irq_enable(&v->dev, VSOCK_VECTOR))
		return -1;
	for (unsigned q = 0; q < 3; q++)
		gk_vq_want_irq(qs[q], true);
	for (unsigned i = 0; i < RXBUFS && i < v->rxq.size; i++)
		if (post_rx(v, i))
			return -1;
	for (unsigned i = 0; i < EVBUFS && i < v->evq.size; i++)
		if (post_ev(v, i))
			return -1;
	gk_vq_kick(&v->rxq);
	gk_vq_kick(&v->evq);
	return 0;
}

static void reap_tx(struct gk_vsock *v)
{
	void *cookie;
	uint32_t len;

	while (gk_vq_get(&v->txq, &cookie, &len)) {
		int i = gk_vq_cookie_index(cookie, TXBUFS);

		if (i < 0 || !tx_busy[i])
			v->bad_used++;
		else
			tx_busy[i] = false;
	}
}

static int free_tx(void)
{
	for (unsigned i = 0; i < TXBUFS; i++)
		if (!tx_busy[i])
			return (int)i;
	return -1;
}

static bool tx_free_done(void *p)
{
	reap_tx(p);
	return free_tx() >= 0;
}

/*
 * Sends one packet; h is completed with our CID.  Only the tx queue is
 * reaped while waiting for a buffer, so a reply sent from rx dispatch
 * cannot recurse into dispatch.
 */
bool gk_vsock__xmit(struct gk_vsock *v, struct gk_vsock_hdr *h,
		    const void *data, uint32_t len)
{
	struct gk_buf b[2];
	int i;

	if (len > GK_VSOCK_PAYLOAD)
		return false;
	if (!tx_free_done(v) && !gk_wait(tx_free_done, v, TX_WAIT_US)) {
		v->tx_stuck++;
		return false;
	}
	i = free_tx();
	h->src_cid = v->cid;
	h->dst_cid = GK_VSOCK_HOST_CID;
	h->type = VIRTIO_VSOCK_TYPE_STREAM;
	h->len = len;
	tx_buf[i].hdr = *h;
	if (len)
		memcpy(tx_buf[i].data, data, len);
	b[0] = (struct gk_buf){ (uintptr_t)&tx_buf[i].hdr, sizeof(*h), false };
	b[1] = (struct gk_buf){ (uintptr_t)tx_buf[i].data, len, false };
	if (gk_vq_add(&v->txq, b, len ? 2 : 1, false, gk_vq_cookie((unsigned)i)))
		return false;
	tx_busy[i] = true;
	gk_vq_kick(&v->txq);
	return true;
}

static void bad(struct gk_vsock *v, uint16_t op, unsigned reason)
{
	v->bad_pkts++;
	v->last_bad = (uint32_t)op << 16 | reason;
}

/* §5.10.6.1: what a well-formed packet from the host looks like. */
static bool valid(struct gk_vsock *v, const struct gk_vsock_hdr *h, uint32_t used)
{
	if (used < sizeof(*h) || used > sizeof(struct rxbuf)) {
		bad(v, 0, 1);
		return false;
	}
	if (h->len != used - sizeof(*h) ||
	    (h->op != VIRTIO_VSOCK_OP_RW && h->len)) {
		bad(v, h->op, 2);
		return false;
	}
	if (h->src_cid != GK_VSOCK_HOST_CID || h->dst_cid != v->cid) {
		bad(v, h->op, 3);
		return false;
	}
	if (h->type != VIRTIO_VSOCK_TYPE_STREAM || h->op == 0 ||
	    h->op > VIRTIO_VSOCK_OP_CREDIT_REQUEST) {
		bad(v, h->op, 4);
		return false;
	}
	return true;
}

static void on_rx(struct gk_vsock *v, unsigned i, uint32_t len)
{
	if (valid(v, &rx_buf[i].hdr, len))
		gk_vsock__dispatch(v, &rx_buf[i].hdr, rx_buf[i].data);
}

static void on_event(struct gk_vsock *v, unsigned i, uint32_t len)
{
	v->events++;
	/* §5.10.6.8: after a transport reset no connection survives. */
	if (len >= 4 && ev_buf[i] == VIRTIO_VSOCK_EVENT_TRANSPORT_RESET)
		for (unsigned k = 0; k < GK_VSOCK_CONNS; k++)
			if (v->conn[k].state != GK_VS_FREE)
				v->conn[k].state = GK_VS_CLOSED;
}

/* Handles each used buffer of a device-writable pool, then gives it back. */
static void reap_pool(struct gk_vsock *v, struct gk_vq *q, unsigned n,
		      void (*handle)(struct gk_vsock *, unsigned, uint32_t),
		      int (*post)(struct gk_vsock *, unsigned))
{
	void *cookie;
	uint32_t len;

	while (gk_vq_get(q, &cookie, &len)) {
		int i = gk_vq_cookie_index(cookie, n);

		if (i < 0) {
			v->bad_used++;
			continue;
		}
		handle(v, (unsigned)i, len);
		if (post(v, (unsigned)i))
			v->bad_used++;
		gk_vq_kick(q);
	}
}

void gk_vsock_poll(struct gk_vsock *v)
{
	reap_tx(v);
	reap_pool(v, &v->rxq, RXBUFS, on_rx, post_rx);
	reap_pool(v, &v->evq, EVBUFS, on_event, post_ev);
}

struct wait_ctx {
	struct gk_vsock *v;
	bool (*done)(void *);
	void *ctx;
};

static bool poll_done(void *p)
{
	struct wait_ctx *w = p;

	gk_vsock_poll(w->v);
	return w->done(w->ctx);
}

bool gk_vsock_wait(struct gk_vsock *v, bool (*done)(void *), void *ctx,
		   uint64_t timeout_us)
{
	struct wait_ctx w = { v, done, ctx };

	return gk_wait(poll_done, &w, timeout_us);
}
