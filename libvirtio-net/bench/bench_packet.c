// SPDX-License-Identifier: MIT
/*
 * Per-packet cost of the device on the loopback backend, for 64-byte and
 * 1500-byte frames: TX (chain walk, header check, zero-copy iovec, send)
 * and RX (backend read, copy into a guest buffer, used entry), each with
 * the driver helper playing the guest (add, publish, notify, reap), as
 * one packet per notification (the worst case: no batching).
 */
#include <cvmm_bench.h>
#include <stdlib.h>

#include <virtq/driver.h>
#include <vmmem/vmmem.h>
#include <vnet/vnet.h>

#define QSIZE 256u
#define MEM (4u << 20)

struct rig {
	struct vmmem_map *mem;
	struct vnet_loopback *lb;
	struct vnet_backend be;
	struct vnet_device dev;
	struct virtq_driver *rx, *tx;
	uint32_t len;
	uint8_t pkt[VNET_HDR_LEN + 1500];
};

static void must(int ok)
{
	if (!ok)
		abort();
}

static void tx_run(void *ctx, uint64_t ops)
{
	struct rig *r = ctx;
	struct virtq_buf b = { 0x100000, VNET_HDR_LEN + r->len, false };
	uint16_t head, got;
	uint32_t used;

	for (uint64_t i = 0; i < ops; i++) {
		must(virtq_driver_add(r->tx, &b, 1, &head) == 0);
		must(virtq_driver_publish(r->tx) >= 0);
		must(vnet_device_notify(&r->dev, VNET_TX_QUEUE) == 0);
		must(virtq_driver_get_used(r->tx, &got, &used) == 1);
		must(vnet_loopback_pop(r->lb, r->pkt, sizeof(r->pkt)) > 0);
	}
}

static void rx_run(void *ctx, uint64_t ops)
{
	struct rig *r = ctx;
	struct virtq_buf b = { 0x200000, 2048, true };
	uint16_t head, got;
	uint32_t used;

	for (uint64_t i = 0; i < ops; i++) {
		must(vnet_loopback_push(r->lb, r->pkt, VNET_HDR_LEN + r->len) == 0);
		must(virtq_driver_add(r->rx, &b, 1, &head) == 0);
		must(virtq_driver_publish(r->rx) >= 0);
		must(vnet_device_notify(&r->dev, VNET_RX_QUEUE) == 0);
		must(virtq_driver_get_used(r->rx, &got, &used) == 1);
	}
}

static void setup(struct rig *r)
{
	struct vmmem_region_desc d = { .gpa = 0, .size = MEM,
				       .backing = VMMEM_BACKING_ANON };
	struct vnet_device_config cfg = { .queue_size = QSIZE };
	struct virtq_mmio *m;
	uint64_t features;

	must(vmmem_map_new(&r->mem) == 0 && vmmem_map_add_region(r->mem, &d) == 0);
	must(vnet_loopback_new(4, 0, &r->lb) == 0);
	vnet_loopback_backend(r->lb, &r->be);
	cfg.backend = &r->be;
	cfg.mem = r->mem;
	must(vnet_device_init(&r->dev, &cfg) == 0);
	m = vnet_device_mmio(&r->dev);
	must(virtq_driver_mmio_negotiate(m, ~0ull, &features) == 0);
	must(virtq_driver_new(r->mem, QSIZE, 0x0, VIRTQ_DRIVER_EVENT_IDX, &r->rx) == 0);
	must(virtq_driver_new(r->mem, QSIZE, 0x10000, VIRTQ_DRIVER_EVENT_IDX, &r->tx) == 0);
	must(virtq_driver_mmio_setup_queue(m, VNET_RX_QUEUE, r->rx) == 0);
	must(virtq_driver_mmio_setup_queue(m, VNET_TX_QUEUE, r->tx) == 0);
	must(virtq_driver_mmio_driver_ok(m) == 0);
	for (uint32_t i = 0; i < sizeof(r->pkt); i++)
		r->pkt[i] = i < VNET_HDR_LEN ? 0 : (uint8_t)i;
	must(vmmem_write(r->mem, 0x100000, r->pkt, sizeof(r->pkt)) == 0);
}

int main(void)
{
	static struct rig r;

	setup(&r);
	r.len = 64;
	cvmm_bench_run("virtio-net-tx-64", tx_run, &r, 100000, 11);
	cvmm_bench_run("virtio-net-rx-64", rx_run, &r, 100000, 11);
	r.len = 1500;
	cvmm_bench_run("virtio-net-tx-1500", tx_run, &r, 100000, 11);
	cvmm_bench_run("virtio-net-rx-1500", rx_run, &r, 100000, 11);
	return 0;
}
