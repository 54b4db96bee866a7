/* SPDX-License-Identifier: MIT */
/*
 * Fixtures for the virtio-net tests: a two-region guest memory map
 * (adjacent in GPA space, not in host space, so a buffer can straddle
 * them), a loopback backend, and the device brought up through its MMIO
 * registers by libvirtio-queue's driver helper as Linux's virtio_mmio
 * probe does, with a counting interrupt line.
 *
 * Layout: RX ring at T_RX_RING, TX ring at T_TX_RING, TX frames at
 * T_TXBUF, RX buffers at T_RXBUF (T_RXSLOT bytes apart), big buffers in
 * the second region from T_BIG.
 */
#ifndef VNET_TEST_HARNESS_H
#define VNET_TEST_HARNESS_H

#include <criterion/criterion.h>
#include <string.h>

#include <virtq/driver.h>
#include <vmmem/vmmem.h>
#include <vnet/vnet.h>

#define T_REGION (1u << 20)
#define T_RX_RING 0x80000u
#define T_TX_RING 0x88000u
#define T_TABLE 0x90000u
#define T_TXBUF 0x10000u
#define T_RXBUF 0x40000u
#define T_RXSLOT 0x1000u
#define T_BIG (T_REGION + 0x1000u)
#define T_QSIZE 16u
#define BIT(n) (1ull << (n))

#define T_ALL_OFFLOADS (BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) | \
	BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) | \
	BIT(VIRTIO_NET_F_HOST_UFO) | BIT(VIRTIO_NET_F_GUEST_TSO4) | \
	BIT(VIRTIO_NET_F_GUEST_TSO6) | BIT(VIRTIO_NET_F_GUEST_UFO))

struct t_net {
	struct vmmem_map *mem;
	struct vnet_loopback *lb;
	struct vnet_backend be;
	struct vnet_device dev;
	struct virtq_driver *rx, *tx;
	uint64_t features;
	unsigned int irqs;
	uint32_t isr;
};

static void t_irq(void *ctx, uint32_t isr)
{
	struct t_net *t = ctx;

	t->irqs++;
	t->isr |= isr;
}

static inline struct vmmem_map *t_mem(void)
{
	struct vmmem_map *m;
	struct vmmem_region_desc a = { .gpa = 0, .size = T_REGION,
				       .backing = VMMEM_BACKING_ANON };
	struct vmmem_region_desc b = { .gpa = T_REGION, .size = T_REGION,
				       .backing = VMMEM_BACKING_ANON };

	cr_assert_eq(vmmem_map_new(&m), 0);
	cr_assert_eq(vmmem_map_add_region(m, &a), 0);
	cr_assert_eq(vmmem_map_add_region(m, &b), 0);
	return m;
}

/* Negotiates `wanted` (EVENT_IDX follows drv_flags) and sets up both
 * queues with fresh rings. */
static inline void t_bring_up(struct t_net *t, uint64_t wanted, uint32_t drv_flags)
{
	struct virtq_mmio *m = vnet_device_mmio(&t->dev);

	if (!(drv_flags & VIRTQ_DRIVER_EVENT_IDX))
		wanted &= ~BIT(VIRTIO_F_EVENT_IDX);
	virtq_driver_free(t->rx);
	virtq_driver_free(t->tx);
	cr_assert_eq(virtq_driver_mmio_negotiate(m, wanted, &t->features), 0);
	cr_assert_eq(virtq_driver_new(t->mem, T_QSIZE, T_RX_RING, drv_flags, &t->rx), 0);
	cr_assert_eq(virtq_driver_new(t->mem, T_QSIZE, T_TX_RING, drv_flags, &t->tx), 0);
	cr_assert_eq(virtq_driver_mmio_setup_queue(m, VNET_RX_QUEUE, t->rx), 0);
	cr_assert_eq(virtq_driver_mmio_setup_queue(m, VNET_TX_QUEUE, t->tx), 0);
	cr_assert_eq(virtq_driver_mmio_driver_ok(m), 0);
}

static inline void t_init(struct t_net *t, struct vnet_device_config *cfg,
			  uint64_t offloads)
{
	memset(t, 0, sizeof(*t));
	t->mem = t_mem();
	cr_assert_eq(vnet_loopback_new(8, offloads, &t->lb), 0);
	vnet_loopback_backend(t->lb, &t->be);
	cfg->backend = &t->be;
	cfg->mem = t->mem;
	cfg->irq = (struct virtq_irq){ t_irq, t };
	if (!cfg->queue_size)
		cfg->queue_size = T_QSIZE;
	cr_assert_eq(vnet_device_init(&t->dev, cfg), 0);
}

