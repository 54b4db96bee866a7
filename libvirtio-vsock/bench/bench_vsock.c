/* SPDX-License-Identifier: MIT */
/*
 * Microbenchmarks of the vsock device (virtio 1.2 §5.10), played from the
 * guest side with libvirtio-queue's driver helper and real Unix sockets:
 *  - vsock-tx-credit-update: one guest control packet through the tx
 *    queue, parser and state machine (no socket I/O): the device's own
 *    per-packet cost;
 *  - vsock-tx-rw-64: one 64-byte RW packet from the guest into the host
 *    socket (includes the device's sendmsg and the host's recv);
 *  - vsock-rtt-64: a 64-byte round trip guest -> host echo -> guest through
 *    the device, both queues and the fd event path;
 *  - unix-rtt-64: the same round trip over a bare Unix socket pair, the
 *    floor a socket-backed device cannot beat.
 * Prints name=... ops=... ns_per_op=... (median of repetitions).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cvmm_bench.h>
#include <virtq/driver.h>
#include <vmmem/vmmem.h>
#include <vsock/vsock.h>

#define QSIZE 256u
#define CID 3u
#define TX_BUF 0x100000u	/* header + payload, one per tx descriptor pair */
#define RX_BUF 0x200000u	/* 0x1000 per rx buffer */
#define RX_COUNT 64u
#define GUEST_PORT 1000u
#define HOST_PORT 52u

#define CHECK(x) do { if (!(x)) { fprintf(stderr, "bench-vsock: %s failed (line %d)\n", #x, __LINE__); exit(1); } } while (0)

static struct vmmem_map *mem;
static struct vsock_device *dev;
static struct virtq_driver *rxq, *txq;
static int conn_fd = -1, host_fd = -1, listen_fd = -1;
static bool capture;	/* the next fd announced is the connection's */
static uint32_t guest_fwd;	/* bytes the guest consumed */
static char dir[] = "/tmp/vsock-bench-XXXXXX";
static char path[96], port_path[112];

/* The device's fd interest: remember the connection's fd. */
static void on_watch(void *ctx, int fd, uint32_t events)
{
	(void)ctx;
	if (capture && events) {
		conn_fd = fd;
		capture = false;
	}
}

static void send_pkt(uint16_t op, const void *payload, uint32_t len)
{
	struct vsock_hdr h = {
		.src_cid = CID, .dst_cid = VSOCK_HOST_CID, .src_port = GUEST_PORT,
		.dst_port = HOST_PORT, .len = len, .type = VIRTIO_VSOCK_TYPE_STREAM,
		.op = op, .buf_alloc = 1u << 30, .fwd_cnt = guest_fwd,
	};
	uint8_t raw[VSOCK_HDR_SIZE];
	struct virtq_buf b[2] = { { TX_BUF, VSOCK_HDR_SIZE, false },
				  { TX_BUF + 64, len, false } };
	uint16_t head;
	uint32_t used;

	vsock_hdr_encode(&h, raw);
	CHECK(vmmem_write(mem, TX_BUF, raw, sizeof(raw)) == 0);
	if (len)
		CHECK(vmmem_write(mem, TX_BUF + 64, payload, len) == 0);
	CHECK(virtq_driver_add(txq, b, len ? 2 : 1, &head) == 0);
	if (virtq_driver_publish(txq) == 1)
		CHECK(vsock_device_notify(dev, VSOCK_QUEUE_TX) == 0);
	CHECK(virtq_driver_get_used(txq, &head, &used) == 1);
}

static void post_rx(uint16_t slot)
{
	struct virtq_buf b = { RX_BUF + 0x1000u * slot, 0x1000, true };
	uint16_t head;

	CHECK(virtq_driver_add(rxq, &b, 1, &head) == 0);
	CHECK(head == slot);	/* one descriptor each: head = slot */
}

/* Takes one rx packet and gives the buffer back; returns its op. */
static uint16_t recv_any(void)
{
	uint8_t raw[VSOCK_HDR_SIZE];
	struct vsock_hdr h;
	uint16_t head;
	uint32_t len;

	CHECK(virtq_driver_get_used(rxq, &head, &len) == 1);
	CHECK(vmmem_read(mem, RX_BUF + 0x1000u * head, raw, sizeof(raw)) == 0);
	vsock_hdr_decode(raw, &h);
	guest_fwd += h.len;
	post_rx(head);
	if (virtq_driver_publish(rxq) == 1)
		CHECK(vsock_device_notify(dev, VSOCK_QUEUE_RX) == 0);
	return h.op;
}

/* The next packet that is not a credit update. */
static uint16_t recv_pkt(void)
{
	uint16_t op;

	while ((op = recv_any()) == VIRTIO_VSOCK_OP_CREDIT_UPDATE)
		;
	return op;
}

