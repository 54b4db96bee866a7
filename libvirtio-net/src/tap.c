// SPDX-License-Identifier: MIT
/*
 * The tap backend (Linux Documentation/networking/tuntap.rst): a
 * /dev/net/tun fd attached to a tap interface with IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR, a 12-byte virtio_net_hdr_v1 in front of every frame
 * (TUNSETVNETHDRSZ), non-blocking, close-on-exec.
 *
 * Offloads: with IFF_VNET_HDR the kernel accepts checksum-partial and
 * TSO4/TSO6/UFO frames written to it (the host side of CSUM, HOST_TSO*,
 * HOST_UFO).  What it may hand us is set with TUNSETOFFLOAD from the
 * guest's GUEST_* features; TUN_F_UFO has not produced UFO frames since
 * Linux 4.14, so GUEST_UFO is never offered.  Which TUN_F_* flags the
 * running kernel accepts is probed at open.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <vnet/backend.h>
#include <vnet/hdr.h>

#define BIT(n) (1ull << (n))

struct vnet_tap {
	int fd;
	char name[IFNAMSIZ];
	uint64_t offloads;
	unsigned int flags;	/* TUN_F_* last set */
};

static ssize_t tap_send(void *ctx, const struct iovec *iov, int iovcnt)
{
	struct vnet_tap *t = ctx;
	ssize_t n = writev(t->fd, iov, iovcnt);

	return n < 0 ? -errno : n;
}

static ssize_t tap_recv(void *ctx, void *buf, size_t len)
{
	struct vnet_tap *t = ctx;
	ssize_t n = read(t->fd, buf, len);

	return n < 0 ? -errno : n;
}

static unsigned int tun_flags(uint64_t features)
{
	unsigned int f = 0;

	if (features & BIT(VIRTIO_NET_F_GUEST_CSUM))
		f |= TUN_F_CSUM;
	if (features & BIT(VIRTIO_NET_F_GUEST_TSO4))
		f |= TUN_F_TSO4;
	if (features & BIT(VIRTIO_NET_F_GUEST_TSO6))
		f |= TUN_F_TSO6;
	return f;
}

static int tap_set_offload(void *ctx, uint64_t features)
{
	struct vnet_tap *t = ctx;
	unsigned int f = tun_flags(features);

	if (ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)f) < 0)
		return -errno;
	t->flags = f;
	return 0;
}

static const struct vnet_backend_ops tap_ops = {
	.version = VNET_BACKEND_OPS_VERSION,
	.send = tap_send,
	.recv = tap_recv,
	.set_offload = tap_set_offload,
};

/* What the guest may be offered: the host side always, the guest side as
 * far as TUNSETOFFLOAD accepts it. */
static uint64_t probe_offloads(int fd)
{
	uint64_t o = BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_HOST_TSO4) |
		     BIT(VIRTIO_NET_F_HOST_TSO6) | BIT(VIRTIO_NET_F_HOST_UFO);

	if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)TUN_F_CSUM) == 0) {
		o |= BIT(VIRTIO_NET_F_GUEST_CSUM);
		if (ioctl(fd, TUNSETOFFLOAD,
			  (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) == 0)
			o |= BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6);
	}
	/* Nothing is offered to the guest until it negotiates. */
	if (ioctl(fd, TUNSETOFFLOAD, 0ul) < 0)
		o &= ~(BIT(VIRTIO_NET_F_GUEST_CSUM) | BIT(VIRTIO_NET_F_GUEST_TSO4) |
		       BIT(VIRTIO_NET_F_GUEST_TSO6));
	return o;
}

static int setup(struct vnet_tap *t, const char *name)
{
	struct ifreq ifr;
	unsigned int features;
	int hdr = VNET_HDR_LEN;

	if (ioctl(t->fd, TUNGETFEATURES, &features) < 0)
		return -errno;
	if (!(features & IFF_VNET_HDR))
		return -ENOTSUP;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0 ||
	    ioctl(t->fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return -errno;
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
	t->name[IFNAMSIZ - 1] = '\0';
	t->offloads = probe_offloads(t->fd);
	return 0;
}

int vnet_tap_open(const char *name, struct vnet_tap **out)
{
	struct vnet_tap *t;
	int err;

	if (!name || strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		err = -errno;
		free(t);
		return err;
	}
	err = setup(t, name);
	if (err) {
		vnet_tap_free(t);
		return err;
	}
	*out = t;
	return 0;
}

void vnet_tap_free(struct vnet_tap *t)
{
	if (!t)
		return;
	close(t->fd);
	free(t);
}

void vnet_tap_backend(struct vnet_tap *t, struct vnet_backend *out)
{
	*out = (struct vnet_backend){
		.ops = &tap_ops, .ctx = t, .offloads = t->offloads, .fd = t->fd,
	};
}

const char *vnet_tap_name(const struct vnet_tap *t)
{
	return t->name;
}

unsigned int vnet_tap_offload_flags(const struct vnet_tap *t)
{
	return t->flags;
}
