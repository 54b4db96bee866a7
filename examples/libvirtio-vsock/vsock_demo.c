/* SPDX-License-Identifier: MIT */
/*
 * libvirtio-vsock on its own: builds guest memory and a virtio-vsock
 * device listening on a Unix socket in a scratch directory, plays the
 * guest's vsock driver with libvirtio-queue's driver-side helper
 * (virtio 1.2 §5.10.6), and runs a tiny poll() event loop for the fds the
 * device asks to watch.  It shows both directions of the hybrid model:
 *  1. the guest connects to host port 52, where a host program listens on
 *     "<uds>_52", and they exchange a line each way;
 *  2. a host program connects to "<uds>", writes "CONNECT 5000\n", the
 *     guest accepts, the host reads "OK <port>\n", and they talk.
 *
 * Usage: vsock-demo
 */
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <virtq/driver.h>
#include <vmmem/vmmem.h>
#include <vsock/vsock.h>

#define CID 3u
#define RX_BUF 0x100000u
#define TX_BUF 0x80000u

static struct vmmem_map *mem;
static struct vsock_device *dev;
static struct virtq_driver *rxq, *txq;
static struct pollfd fds[16];
static nfds_t nfds;

static void die(const char *what)
{
	fprintf(stderr, "vsock-demo: %s failed\n", what);
	exit(1);
}

/* The device tells us what to poll: keep a pollfd array in step. */
static void on_watch(void *ctx, int fd, uint32_t events)
{
	(void)ctx;
	for (nfds_t i = 0; i < nfds; i++)
		if (fds[i].fd == fd) {
			if (events)
				fds[i].events = (short)events;
			else
				fds[i] = fds[--nfds];
			return;
		}
	if (events && nfds < 16)
		fds[nfds++] = (struct pollfd){ fd, (short)events, 0 };
}

static void run_loop_once(void)
{
	struct pollfd now[16];
	nfds_t n = nfds;

	memcpy(now, fds, sizeof(now));
	if (poll(now, n, 100) < 0)
		die("poll");
	for (nfds_t i = 0; i < n; i++)
		if (now[i].revents)
			(void)!vsock_device_process_fd(dev, now[i].fd, (uint32_t)now[i].revents);
}

static void guest_send(uint16_t op, uint32_t flags, uint32_t src_port,
		       uint32_t dst_port, const char *data)
{
	uint32_t len = data ? (uint32_t)strlen(data) : 0;
	struct vsock_hdr h = {
		.src_cid = CID, .dst_cid = VSOCK_HOST_CID, .src_port = src_port,
		.dst_port = dst_port, .len = len, .type = VIRTIO_VSOCK_TYPE_STREAM,
		.op = op, .flags = flags, .buf_alloc = 65536,
	};
	uint8_t raw[VSOCK_HDR_SIZE];
	struct virtq_buf b[2] = { { TX_BUF, VSOCK_HDR_SIZE, false },
				  { TX_BUF + 64, len, false } };
	uint16_t head;
	uint32_t used;

	vsock_hdr_encode(&h, raw);
	if (vmmem_write(mem, TX_BUF, raw, sizeof(raw)) ||
	    (len && vmmem_write(mem, TX_BUF + 64, data, len)) ||
	    virtq_driver_add(txq, b, len ? 2 : 1, &head) || virtq_driver_publish(txq) < 0 ||
	    vsock_device_notify(dev, VSOCK_QUEUE_TX) ||
	    virtq_driver_get_used(txq, &head, &used) != 1)
		die("guest tx");
}

static void guest_post_rx(uint16_t slot)
{
	struct virtq_buf b = { RX_BUF + 0x1000u * slot, 0x1000, true };
	uint16_t head;

	if (virtq_driver_add(rxq, &b, 1, &head) || virtq_driver_publish(rxq) < 0 ||
	    vsock_device_notify(dev, VSOCK_QUEUE_RX))
		die("guest rx buffer");
}

/* Runs the loop until the guest receives a packet; prints it. */
static struct vsock_hdr guest_recv(char *text, size_t cap)
{
	static const char *const names[] = { "INVALID", "REQUEST", "RESPONSE", "RST",
					     "SHUTDOWN", "RW", "CREDIT_UPDATE",
					     "CREDIT_REQUEST" };
	uint8_t raw[VSOCK_HDR_SIZE];
	struct vsock_hdr h;
	uint16_t head;
	uint32_t len;

	for (int i = 0; virtq_driver_get_used(rxq, &head, &len) != 1; i++) {
		if (i == 50)
			die("waiting for the device");
		run_loop_once();
	}
	if (vmmem_read(mem, RX_BUF + 0x1000u * head, raw, sizeof(raw)))
		die("rx header");
	vsock_hdr_decode(raw, &h);
	text[0] = 0;
	if (h.len && h.len < cap) {
		if (vmmem_read(mem, RX_BUF + 0x1000u * head + VSOCK_HDR_SIZE, text, h.len))
			die("rx payload");
		text[h.len] = 0;
		text[strcspn(text, "\n")] = 0;
	}
	printf("guest  <- %-8s from host port %u to guest port %u, %u bytes %s\n",
	       h.op < 8 ? names[h.op] : "?", h.src_port, h.dst_port, h.len, text);
	guest_post_rx(head);
	return h;
}

