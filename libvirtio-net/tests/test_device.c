// SPDX-License-Identifier: MIT
/* The device model: features, configuration space, link status, reset,
 * save/restore, initialisation checks. */
#include <endian.h>
#include <errno.h>
#include <linux/virtio_ids.h>

#include "harness.h"

static uint64_t cfg_read(struct t_net *t, uint32_t off, unsigned int size)
{
	uint64_t v;

	cr_assert_eq(vnet_device_mmio_read(&t->dev, VIRTQ_MMIO_CONFIG_OFFSET + off,
					   size, &v), 0);
	return v;
}

static uint64_t offered(struct t_net *t)
{
	struct virtq_mmio *m = vnet_device_mmio(&t->dev);
	uint64_t lo, hi;

	cr_assert_eq(virtq_mmio_write(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 0), 0);
	cr_assert_eq(virtq_mmio_read(m, VIRTIO_MMIO_DEVICE_FEATURES, 4, &lo), 0);
	cr_assert_eq(virtq_mmio_write(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 1), 0);
	cr_assert_eq(virtq_mmio_read(m, VIRTIO_MMIO_DEVICE_FEATURES, 4, &hi), 0);
	return lo | hi << 32;
}

Test(device, is_a_network_device_with_two_queues)
{
	struct t_net t;
	uint64_t id, max;

	t_open(&t, ~0ull, 0);
	cr_assert_eq(vnet_device_mmio_read(&t.dev, VIRTIO_MMIO_DEVICE_ID, 4, &id), 0);
	cr_expect_eq(id, VIRTIO_ID_NET);
	cr_assert_eq(vnet_device_mmio_write(&t.dev, VIRTIO_MMIO_QUEUE_SEL, 4, 2), 0);
	cr_assert_eq(vnet_device_mmio_read(&t.dev, VIRTIO_MMIO_QUEUE_NUM_MAX, 4, &max), 0);
	cr_expect_eq(max, 0, "no control queue");
	t_close(&t);
}

Test(device, offers_what_is_implemented_and_nothing_else)
{
	struct t_net t;
	struct vnet_device_config cfg = { .mtu = 1500, .has_mac = true };
	uint64_t want = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_EVENT_IDX) |
		BIT(VIRTIO_F_INDIRECT_DESC) | BIT(VIRTIO_NET_F_MAC) |
		BIT(VIRTIO_NET_F_STATUS) | BIT(VIRTIO_NET_F_MTU) |
		BIT(VIRTIO_NET_F_MRG_RXBUF) | T_ALL_OFFLOADS;

	t_init(&t, &cfg, T_ALL_OFFLOADS);
	cr_expect_eq(offered(&t), want, "offered %#llx", (unsigned long long)offered(&t));
	t_close(&t);
}

Test(device, offloads_follow_the_backend_and_their_dependencies)
{
	struct t_net t;
	struct vnet_device_config cfg = { 0 };
	uint64_t f;

	/* TSO4 without the checksum offload it needs is not offered. */
	t_init(&t, &cfg, BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_GUEST_CSUM));
	f = offered(&t);
	cr_expect_not(f & BIT(VIRTIO_NET_F_HOST_TSO4));
	cr_expect(f & BIT(VIRTIO_NET_F_GUEST_CSUM));
	cr_expect_not(f & BIT(VIRTIO_NET_F_MAC), "no MAC configured");
	cr_expect_not(f & BIT(VIRTIO_NET_F_MTU), "no MTU configured");
	t_close(&t);
}

Test(device, negotiated_offload_without_its_checksum_is_ignored)
{
	struct t_net t;

	t_open(&t, ~BIT(VIRTIO_NET_F_GUEST_CSUM), 0);
	cr_expect_not(vnet_device_features(&t.dev) & BIT(VIRTIO_NET_F_GUEST_TSO4));
	cr_expect(vnet_device_features(&t.dev) & BIT(VIRTIO_NET_F_HOST_TSO4));
	/* and the backend was told only what is in effect */
	cr_expect_not(vnet_loopback_offload(t.lb) & BIT(VIRTIO_NET_F_GUEST_TSO4));
	cr_expect(vnet_loopback_offload(t.lb) & BIT(VIRTIO_NET_F_CSUM));
	t_close(&t);
}

