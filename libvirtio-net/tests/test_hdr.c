// SPDX-License-Identifier: MIT
/* The virtio-net header: wire format and one test per check rule. */
#include <criterion/criterion.h>
#include <errno.h>

#include <vnet/hdr.h>

#define BIT(n) (1ull << (n))
#define CSUM BIT(VIRTIO_NET_F_CSUM)
#define GCSUM BIT(VIRTIO_NET_F_GUEST_CSUM)

static struct vnet_hdr csum_hdr(uint16_t start, uint16_t off)
{
	return (struct vnet_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				  .csum_start = start, .csum_offset = off };
}

Test(hdr, decode_encode_is_little_endian_and_round_trips)
{
	const uint8_t wire[VNET_HDR_LEN] = { 1, 4, 0x36, 0, 0xa8, 0x05, 0x22, 0,
					     0x10, 0, 2, 1 };
	uint8_t back[VNET_HDR_LEN];
	struct vnet_hdr h;

	vnet_hdr_decode(wire, &h);
	cr_expect_eq(h.flags, 1);
	cr_expect_eq(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	cr_expect_eq(h.hdr_len, 0x36);
	cr_expect_eq(h.gso_size, 1448);
	cr_expect_eq(h.csum_start, 0x22);
	cr_expect_eq(h.csum_offset, 16);
	cr_expect_eq(h.num_buffers, 0x102);
	vnet_hdr_encode(&h, back);
	cr_expect_arr_eq(back, wire, VNET_HDR_LEN);
}

Test(hdr, tx_plain_frame_passes)
{
	struct vnet_hdr h = { 0 };

	cr_expect_eq(vnet_hdr_check_tx(&h, 60, 0, 0), 0);
}

/* §5.1.6.2.1: the driver MUST NOT set these on transmit. */
Test(hdr, tx_data_valid_and_rsc_info_are_refused)
{
	struct vnet_hdr valid = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	struct vnet_hdr rsc = { .flags = VIRTIO_NET_HDR_F_RSC_INFO };

	cr_expect_eq(vnet_hdr_check_tx(&valid, 60, ~0ull, 0), -EBADMSG);
	cr_expect_eq(vnet_hdr_check_tx(&rsc, 60, ~0ull, 0), -EBADMSG);
}

/* §5.1.6.2.2: the device MUST ignore flag bits it does not recognise. */
Test(hdr, tx_unknown_flag_bits_are_ignored)
{
	struct vnet_hdr h = csum_hdr(34, 16);

	for (unsigned int bit = 0x08; bit <= 0x80; bit <<= 1) {
		struct vnet_hdr u = { .flags = (uint8_t)bit };

		cr_expect_eq(vnet_hdr_check_tx(&u, 60, 0, 0), 0, "flag 0x%x", bit);
	}
	h.flags |= 0xf8;
	cr_expect_eq(vnet_hdr_check_tx(&h, 100, CSUM, 0), 0);
	cr_expect_eq(vnet_hdr_check_tx(&h, 100, 0, 0), -EBADMSG,
		     "NEEDS_CSUM still needs CSUM");
}

Test(hdr, tx_needs_csum_without_csum_feature_is_refused)
{
	struct vnet_hdr h = csum_hdr(34, 16);

	cr_expect_eq(vnet_hdr_check_tx(&h, 100, 0, 0), -EBADMSG);
	cr_expect_eq(vnet_hdr_check_tx(&h, 100, CSUM, 0), 0);
}

Test(hdr, tx_checksum_field_must_lie_inside_the_frame)
{
	struct vnet_hdr edge = csum_hdr(34, 16), out = csum_hdr(34, 17);
	struct vnet_hdr wrap = csum_hdr(0xffff, 0xffff);

	cr_expect_eq(vnet_hdr_check_tx(&edge, 52, CSUM, 0), 0);
	cr_expect_eq(vnet_hdr_check_tx(&out, 52, CSUM, 0), -EBADMSG);
	cr_expect_eq(vnet_hdr_check_tx(&wrap, 65000, CSUM, 0), -EBADMSG);
}

Test(hdr, tx_gso_type_needs_its_host_feature)
{
	static const struct { uint8_t type; int feature; } t[] = {
		{ VIRTIO_NET_HDR_GSO_TCPV4, VIRTIO_NET_F_HOST_TSO4 },
		{ VIRTIO_NET_HDR_GSO_TCPV6, VIRTIO_NET_F_HOST_TSO6 },
		{ VIRTIO_NET_HDR_GSO_UDP, VIRTIO_NET_F_HOST_UFO },
	};

	for (size_t i = 0; i < 3; i++) {
		struct vnet_hdr h = csum_hdr(34, 16);

		h.gso_type = t[i].type;
		h.gso_size = 1448;
		h.hdr_len = 66;
		cr_expect_eq(vnet_hdr_check_tx(&h, 3000, CSUM, 0), -EBADMSG);
		cr_expect_eq(vnet_hdr_check_tx(&h, 3000, CSUM | BIT(t[i].feature), 0), 0);
	}
}

Test(hdr, tx_unknown_gso_type_and_ecn_are_refused)
{
	struct vnet_hdr h = { .gso_type = 2, .gso_size = 1000 };
	struct vnet_hdr ecn = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4 |
				VIRTIO_NET_HDR_GSO_ECN, .gso_size = 1000 };

	cr_expect_eq(vnet_hdr_check_tx(&h, 3000, ~0ull, 0), -EBADMSG);
	cr_expect_eq(vnet_hdr_check_tx(&ecn, 3000, ~0ull, 0), -EBADMSG);
}

