// SPDX-License-Identifier: MIT
/*
 * The receive queue (virtio 1.2 §5.1.6.3, §5.1.6.4): a frame is read from
 * the backend into a bounce buffer (its length is unknown until read),
 * its header checked against the negotiated receive offloads, the rate
 * limiter charged, and the frame copied into device-writable buffers:
 * one buffer without MRG_RXBUF, up to VNET_RX_MAX_BUFS with it, with
 * num_buffers patched into the first buffer's header once the count is
 * known (§5.1.6.4: the device sets it).  A frame that waits for buffers
 * keeps the buffers it already filled in flight; the backend is not read
 * again until it is delivered, so the tap's own queue absorbs bursts.
 *
 * Each descriptor is read from guest memory once: the frame is written to
 * the buffers recorded while the chain was checked, so a guest changing
 * its descriptors meanwhile cannot make the device write elsewhere or
 * less than it decided.
 */
#include <errno.h>
#include <string.h>

#include <virtq/chain.h>

#include "device_internal.h"

enum { RX_NUM_BUFFERS_OFF = 10 };	/* offset of num_buffers in the header */

void vnet__rx_clear(struct vnet_device *d)
{
	d->rx.have_frame = false;
	d->rx.paid = false;
	d->rx.blocked = false;
	d->rx.off = 0;
	d->rx.nbufs = 0;
}

static bool mergeable(const struct vnet_device *d)
{
	return d->features & VNET_BIT(VIRTIO_NET_F_MRG_RXBUF);
}

/* Ones' complement sum (RFC 1071) of big-endian 16-bit words, folded. */
static uint16_t csum_sum(const uint8_t *p, uint32_t len)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * §5.1.6.4.1: without GUEST_CSUM the device sets flags to 0 and should
 * hand over a fully checksummed frame.  DATA_VALID only says the checksum
 * was verified, so it is simply cleared.  NEEDS_CSUM on a plain frame is
 * completed here as the guest's stack would (the field holds the
 * pseudo-header sum; 0 becomes 0xffff, which UDP requires).  Anything
 * else is left for vnet_hdr_check_rx() to refuse.
 */
static void fix_csum(struct vnet_hdr *h, uint8_t *frame, uint32_t len)
{
	uint32_t at = (uint32_t)h->csum_start + h->csum_offset;
	uint16_t c;

	h->flags &= (uint8_t)~VIRTIO_NET_HDR_F_DATA_VALID;
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
	    h->gso_type != VIRTIO_NET_HDR_GSO_NONE || at + 2u > len)
		return;
	c = (uint16_t)~csum_sum(frame + h->csum_start, len - h->csum_start);
	if (c == 0)
		c = 0xffff;
	frame[at] = (uint8_t)(c >> 8);
	frame[at + 1] = (uint8_t)c;
	h->flags &= (uint8_t)~VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = 0;
	h->csum_offset = 0;
}

/* §5.1.4.1: with VIRTIO_NET_F_MTU no plain frame above the MTU reaches
 * the driver (the allowance is that of transmit). */
static bool over_mtu(const struct vnet_device *d, const struct vnet_hdr *h,
		     uint32_t len)
{
	return (d->features & VNET_BIT(VIRTIO_NET_F_MTU)) &&
	       h->gso_type == VIRTIO_NET_HDR_GSO_NONE &&
	       len > (uint32_t)d->mtu + VNET_MTU_OVERHEAD;
}

/* Reads the next frame from the backend: 1 got one, 0 none, -1 error. */
static int fetch(struct vnet_device *d)
{
	struct vnet_hdr h;
	ssize_t n = d->backend.ops->recv(d->backend.ctx, d->rx.buf,
					 sizeof(d->rx.buf));
	uint32_t len;

	if (n == -EAGAIN)
		return 0;
	if (n < 0) {
		d->stats.rx_backend_errors++;
		return -1;
	}
	if ((size_t)n < VNET_HDR_LEN + VNET_ETH_HLEN) {
		d->stats.rx_dropped++;
		return 1;
	}
	len = (uint32_t)n - VNET_HDR_LEN;
	vnet_hdr_decode(d->rx.buf, &h);
	if (over_mtu(d, &h, len)) {
		d->stats.rx_dropped++;
		return 1;
	}
	if (!(d->features & VNET_BIT(VIRTIO_NET_F_GUEST_CSUM)))
		fix_csum(&h, d->rx.buf + VNET_HDR_LEN, len);
	if (vnet_hdr_check_rx(&h, len, d->features)) {
		d->stats.rx_bad_hdr++;
		return 1;
	}
	/* num_buffers is the device's to set (§5.1.6.4). */
	h.num_buffers = 1;
	vnet_hdr_encode(&h, d->rx.buf);
	d->rx.have_frame = true;
	d->rx.len = (uint32_t)n;
	d->rx.off = 0;
	d->rx.nbufs = 0;
	return 1;
}

