/* SPDX-License-Identifier: MIT */
/*
 * A freestanding virtio-net driver for the kit (virtio 1.2 §5.1): feature
 * negotiation with VERSION_1 and MAC, the receive queue filled with
 * single-descriptor buffers large enough for the 12-byte virtio_net_hdr
 * plus a full Ethernet frame (§5.1.6.3.1, no MRG_RXBUF), and a transmit
 * queue that sends one frame per chain behind a zeroed header (§5.1.6.2).
 * Polled, with the device interrupt routed only to wake gk_wait().
 */
#ifndef GK_NET_H
#define GK_NET_H

#include "virtio.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_GSO_NONE 0

/* struct virtio_net_config offsets, §5.1.4 */
#define VIRTIO_NET_CFG_MAC 0
#define VIRTIO_NET_CFG_STATUS 6
#define VIRTIO_NET_CFG_MTU 10

#define GK_NET_FRAME_MAX 1514	/* Ethernet header + 1500, no FCS */
#define GK_NET_BUF 2048
#define GK_NET_RXBUFS 32
#define GK_NET_TXBUFS 16

/* struct virtio_net_hdr_v1, §5.1.6: 12 bytes with VERSION_1. */
struct gk_net_hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
} __attribute__((packed));

struct gk_net {
	struct gk_vdev dev;
	struct gk_vq rxq, txq;
	uint8_t mac[6];
	uint16_t status, mtu;
	bool tx_busy[GK_NET_TXBUFS];
	unsigned rx_frames, tx_frames, rx_short, bad_used;
};

/* Finds the idx-th virtio-net device and initialises it: 0, -2 when there
 * is no such device, -1 when initialisation failed. */
int gk_net_init(struct gk_net *n, unsigned idx, struct gk_init_log *log);
/* Queues one frame (copied, behind a zero header); false when it cannot. */
bool gk_net_send(struct gk_net *n, const void *frame, uint32_t len);
/*
 * Takes one received frame, if any: copies up to cap bytes of it into out
 * and its header into *hdr, returns its length (without the header), -1
 * when nothing arrived.  The buffer goes back to the device at once.
 */
int gk_net_recv(struct gk_net *n, void *out, uint32_t cap,
		struct gk_net_hdr *hdr);
/* Reclaims transmitted buffers. */
void gk_net_reap_tx(struct gk_net *n);

#endif
