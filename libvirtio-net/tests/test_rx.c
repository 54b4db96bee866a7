// SPDX-License-Identifier: MIT
/* The receive path: one buffer per frame, merged buffers with
 * num_buffers, loopback round trip, waiting for buffers, offloads. */
#include <errno.h>

#include "harness.h"

static struct vnet_hdr rx_hdr(struct t_net *t, uint64_t gpa)
{
	uint8_t wire[VNET_HDR_LEN];
	struct vnet_hdr h;

	cr_assert_eq(vmmem_read(t->mem, gpa, wire, sizeof(wire)), 0);
	vnet_hdr_decode(wire, &h);
	return h;
}

Test(rx, frame_lands_in_one_buffer_with_num_buffers_1)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	uint16_t head;
	uint32_t len;

	t_open(&t, ~BIT(VIRTIO_NET_F_MRG_RXBUF), 0);
	t_inject(&t, &h, 1000, 5);
	t_post_rx(&t, 1, 2048);
	cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
	cr_expect_eq(len, VNET_HDR_LEN + 1000);
	cr_expect_eq(rx_hdr(&t, T_RXBUF).num_buffers, 1);
	t_expect_frame(&t, T_RXBUF + VNET_HDR_LEN, 1000, 5);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 1);
	t_close(&t);
}

Test(rx, tx_comes_back_through_the_loopback)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	uint16_t head;
	uint32_t len;

	t_open(&t, ~0ull, 0);
	t_post_rx(&t, 2, 2048);
	cr_expect_eq(t_send(&t, &h, 60, 0x42), 0);
	vnet_device_rx_ready(&t.dev);
	cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
	cr_expect_eq(len, VNET_HDR_LEN + 60);
	t_expect_frame(&t, T_RXBUF + VNET_HDR_LEN, 60, 0x42);
	t_close(&t);
}

Test(rx, merged_buffers_carry_num_buffers)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	uint32_t total = 0, len;
	uint16_t head;

	t_open(&t, ~0ull, 0);
	t_inject(&t, &h, 3000, 9);
	t_post_rx(&t, 4, 1024);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
		total += len;
	}
	cr_expect_eq(total, VNET_HDR_LEN + 3000);
	cr_expect_eq(rx_hdr(&t, T_RXBUF).num_buffers, 3);
	cr_expect_eq(virtq_driver_get_used(t.rx, &head, &len), 0, "4th unused");
	t_close(&t);
}

Test(rx, frame_waits_for_buffers_and_resumes_on_kick)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	uint32_t len;
	uint16_t head;

	t_open(&t, ~0ull, VIRTQ_DRIVER_EVENT_IDX);
	t_inject(&t, &h, 2500, 1);
	t_post_rx(&t, 1, 1024);		/* not enough */
	cr_expect_eq(virtq_driver_get_used(t.rx, &head, &len), 0);
	/* out of buffers, the device asks to be kicked at the next one */
	cr_assert_eq(vmmem_load_u16(t.mem, virtq_driver_used_addr(t.rx) + 4 +
				    8 * T_QSIZE, &head), 0);
	cr_expect_eq(head, 1, "avail_event");
	t_post_rx_from(&t, 1, 2, 1024);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 1);
	cr_expect_eq(rx_hdr(&t, T_RXBUF).num_buffers, 3);
	t_close(&t);
}

Test(rx, without_mrg_rxbuf_a_frame_too_big_is_dropped_and_buffer_kept)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	uint32_t len;
	uint16_t head;

	t_open(&t, ~BIT(VIRTIO_NET_F_MRG_RXBUF), 0);
	t_inject(&t, &h, 3000, 1);
	t_inject(&t, &h, 100, 2);
	t_post_rx(&t, 1, 1024);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_dropped, 1);
	cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
	cr_expect_eq(len, VNET_HDR_LEN + 100);
	t_expect_frame(&t, T_RXBUF + VNET_HDR_LEN, 100, 2);
	t_close(&t);
}

Test(rx, backend_offload_not_negotiated_is_dropped)
{
	struct t_net t;
	struct vnet_hdr tso = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34,
				.csum_offset = 16, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				.gso_size = 1448, .hdr_len = 66 };

	t_open(&t, ~BIT(VIRTIO_NET_F_GUEST_TSO4), 0);
	t_inject(&t, &tso, 3000, 1);
	t_post_rx(&t, 4, 2048);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_bad_hdr, 1);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 0);
	t_close(&t);
}