/* Remembers where header byte `off` lands (for num_buffers). */
static void note_hdr_byte(struct vnet_device *d, uint32_t frame_off,
			  uint64_t gpa, uint32_t n)
{
	for (uint32_t b = 0; b < 2; b++) {
		uint32_t want = RX_NUM_BUFFERS_OFF + b;

		if (want >= frame_off && want < frame_off + n)
			d->rx.num_buffers_gpa[b] = gpa + (want - frame_off);
	}
}

/*
 * Checks a whole chain before anything is written into it, so that a bad
 * descriptor at its end does not leave a half-written buffer behind, and
 * records in rx.seg_* the part of its first VNET_RX_MAX_SEGS buffers the
 * rest of the frame takes: *room gets its size.  0 usable, -EBADMSG /
 * -EFAULT a walk error or a device-readable buffer, -ENOSPC the first
 * buffer of a frame cannot hold the header.
 */
static int check_chain(struct vnet_device *d, struct virtq_chain *chain,
		       bool first, uint32_t *room)
{
	uint32_t need = d->rx.len - d->rx.off;
	struct virtq_desc desc;
	int r;

	d->rx.nsegs = 0;
	*room = 0;
	while ((r = virtq_chain_next(chain, &desc)) == 1) {
		uint32_t n = need - *room < desc.len ? need - *room : desc.len;

		if (!virtq_desc_is_writable(&desc))
			return -EBADMSG;
		if (n == 0 || d->rx.nsegs == VNET_RX_MAX_SEGS)
			continue;
		d->rx.seg_addr[d->rx.nsegs] = desc.addr;
		d->rx.seg_len[d->rx.nsegs++] = n;
		*room += n;
	}
	if (r < 0)
		return r;
	if (first && *room < VNET_HDR_LEN)
		return -ENOSPC;
	return 0;
}

/* Writes the next part of the frame into the recorded buffers: bytes
 * written or -EFAULT. */
static int64_t write_segs(struct vnet_device *d)
{
	uint32_t written = 0;

	for (uint16_t i = 0; i < d->rx.nsegs; i++) {
		uint32_t n = d->rx.seg_len[i];

		if (vmmem_write(d->mem, d->rx.seg_addr[i], d->rx.buf + d->rx.off, n))
			return -EFAULT;
		note_hdr_byte(d, d->rx.off, d->rx.seg_addr[i], n);
		d->rx.off += n;
		written += n;
	}
	return written;
}

/* Returns every buffer taken for the frame with length 0 and forgets it.
 * The frame never reaches the guest, so its charge is given back. */
static int drop_frame(struct vnet_device *d)
{
	int err = 0;

	for (uint16_t i = 0; i < d->rx.nbufs && !err; i++)
		err = vnet__put_used(d, VNET_RX_QUEUE, d->rx.heads[i], 0);
	if (d->rx.paid)
		rlim_refund(&d->rx_limit, 1, d->rx.len - VNET_HDR_LEN);
	d->stats.rx_dropped++;
	vnet__rx_clear(d);
	return err;
}

/* Buffers a merged frame may hold: once it holds as many as the ring has
 * heads, the driver has none left to post. */
static uint16_t max_bufs(const struct vnet_device *d)
{
	uint16_t size = d->queues[VNET_RX_QUEUE].size;

	return size < VNET_RX_MAX_BUFS ? size : VNET_RX_MAX_BUFS;
}

