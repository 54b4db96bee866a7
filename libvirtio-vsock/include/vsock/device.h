/* SPDX-License-Identifier: MIT */
/*
 * The virtio socket device (virtio 1.2 §5.10) on libvirtio-queue's
 * virtio-mmio transport, with its host side: Firecracker's hybrid model
 * over Unix sockets.
 *
 *  - Queues: rx (0), tx (1) and event (2).  Configuration space: guest_cid
 *    (64 bits, read-only).  Features: VERSION_1, INDIRECT_DESC and
 *    EVENT_IDX; stream sockets only (no VIRTIO_VSOCK_F_SEQPACKET).
 *  - A guest connection to host port P connects to the Unix socket
 *    "<uds_path>_P".
 *  - A host process connects to "<uds_path>" (the device listens there),
 *    writes "CONNECT <port>\n" and, once the guest accepted, reads
 *    "OK <host_port>\n", host_port being the local port the device chose.
 *    Then the socket carries the stream.
 *  - Credit-based flow control both ways: the device never sends the guest
 *    more than its advertised credit, and resets a guest connection that
 *    sends beyond the device's (cfg.buf_alloc per connection), so host
 *    memory per connection is bounded by buf_alloc.
 *  - The number of connections is capped (cfg.max_conns); refusals are
 *    counted.
 *
 * Event loop: the device never polls.  It owns non-blocking sockets and
 * tells the caller, through cfg.watch, which events it wants on which fd;
 * the caller polls them and hands what happened to vsock_device_process_fd().
 * Interrupts go out through cfg.irq.  As a resource owner (sockets,
 * per-connection buffers) the device is opaque, with _new/_free.
 *
 * Threading: every call on one device must be serialised by the caller
 * (one mutex per device): MMIO accesses from vCPU threads, notifications
 * and fd events from the event loop.
 */
#ifndef VSOCK_DEVICE_H
#define VSOCK_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <vmmem/map.h>
#include <virtq/mmio.h>
#include <vsock/packet.h>
#include <vsock/spec.h>

/* Events, with the values of POLLIN/POLLOUT/POLLERR/POLLHUP (and of the
 * EPOLL* flags), so a caller can pass either straight through. */
#define VSOCK_EV_IN	0x001u
#define VSOCK_EV_OUT	0x004u
#define VSOCK_EV_ERR	0x008u
#define VSOCK_EV_HUP	0x010u

/*
 * The device wants `events` (VSOCK_EV_IN and/or VSOCK_EV_OUT) on fd from
 * now on.  0 means: stop watching fd (remove it from the poll set; it may
 * be closed right after this call, or re-announced later).  Called only
 * when the wanted set changes.  It must not call back into the device.
 */
typedef void (*vsock_watch_fn)(void *ctx, int fd, uint32_t events);

struct vsock_watch {
	vsock_watch_fn fn;
	void *ctx;
};

/* Defaults for zero configuration fields. */
#define VSOCK_DEFAULT_QUEUE_SIZE	256u
#define VSOCK_DEFAULT_MAX_CONNS		64u
#define VSOCK_DEFAULT_BUF_ALLOC		(256u * 1024u)
/* Bounds of cfg.max_conns and cfg.buf_alloc. */
#define VSOCK_MAX_CONNS			4096u
#define VSOCK_MIN_BUF_ALLOC		4096u
#define VSOCK_MAX_BUF_ALLOC		(64u * 1024u * 1024u)

struct vsock_device_config {
	struct vmmem_map *mem;		/* guest memory */
	struct virtq_irq irq;		/* the interrupt line */
	struct vsock_watch watch;	/* fd interest, see vsock_watch_fn */
	uint64_t guest_cid;		/* VSOCK_CID_MIN .. VSOCK_CID_MAX */
	const char *uds_path;		/* listening socket; must not exist */
	uint32_t max_conns;		/* 0 = default */
	uint32_t buf_alloc;		/* per-connection credit; 0 = default */
	uint16_t queue_size;		/* QueueNumMax, power of two; 0 = default */
	uint32_t vendor_id;		/* VendorID register */
};