Test(rx, negotiated_gso_frame_is_delivered)
{
	struct t_net t;
	struct vnet_hdr tso = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34,
				.csum_offset = 16, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				.gso_size = 1448, .hdr_len = 66 };

	t_open(&t, ~0ull, 0);
	t_inject(&t, &tso, 3000, 1);
	t_post_rx(&t, 4, 2048);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 1);
	cr_expect_eq(rx_hdr(&t, T_RXBUF).gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	t_close(&t);
}

Test(rx, runt_from_backend_is_dropped)
{
	struct t_net t;
	uint8_t runt[VNET_HDR_LEN + 5] = { 0 };

	t_open(&t, ~0ull, 0);
	cr_assert_eq(vnet_loopback_push(t.lb, runt, sizeof(runt)), 0);
	t_post_rx(&t, 1, 2048);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_dropped, 1);
	t_close(&t);
}

/* §5.1.4.1: with VIRTIO_NET_F_MTU, no plain frame above the MTU (plus an
 * Ethernet header and a VLAN tag, as on transmit) reaches the driver. */
Test(rx, frame_over_the_mtu_is_dropped)
{
	struct t_net t;
	struct vnet_device_config cfg = { .mtu = 1500 };
	struct vnet_hdr h = { 0 };
	uint16_t head;
	uint32_t len;

	t_init(&t, &cfg, 0);
	t_bring_up(&t, ~0ull, 0);
	cr_assert(t.features & BIT(VIRTIO_NET_F_MTU));
	t_inject(&t, &h, 1500 + VNET_MTU_OVERHEAD + 1, 1);
	t_inject(&t, &h, 1500 + VNET_MTU_OVERHEAD, 2);
	t_post_rx(&t, 2, 2048);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_dropped, 1);
	cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
	cr_expect_eq(len, VNET_HDR_LEN + 1500 + VNET_MTU_OVERHEAD);
	t_expect_frame(&t, T_RXBUF + VNET_HDR_LEN, 1500 + VNET_MTU_OVERHEAD, 2);
	cr_expect_eq(virtq_driver_get_used(t.rx, &head, &len), 0);
	t_close(&t);
}

/* §5.1.6.4.1: without GUEST_CSUM the device sets flags to 0.  A frame the
 * backend marks DATA_VALID has a correct checksum: only the flag goes. */
Test(rx, data_valid_without_guest_csum_is_delivered_with_flags_0)
{
	struct t_net t;
	struct vnet_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	uint16_t head;
	uint32_t len;

	t_open(&t, ~BIT(VIRTIO_NET_F_GUEST_CSUM), 0);
	t_inject(&t, &h, 100, 3);
	t_post_rx(&t, 1, 2048);
	cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
	cr_expect_eq(len, VNET_HDR_LEN + 100);
	cr_expect_eq(rx_hdr(&t, T_RXBUF).flags, 0);
	t_expect_frame(&t, T_RXBUF + VNET_HDR_LEN, 100, 3);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_bad_hdr, 0);
	t_close(&t);
}

/* Ones' complement sum of big-endian 16-bit words, folded. */
static uint32_t sum16(const uint8_t *p, uint32_t len, uint32_t sum)
{
	for (uint32_t i = 0; i < len; i += 2)
		sum += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * §5.1.6.4.1 again: a partially checksummed frame (NEEDS_CSUM: the field
 * holds the pseudo-header sum P) is completed by the device, which then
 * clears the flag.  Completed means the data sum plus P is 0xffff.
 */
Test(rx, needs_csum_without_guest_csum_is_checksummed_by_the_device)
{
	struct t_net t;
	struct vnet_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			      .csum_start = 34, .csum_offset = 16 };
	uint8_t sent[101], got[101];
	uint16_t head;
	uint32_t len, p;

	t_open(&t, ~BIT(VIRTIO_NET_F_GUEST_CSUM), 0);
	t_inject(&t, &h, sizeof(sent), 6);
	t_post_rx(&t, 1, 2048);
	cr_assert_eq(virtq_driver_get_used(t.rx, &head, &len), 1);
	cr_expect_eq(len, VNET_HDR_LEN + sizeof(sent));
	cr_expect_eq(rx_hdr(&t, T_RXBUF).flags, 0);
	t_frame(sent, sizeof(sent), 6);
	cr_assert_eq(vmmem_read(t.mem, T_RXBUF + VNET_HDR_LEN, got, sizeof(got)), 0);
	cr_expect_arr_eq(got, sent, 50, "bytes before the field unchanged");
	cr_expect_arr_eq(got + 52, sent + 52, sizeof(sent) - 52);
	p = (uint32_t)sent[50] << 8 | sent[51];
	cr_expect_eq(sum16(got + 34, sizeof(got) - 34, p), 0xffffu);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 1);
	t_close(&t);
}