static int unix_socket(const char *path, bool listening)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || (listening ? bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
					   listen(fd, 1)
				 : connect(fd, (struct sockaddr *)&sa, sizeof(sa))))
		die(path);
	return fd;
}

/* Reads what the host side has, running the device meanwhile. */
static void host_read(int fd, char *buf, size_t cap)
{
	ssize_t n;

	for (int i = 0; (n = recv(fd, buf, cap - 1, MSG_DONTWAIT)) <= 0; i++) {
		if (i == 50)
			die("host read");
		run_loop_once();
	}
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

int main(void)
{
	char dir[] = "/tmp/vsock-demo-XXXXXX", path[64], port_path[80], text[256];
	struct vmmem_region_desc ram = { .gpa = 0, .size = 4u << 20,
					 .backing = VMMEM_BACKING_ANON };
	struct vsock_device_config cfg = { .guest_cid = CID, .watch = { on_watch, NULL } };
	struct vsock_hdr h;
	uint64_t features;
	int lfd, afd, hfd;

	if (!mkdtemp(dir) || vmmem_map_new(&mem) || vmmem_map_add_region(mem, &ram))
		die("setup");
	snprintf(path, sizeof(path), "%s/v.sock", dir);
	snprintf(port_path, sizeof(port_path), "%s_52", path);
	cfg.mem = mem;
	cfg.uds_path = path;
	if (vsock_device_new(&cfg, &dev))
		die("device");
	/* The guest driver's probe: features, rx and tx queues, DRIVER_OK. */
	if (virtq_driver_mmio_negotiate(vsock_device_mmio(dev), ~0ull, &features) ||
	    virtq_driver_new(mem, 64, 0x0, VIRTQ_DRIVER_EVENT_IDX, &rxq) ||
	    virtq_driver_new(mem, 64, 0x4000, VIRTQ_DRIVER_EVENT_IDX, &txq) ||
	    virtq_driver_mmio_setup_queue(vsock_device_mmio(dev), 0, rxq) ||
	    virtq_driver_mmio_setup_queue(vsock_device_mmio(dev), 1, txq) ||
	    virtq_driver_mmio_driver_ok(vsock_device_mmio(dev)))
		die("probe");
	for (uint16_t i = 0; i < 8; i++)
		guest_post_rx(i);
	printf("libvirtio-vsock %s: guest cid %llu, features 0x%llx, uds %s\n",
	       VSOCK_VERSION_STRING, (unsigned long long)vsock_device_guest_cid(dev),
	       (unsigned long long)features, path);

	/* 1. Guest connects to host port 52. */
	lfd = unix_socket(port_path, true);
	guest_send(VIRTIO_VSOCK_OP_REQUEST, 0, 1024, 52, NULL);
	guest_recv(text, sizeof(text));
	afd = accept(lfd, NULL, NULL);
	guest_send(VIRTIO_VSOCK_OP_RW, 0, 1024, 52, "hello from the guest\n");
	host_read(afd, text, sizeof(text));
	printf("host   <- \"%s\" on %s\n", text, port_path);
	if (send(afd, "hello from the host\n", 20, 0) != 20)
		die("host send");
	guest_recv(text, sizeof(text));
	close(afd);
	guest_recv(text, sizeof(text));	/* SHUTDOWN: the host closed */
	/* The guest closes too; the device ends the connection with RST. */
	guest_send(VIRTIO_VSOCK_OP_SHUTDOWN,
		   VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND, 1024, 52, NULL);
	guest_recv(text, sizeof(text));

	/* 2. A host program connects to guest port 5000. */
	hfd = unix_socket(path, false);
	if (send(hfd, "CONNECT 5000\n", 13, 0) != 13)
		die("CONNECT");
	h = guest_recv(text, sizeof(text));	/* REQUEST */
	guest_send(VIRTIO_VSOCK_OP_RESPONSE, 0, 5000, h.src_port, NULL);
	host_read(hfd, text, sizeof(text));
	printf("host   <- \"%s\" (the device's local port)\n", text);
	guest_send(VIRTIO_VSOCK_OP_RW, 0, 5000, h.src_port, "guest agent ready\n");
	host_read(hfd, text, sizeof(text));
	printf("host   <- \"%s\"\n", text);
	guest_send(VIRTIO_VSOCK_OP_RST, 0, 5000, h.src_port, NULL);
	close(hfd);

	printf("packets: %llu from the guest, %llu to the guest; connections opened: %llu\n",
	       (unsigned long long)vsock_device_stats(dev)->tx_packets,
	       (unsigned long long)vsock_device_stats(dev)->rx_packets,
	       (unsigned long long)vsock_device_stats(dev)->conns_opened);
	vsock_device_free(dev);
	close(lfd);
	unlink(port_path);
	rmdir(dir);
	virtq_driver_free(rxq);
	virtq_driver_free(txq);
	vmmem_map_free(mem);
	return 0;
}
