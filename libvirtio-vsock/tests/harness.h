/* SPDX-License-Identifier: MIT */
/*
 * Fixtures for the device tests: guest memory, a vsock device listening in
 * a scratch directory, its three queues brought up through the MMIO
 * registers by libvirtio-queue's driver-side helper (as Linux's
 * virtio_mmio + vsock probe does), a counting interrupt line, a table of
 * the fds the device asked to watch with a poll() pump, and helpers that
 * play the guest's vsock driver: send a packet on tx, post rx buffers
 * (header and payload in two descriptors, as Linux 6.1 does), receive.
 */
#ifndef VSOCK_TEST_HARNESS_H
#define VSOCK_TEST_HARNESS_H

#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <virtq/driver.h>
#include <vmmem/vmmem.h>
#include <vsock/vsock.h>

#include "device_priv.h"

#define T_MEM (4u << 20)
#define T_QSIZE 64u
#define T_CID 3u
#define T_RING(q) (0x10000u + 0x4000u * (q))
#define T_TX_HDR 0x20000u
#define T_TX_DATA 0x30000u		/* up to 64 KiB + a bit */
#define T_EVENT_BUF 0x28000u
#define T_RX_SLOT(i) (0x100000u + 0x2000u * (i))
#define T_RX_PAYLOAD 4096u
#define T_RX_SLOTS 32u
#define T_MAX_WATCH 64

struct t_watch {
	int fd;
	uint32_t events;
};

struct t_vsock {
	char dir[64];
	char path[96];
	struct vmmem_map *mem;
	struct vsock_device *dev;
	struct virtq_driver *drv[VSOCK_NUM_QUEUES];
	unsigned int irqs;
	struct t_watch watch[T_MAX_WATCH];
	unsigned int nwatch;
	int16_t rx_slot_of_head[T_QSIZE];
	uint32_t rx_next_slot;
};

static void t_irq(void *ctx, uint32_t isr)
{
	struct t_vsock *t = ctx;

	(void)isr;
	t->irqs++;
}

/* The device's fd interest, kept as a poll set. */
static void t_watch_fn(void *ctx, int fd, uint32_t events)
{
	struct t_vsock *t = ctx;

	for (unsigned int i = 0; i < t->nwatch; i++)
		if (t->watch[i].fd == fd) {
			if (events) {
				t->watch[i].events = events;
			} else {
				t->watch[i] = t->watch[--t->nwatch];
			}
			return;
		}
	cr_assert_neq(events, 0u, "fd %d removed but never watched", fd);
	cr_assert_lt(t->nwatch, T_MAX_WATCH);
	t->watch[t->nwatch++] = (struct t_watch){ fd, events };
}

static inline uint32_t t_watched(const struct t_vsock *t, int fd)
{
	for (unsigned int i = 0; i < t->nwatch; i++)
		if (t->watch[i].fd == fd)
			return t->watch[i].events;
	return 0;
}

/* One poll round over the watched fds; returns the events delivered. */
static inline int t_pump(struct t_vsock *t, int timeout_ms)
{
	struct pollfd p[T_MAX_WATCH];
	unsigned int n = t->nwatch;
	int r, done = 0;

	for (unsigned int i = 0; i < n; i++)
		p[i] = (struct pollfd){ t->watch[i].fd, (short)t->watch[i].events, 0 };
	r = poll(p, n, timeout_ms);
	cr_assert_geq(r, 0);
	for (unsigned int i = 0; i < n && r > 0; i++)
		if (p[i].revents) {
			/* An earlier event in this round may have closed it. */
			if (t_watched(t, p[i].fd) == 0)
				continue;
			cr_assert_eq(vsock_device_process_fd(t->dev, p[i].fd,
							     (uint32_t)p[i].revents), 0);
			done++;
		}
	return done;
}

static inline void t_bring_up(struct t_vsock *t)
{
	struct virtq_mmio *mmio = vsock_device_mmio(t->dev);
	uint64_t features;

	cr_assert_eq(virtq_driver_mmio_negotiate(mmio, ~(1ull << VIRTIO_F_EVENT_IDX),
						 &features), 0);
	for (uint16_t q = 0; q < VSOCK_NUM_QUEUES; q++) {
		virtq_driver_free(t->drv[q]);
		cr_assert_eq(virtq_driver_new(t->mem, T_QSIZE, T_RING(q), 0, &t->drv[q]), 0);
		cr_assert_eq(virtq_driver_mmio_setup_queue(mmio, q, t->drv[q]), 0);
	}
	cr_assert_eq(virtq_driver_mmio_driver_ok(mmio), 0);
	memset(t->rx_slot_of_head, -1, sizeof(t->rx_slot_of_head));
	t->rx_next_slot = 0;
}

