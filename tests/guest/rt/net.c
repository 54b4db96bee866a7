// SPDX-License-Identifier: MIT
/*
 * virtio-net driver (virtio 1.2 §5.1) on the kit's virtio core: queue 0 is
 * receiveq, queue 1 transmitq (§5.1.2).  Without MRG_RXBUF and the GUEST
 * offloads every receive buffer must hold the header and a whole frame
 * (§5.1.6.3.1), so each is one 2 KiB device-writable descriptor.  A
 * transmitted frame is two descriptors, the 12-byte header then the frame,
 * so the device's gathering across descriptors is exercised too.  Whatever
 * the device puts in the used ring is checked before use: an unknown cookie
 * or a length beyond the buffer is counted, not trusted.
 */
#include "net.h"

#define NET_VECTOR 0x48

static struct gk_vring_mem rx_mem, tx_mem;
static uint8_t rx_buf[GK_NET_RXBUFS][GK_NET_BUF] GK_ALIGNED(64);
static struct {
	struct gk_net_hdr hdr;
	uint8_t frame[GK_NET_BUF];
} tx_buf[GK_NET_TXBUFS] GK_ALIGNED(64);

static int post_rx(struct gk_net *n, unsigned i)
{
	struct gk_buf b = { (uintptr_t)rx_buf[i], GK_NET_BUF, true };

	return gk_vq_add(&n->rxq, &b, 1, false, gk_vq_cookie(i));
}

static void read_config(struct gk_net *n)
{
	for (unsigned i = 0; i < 6; i++)
		n->mac[i] = gk_mmio_r8(n->dev.mmio.base + VMMIO_CONFIG +
				       VIRTIO_NET_CFG_MAC + i);
	n->status = gk_mmio_r16(n->dev.mmio.base + VMMIO_CONFIG +
				VIRTIO_NET_CFG_STATUS);
	n->mtu = gk_mmio_r16(n->dev.mmio.base + VMMIO_CONFIG +
			     VIRTIO_NET_CFG_MTU);
}

int gk_net_init(struct gk_net *n, unsigned idx, struct gk_init_log *log)
{
	struct gk_vq *qs[2] = { &n->rxq, &n->txq };
	struct gk_vring_mem *mems[2] = { &rx_mem, &tx_mem };
	uint64_t want = VF_BIT(VIRTIO_F_VERSION_1) | VF_BIT(VIRTIO_F_EVENT_IDX) |
			VF_BIT(VIRTIO_NET_F_MAC) | VF_BIT(VIRTIO_NET_F_STATUS) |
			VF_BIT(VIRTIO_NET_F_MTU);

	memset(n, 0, sizeof(*n));
	if (gk_vdev_find(&n->dev, VIRTIO_ID_NET, idx))
		return -2;
	if (gk_vdev_init_queues(&n->dev, want, qs, mems, 2, 0, log))
		return -1;
	read_config(n);
	/* The interrupt only ends a gk_wait() early; all work is polled. */
	if (gk_vdev_irq_enable(&n->dev, NET_VECTOR))
		return -1;
	gk_vq_want_irq(&n->rxq, true);
	gk_vq_want_irq(&n->txq, true);
	for (unsigned i = 0; i < GK_NET_RXBUFS && i < n->rxq.size; i++)
		if (post_rx(n, i))
			return -1;
	gk_vq_kick(&n->rxq);
	return 0;
}

void gk_net_reap_tx(struct gk_net *n)
{
	void *cookie;
	uint32_t len;

	while (gk_vq_get(&n->txq, &cookie, &len)) {
		int i = gk_vq_cookie_index(cookie, GK_NET_TXBUFS);

		if (i < 0 || !n->tx_busy[i]) {
			n->bad_used++;
			continue;
		}
		n->tx_busy[i] = false;
	}
}

bool gk_net_send(struct gk_net *n, const void *frame, uint32_t len)
{
	struct gk_buf b[2];
	unsigned i;

	if (len > GK_NET_FRAME_MAX)
		return false;
	gk_net_reap_tx(n);
	for (i = 0; i < GK_NET_TXBUFS && n->tx_busy[i]; i++)
		;
	if (i == GK_NET_TXBUFS)
		return false;
	/* §5.1.6.2: no offload asked for, num_buffers zero on transmit. */
	memset(&tx_buf[i].hdr, 0, sizeof(tx_buf[i].hdr));
	memcpy(tx_buf[i].frame, frame, len);
	b[0] = (struct gk_buf){ (uintptr_t)&tx_buf[i].hdr, sizeof(struct gk_net_hdr), false };
	b[1] = (struct gk_buf){ (uintptr_t)tx_buf[i].frame, len, false };
	if (gk_vq_add(&n->txq, b, 2, false, gk_vq_cookie(i)))
		return false;
	n->tx_busy[i] = true;
	n->tx_frames++;
	gk_vq_kick(&n->txq);
	return true;
}

int gk_net_recv(struct gk_net *n, void *out, uint32_t cap,
		struct gk_net_hdr *hdr)
{
	void *cookie;
	uint32_t len;
	int i, got = -1;

	while (got < 0 && gk_vq_get(&n->rxq, &cookie, &len)) {
		i = gk_vq_cookie_index(cookie, GK_NET_RXBUFS);
		if (i < 0) {
			n->bad_used++;
			continue;
		}
		if (len < sizeof(*hdr) || len > GK_NET_BUF) {
			/* Linux drops these as too short; the buffer is reused. */
			n->rx_short++;
		} else {
			uint32_t flen = len - (uint32_t)sizeof(*hdr);

			memcpy(hdr, rx_buf[i], sizeof(*hdr));
			memcpy(out, rx_buf[i] + sizeof(*hdr), flen < cap ? flen : cap);
			n->rx_frames++;
			got = (int)flen;
		}
		if (post_rx(n, (unsigned)i))
			n->bad_used++;
		gk_vq_kick(&n->rxq);
	}
	return got;
}