Test(hdr, tx_gso_needs_a_size_and_hdr_len_inside)
{
	struct vnet_hdr zero = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 54 };
	struct vnet_hdr big = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				.gso_size = 1448, .hdr_len = 3001 };

	cr_expect_eq(vnet_hdr_check_tx(&zero, 3000, ~0ull, 0), -EBADMSG);
	cr_expect_eq(vnet_hdr_check_tx(&big, 3000, ~0ull, 0), -EBADMSG);
}

Test(hdr, tx_mtu_bounds_plain_frames_only)
{
	struct vnet_hdr h = { 0 };
	struct vnet_hdr gso = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				.gso_size = 1400, .hdr_len = 54 };
	uint64_t f = BIT(VIRTIO_NET_F_MTU) | BIT(VIRTIO_NET_F_HOST_TSO4);

	cr_expect_eq(vnet_hdr_check_tx(&h, 1400 + VNET_MTU_OVERHEAD, f, 1400), 0);
	cr_expect_eq(vnet_hdr_check_tx(&h, 1401 + VNET_MTU_OVERHEAD, f, 1400), -EBADMSG);
	cr_expect_eq(vnet_hdr_check_tx(&h, 9000, 0, 1400), 0, "MTU not negotiated");
	cr_expect_eq(vnet_hdr_check_tx(&gso, 9000, f, 1400), 0);
}

Test(hdr, rx_offloads_need_the_guest_features)
{
	struct vnet_hdr valid = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	struct vnet_hdr tso = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				.gso_size = 1448, .hdr_len = 54 };
	struct vnet_hdr bad = { .flags = VIRTIO_NET_HDR_F_RSC_INFO };
	struct vnet_hdr cs = csum_hdr(60, 16);

	cr_expect_eq(vnet_hdr_check_rx(&valid, 60, 0), -EBADMSG);
	cr_expect_eq(vnet_hdr_check_rx(&valid, 60, GCSUM), 0);
	cr_expect_eq(vnet_hdr_check_rx(&tso, 3000, GCSUM), -EBADMSG);
	cr_expect_eq(vnet_hdr_check_rx(&tso, 3000,
				       GCSUM | BIT(VIRTIO_NET_F_GUEST_TSO4)), 0);
	cr_expect_eq(vnet_hdr_check_rx(&bad, 60, ~0ull), -EBADMSG);
	cr_expect_eq(vnet_hdr_check_rx(&cs, 70, GCSUM), -EBADMSG);
}
