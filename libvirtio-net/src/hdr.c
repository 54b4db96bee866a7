// SPDX-License-Identifier: MIT
/*
 * The virtio-net header (virtio 1.2 §5.1.6): decoding, encoding and the
 * checks of <vnet/hdr.h>.  The rules follow what the specification lets a
 * driver (§5.1.6.2.1) and a device (§5.1.6.3.1) put in the header and
 * what Linux's virtio_net_hdr_to_skb() refuses (gso_size 0, a checksum
 * field outside the frame), so a frame the tap would reject with -EINVAL
 * never reaches it.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <vnet/hdr.h>

#define BIT(n) (1ull << (n))

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static void put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

void vnet_hdr_decode(const uint8_t wire[VNET_HDR_LEN], struct vnet_hdr *h)
{
	h->flags = wire[0];
	h->gso_type = wire[1];
	h->hdr_len = get16(wire + 2);
	h->gso_size = get16(wire + 4);
	h->csum_start = get16(wire + 6);
	h->csum_offset = get16(wire + 8);
	h->num_buffers = get16(wire + 10);
}

void vnet_hdr_encode(const struct vnet_hdr *h, uint8_t wire[VNET_HDR_LEN])
{
	wire[0] = h->flags;
	wire[1] = h->gso_type;
	put16(wire + 2, h->hdr_len);
	put16(wire + 4, h->gso_size);
	put16(wire + 6, h->csum_start);
	put16(wire + 8, h->csum_offset);
	put16(wire + 10, h->num_buffers);
}

/* The 16-bit checksum field must lie inside the frame. */
static bool csum_inside(const struct vnet_hdr *h, uint32_t frame_len)
{
	return (uint32_t)h->csum_start + h->csum_offset + 2u <= frame_len;
}

/* Feature a GSO type needs: from the host side (TX) or guest side (RX). */
static int gso_feature(uint8_t type, bool tx)
{
	switch (type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return tx ? VIRTIO_NET_F_HOST_TSO4 : VIRTIO_NET_F_GUEST_TSO4;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return tx ? VIRTIO_NET_F_HOST_TSO6 : VIRTIO_NET_F_GUEST_TSO6;
	case VIRTIO_NET_HDR_GSO_UDP:
		return tx ? VIRTIO_NET_F_HOST_UFO : VIRTIO_NET_F_GUEST_UFO;
	default:
		return -1;
	}
}

static int check_gso(const struct vnet_hdr *h, uint32_t frame_len,
		     uint64_t features, bool tx)
{
	int f;

	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return 0;
	/* ECN needs HOST_ECN / GUEST_ECN, which are not offered. */
	f = gso_feature(h->gso_type, tx);
	if (f < 0 || !(features & BIT(f)))
		return -EBADMSG;
	if (h->gso_size == 0 || h->hdr_len > frame_len)
		return -EBADMSG;
	return 0;
}

/*
 * §5.1.6.2.2: flag bits the device does not know are ignored (the caller
 * clears them in its copy); DATA_VALID and RSC_INFO are known, and a
 * driver must not set them on transmit (§5.1.6.2.1).
 */
int vnet_hdr_check_tx(const struct vnet_hdr *h, uint32_t frame_len,
		      uint64_t features, uint16_t mtu)
{
	if (h->flags & (VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_RSC_INFO))
		return -EBADMSG;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM &&
	    (!(features & BIT(VIRTIO_NET_F_CSUM)) || !csum_inside(h, frame_len)))
		return -EBADMSG;
	if (check_gso(h, frame_len, features, true))
		return -EBADMSG;
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE &&
	    features & BIT(VIRTIO_NET_F_MTU) &&
	    frame_len > (uint32_t)mtu + VNET_MTU_OVERHEAD)
		return -EBADMSG;
	return 0;
}

int vnet_hdr_check_rx(const struct vnet_hdr *h, uint32_t frame_len,
		      uint64_t features)
{
	const uint8_t csum_flags = VIRTIO_NET_HDR_F_NEEDS_CSUM |
				   VIRTIO_NET_HDR_F_DATA_VALID;

	if (h->flags & ~csum_flags)
		return -EBADMSG;
	if (h->flags && !(features & BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return -EBADMSG;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM && !csum_inside(h, frame_len))
		return -EBADMSG;
	return check_gso(h, frame_len, features, false);
}