static inline struct vsock_device_config t_config(struct t_vsock *t)
{
	return (struct vsock_device_config){
		.mem = t->mem, .irq = { t_irq, t }, .watch = { t_watch_fn, t },
		.guest_cid = T_CID, .uds_path = t->path, .queue_size = T_QSIZE,
	};
}

/* Memory and a scratch directory, no device yet. */
static inline void t_prepare(struct t_vsock *t)
{
	struct vmmem_region_desc r = { .gpa = 0, .size = T_MEM,
				       .backing = VMMEM_BACKING_ANON };

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/vsock-test-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/v.sock", t->dir);
	cr_assert_eq(vmmem_map_new(&t->mem), 0);
	cr_assert_eq(vmmem_map_add_region(t->mem, &r), 0);
}

static inline void t_open_cfg(struct t_vsock *t, struct vsock_device_config *cfg)
{
	cr_assert_eq(vsock_device_new(cfg, &t->dev), 0);
	t_bring_up(t);
}

static inline void t_open(struct t_vsock *t, uint32_t max_conns, uint32_t buf_alloc)
{
	struct vsock_device_config cfg;

	t_prepare(t);
	cfg = t_config(t);
	cfg.max_conns = max_conns;
	cfg.buf_alloc = buf_alloc;
	t_open_cfg(t, &cfg);
}

static inline void t_close(struct t_vsock *t)
{
	char cmd[160];

	vsock_device_free(t->dev);
	cr_assert_eq(t->nwatch, 0u, "fds still watched after free");
	for (uint16_t q = 0; q < VSOCK_NUM_QUEUES; q++)
		virtq_driver_free(t->drv[q]);
	vmmem_map_free(t->mem);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	cr_assert_eq(system(cmd), 0);
}

static inline bool t_needs_reset(struct t_vsock *t)
{
	return virtq_mmio_status(vsock_device_mmio(t->dev)) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

static inline const struct vsock_device_stats *t_stats(struct t_vsock *t)
{
	return vsock_device_stats(t->dev);
}

/* A header from the guest (CID T_CID) to the host. */
static inline struct vsock_hdr t_hdr(uint16_t op, uint32_t src_port, uint32_t dst_port,
				     uint32_t len)
{
	return (struct vsock_hdr){
		.src_cid = T_CID, .dst_cid = VSOCK_HOST_CID, .src_port = src_port,
		.dst_port = dst_port, .len = len, .type = VIRTIO_VSOCK_TYPE_STREAM,
		.op = op, .buf_alloc = 64u * 1024u,
	};
}

static inline void t_kick(struct t_vsock *t, uint16_t q)
{
	cr_assert_geq(virtq_driver_publish(t->drv[q]), 0);
	cr_assert_eq(vsock_device_mmio_write(t->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 4, q), 0);
}

/* Sends raw chain buffers on tx and waits for the head to come back. */
static inline void t_send_bufs(struct t_vsock *t, const struct virtq_buf *b, size_t n)
{
	uint16_t head, got;
	uint32_t len;

	cr_assert_eq(virtq_driver_add(t->drv[VSOCK_QUEUE_TX], b, n, &head), 0);
	t_kick(t, VSOCK_QUEUE_TX);
	cr_assert_eq(virtq_driver_get_used(t->drv[VSOCK_QUEUE_TX], &got, &len), 1,
		     "tx head not returned");
	cr_assert_eq(got, head);
	cr_assert_eq(len, 0u);
}

/* Sends a packet: header descriptor, then payload (when len_payload). */
static inline void t_send(struct t_vsock *t, const struct vsock_hdr *h,
			  const void *payload, uint32_t len_payload)
{
	uint8_t raw[VSOCK_HDR_SIZE];
	struct virtq_buf b[2] = {
		{ T_TX_HDR, VSOCK_HDR_SIZE, false }, { T_TX_DATA, len_payload, false },
	};

	vsock_hdr_encode(h, raw);
	cr_assert_eq(vmmem_write(t->mem, T_TX_HDR, raw, sizeof(raw)), 0);
	if (len_payload)
		cr_assert_eq(vmmem_write(t->mem, T_TX_DATA, payload, len_payload), 0);
	t_send_bufs(t, b, len_payload ? 2 : 1);
}

static inline void t_send_op(struct t_vsock *t, uint16_t op, uint32_t src_port,
			     uint32_t dst_port, uint32_t flags)
{
	struct vsock_hdr h = t_hdr(op, src_port, dst_port, 0);

	h.flags = flags;
	t_send(t, &h, NULL, 0);
}

/* Posts n rx buffers (header + T_RX_PAYLOAD bytes, two descriptors). */
static inline void t_post_rx(struct t_vsock *t, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint32_t slot = t->rx_next_slot++ % T_RX_SLOTS;
		struct virtq_buf b[2] = {
			{ T_RX_SLOT(slot), VSOCK_HDR_SIZE, true },
			{ T_RX_SLOT(slot) + 0x100u, T_RX_PAYLOAD, true },
		};
		uint16_t head;

		cr_assert_eq(virtq_driver_add(t->drv[VSOCK_QUEUE_RX], b, 2, &head), 0);
		t->rx_slot_of_head[head] = (int16_t)slot;
	}
	t_kick(t, VSOCK_QUEUE_RX);
}

