// SPDX-License-Identifier: MIT
/*
 * The transmit queue (virtio 1.2 §5.1.6.2): each chain is a 12-byte
 * header and a frame in device-readable buffers.  The chain is walked and
 * checked in full, the header copied out and checked (<vnet/hdr.h>), the
 * rate limiter charged, and the frame handed to the backend as an iovec
 * straight over guest memory (zero copy) behind the host copy of the
 * header.  Every chain goes back to the used ring with length 0 (§5.1.6.2:
 * nothing is written), dropped ones too; only a backend that is full or a
 * limiter that refuses puts the chain back for later.
 */
#include <errno.h>

#include <virtq/chain.h>

#include "device_internal.h"

enum tx_verdict { TX_SEND, TX_DROP, TX_LATER };

/* Walks the chain into tx.seg_*; counts a malformed chain. */
static int walk(struct vnet_device *d, struct virtq_chain *chain, uint64_t *total)
{
	struct virtq_desc desc;
	int r;

	d->tx.nsegs = 0;
	*total = 0;
	while ((r = virtq_chain_next(chain, &desc)) == 1) {
		if (virtq_desc_is_writable(&desc) || d->tx.nsegs == VNET_TX_MAX_SEGS)
			return -EBADMSG;
		d->tx.seg_addr[d->tx.nsegs] = desc.addr;
		d->tx.seg_len[d->tx.nsegs++] = desc.len;
		*total += desc.len;
		if (*total > VNET_HDR_LEN + VNET_MAX_FRAME)
			return -E2BIG;	/* stop early: no need to see the rest */
	}
	return r;
}

/* Copies the header out of the first segments. */
static int read_hdr(struct vnet_device *d, uint8_t wire[VNET_HDR_LEN])
{
	uint32_t got = 0;

	for (uint16_t i = 0; got < VNET_HDR_LEN; i++) {
		uint32_t n = d->tx.seg_len[i] < VNET_HDR_LEN - got ?
			     d->tx.seg_len[i] : VNET_HDR_LEN - got;
		int err = vmmem_read(d->mem, d->tx.seg_addr[i], wire + got, n);

		if (err)
			return err;
		got += n;
	}
	return 0;
}

/* iov[0] = header copy, then the frame bytes of every segment. */
static int build_iov(struct vnet_device *d, uint8_t *wire, int *cnt)
{
	struct vmmem_iovec v;
	uint32_t skip = VNET_HDR_LEN;

	d->tx.iov[0] = (struct iovec){ wire, VNET_HDR_LEN };
	vmmem_iovec_init(&v, d->tx.iov + 1, 2 * VNET_TX_MAX_SEGS);
	for (uint16_t i = 0; i < d->tx.nsegs; i++) {
		uint32_t len = d->tx.seg_len[i], cut = skip < len ? skip : len;
		int err;

		skip -= cut;
		if (len == cut)
			continue;
		err = vmmem_iovec_append(d->mem, &v, d->tx.seg_addr[i] + cut,
					 len - cut, VMMEM_READ);
		if (err)
			return err;
	}
	*cnt = (int)v.count + 1;
	return 0;
}

static enum tx_verdict check(struct vnet_device *d, struct virtq_chain *chain,
			     uint8_t *wire, uint32_t *frame_len)
{
	struct vnet_hdr h;
	uint64_t total;
	int r = walk(d, chain, &total);

	if (r == -E2BIG) {
		d->stats.tx_too_long++;
		return TX_DROP;
	}
	if (r < 0 || total < VNET_HDR_LEN + VNET_ETH_HLEN || read_hdr(d, wire)) {
		d->stats.tx_malformed++;
		return TX_DROP;
	}
	*frame_len = (uint32_t)(total - VNET_HDR_LEN);
	vnet_hdr_decode(wire, &h);
	if (vnet_hdr_check_tx(&h, *frame_len, d->features, d->mtu)) {
		d->stats.tx_bad_hdr++;
		return TX_DROP;
	}
	/* Unknown flag bits are ignored: the backend does not see them. */
	wire[0] = h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (!d->link_up) {
		d->stats.tx_link_down++;
		return TX_DROP;
	}
	return TX_SEND;
}

static enum tx_verdict send_frame(struct vnet_device *d, uint8_t *wire,
				  uint32_t frame_len)
{
	ssize_t n;
	int cnt;

	if (rlim_consume(&d->tx_limit, 1, frame_len)) {
		d->tx.blocked = true;
		d->stats.tx_throttled++;
		return TX_LATER;
	}
	/* Whatever does not reach the backend gets its charge back. */
	if (build_iov(d, wire, &cnt)) {
		rlim_refund(&d->tx_limit, 1, frame_len);
		d->stats.tx_malformed++;
		return TX_DROP;
	}
	n = d->backend.ops->send(d->backend.ctx, d->tx.iov, cnt);
	if (n < 0)
		rlim_refund(&d->tx_limit, 1, frame_len);
	if (n == -EAGAIN) {
		d->tx.backend_full = true;
		return TX_LATER;
	}
	if (n < 0) {
		d->stats.tx_backend_errors++;
		return TX_DROP;
	}
	d->stats.tx_frames++;
	d->stats.tx_bytes += frame_len;
	return TX_SEND;
}

/* 1 handled, 0 empty or must wait, -errno when the queue is broken. */
static int tx_one(struct vnet_device *d)
{
	struct virtq_queue *q = &d->queues[VNET_TX_QUEUE];
	struct virtq_chain chain;
	uint8_t wire[VNET_HDR_LEN];
	uint32_t frame_len = 0;
	enum tx_verdict v;
	int r = virtq_queue_pop(q, &chain);

	if (r != 1)
		return r;
	v = check(d, &chain, wire, &frame_len);
	if (v == TX_SEND)
		v = send_frame(d, wire, frame_len);
	if (v == TX_LATER) {
		r = virtq_queue_unpop(q, &chain);
		return r ? r : 0;
	}
	r = vnet__put_used(d, VNET_TX_QUEUE, chain.head, 0);
	return r ? r : 1;
}

void vnet__tx_process(struct vnet_device *d)
{
	struct virtq_queue *q = &d->queues[VNET_TX_QUEUE];
	int r;

	if (!vnet__running(d) || !virtq_queue_is_live(q) ||
	    d->tx.blocked || d->tx.backend_full)
		return;
	do {
		r = virtq_queue_disable_notification(q);
		while (r >= 0 && (r = tx_one(d)) == 1)
			;
		if (r < 0 || d->tx.blocked || d->tx.backend_full)
			break;
	} while ((r = virtq_queue_enable_notification(q)) == 1);
	if (r < 0)
		vnet__needs_reset(d);
	else
		vnet__signal(d, VNET_TX_QUEUE);
}