/* A device with MAC and all offloads, the driver taking `wanted`. */
static inline void t_open(struct t_net *t, uint64_t wanted, uint32_t drv_flags)
{
	struct vnet_device_config cfg = {
		.mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 }, .has_mac = true,
	};

	t_init(t, &cfg, T_ALL_OFFLOADS);
	t_bring_up(t, wanted, drv_flags);
}

static inline void t_close(struct t_net *t)
{
	vnet_device_reset(&t->dev);
	virtq_driver_free(t->rx);
	virtq_driver_free(t->tx);
	vnet_loopback_free(t->lb);
	vmmem_map_free(t->mem);
}

static inline bool t_needs_reset(struct t_net *t)
{
	return virtq_mmio_status(vnet_device_mmio(&t->dev)) &
	       VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* A frame of len bytes (after the header) with a recognisable pattern. */
static inline void t_frame(uint8_t *buf, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 13u);
}

/* Writes header h + a pattern frame at gpa. */
static inline void t_put_packet(struct t_net *t, uint64_t gpa,
				const struct vnet_hdr *h, uint32_t len, uint8_t seed)
{
	static uint8_t buf[VNET_HDR_LEN + VNET_MAX_FRAME + 64];

	vnet_hdr_encode(h, buf);
	t_frame(buf + VNET_HDR_LEN, len, seed);
	cr_assert_eq(vmmem_write(t->mem, gpa, buf, VNET_HDR_LEN + len), 0);
}

static inline void t_kick(struct t_net *t, struct virtq_driver *drv, uint16_t q)
{
	cr_assert_geq(virtq_driver_publish(drv), 0);
	cr_assert_eq(vnet_device_mmio_write(&t->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 4, q), 0);
}

/* Transmits one packet from one buffer at T_TXBUF; returns the used len. */
static inline uint32_t t_send(struct t_net *t, const struct vnet_hdr *h,
			      uint32_t len, uint8_t seed)
{
	struct virtq_buf b = { T_TXBUF, VNET_HDR_LEN + len, false };
	uint16_t head, got;
	uint32_t used;

	t_put_packet(t, T_TXBUF, h, len, seed);
	cr_assert_eq(virtq_driver_add(t->tx, &b, 1, &head), 0);
	t_kick(t, t->tx, VNET_TX_QUEUE);
	cr_assert_eq(virtq_driver_get_used(t->tx, &got, &used), 1);
	cr_assert_eq(got, head);
	return used;
}

/* Posts n receive buffers of size bytes each, in slots first.. (slot i at
 * T_RXBUF + i*T_RXSLOT), and kicks. */
static inline void t_post_rx_from(struct t_net *t, unsigned int first,
				  unsigned int n, uint32_t size)
{
	for (unsigned int i = first; i < first + n; i++) {
		struct virtq_buf b = { T_RXBUF + i * T_RXSLOT, size, true };
		uint16_t head;

		cr_assert_eq(virtq_driver_add(t->rx, &b, 1, &head), 0);
	}
	t_kick(t, t->rx, VNET_RX_QUEUE);
}

static inline void t_post_rx(struct t_net *t, unsigned int n, uint32_t size)
{
	t_post_rx_from(t, 0, n, size);
}

/* Pushes a frame into the loopback "from the host". */
static inline void t_inject(struct t_net *t, const struct vnet_hdr *h,
			    uint32_t len, uint8_t seed)
{
	static uint8_t buf[VNET_HDR_LEN + VNET_MAX_FRAME];

	vnet_hdr_encode(h, buf);
	t_frame(buf + VNET_HDR_LEN, len, seed);
	cr_assert_eq(vnet_loopback_push(t->lb, buf, VNET_HDR_LEN + len), 0);
}

/* Checks that guest memory at gpa holds the pattern frame. */
static inline void t_expect_frame(struct t_net *t, uint64_t gpa, uint32_t len,
				  uint8_t seed)
{
	static uint8_t want[VNET_MAX_FRAME], got[VNET_MAX_FRAME];

	t_frame(want, len, seed);
	cr_assert_eq(vmmem_read(t->mem, gpa, got, len), 0);
	cr_expect_arr_eq(got, want, len);
}

#endif