Test(device, config_space_layout_follows_the_spec)
{
	struct t_net t;
	struct vnet_device_config cfg = {
		.mac = { 0x52, 0x54, 0, 0xab, 0xcd, 0xef }, .has_mac = true,
		.mtu = 9000,
	};

	t_init(&t, &cfg, 0);
	for (uint32_t i = 0; i < 6; i++)
		cr_expect_eq(cfg_read(&t, i, 1), cfg.mac[i]);
	cr_expect_eq(cfg_read(&t, 6, 2), VIRTIO_NET_S_LINK_UP);
	cr_expect_eq(cfg_read(&t, 8, 2), 1, "max_virtqueue_pairs");
	cr_expect_eq(cfg_read(&t, 10, 2), 9000);
	cr_expect_eq(cfg_read(&t, 12, 4), 0xffffffffu, "speed unknown");
	cr_expect_eq(cfg_read(&t, 16, 1), 0xff, "duplex unknown");
	t_close(&t);
}

Test(device, config_space_is_read_only)
{
	struct t_net t;

	t_open(&t, ~0ull, 0);
	int r = vnet_device_mmio_write(&t.dev, VIRTQ_MMIO_CONFIG_OFFSET, 1, 0xff);

	(void)r;
	cr_expect_eq(cfg_read(&t, 0, 1), 0x52);
	t_close(&t);
}

Test(device, link_change_raises_a_config_interrupt)
{
	struct t_net t;
	uint64_t gen0, gen1;

	t_open(&t, ~0ull, 0);
	cr_assert_eq(vnet_device_mmio_read(&t.dev, VIRTIO_MMIO_CONFIG_GENERATION, 4, &gen0), 0);
	t.irqs = 0;
	vnet_device_set_link(&t.dev, false);
	cr_expect_eq(cfg_read(&t, 6, 2), 0);
	cr_expect_eq(t.irqs, 1);
	cr_expect(t.isr & VIRTIO_MMIO_INT_CONFIG);
	cr_assert_eq(vnet_device_mmio_read(&t.dev, VIRTIO_MMIO_CONFIG_GENERATION, 4, &gen1), 0);
	cr_expect_neq(gen0, gen1);
	vnet_device_set_link(&t.dev, false);
	cr_expect_eq(t.irqs, 1, "no change, no interrupt");
	vnet_device_set_link(&t.dev, true);
	cr_expect_eq(cfg_read(&t, 6, 2), VIRTIO_NET_S_LINK_UP);
	cr_expect_eq(t.irqs, 2);
	t_close(&t);
}

Test(device, link_change_without_status_negotiated_is_silent)
{
	struct t_net t;

	t_open(&t, ~BIT(VIRTIO_NET_F_STATUS), 0);
	t.irqs = 0;
	vnet_device_set_link(&t.dev, false);
	cr_expect_eq(t.irqs, 0);
	t_close(&t);
}

Test(device, link_down_drops_tx_and_leaves_rx_in_the_backend)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };

	t_open(&t, ~0ull, 0);
	vnet_device_set_link(&t.dev, false);
	cr_expect_eq(t_send(&t, &h, 60, 1), 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_link_down, 1);
	cr_expect_eq(vnet_loopback_count(t.lb), 0);
	t_inject(&t, &h, 60, 2);
	t_post_rx(&t, 1, 2048);
	vnet_device_rx_ready(&t.dev);
	cr_expect_eq(vnet_loopback_count(t.lb), 1, "not read while down");
	vnet_device_set_link(&t.dev, true);
	cr_expect_eq(vnet_loopback_count(t.lb), 0, "delivered on link up");
	cr_expect_eq(vnet_device_stats(&t.dev)->rx_frames, 1);
	t_close(&t);
}

