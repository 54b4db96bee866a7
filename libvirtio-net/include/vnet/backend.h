/* SPDX-License-Identifier: MIT */
/*
 * Network backends: where a virtio-net device's frames go and come from.
 * A backend is an ops table plus a context.  Every frame crosses it with
 * its 12-byte struct virtio_net_hdr_v1 in front (the tap's IFF_VNET_HDR
 * format), so offloads pass through untouched.
 *
 * Backends never block and never wait: send and recv return -EAGAIN when
 * they cannot proceed, and the VMM's event loop calls the device again
 * when the backend's fd (vnet_backend.fd) becomes writable / readable.
 *
 * Two backends come with the library:
 *  - tap: /dev/net/tun with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, a 12-byte
 *    header (TUNSETVNETHDRSZ), O_NONBLOCK, and TUNSETOFFLOAD set to what
 *    the guest negotiated to receive;
 *  - loopback: an in-memory FIFO of frames: what the device transmits is
 *    what it receives next; tests inject and take frames directly.
 */
#ifndef VNET_BACKEND_H
#define VNET_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifndef VNET_WUR
#define VNET_WUR __attribute__((warn_unused_result))
#endif

#define VNET_BACKEND_OPS_VERSION 1u

struct vnet_backend_ops {
	unsigned int version;	/* VNET_BACKEND_OPS_VERSION */
	/*
	 * Sends one frame: iov[0] is the 12-byte header, the rest the frame.
	 * Returns the bytes sent or -errno; -EAGAIN: try again when the fd
	 * is writable.  Any other error drops the frame.
	 */
	ssize_t (*send)(void *ctx, const struct iovec *iov, int iovcnt);
	/*
	 * Receives one frame (header + frame) into buf.  Returns its length,
	 * -EAGAIN when there is none, or -errno.
	 */
	ssize_t (*recv)(void *ctx, void *buf, size_t len);
	/*
	 * The negotiated VIRTIO_NET_F_* features: the backend should hand
	 * the device only receive offloads the guest accepts (TUNSETOFFLOAD).
	 * The device still filters: without GUEST_CSUM it clears DATA_VALID
	 * (a tap sets it whatever TUNSETOFFLOAD says) and completes a
	 * NEEDS_CSUM checksum itself; other offloads are dropped.
	 * NULL: nothing to do.
	 */
	int (*set_offload)(void *ctx, uint64_t features);
};

struct vnet_backend {
	const struct vnet_backend_ops *ops;
	void *ctx;
	/* VIRTIO_NET_F_* offload bits the backend can honour: CSUM,
	 * HOST_TSO4/6, HOST_UFO (frames it accepts) and GUEST_CSUM,
	 * GUEST_TSO4/6, GUEST_UFO (frames it may produce). */
	uint64_t offloads;
	int fd;		/* for the VMM's event loop; -1 when none */
};

/* A tap device, opaque. */
struct vnet_tap;

/*
 * Attaches to (or creates) tap interface `name` (at most IFNAMSIZ-1 bytes).
 * -ENOENT/-EPERM ... from open/ioctl, -ENOTSUP when the kernel lacks
 * IFF_VNET_HDR, -EINVAL for a bad name, -ENOMEM.
 */
VNET_WUR int vnet_tap_open(const char *name, struct vnet_tap **out);
/* Closes the fd.  NULL is a no-op. */
void vnet_tap_free(struct vnet_tap *t);
/* The backend view of t, valid until vnet_tap_free(t). */
void vnet_tap_backend(struct vnet_tap *t, struct vnet_backend *out);
/* The interface name the kernel gave it (e.g. for "tap%d"). */
const char *vnet_tap_name(const struct vnet_tap *t);
/* The TUNSETOFFLOAD flags last set (TUN_F_*). */
unsigned int vnet_tap_offload_flags(const struct vnet_tap *t);

/* An in-memory loopback, opaque. */
struct vnet_loopback;

/*
 * A FIFO of up to `capacity` frames (header + frame, at most
 * VNET_HDR_LEN + VNET_MAX_FRAME bytes each) offering `offloads`.
 * -EINVAL for capacity 0 or above 4096, -ENOMEM.
 */
VNET_WUR int vnet_loopback_new(unsigned int capacity, uint64_t offloads,
			       struct vnet_loopback **out);
void vnet_loopback_free(struct vnet_loopback *lb);
void vnet_loopback_backend(struct vnet_loopback *lb, struct vnet_backend *out);
/* Queues a frame as if from the host (-ENOSPC full, -EINVAL too long). */
VNET_WUR int vnet_loopback_push(struct vnet_loopback *lb, const void *buf,
				size_t len);
/* Takes the oldest frame: its length (truncated to cap), or -EAGAIN. */
VNET_WUR ssize_t vnet_loopback_pop(struct vnet_loopback *lb, void *buf,
				   size_t cap);
/* Frames queued. */
unsigned int vnet_loopback_count(const struct vnet_loopback *lb);
/* Features last given to set_offload. */
uint64_t vnet_loopback_offload(const struct vnet_loopback *lb);
/* Makes the next n sends fail with err (e.g. -EAGAIN, -EIO); for tests. */
void vnet_loopback_fail_sends(struct vnet_loopback *lb, unsigned int n, int err);

#endif