static void setup(void)
{
	struct vmmem_region_desc r = { .gpa = 0, .size = 4u << 20,
				       .backing = VMMEM_BACKING_ANON };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vsock_device_config cfg = {
		.guest_cid = CID, .watch = { on_watch, NULL }, .queue_size = QSIZE,
	};
	uint64_t features;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v.sock", dir);
	snprintf(port_path, sizeof(port_path), "%s_%u", path, HOST_PORT);
	memcpy(sa.sun_path, port_path, strlen(port_path) + 1);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(listen_fd >= 0 && !bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	      !listen(listen_fd, 1));
	CHECK(vmmem_map_new(&mem) == 0 && vmmem_map_add_region(mem, &r) == 0);
	cfg.mem = mem;
	cfg.uds_path = path;
	CHECK(vsock_device_new(&cfg, &dev) == 0);
	CHECK(virtq_driver_mmio_negotiate(vsock_device_mmio(dev), ~0ull, &features) == 0);
	CHECK(virtq_driver_new(mem, QSIZE, 0x0, VIRTQ_DRIVER_EVENT_IDX, &rxq) == 0);
	CHECK(virtq_driver_new(mem, QSIZE, 0x4000, VIRTQ_DRIVER_EVENT_IDX, &txq) == 0);
	CHECK(virtq_driver_mmio_setup_queue(vsock_device_mmio(dev), 0, rxq) == 0);
	CHECK(virtq_driver_mmio_setup_queue(vsock_device_mmio(dev), 1, txq) == 0);
	CHECK(virtq_driver_mmio_driver_ok(vsock_device_mmio(dev)) == 0);
	for (uint16_t i = 0; i < RX_COUNT; i++)
		post_rx(i);
	CHECK(virtq_driver_publish(rxq) >= 0);
	CHECK(vsock_device_notify(dev, VSOCK_QUEUE_RX) == 0);
	capture = true;
	send_pkt(VIRTIO_VSOCK_OP_REQUEST, NULL, 0);
	CHECK(recv_pkt() == VIRTIO_VSOCK_OP_RESPONSE);
	host_fd = accept(listen_fd, NULL, NULL);
	CHECK(host_fd >= 0 && conn_fd >= 0);
}

static void bench_credit_update(void *ctx, uint64_t ops)
{
	(void)ctx;
	for (uint64_t i = 0; i < ops; i++)
		send_pkt(VIRTIO_VSOCK_OP_CREDIT_UPDATE, NULL, 0);
}

static void bench_tx_rw(void *ctx, uint64_t ops)
{
	uint8_t buf[64 * 64];
	uint8_t msg[64] = { 1 };

	(void)ctx;
	for (uint64_t i = 0; i < ops; i++) {
		send_pkt(VIRTIO_VSOCK_OP_RW, msg, sizeof(msg));
		if (i % 64 == 63)
			CHECK(recv(host_fd, buf, sizeof(buf), MSG_WAITALL) == (ssize_t)sizeof(buf));
	}
	if (ops % 64)
		CHECK(recv(host_fd, buf, 64 * (ops % 64), MSG_WAITALL) ==
		      (ssize_t)(64 * (ops % 64)));
	/* The device's credit updates pile up in rx: take them. */
	while (virtq_driver_used_pending(rxq) > 0)
		CHECK(recv_any() == VIRTIO_VSOCK_OP_CREDIT_UPDATE);
}

static void bench_rtt(void *ctx, uint64_t ops)
{
	uint8_t msg[64] = { 2 }, buf[64];

	(void)ctx;
	for (uint64_t i = 0; i < ops; i++) {
		send_pkt(VIRTIO_VSOCK_OP_RW, msg, sizeof(msg));
		CHECK(recv(host_fd, buf, sizeof(buf), MSG_WAITALL) == (ssize_t)sizeof(buf));
		CHECK(send(host_fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
		CHECK(vsock_device_process_fd(dev, conn_fd, VSOCK_EV_IN) == 0);
		CHECK(recv_pkt() == VIRTIO_VSOCK_OP_RW);
	}
}

static int pair[2];

static void bench_unix_rtt(void *ctx, uint64_t ops)
{
	uint8_t msg[64] = { 3 }, buf[64];

	(void)ctx;
	for (uint64_t i = 0; i < ops; i++) {
		CHECK(send(pair[0], msg, sizeof(msg), 0) == (ssize_t)sizeof(msg));
		CHECK(recv(pair[1], buf, sizeof(buf), MSG_WAITALL) == (ssize_t)sizeof(buf));
		CHECK(send(pair[1], buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
		CHECK(recv(pair[0], buf, sizeof(buf), MSG_WAITALL) == (ssize_t)sizeof(buf));
	}
}

int main(void)
{
	setup();
	cvmm_bench_run("vsock-tx-credit-update", bench_credit_update, NULL, 20000, 9);
	cvmm_bench_run("vsock-tx-rw-64", bench_tx_rw, NULL, 20000, 9);
	cvmm_bench_run("vsock-rtt-64", bench_rtt, NULL, 20000, 9);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
	cvmm_bench_run("unix-rtt-64", bench_unix_rtt, NULL, 20000, 9);
	close(pair[0]);
	close(pair[1]);
	close(host_fd);
	vsock_device_free(dev);
	close(listen_fd);
	unlink(port_path);
	rmdir(dir);
	virtq_driver_free(rxq);
	virtq_driver_free(txq);
	vmmem_map_free(mem);
	return 0;
}