/* The frame is complete: num_buffers, then the used entries in order. */
static int complete(struct vnet_device *d)
{
	int err = 0;

	if (d->rx.nbufs > 1) {
		uint16_t nb = d->rx.nbufs;

		err = vmmem_store_u8(d->mem, d->rx.num_buffers_gpa[0], (uint8_t)nb);
		if (!err)
			err = vmmem_store_u8(d->mem, d->rx.num_buffers_gpa[1],
					     (uint8_t)(nb >> 8));
	}
	for (uint16_t i = 0; i < d->rx.nbufs && !err; i++)
		err = vnet__put_used(d, VNET_RX_QUEUE, d->rx.heads[i], d->rx.lens[i]);
	if (!err) {
		d->stats.rx_frames++;
		d->stats.rx_bytes += d->rx.len - VNET_HDR_LEN;
	}
	vnet__rx_clear(d);
	return err;
}

/* 1 when err is 0, else err: the step made progress or broke the queue. */
static int progress(int err)
{
	return err ? err : 1;
}

/* A chain the frame cannot use goes back empty. */
static int reject(struct vnet_device *d, uint16_t head, int why)
{
	if (why == -ENOSPC)
		d->stats.rx_short_buffer++;
	else
		d->stats.rx_bad_buffer++;
	return progress(vnet__put_used(d, VNET_RX_QUEUE, head, 0));
}

/* One chain towards the frame: 1 progress, 0 no buffer, -errno broken. */
static int take_buffer(struct vnet_device *d)
{
	struct virtq_queue *q = &d->queues[VNET_RX_QUEUE];
	struct virtq_chain chain;
	uint32_t room;
	int64_t n;
	int r = virtq_queue_pop(q, &chain);

	if (r != 1)
		return r;
	r = check_chain(d, &chain, d->rx.nbufs == 0, &room);
	if (r)
		return reject(d, chain.head, r);
	if (!mergeable(d) && room < d->rx.len) {
		/* Without MRG_RXBUF a frame must fit one buffer: drop the
		 * frame and keep the buffer for the next one. */
		r = virtq_queue_unpop(q, &chain);
		return progress(r ? r : drop_frame(d));
	}
	n = write_segs(d);
	d->rx.heads[d->rx.nbufs] = chain.head;
	d->rx.lens[d->rx.nbufs++] = n < 0 ? 0 : (uint32_t)n;
	if (n < 0 || (d->rx.off < d->rx.len && d->rx.nbufs == max_bufs(d)))
		return progress(drop_frame(d));
	if (d->rx.off == d->rx.len)
		return progress(complete(d));
	return 1;
}

/* Charges the rate limiter once per frame: false when it refused. */
static bool pay(struct vnet_device *d)
{
	if (d->rx.paid)
		return true;
	if (rlim_consume(&d->rx_limit, 1, d->rx.len - VNET_HDR_LEN)) {
		d->rx.blocked = true;
		d->stats.rx_throttled++;
		return false;
	}
	d->rx.paid = true;
	return true;
}

/*
 * One step: 1 progress, 0 stop (backend empty, limiter, link), 2 stop for
 * want of buffers (notifications must be re-enabled), -errno broken.
 */
static int rx_step(struct vnet_device *d)
{
	int r;

	if (!d->rx.have_frame) {
		r = virtq_queue_pending(&d->queues[VNET_RX_QUEUE]);
		if (r <= 0)
			return r < 0 ? r : 2;
		r = fetch(d);
		if (r <= 0)
			return 0;
		if (!d->rx.have_frame)
			return 1;	/* dropped: try the next one */
	}
	if (!pay(d))
		return 0;
	r = take_buffer(d);
	return r == 0 ? 2 : r;
}

void vnet__rx_process(struct vnet_device *d)
{
	struct virtq_queue *q = &d->queues[VNET_RX_QUEUE];
	int r;

	if (!vnet__running(d) || !virtq_queue_is_live(q) || d->rx.blocked ||
	    !d->link_up)
		return;
	do {
		r = virtq_queue_disable_notification(q);
		while (r >= 0 && (r = rx_step(d)) == 1)
			;
		if (r != 2)
			break;
		/* Out of buffers: ask for a kick, and look again in case the
		 * driver added some before it saw the request. */
	} while ((r = virtq_queue_enable_notification(q)) == 1);
	if (r < 0) {
		vnet__needs_reset(d);
		return;
	}
	vnet__signal(d, VNET_RX_QUEUE);
}
