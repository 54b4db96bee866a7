// SPDX-License-Identifier: MIT
/* Rate limiting per direction: a refused frame stays in the ring (TX) or
 * in the device (RX), the deadline is reported, the timer resumes it. */
#include <errno.h>

#include "harness.h"

static uint64_t fake_ns;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_ns;
}

/* 2 frames per second, bucket of 2. */
static const struct rlim_config two_ops = {
	.ops = { 2, 0, 1000 }, .clock = fake_clock,
};

static void open_limited(struct t_net *t, bool rx)
{
	struct vnet_device_config cfg = { 0 };

	fake_ns = 1000;
	if (rx)
		cfg.rx_limit = &two_ops;
	else
		cfg.tx_limit = &two_ops;
	t_init(t, &cfg, 0);
	t_bring_up(t, ~0ull, 0);
}

Test(ratelimit, tx_over_the_limit_waits_for_the_timer)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	uint64_t at;

	open_limited(&t, false);
	for (unsigned int i = 0; i < 3; i++) {
		struct virtq_buf b = { T_TXBUF + 0x800u * i, VNET_HDR_LEN + 60, false };
		uint16_t head;

		t_put_packet(&t, b.addr, &h, 60, (uint8_t)i);
		cr_assert_eq(virtq_driver_add(t.tx, &b, 1, &head), 0);
	}
	cr_expect_eq(vnet_device_deadline(&t.dev, &at), 0);
	t_kick(&t, t.tx, VNET_TX_QUEUE);
	cr_expect_eq(vnet_loopback_count(t.lb), 2);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_throttled, 1);
	cr_assert_eq(vnet_device_deadline(&t.dev, &at), 1);
	cr_expect_eq(at, 1000 + 500000000ull, "one op every 500 ms");
	fake_ns = at - 1;
	vnet_device_timer(&t.dev);
	cr_expect_eq(vnet_loopback_count(t.lb), 2, "too early");
	fake_ns = at;
	vnet_device_timer(&t.dev);
	cr_expect_eq(vnet_loopback_count(t.lb), 3);
	cr_expect_eq(vnet_device_deadline(&t.dev, &at), 0);
	t_close(&t);
}

Test(ratelimit, rx_over_the_limit_keeps_the_frame)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };
	uint64_t at;

	open_limited(&t, true);
	for (unsigned int i = 0; i < 3; i++)
		t_inject(&t, &h, 60, (uint8_t)i);
	t_post_rx(&t, 4, 2048);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 2);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_throttled, 1);
	cr_assert_eq(vnet_device_deadline(&t.dev, &at), 1);
	fake_ns = at;
	vnet_device_timer(&t.dev);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 3);
	t_expect_frame(&t, T_RXBUF + 2 * T_RXSLOT + VNET_HDR_LEN, 60, 2);
	t_close(&t);
}

Test(ratelimit, dropped_tx_frames_are_not_charged)
{
	struct t_net t;
	/* a GSO type not negotiated (the backend offers no offload) */
	struct vnet_hdr bad = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				.gso_size = 1000, .hdr_len = 54 }, good = { 0 };

	open_limited(&t, false);
	for (int i = 0; i < 5; i++)
		cr_expect_eq(t_send(&t, &bad, 60, 1), 0);
	cr_expect_eq(t_send(&t, &good, 60, 1), 0);
	cr_expect_eq(t_send(&t, &good, 60, 1), 0);
	cr_expect_eq(vnet_loopback_count(t.lb), 2);
	t_close(&t);
}

Test(ratelimit, tx_frames_the_backend_refuses_are_refunded)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };

	open_limited(&t, false);
	vnet_loopback_fail_sends(t.lb, 3, -EIO);
	for (int i = 0; i < 3; i++)
		cr_expect_eq(t_send(&t, &h, 60, 1), 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_backend_errors, 3);
	cr_expect_eq(t_send(&t, &h, 60, 1), 0);
	cr_expect_eq(t_send(&t, &h, 60, 1), 0);
	cr_expect_eq(vnet_loopback_count(t.lb), 2);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_throttled, 0);
	t_close(&t);
}

Test(ratelimit, rx_frames_that_do_not_fit_are_refunded)
{
	struct t_net t;
	struct vnet_device_config cfg = { .rx_limit = &two_ops };
	struct vnet_hdr h = { 0 };

	fake_ns = 1000;
	t_init(&t, &cfg, 0);
	t_bring_up(&t, ~BIT(VIRTIO_NET_F_MRG_RXBUF), 0);
	for (int i = 0; i < 3; i++)
		t_inject(&t, &h, 3000, 1);	/* one buffer of 1024 each: dropped */
	t_inject(&t, &h, 60, 2);
	t_inject(&t, &h, 60, 3);
	t_post_rx(&t, 2, 1024);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_dropped, 3);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 2);
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_throttled, 0);
	t_close(&t);
}