/* Counters for logs and tests. */
struct vsock_device_stats {
	uint64_t tx_packets;		/* guest packets that passed the parser */
	uint64_t rx_packets;		/* packets delivered to the guest */
	uint64_t malformed;		/* chains the queue or device refused */
	uint64_t rejected[VSOCK_PKT_NR_VERDICTS]; /* guest headers, by verdict */
	uint64_t conns_opened;		/* connections that reached ESTABLISHED */
	uint64_t conns_refused;		/* refused because max_conns was reached */
	uint64_t connect_failed;	/* "<uds_path>_P" could not be connected */
	uint64_t bad_connect_lines;	/* host peers with a malformed CONNECT line */
	uint64_t protocol_resets;	/* packets invalid in their connection's state */
	uint64_t credit_overruns;	/* guest sent beyond its credit: reset */
	uint64_t credit_stalls;		/* host data waited for guest credit */
	uint64_t rst_dropped;		/* RST replies dropped: reply queue full */
	uint64_t bytes_to_host;
	uint64_t bytes_to_guest;
	uint64_t events;		/* transport-reset events delivered */
	uint64_t interrupts;
	uint64_t needs_reset;
};

struct vsock_device;

/*
 * Creates the device in the reset state and starts listening on uds_path.
 * -EINVAL for a missing memory map or path, a CID out of range, a bad
 * queue size, max_conns or buf_alloc out of bounds; -ENAMETOOLONG when
 * "<uds_path>_4294967295" does not fit a sockaddr_un; -errno from
 * socket/bind/listen (-EADDRINUSE when the path exists); -ENOMEM.
 */
VSOCK_WUR int vsock_device_new(const struct vsock_device_config *cfg,
			       struct vsock_device **out);

/* Closes every socket, removes uds_path, frees.  NULL is a no-op. */
void vsock_device_free(struct vsock_device *d);

/* Device reset, as if the driver wrote 0 to Status: every connection is
 * closed (host peers see end of file). */
void vsock_device_reset(struct vsock_device *d);

/* The transport, for a VMM that drives it through <virtq/mmio.h>. */
struct virtq_mmio *vsock_device_mmio(struct vsock_device *d);

/* Guest MMIO accesses in the device's window (see virtq_mmio_read/write). */
VSOCK_WUR int vsock_device_mmio_read(struct vsock_device *d, uint64_t offset,
				     unsigned int size, uint64_t *value);
VSOCK_WUR int vsock_device_mmio_write(struct vsock_device *d, uint64_t offset,
				      unsigned int size, uint64_t value);

/* QueueNotify of queue `index` delivered outside the register file (an
 * ioeventfd).  -EPERM when the device is not running, -EINVAL for a bad
 * index. */
VSOCK_WUR int vsock_device_notify(struct vsock_device *d, uint16_t index);

/*
 * Something happened on fd (VSOCK_EV_* bits, as poll/epoll reported them).
 * The device does the socket I/O and moves what it can into the guest's rx
 * queue.  -ENOENT when fd is not one of the device's (a stale event for an
 * fd it already closed is harmless).
 */
VSOCK_WUR int vsock_device_process_fd(struct vsock_device *d, int fd,
				      uint32_t events);

/*
 * Closes every connection and sends VIRTIO_VSOCK_EVENT_TRANSPORT_RESET on
 * the event queue (now, or as soon as the driver offers an event buffer),
 * as after a migration or a CID change (§5.10.6.8).
 */
void vsock_device_transport_reset(struct vsock_device *d);

/*
 * Save/restore of the transport and queues.  Connections are not saved
 * (host sockets cannot move): restore closes every connection and sends
 * the transport-reset event, as §5.10.6.8 asks after a migration.  Restore
 * needs a device created with the same guest_cid and queue size, and
 * re-validates everything as virtq_mmio_restore() does (-EINVAL, -EFAULT).
 */
struct vsock_device_state {
	struct virtq_mmio_state mmio;
	uint64_t guest_cid;
};
VSOCK_WUR int vsock_device_save(const struct vsock_device *d,
				struct vsock_device_state *st);
VSOCK_WUR int vsock_device_restore(struct vsock_device *d,
				   const struct vsock_device_state *st);

uint64_t vsock_device_guest_cid(const struct vsock_device *d);
/* Connections in use (any state), and the negotiated features. */
uint32_t vsock_device_conn_count(const struct vsock_device *d);
uint64_t vsock_device_features(const struct vsock_device *d);
const struct vsock_device_stats *vsock_device_stats(const struct vsock_device *d);

#endif
