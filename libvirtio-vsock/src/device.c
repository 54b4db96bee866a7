/* SPDX-License-Identifier: MIT */
/*
 * The virtio socket device model (virtio 1.2 §5.10) on libvirtio-queue's
 * virtio-mmio transport: feature set, configuration space (§5.10.4), and
 * the three queues (§5.10.2).  Host-side logic lives in mux*.c.
 *
 *  - tx: each chain is one guest packet (header then payload, any layout,
 *    device-readable only).  It is parsed (packet.c) and handed to the
 *    host side, then returned with used length 0.  A chain the queue
 *    refuses (loop, unbacked buffer ...), one with a device-writable
 *    buffer, or one too short for a header is counted and dropped: a tx
 *    completion carries no status, so the device stays live.
 *  - rx: buffers are popped only when the host side has a packet; the
 *    header is scattered into the first VSOCK_HDR_SIZE bytes and data is
 *    read from the socket straight behind it.  An rx chain that is
 *    malformed or shorter than a header is returned empty and counted.
 *  - event: holds buffers for VIRTIO_VSOCK_EVENT_TRANSPORT_RESET.
 *
 * Queue-contract violations (index jumps, heads reused while in flight)
 * are detected by libvirtio-queue and end in DEVICE_NEEDS_RESET.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <virtq/chain.h>
#include <vsock/device.h>

#include "device_priv.h"
#include "iov.h"

#define BIT(n) (1ull << (n))

_Static_assert(VSOCK_EV_IN == POLLIN && VSOCK_EV_OUT == POLLOUT &&
	       VSOCK_EV_ERR == POLLERR && VSOCK_EV_HUP == POLLHUP,
	       "VSOCK_EV_* take poll's values");

static struct vsock_device *dev_of(void *ctx)
{
	return ctx;
}

/* No VIRTIO_VSOCK_F_SEQPACKET: only stream sockets are implemented. */
static uint64_t op_features(void *ctx)
{
	(void)ctx;
	return BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_INDIRECT_DESC) |
	       BIT(VIRTIO_F_EVENT_IDX);
}

/* The transport keeps offset + len within config_size, which is exactly
 * the configuration's size.  No config_write: guest_cid is read-only, and
 * the transport ignores writes when the op is NULL. */
static void op_config_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	memcpy(buf, (const uint8_t *)&dev_of(ctx)->config + offset, len);
}

static int op_activate(void *ctx, uint64_t features)
{
	dev_of(ctx)->features = features;
	return 0;
}

static void op_reset(void *ctx)
{
	struct vsock_device *d = dev_of(ctx);

	vsock__mux_reset(&d->mux);
	d->features = 0;
	d->event_pending = false;
	memset(d->unsignalled, 0, sizeof(d->unsignalled));
}

static void needs_reset(struct vsock_device *d)
{
	d->stats.needs_reset++;
	virtq_mmio_needs_reset(&d->mmio);
}

static int put_used(struct vsock_device *d, uint16_t q, uint16_t head, uint32_t len)
{
	int err = virtq_queue_add_used(&d->queues[q], head, len);

	if (!err)
		d->unsignalled[q] = true;
	return err;
}

/*
 * Collects a chain into d->iov, all buffers in one direction.  Returns the
 * entries, or -EBADMSG for a chain to drop (refused by the queue, wrong
 * direction, more than VSOCK__MAX_SEGS pieces).  *bytes gets the total.
 */
static int collect(struct vsock_device *d, struct virtq_chain *chain, bool writable,
		   uint64_t *bytes)
{
	struct vmmem_iovec v;
	struct virtq_desc desc;
	int r;

	vmmem_iovec_init(&v, d->iov, VSOCK__MAX_SEGS);
	while ((r = virtq_chain_next(chain, &desc)) == 1)
		if (virtq_desc_append_iovec(d->mem, &desc, writable, &v))
			return -EBADMSG;
	if (r < 0)
		return -EBADMSG;
	*bytes = v.bytes;
	return (int)v.count;
}