Test(device, init_rejects_bad_configurations)
{
	struct vnet_device *d = malloc(sizeof(*d));
	struct vmmem_map *mem = t_mem();
	struct vnet_loopback *lb;
	struct vnet_backend be, nosend;
	struct vnet_backend_ops ops = { .version = VNET_BACKEND_OPS_VERSION };
	struct rlim_config bad_rl = { .bytes = { 100, 0, 100 } };	/* no clock */

	cr_assert_eq(vnet_loopback_new(1, 0, &lb), 0);
	vnet_loopback_backend(lb, &be);
	nosend = (struct vnet_backend){ .ops = &ops };
	struct vnet_device_config cases[] = {
		{ .backend = NULL, .mem = mem },
		{ .backend = &be, .mem = NULL },
		{ .backend = &nosend, .mem = mem },
		{ .backend = &be, .mem = mem, .mtu = 67 },
		{ .backend = &be, .mem = mem, .queue_size = 12 },
		{ .backend = &be, .mem = mem, .queue_size = 2048 },
		{ .backend = &be, .mem = mem, .tx_limit = &bad_rl },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(vnet_device_init(d, &cases[i]), -EINVAL, "case %zu", i);
	vnet_loopback_free(lb);
	vmmem_map_free(mem);
	free(d);
}

Test(device, reset_then_renegotiation_works_again)
{
	struct t_net t;
	struct vnet_hdr h = { 0 };

	t_open(&t, ~0ull, 0);
	cr_expect_eq(t_send(&t, &h, 60, 1), 0);
	vnet_device_reset(&t.dev);
	cr_expect_eq(vnet_device_features(&t.dev), 0);
	t_bring_up(&t, ~0ull, VIRTQ_DRIVER_EVENT_IDX);
	cr_expect_eq(t_send(&t, &h, 60, 2), 0);
	cr_expect_eq(vnet_device_stats(&t.dev)->tx_frames, 2);
	t_close(&t);
}

Test(device, save_and_restore_keep_link_and_queues)
{
	struct t_net t;
	struct vnet_device_state *st = malloc(sizeof(*st));
	struct vnet_hdr h = { 0 };

	t_open(&t, ~0ull, 0);
	vnet_device_set_link(&t.dev, false);
	cr_assert_eq(vnet_device_save(&t.dev, st), 0);
	vnet_device_reset(&t.dev);
	vnet_device_set_link(&t.dev, true);
	cr_assert_eq(vnet_device_restore(&t.dev, st), 0);
	cr_expect_not(vnet_device_link_up(&t.dev));
	vnet_device_set_link(&t.dev, true);
	cr_expect_eq(t_send(&t, &h, 60, 3), 0);
	cr_expect_eq(vnet_loopback_count(t.lb), 1);
	st->link_up = 7;
	cr_expect_eq(vnet_device_restore(&t.dev, st), -EINVAL);
	free(st);
	t_close(&t);
}

static int failing_offload(void *ctx, uint64_t features)
{
	(void)ctx;
	(void)features;
	return -EINVAL;
}

Test(device, backend_refusing_the_offloads_needs_reset)
{
	struct t_net t;
	struct vnet_device_config cfg = { 0 };
	struct vnet_backend_ops ops;
	struct virtq_mmio *m;
	uint64_t features;

	t_init(&t, &cfg, 0);
	ops = *t.be.ops;
	ops.set_offload = failing_offload;
	t.dev.backend.ops = &ops;
	m = vnet_device_mmio(&t.dev);
	cr_assert_eq(virtq_driver_mmio_negotiate(m, ~0ull, &features), 0);
	cr_assert_eq(virtq_driver_new(t.mem, T_QSIZE, T_RX_RING, 0, &t.rx), 0);
	cr_assert_eq(virtq_driver_new(t.mem, T_QSIZE, T_TX_RING, 0, &t.tx), 0);
	cr_assert_eq(virtq_driver_mmio_setup_queue(m, 0, t.rx), 0);
	cr_assert_eq(virtq_driver_mmio_setup_queue(m, 1, t.tx), 0);
	cr_expect_eq(virtq_driver_mmio_driver_ok(m), -EIO);
	cr_expect(t_needs_reset(&t));
	t_close(&t);
}
