/* SPDX-License-Identifier: MIT */
/*
 * libvirtio-net on its own: guest memory, a virtio-net device over the
 * in-memory loopback backend, and both virtqueues played by
 * libvirtio-queue's driver-side helper as a guest's virtio_net driver
 * would.  The "guest" posts receive buffers, transmits three frames
 * (virtio 1.2 §5.1.6.2), and receives them back through the loopback
 * (§5.1.6.3); the link is then taken down and up again, each change
 * raising a configuration interrupt.
 *
 * Usage: net-demo
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <virtq/driver.h>
#include <vmmem/vmmem.h>
#include <vnet/vnet.h>

#define RX_RING 0x1000u
#define TX_RING 0x3000u
#define TXBUF 0x10000u
#define RXBUF 0x20000u

static unsigned int interrupts;

static void on_irq(void *ctx, uint32_t isr)
{
	(void)ctx;
	printf("  interrupt: %s%s\n", isr & VIRTIO_MMIO_INT_VRING ? "used-buffer " : "",
	       isr & VIRTIO_MMIO_INT_CONFIG ? "config-change" : "");
	interrupts++;
}

static void check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "net-demo: %s: %s\n", what, strerror(err < 0 ? -err : err));
		exit(1);
	}
}

int main(void)
{
	static struct vnet_device dev;
	struct vmmem_region_desc ram = { .gpa = 0, .size = 1u << 20,
					 .backing = VMMEM_BACKING_ANON };
	struct vmmem_map *mem;
	struct vnet_loopback *lb;
	struct vnet_backend be;
	struct virtq_driver *rx, *tx;
	struct vnet_device_config cfg = {
		.mac = { 0x52, 0x54, 0x00, 0xc0, 0xff, 0xee }, .has_mac = true,
		.mtu = 1500, .queue_size = 16,
	};
	uint8_t pkt[VNET_HDR_LEN + 64];
	uint64_t features;
	uint16_t head;
	uint32_t len;

	check(vmmem_map_new(&mem), "memory");
	check(vmmem_map_add_region(mem, &ram), "memory");
	check(vnet_loopback_new(8, 0, &lb), "loopback");
	vnet_loopback_backend(lb, &be);
	cfg.backend = &be;
	cfg.mem = mem;
	cfg.irq = (struct virtq_irq){ on_irq, NULL };
	check(vnet_device_init(&dev, &cfg), "device");

	/* What Linux's virtio_mmio probe and virtnet_probe do. */
	check(virtq_driver_mmio_negotiate(vnet_device_mmio(&dev), ~0ull, &features),
	      "negotiate");
	printf("negotiated features %#llx (MAC %s, STATUS %s, MRG_RXBUF %s)\n",
	       (unsigned long long)features,
	       features & (1ull << VIRTIO_NET_F_MAC) ? "yes" : "no",
	       features & (1ull << VIRTIO_NET_F_STATUS) ? "yes" : "no",
	       features & (1ull << VIRTIO_NET_F_MRG_RXBUF) ? "yes" : "no");
	check(virtq_driver_new(mem, 16, RX_RING, VIRTQ_DRIVER_EVENT_IDX, &rx), "rx ring");
	check(virtq_driver_new(mem, 16, TX_RING, VIRTQ_DRIVER_EVENT_IDX, &tx), "tx ring");
	check(virtq_driver_mmio_setup_queue(vnet_device_mmio(&dev), VNET_RX_QUEUE, rx), "rx");
	check(virtq_driver_mmio_setup_queue(vnet_device_mmio(&dev), VNET_TX_QUEUE, tx), "tx");
	check(virtq_driver_mmio_driver_ok(vnet_device_mmio(&dev)), "driver ok");

	for (unsigned int i = 0; i < 4; i++) {
		struct virtq_buf b = { RXBUF + 0x800u * i, 0x800, true };

		check(virtq_driver_add(rx, &b, 1, &head), "post rx buffer");
	}
	check(virtq_driver_publish(rx) < 0, "publish rx");
	check(vnet_device_notify(&dev, VNET_RX_QUEUE), "notify rx");

	for (unsigned int i = 0; i < 3; i++) {
		struct virtq_buf b = { TXBUF + 0x100u * i, sizeof(pkt), false };

		memset(pkt, 0, sizeof(pkt));
		memset(pkt + VNET_HDR_LEN, 0xff, 6);	/* broadcast */
		snprintf((char *)pkt + VNET_HDR_LEN + 14, 40, "frame %u from the guest", i);
		check(vmmem_write(mem, b.addr, pkt, sizeof(pkt)), "write frame");
		check(virtq_driver_add(tx, &b, 1, &head), "add tx");
	}
	check(virtq_driver_publish(tx) < 0, "publish tx");
	printf("transmit 3 frames:\n");
	check(vnet_device_notify(&dev, VNET_TX_QUEUE), "notify tx");
	while (virtq_driver_get_used(tx, &head, &len) == 1)
		;
	/* The VMM's event loop would see the backend fd readable here. */
	printf("receive them back through the loopback:\n");
	vnet_device_rx_ready(&dev);
	while (virtq_driver_get_used(rx, &head, &len) == 1) {
		char text[40];

		check(vmmem_read(mem, RXBUF + 0x800u * head + VNET_HDR_LEN + 14, text,
				 sizeof(text)), "read frame");
		text[sizeof(text) - 1] = '\0';
		printf("  buffer %u: %u bytes: \"%s\"\n", head, len, text);
	}
	printf("link down, then up:\n");
	vnet_device_set_link(&dev, false);
	vnet_device_set_link(&dev, true);
	printf("stats: tx_frames=%llu rx_frames=%llu interrupts=%u\n",
	       (unsigned long long)vnet_device_stats(&dev)->tx_frames,
	       (unsigned long long)vnet_device_stats(&dev)->rx_frames, interrupts);
	vnet_device_reset(&dev);
	virtq_driver_free(rx);
	virtq_driver_free(tx);
	vnet_loopback_free(lb);
	vmmem_map_free(mem);
	return vnet_device_stats(&dev)->rx_frames == 3 ? 0 : 1;
}