static void tx_packet(struct vsock_device *d, size_t n, uint64_t bytes)
{
	uint8_t raw[VSOCK_HDR_SIZE];
	size_t got = vsock__iov_gather(raw, d->iov, n, sizeof(raw));
	struct vsock_hdr h;
	enum vsock_pkt_verdict v = vsock_pkt_parse(raw, got, d->mux.guest_cid,
						   bytes - got, &h);
	size_t np;

	switch (v) {
	case VSOCK_PKT_OK:
		d->stats.tx_packets++;
		np = vsock__iov_slice(d->iov, n, VSOCK_HDR_SIZE, h.len, d->payload,
				      VSOCK__MAX_SEGS);
		vsock__mux_guest_pkt(&d->mux, &h, d->payload, np);
		return;
	case VSOCK_PKT_SHORT:
	case VSOCK_PKT_BAD_SRC_CID:
	case VSOCK_PKT_BAD_DST_CID:
		/* Nobody we may answer: drop. */
		d->stats.rejected[v]++;
		return;
	case VSOCK_PKT_BAD_TYPE:
	case VSOCK_PKT_BAD_OP:
	case VSOCK_PKT_BAD_FLAGS:
	case VSOCK_PKT_BAD_LEN:
		break;
	case VSOCK_PKT_NR_VERDICTS:	/* never returned */
		return;
	}
	d->stats.rejected[v]++;
	vsock__mux_guest_bad(&d->mux, &h);
}

/* 1 handled a chain, 0 queue empty, -errno queue broken. */
static int tx_one(struct vsock_device *d)
{
	struct virtq_chain chain;
	uint64_t bytes = 0;
	int n, r = virtq_queue_pop(&d->queues[VSOCK_QUEUE_TX], &chain);

	if (r != 1)
		return r;
	n = collect(d, &chain, false, &bytes);
	if (n < 0)
		d->stats.malformed++;
	else
		tx_packet(d, (size_t)n, bytes);
	r = put_used(d, VSOCK_QUEUE_TX, chain.head, 0);
	return r ? r : 1;
}

/* What rx_one did, besides -errno. */
enum { RX_EMPTY = 0, RX_DONE = 1, RX_IDLE = 2 };

/* RX_DONE delivered a packet (or dropped a bad buffer), RX_EMPTY found no
 * buffer, RX_IDLE had nothing to send. */
static int rx_one(struct vsock_device *d)
{
	struct virtq_queue *q = &d->queues[VSOCK_QUEUE_RX];
	struct virtq_chain chain;
	uint8_t raw[VSOCK_HDR_SIZE];
	struct vsock_hdr h;
	uint64_t bytes = 0;
	size_t np;
	int n, r;

	if (!vsock__mux_rx_pending(&d->mux))
		return RX_IDLE;
	r = virtq_queue_pop(q, &chain);
	if (r == 0 || r == 1)
		vsock__mux_set_rx_starved(&d->mux, r == 0);
	if (r != 1)
		return r;
	n = collect(d, &chain, true, &bytes);
	if (n < 0 || bytes < VSOCK_HDR_SIZE) {
		d->stats.malformed++;
		r = put_used(d, VSOCK_QUEUE_RX, chain.head, 0);
		return r ? r : 1;
	}
	np = vsock__iov_slice(d->iov, (size_t)n, VSOCK_HDR_SIZE,
			      bytes - VSOCK_HDR_SIZE, d->payload, VSOCK__MAX_SEGS);
	if (!vsock__mux_rx_fill(&d->mux, &h, d->payload, np, bytes - VSOCK_HDR_SIZE)) {
		r = virtq_queue_unpop(q, &chain);
		return r ? r : RX_IDLE;
	}
	vsock_hdr_encode(&h, raw);
	vsock__iov_scatter(d->iov, (size_t)n, raw, sizeof(raw));
	d->stats.rx_packets++;
	r = put_used(d, VSOCK_QUEUE_RX, chain.head, VSOCK_HDR_SIZE + h.len);
	return r ? r : 1;
}

static void event_one(struct vsock_device *d)
{
	struct virtq_queue *q = &d->queues[VSOCK_QUEUE_EVENT];
	struct virtq_chain chain;
	uint64_t bytes = 0;
	uint32_t id = htole32(VIRTIO_VSOCK_EVENT_TRANSPORT_RESET);
	int n, r = 0;

	while (d->event_pending && (r = virtq_queue_pop(q, &chain)) == 1) {
		n = collect(d, &chain, true, &bytes);
		if (n < 0 || bytes < sizeof(id)) {
			d->stats.malformed++;
			r = put_used(d, VSOCK_QUEUE_EVENT, chain.head, 0);
		} else {
			vsock__iov_scatter(d->iov, (size_t)n, &id, sizeof(id));
			d->event_pending = false;
			d->stats.events++;
			r = put_used(d, VSOCK_QUEUE_EVENT, chain.head, sizeof(id));
		}
		if (r)
			break;
	}
	if (r < 0)
		needs_reset(d);
}