/* Takes the next rx packet, if any: 1 with *h (and up to cap payload
 * bytes in buf), 0 when none is used yet. */
static inline int t_recv(struct t_vsock *t, struct vsock_hdr *h, void *buf, size_t cap)
{
	uint8_t raw[VSOCK_HDR_SIZE];
	uint16_t head;
	uint32_t len;
	int slot, r = virtq_driver_get_used(t->drv[VSOCK_QUEUE_RX], &head, &len);

	cr_assert_geq(r, 0);
	if (r == 0)
		return 0;
	slot = t->rx_slot_of_head[head];
	cr_assert_geq(slot, 0);
	cr_assert_geq(len, VSOCK_HDR_SIZE);
	cr_assert_eq(vmmem_read(t->mem, T_RX_SLOT(slot), raw, sizeof(raw)), 0);
	vsock_hdr_decode(raw, h);
	cr_assert_eq(len, VSOCK_HDR_SIZE + h->len, "used length must cover header + len");
	cr_assert_leq(h->len, cap);
	if (h->len)
		cr_assert_eq(vmmem_read(t->mem, T_RX_SLOT(slot) + 0x100u, buf, h->len), 0);
	return 1;
}

/* Pumps the event loop until an rx packet arrives; fails after ~2 s. */
static inline void t_expect(struct t_vsock *t, struct vsock_hdr *h, void *buf, size_t cap)
{
	for (int i = 0; i < 200; i++) {
		if (t_recv(t, h, buf, cap))
			return;
		(void)t_pump(t, 10);
	}
	cr_assert_fail("no rx packet");
}

static inline void t_expect_op(struct t_vsock *t, uint16_t op, uint32_t src_port,
			       uint32_t dst_port)
{
	struct vsock_hdr h;
	uint8_t buf[T_RX_PAYLOAD];

	t_expect(t, &h, buf, sizeof(buf));
	cr_assert_eq(h.op, op, "op %u, expected %u", h.op, op);
	cr_assert_eq(h.src_cid, VSOCK_HOST_CID);
	cr_assert_eq(h.dst_cid, T_CID);
	cr_assert_eq(h.src_port, src_port);
	cr_assert_eq(h.dst_port, dst_port);
	cr_assert_eq(h.type, VIRTIO_VSOCK_TYPE_STREAM);
}

/* Nothing arrives on rx within a few pump rounds. */
static inline void t_expect_nothing(struct t_vsock *t)
{
	struct vsock_hdr h;
	uint8_t buf[T_RX_PAYLOAD];

	for (int i = 0; i < 5; i++)
		(void)t_pump(t, 5);
	cr_assert_eq(t_recv(t, &h, buf, sizeof(buf)), 0, "unexpected op %u", h.op);
}

/* Host side: a listener at "<path>_<port>", and a client of <path>. */
static inline int t_listen_port(struct t_vsock *t, uint32_t port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", t->path, port);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(fd, 8), 0);
	return fd;
}

static inline int t_connect_host(struct t_vsock *t)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", t->path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Reads exactly n bytes from a host socket, pumping the device meanwhile. */
static inline void t_host_read(struct t_vsock *t, int fd, void *buf, size_t n)
{
	size_t got = 0;

	for (int i = 0; i < 400 && got < n; i++) {
		ssize_t r = recv(fd, (char *)buf + got, n - got, MSG_DONTWAIT);

		if (r > 0)
			got += (size_t)r;
		else
			(void)t_pump(t, 5);
	}
	cr_assert_eq(got, n, "host read %zu of %zu bytes", got, n);
}

#endif
