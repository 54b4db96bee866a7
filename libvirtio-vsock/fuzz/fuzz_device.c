/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the whole vsock device (virtio 1.2 §5.10 over §4.2.2)
 * with a hostile driver, and real Unix sockets behind it.  The input
 * becomes the tx queue's descriptor table, its available ring and the
 * packet buffers; the rx queue holds good buffers.  A host listener on
 * port 52 lets REQUESTs connect.  Invariants (a violation traps):
 *  - unless the device asked for a reset, the used indices advance by at
 *    most what was published, with valid heads, and every rx completion
 *    covers at least a header and at most its buffer;
 *  - connections never exceed the cap;
 *  - after a reset and a fresh bring-up, a good REQUEST gets its RESPONSE
 *    (a hostile driver cannot leave the device wedged).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <virtq/driver.h>
#include <vmmem/vmmem.h>
#include <vsock/vsock.h>

#define QSIZE 8u
#define RX_RING 0x0u
#define TX_RING 0x1000u
#define EV_RING 0x2000u
#define BUFS 0x4000u		/* tx packet buffers from the input */
#define RX_BUFS 0x10000u	/* 8 rx buffers of 0x800 */
#define MEM_BYTES 0x20000u
#define CID 3u
#define MAX_CONNS 4u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vmmem_map *mem;
static struct vsock_device *dev;
static struct virtq_driver *drv[3];
static int lfd = -1;

static void bring_up(void)
{
	uint64_t features;
	static const uint64_t ring[3] = { RX_RING, TX_RING, EV_RING };

	if (virtq_driver_mmio_negotiate(vsock_device_mmio(dev), ~0ull, &features))
		__builtin_trap();
	for (uint16_t q = 0; q < 3; q++) {
		virtq_driver_free(drv[q]);
		drv[q] = NULL;
		if (virtq_driver_new(mem, QSIZE, ring[q], VIRTQ_DRIVER_EVENT_IDX, &drv[q]) ||
		    virtq_driver_mmio_setup_queue(vsock_device_mmio(dev), q, drv[q]))
			__builtin_trap();
	}
	if (virtq_driver_mmio_driver_ok(vsock_device_mmio(dev)))
		__builtin_trap();
	for (uint32_t i = 0; i < QSIZE; i++) {
		struct virtq_buf b = { RX_BUFS + 0x800u * i, 0x800, true };
		uint16_t head;

		if (virtq_driver_add(drv[0], &b, 1, &head))
			__builtin_trap();
	}
	if (virtq_driver_publish(drv[0]) < 0 || vsock_device_notify(dev, 0))
		__builtin_trap();
	/* Forget connections the last run left in the listener's backlog. */
	for (int fd; (fd = accept(lfd, NULL, NULL)) >= 0; )
		close(fd);
}

static char dir[] = "/tmp/vsock-fuzzdev-XXXXXX";
static char lpath[108];

static void cleanup(void)
{
	vsock_device_free(dev);
	close(lfd);
	unlink(lpath);
	rmdir(dir);
}

static void init_once(void)
{
	char path[64];
	struct vmmem_region_desc r = { .gpa = 0, .size = MEM_BYTES,
				       .backing = VMMEM_BACKING_ANON };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vsock_device_config cfg = {
		.guest_cid = CID, .max_conns = MAX_CONNS, .buf_alloc = 4096,
		.queue_size = QSIZE,
	};

	if (!mkdtemp(dir) || vmmem_map_new(&mem) || vmmem_map_add_region(mem, &r))
		abort();
	snprintf(path, sizeof(path), "%s/v.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_52", path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 64))
		abort();
	memcpy(lpath, sa.sun_path, sizeof(lpath));
	cfg.mem = mem;
	cfg.uds_path = path;
	if (vsock_device_new(&cfg, &dev))
		abort();
	atexit(cleanup);
}

static void check_used(struct virtq_driver *d, uint16_t published, bool rx)
{
	uint64_t used = virtq_driver_used_addr(d);
	uint16_t idx;

	if (vmmem_load_u16(mem, used + 2, &idx) || idx > published)
		__builtin_trap();
	for (uint16_t i = 0; i < idx; i++) {
		uint32_t id, len;

		if (vmmem_load_u32(mem, used + 4 + 8u * (i % QSIZE), &id) ||
		    vmmem_load_u32(mem, used + 8 + 8u * (i % QSIZE), &len) || id >= QSIZE)
			__builtin_trap();
		if (rx ? len != 0 && (len < VSOCK_HDR_SIZE || len > 0x800) : len != 0)
			__builtin_trap();
	}
}

/* A good REQUEST to port 52 must be answered with RESPONSE. */
static void check_recovers(void)
{
	struct vsock_hdr h = {
		.src_cid = CID, .dst_cid = VSOCK_HOST_CID, .src_port = 7, .dst_port = 52,
		.type = VIRTIO_VSOCK_TYPE_STREAM, .op = VIRTIO_VSOCK_OP_REQUEST,
		.buf_alloc = 4096,
	};
	uint8_t raw[VSOCK_HDR_SIZE];
	struct virtq_buf b = { BUFS, VSOCK_HDR_SIZE, false };
	uint16_t head;
	uint32_t len;

	bring_up();
	vsock_hdr_encode(&h, raw);
	if (vmmem_write(mem, BUFS, raw, sizeof(raw)) || virtq_driver_add(drv[1], &b, 1, &head) ||
	    virtq_driver_publish(drv[1]) < 0 || vsock_device_notify(dev, 1) ||
	    virtq_driver_get_used(drv[0], &head, &len) != 1 || len != VSOCK_HDR_SIZE ||
	    vmmem_read(mem, RX_BUFS + 0x800u * head, raw, sizeof(raw)))
		__builtin_trap();
	vsock_hdr_decode(raw, &h);
	if (h.op != VIRTIO_VSOCK_OP_RESPONSE || h.dst_port != 7 || h.src_port != 52)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t published;

	if (!mem)
		init_once();
	bring_up();
	if (size < 2)
		return 0;
	/* First byte: avail entries to publish; then the descriptor table,
	 * 8 avail heads, and from offset 0x100 the packet buffers. */
	published = data[0] % (2u * QSIZE);
	data++;
	size--;
	if (vmmem_write(mem, virtq_driver_desc_addr(drv[1]), data,
			size < 16u * QSIZE ? size : 16u * QSIZE))
		__builtin_trap();
	for (uint16_t i = 0; i < published && i < QSIZE; i++) {
		uint16_t head = size > 128u + i ? data[128u + i] % (QSIZE + 2u) : i;

		if (vmmem_store_u16(mem, virtq_driver_avail_addr(drv[1]) + 4 + 2u * i, head))
			__builtin_trap();
	}
	if (size > 0x100 && vmmem_write(mem, BUFS, data + 0x100,
					size - 0x100 < RX_BUFS - BUFS ? size - 0x100
								      : RX_BUFS - BUFS))
		__builtin_trap();
	if (vmmem_store_u16(mem, virtq_driver_avail_addr(drv[1]) + 2, published))
		__builtin_trap();
	(void)!vsock_device_notify(dev, 1);
	if (!(virtq_mmio_status(vsock_device_mmio(dev)) & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		check_used(drv[1], published, false);
		check_used(drv[0], QSIZE, true);
	}
	if (vsock_device_conn_count(dev) > MAX_CONNS)
		__builtin_trap();
	check_recovers();
	return 0;
}