static void signal_used(struct vsock_device *d)
{
	for (uint16_t q = 0; q < VSOCK_NUM_QUEUES; q++) {
		if (!d->unsignalled[q])
			continue;
		d->unsignalled[q] = false;
		if (virtq_mmio_signal_used(&d->mmio, q) == 1)
			d->stats.interrupts++;
	}
}

/* FAILED: the driver gave up on the device (§2.1) and may reuse the
 * buffers it posted, so nothing more is written to them. */
static bool running(struct vsock_device *d)
{
	uint32_t st = virtq_mmio_status(&d->mmio);

	return (st & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(st & (VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED));
}

/*
 * The device cannot fill rx buffers (not running, or the driver stopped
 * the rx queue): host data must wait unwatched as for an empty ring, or
 * its readable socket would wake the caller's loop forever.  Only a reset
 * (which closes every connection) or a buffer taken from a live ring ends
 * this.
 */
static void rx_stopped(struct vsock_device *d)
{
	vsock__mux_set_rx_starved(&d->mux, true);
}

/* The drain loop of <virtq/queue.h> over the tx queue. */
static int drain_tx(struct vsock_device *d)
{
	struct virtq_queue *q = &d->queues[VSOCK_QUEUE_TX];
	int r;

	if (!virtq_queue_is_live(q))
		return 0;
	do {
		r = virtq_queue_disable_notification(q);
		while (r >= 0 && (r = tx_one(d)) == 1)
			;
		if (r < 0)
			return r;
	} while ((r = virtq_queue_enable_notification(q)) == 1);
	return r;
}

/*
 * rx buffers are taken only while there is something to send, so the
 * driver's notifications matter only once the ring ran dry: then they are
 * re-enabled (avail_event brought up to date with EVENT_IDX) and the ring
 * checked once more, closing the race with a driver adding buffers.
 */
static int drain_rx(struct vsock_device *d)
{
	struct virtq_queue *q = &d->queues[VSOCK_QUEUE_RX];
	int r;

	if (!virtq_queue_is_live(q)) {
		rx_stopped(d);
		return 0;
	}
	for (;;) {
		r = rx_one(d);
		if (r == RX_DONE)
			continue;
		if (r < 0)
			return r;
		if (r == RX_IDLE)
			return 0;
		r = virtq_queue_enable_notification(q);
		if (r != 1)
			return r;
	}
}

/* Moves everything that can move, then interrupts once. */
static void run(struct vsock_device *d, bool tx)
{
	if (!running(d)) {
		rx_stopped(d);
		return;
	}
	if ((tx && drain_tx(d) < 0) || drain_rx(d) < 0) {
		needs_reset(d);
		rx_stopped(d);
		return;
	}
	signal_used(d);
}

static void op_queue_notify(void *ctx, uint16_t index)
{
	struct vsock_device *d = dev_of(ctx);

	if (index == VSOCK_QUEUE_EVENT) {
		event_one(d);
		signal_used(d);
	} else {
		run(d, index == VSOCK_QUEUE_TX);
	}
}

static const struct virtq_device_ops vsock_ops = {
	.version = VIRTQ_DEVICE_OPS_VERSION,
	.features = op_features,
	.config_read = op_config_read,
	.activate = op_activate,
	.reset = op_reset,
	.queue_notify = op_queue_notify,
};

static int check_config(const struct vsock_device_config *cfg)
{
	uint16_t qs = cfg->queue_size;

	if (!cfg->mem || !cfg->uds_path || cfg->guest_cid < VSOCK_CID_MIN ||
	    cfg->guest_cid > VSOCK_CID_MAX || cfg->max_conns > VSOCK_MAX_CONNS ||
	    (qs & (qs - 1u)) != 0)
		return -EINVAL;
	if (cfg->buf_alloc &&
	    (cfg->buf_alloc < VSOCK_MIN_BUF_ALLOC || cfg->buf_alloc > VSOCK_MAX_BUF_ALLOC))
		return -EINVAL;
	return 0;
}

static int init_transport(struct vsock_device *d, const struct vsock_device_config *cfg)
{
	uint16_t qs = cfg->queue_size ? cfg->queue_size : VSOCK_DEFAULT_QUEUE_SIZE;
	struct virtq_mmio_config mc = {
		.device_id = VIRTIO_ID_VSOCK,
		.vendor_id = cfg->vendor_id,
		.ops = &vsock_ops,
		.ctx = d,
		.queues = d->queues,
		.num_queues = VSOCK_NUM_QUEUES,
		.config_size = sizeof(struct virtio_vsock_config),
		.mem = cfg->mem,
		.irq = cfg->irq,
	};

	for (uint16_t i = 0; i < VSOCK_NUM_QUEUES; i++) {
		int err = virtq_queue_init(&d->queues[i], qs);

		if (err)
			return err;
	}
	return virtq_mmio_init(&d->mmio, &mc);
}

int vsock_device_new(const struct vsock_device_config *cfg, struct vsock_device **out)
{
	struct vsock_device *d;
	int err = check_config(cfg);

	if (err)
		return err;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->mem = cfg->mem;
	d->config.guest_cid = htole64(cfg->guest_cid);
	err = init_transport(d, cfg);
	if (!err)
		err = vsock__mux_init(&d->mux, cfg, &d->stats);
	if (err) {
		free(d);
		return err;
	}
	*out = d;
	return 0;
}

void vsock_device_free(struct vsock_device *d)
{
	if (!d)
		return;
	vsock__mux_fini(&d->mux);
	free(d);
}

void vsock_device_reset(struct vsock_device *d)
{
	virtq_mmio_reset(&d->mmio);
}

struct virtq_mmio *vsock_device_mmio(struct vsock_device *d)
{
	return &d->mmio;
}

int vsock_device_mmio_read(struct vsock_device *d, uint64_t offset,
			   unsigned int size, uint64_t *value)
{
	return virtq_mmio_read(&d->mmio, offset, size, value);
}

int vsock_device_mmio_write(struct vsock_device *d, uint64_t offset,
			    unsigned int size, uint64_t value)
{
	return virtq_mmio_write(&d->mmio, offset, size, value);
}

int vsock_device_notify(struct vsock_device *d, uint16_t index)
{
	if (index >= VSOCK_NUM_QUEUES)
		return -EINVAL;
	return virtq_mmio_queue_notified(&d->mmio, index);
}

int vsock_device_process_fd(struct vsock_device *d, int fd, uint32_t events)
{
	int err = vsock__mux_process_fd(&d->mux, fd, events);

	if (!err)
		run(d, false);
	return err;
}

void vsock_device_transport_reset(struct vsock_device *d)
{
	vsock__mux_reset(&d->mux);
	d->event_pending = true;
	if (running(d) && virtq_queue_is_live(&d->queues[VSOCK_QUEUE_EVENT])) {
		event_one(d);
		signal_used(d);
	}
}

/* Every popped head is returned before the call that popped it ends, so
 * the device is always quiescent here. */
int vsock_device_save(const struct vsock_device *d, struct vsock_device_state *st)
{
	st->guest_cid = d->mux.guest_cid;
	return virtq_mmio_save(&d->mmio, &st->mmio);
}

int vsock_device_restore(struct vsock_device *d, const struct vsock_device_state *st)
{
	int err;

	if (st->guest_cid != d->mux.guest_cid)
		return -EINVAL;
	err = virtq_mmio_restore(&d->mmio, &st->mmio);
	if (err)
		return err;
	vsock_device_transport_reset(d);
	return 0;
}

uint64_t vsock_device_guest_cid(const struct vsock_device *d)
{
	return d->mux.guest_cid;
}

uint32_t vsock_device_conn_count(const struct vsock_device *d)
{
	return d->mux.nconns;
}

uint64_t vsock_device_features(const struct vsock_device *d)
{
	return d->features;
}

const struct vsock_device_stats *vsock_device_stats(const struct vsock_device *d)
{
	return &d->stats;
}
