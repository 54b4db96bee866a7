// SPDX-License-Identifier: MIT
/*
 * The tap backend against the kernel, inside a network namespace this test
 * creates for itself (unshare(CLONE_NEWNET) in Criterion's per-test child
 * process): nothing leaves it.  A packet socket bound to the tap interface
 * plays the host's network: frames the device sends appear on it, frames
 * it sends reach the device.  Needs root and /dev/net/tun; skips with the
 * reason otherwise.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <virtq/driver.h>
#include <vmmem/vmmem.h>
#include <vnet/vnet.h>

#define BIT(n) (1ull << (n))

static bool usable(void)
{
	if (geteuid() != 0) {
		cr_skip_test("needs root (tap and network namespaces)");
		return false;
	}
	if (access("/dev/net/tun", R_OK | W_OK) != 0) {
		cr_skip_test("no /dev/net/tun");
		return false;
	}
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	return true;
}

static void link_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(s, 0);
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	cr_assert_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
}

/* A packet socket bound to the interface: the host side of the wire. */
static int peer(const char *name)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	cr_assert_geq(s, 0);
	sll.sll_ifindex = (int)if_nametoindex(name);
	cr_assert_gt(sll.sll_ifindex, 0);
	cr_assert_eq(bind(s, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return s;
}

static void test_frame(uint8_t *f, size_t len, uint16_t ethertype, uint8_t seed)
{
	memset(f, 0xff, 6);				/* broadcast */
	memcpy(f + 6, "\x52\x54\x00\x11\x22\x33", 6);
	f[12] = (uint8_t)(ethertype >> 8);
	f[13] = (uint8_t)ethertype;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(seed + i);
}

/*
 * Bringing the link up makes the host kernel send its own frames on it
 * (IPv6 router solicitations, MLD reports): each side reads until the
 * test's EtherType arrives, skipping those.  Regression: CI failed when
 * an MLD report reached the packet socket before the test frame.
 */
static bool is_test_frame(const uint8_t *f, ssize_t n)
{
	return n >= 14 && f[12] == 0x88 && f[13] == 0xb5;
}

static ssize_t peer_recv_test_frame(int s, uint8_t *buf, size_t len)
{
	for (int tries = 0; tries < 64; tries++) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		ssize_t n;

		cr_assert_eq(poll(&pfd, 1, 2000), 1, "no frame within 2 s");
		n = recv(s, buf, len, 0);
		if (is_test_frame(buf, n))
			return n;
	}
	cr_assert_fail("only host-kernel frames arrived");
	return -1;
}

static ssize_t device_recv_test_frame(struct vnet_backend *be, uint8_t *buf, size_t len)
{
	for (int tries = 0; tries < 64; tries++) {
		struct pollfd pfd = { .fd = be->fd, .events = POLLIN };
		ssize_t n;

		cr_assert_eq(poll(&pfd, 1, 2000), 1, "no frame within 2 s");
		n = be->ops->recv(be->ctx, buf, len);
		if (n > VNET_HDR_LEN && is_test_frame(buf + VNET_HDR_LEN, n - VNET_HDR_LEN))
			return n;
	}
	cr_assert_fail("only host-kernel frames arrived");
	return -1;
}

Test(tap, open_sets_vnet_header_and_probes_offloads)
{
	struct vnet_tap *t;
	struct vnet_backend be;
	int sz = 0;

	if (!usable())
		return;
	cr_assert_eq(vnet_tap_open("cvmmtest%d", &t), 0);
	cr_expect_eq(strncmp(vnet_tap_name(t), "cvmmtest", 8), 0);
	vnet_tap_backend(t, &be);
	cr_expect_geq(be.fd, 0);
	cr_expect(be.offloads & BIT(VIRTIO_NET_F_CSUM));
	cr_expect(be.offloads & BIT(VIRTIO_NET_F_GUEST_TSO4));
	cr_expect_not(be.offloads & BIT(VIRTIO_NET_F_GUEST_UFO));
	cr_assert_eq(ioctl(be.fd, TUNGETVNETHDRSZ, &sz), 0);
	cr_expect_eq(sz, VNET_HDR_LEN);
	vnet_tap_free(t);
}

Test(tap, rejects_bad_names)
{
	struct vnet_tap *t;

	cr_expect_eq(vnet_tap_open("a-name-longer-than-ifnamsiz", &t), -EINVAL);
	cr_expect_eq(vnet_tap_open(NULL, &t), -EINVAL);
}

