/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net packet header (virtio 1.2 §5.1.6, struct virtio_net_hdr_v1:
 * 12 bytes, little endian, in front of every frame in both directions) and
 * the checks a device applies to it.  A header is always copied out of
 * guest memory before it is checked, so the guest cannot change it between
 * the check and its use.
 *
 * Transmit checks (what the driver may ask of the device, §5.1.6.2):
 *  - flags: NEEDS_CSUM only with VIRTIO_NET_F_CSUM, and the checksum field
 *    (csum_start + csum_offset + 2 bytes) must lie inside the frame;
 *    DATA_VALID and RSC_INFO are refused (§5.1.6.2.1: the driver must not
 *    set them); bits the device does not know pass (§5.1.6.2.2: it
 *    ignores them), and the device clears them before the backend;
 *  - gso_type: NONE, or TCPV4 / TCPV6 / UDP with HOST_TSO4 / HOST_TSO6 /
 *    HOST_UFO negotiated; no ECN bit (HOST_ECN is not offered); a GSO
 *    frame needs a non-zero gso_size and hdr_len inside the frame;
 *  - with VIRTIO_NET_F_MTU, a non-GSO frame may not exceed the MTU plus an
 *    Ethernet header and one VLAN tag.
 * Receive checks (what the backend hands the guest, §5.1.6.4): flags
 * NEEDS_CSUM / DATA_VALID only with GUEST_CSUM, GSO types only with the
 * matching GUEST_* feature, so that a backend can never give the guest an
 * offload it did not negotiate.  (Before this check the device clears
 * DATA_VALID and completes NEEDS_CSUM for a guest without GUEST_CSUM.)
 */
#ifndef VNET_HDR_H
#define VNET_HDR_H

#include <stdint.h>

#include <linux/virtio_net.h>

#ifndef VNET_WUR
#define VNET_WUR __attribute__((warn_unused_result))
#endif

/* Bytes of struct virtio_net_hdr_v1 (VERSION_1: num_buffers always there). */
#define VNET_HDR_LEN 12u
/* Ethernet header (destination, source, EtherType). */
#define VNET_ETH_HLEN 14u
/* Largest frame after the header: a 64 KiB GSO payload plus Ethernet. */
#define VNET_MAX_FRAME (65536u + VNET_ETH_HLEN)
/* Ethernet header plus one 802.1Q tag, allowed above the MTU. */
#define VNET_MTU_OVERHEAD (VNET_ETH_HLEN + 4u)

/* A header in host byte order. */
struct vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

/* Wire (little endian, 12 bytes) to host order and back. */
void vnet_hdr_decode(const uint8_t wire[VNET_HDR_LEN], struct vnet_hdr *h);
void vnet_hdr_encode(const struct vnet_hdr *h, uint8_t wire[VNET_HDR_LEN]);

/*
 * Transmit check of h for a frame of frame_len bytes (after the header)
 * under the negotiated `features` (VIRTIO_NET_F_* bits) and `mtu` (used
 * only when VIRTIO_NET_F_MTU is in features).  0 or -EBADMSG.
 */
VNET_WUR int vnet_hdr_check_tx(const struct vnet_hdr *h, uint32_t frame_len,
			       uint64_t features, uint16_t mtu);

/* Receive check of a backend's header.  0 or -EBADMSG. */
VNET_WUR int vnet_hdr_check_rx(const struct vnet_hdr *h, uint32_t frame_len,
			       uint64_t features);

#endif