Test(tap, offloads_follow_the_negotiated_guest_features)
{
	struct vnet_tap *t;
	struct vnet_backend be;

	if (!usable())
		return;
	cr_assert_eq(vnet_tap_open("cvmmtest%d", &t), 0);
	vnet_tap_backend(t, &be);
	cr_assert_eq(be.ops->set_offload(be.ctx, BIT(VIRTIO_NET_F_GUEST_CSUM) |
					 BIT(VIRTIO_NET_F_GUEST_TSO4) |
					 BIT(VIRTIO_NET_F_HOST_TSO6)), 0);
	cr_expect_eq(vnet_tap_offload_flags(t), TUN_F_CSUM | TUN_F_TSO4);
	cr_assert_eq(be.ops->set_offload(be.ctx, 0), 0);
	cr_expect_eq(vnet_tap_offload_flags(t), 0);
	vnet_tap_free(t);
}

Test(tap, empty_tap_reads_eagain_without_blocking)
{
	struct vnet_tap *t;
	struct vnet_backend be;
	uint8_t buf[2048];

	if (!usable())
		return;
	cr_assert_eq(vnet_tap_open("cvmmtest%d", &t), 0);
	vnet_tap_backend(t, &be);
	cr_expect_eq(be.ops->recv(be.ctx, buf, sizeof(buf)), -EAGAIN);
	vnet_tap_free(t);
}

Test(tap, frames_cross_in_both_directions)
{
	struct vnet_tap *t;
	struct vnet_backend be;
	uint8_t hdr[VNET_HDR_LEN] = { 0 }, frame[200], buf[2048];
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { frame, sizeof(frame) } };
	ssize_t n;
	int s;

	if (!usable())
		return;
	cr_assert_eq(vnet_tap_open("cvmmtest%d", &t), 0);
	vnet_tap_backend(t, &be);
	link_up(vnet_tap_name(t));
	s = peer(vnet_tap_name(t));

	/* device -> host: an experimental EtherType, nothing answers it */
	test_frame(frame, sizeof(frame), 0x88b5, 1);
	cr_assert_eq(be.ops->send(be.ctx, iov, 2), (ssize_t)(VNET_HDR_LEN + sizeof(frame)));
	n = peer_recv_test_frame(s, buf, sizeof(buf));
	cr_assert_eq(n, (ssize_t)sizeof(frame));
	cr_expect_arr_eq(buf, frame, sizeof(frame));

	/* host -> device */
	test_frame(frame, sizeof(frame), 0x88b5, 2);
	cr_assert_eq(send(s, frame, sizeof(frame), 0), (ssize_t)sizeof(frame));
	n = device_recv_test_frame(&be, buf, sizeof(buf));
	cr_assert_eq(n, (ssize_t)(VNET_HDR_LEN + sizeof(frame)));
	cr_expect_arr_eq(buf + VNET_HDR_LEN, frame, sizeof(frame));
	close(s);
	vnet_tap_free(t);
}

Test(tap, device_activation_sets_the_negotiated_offloads)
{
	static struct vnet_device dev;
	struct vmmem_region_desc r = { .gpa = 0, .size = 1u << 20,
				       .backing = VMMEM_BACKING_ANON };
	struct vnet_device_config cfg = { .queue_size = 16 };
	struct vmmem_map *mem;
	struct virtq_driver *rx, *tx;
	struct vnet_tap *t;
	struct vnet_backend be;
	uint64_t features;
	struct virtq_mmio *m;

	if (!usable())
		return;
	cr_assert_eq(vnet_tap_open("cvmmtest%d", &t), 0);
	vnet_tap_backend(t, &be);
	cr_assert_eq(vmmem_map_new(&mem), 0);
	cr_assert_eq(vmmem_map_add_region(mem, &r), 0);
	cfg.backend = &be;
	cfg.mem = mem;
	cr_assert_eq(vnet_device_init(&dev, &cfg), 0);
	m = vnet_device_mmio(&dev);
	/* the guest takes checksum and TSO4 in, not TSO6 */
	cr_assert_eq(virtq_driver_mmio_negotiate(m, ~BIT(VIRTIO_NET_F_GUEST_TSO6) &
						 ~BIT(VIRTIO_F_EVENT_IDX), &features), 0);
	cr_assert_eq(virtq_driver_new(mem, 16, 0x1000, 0, &rx), 0);
	cr_assert_eq(virtq_driver_new(mem, 16, 0x2000, 0, &tx), 0);
	cr_assert_eq(virtq_driver_mmio_setup_queue(m, 0, rx), 0);
	cr_assert_eq(virtq_driver_mmio_setup_queue(m, 1, tx), 0);
	cr_assert_eq(virtq_driver_mmio_driver_ok(m), 0);
	cr_expect_eq(vnet_tap_offload_flags(t), TUN_F_CSUM | TUN_F_TSO4);
	vnet_device_reset(&dev);
	virtq_driver_free(rx);
	virtq_driver_free(tx);
	vmmem_map_free(mem);
	vnet_tap_free(t);
}
