/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net device model (virtio 1.2 §5.1) on the virtio-mmio
 * transport of libvirtio-queue: queue 0 receives, queue 1 transmits (no
 * control queue, no multiqueue).  Configuration space as in §5.1.4
 * (struct virtio_net_config): mac, status, max_virtqueue_pairs = 1, mtu.
 *
 * Features offered: VERSION_1, RING_EVENT_IDX, RING_INDIRECT_DESC, MAC
 * (when a MAC is configured), STATUS, MTU (when an MTU is configured),
 * MRG_RXBUF, and the offloads the backend honours among CSUM, GUEST_CSUM,
 * HOST_TSO4/6, HOST_UFO, GUEST_TSO4/6, GUEST_UFO.  An offload negotiated
 * without the checksum feature it depends on (§5.1.3.1) is treated as not
 * negotiated.
 *
 * Guest input is hostile.  Outcomes, each with its counter:
 *  - TX chain that cannot be walked (loop, outside memory, bad indirect),
 *    that has a device-writable descriptor, more than VNET_TX_MAX_SEGS
 *    buffers, or fewer bytes than header + Ethernet header: dropped,
 *    returned with length 0 (tx_malformed);
 *  - TX frame longer than VNET_MAX_FRAME after the header: dropped
 *    (tx_too_long);
 *  - TX header failing vnet_hdr_check_tx(): dropped (tx_bad_hdr);
 *  - RX chain that cannot be walked or has a device-readable descriptor:
 *    returned with length 0 (rx_bad_buffer), the frame waits for the next;
 *  - RX chain smaller than the header: returned with length 0
 *    (rx_short_buffer), the frame waits for the next;
 *  - frame that does not fit the buffers (one without MRG_RXBUF, up to
 *    VNET_RX_MAX_BUFS with it, and never more than the queue size): dropped
 *    (rx_dropped), an unused buffer is put back, merged buffers are
 *    returned with length 0.  Only the first VNET_RX_MAX_SEGS descriptors
 *    of a chain are written into, from the copy made when it was checked;
 *  - a driver that breaks the queue contract (index jump, head in flight
 *    twice, rings moved after DRIVER_OK): DEVICE_NEEDS_RESET (needs_reset).
 * Length 0 is what Linux's driver drops as "too short" and recycles.
 *
 * Event loop integration (the library never polls): register the
 * backend's fd edge-triggered for input and output; on input call
 * vnet_device_rx_ready(), on output vnet_device_tx_ready(); forward queue
 * notifications (an ioeventfd or the QueueNotify register); when
 * vnet_device_deadline() reports a rate-limiter deadline, arm a timerfd
 * for it and call vnet_device_timer() when it fires.
 *
 * Threading: every call on one device is serialised by the caller (one
 * mutex per device), as for struct virtq_mmio.
 */
#ifndef VNET_DEVICE_H
#define VNET_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_net.h>
#include <rlim/ratelimit.h>
#include <virtq/mmio.h>
#include <virtq/queue.h>
#include <vnet/backend.h>
#include <vnet/hdr.h>

#define VNET_RX_QUEUE 0u
#define VNET_TX_QUEUE 1u
#define VNET_NUM_QUEUES 2u
/* QueueNumMax when the configuration leaves it 0, and the largest. */
#define VNET_DEFAULT_QUEUE_SIZE 256u
#define VNET_MAX_QUEUE_SIZE 1024u
/* Buffers of one TX chain (Linux uses at most MAX_SKB_FRAGS + 2). */
#define VNET_TX_MAX_SEGS 256u
/* Buffers one received frame may be merged over (MRG_RXBUF); never more
 * than the receive queue's size either. */
#define VNET_RX_MAX_BUFS 256u
/* Descriptors of one RX chain the device writes into. */
#define VNET_RX_MAX_SEGS 256u
/* Size of the receive bounce buffer: header plus the largest frame. */
#define VNET_RX_BUF_BYTES (VNET_HDR_LEN + VNET_MAX_FRAME)

struct vnet_device_config {
	const struct vnet_backend *backend;	/* copied */
	struct vmmem_map *mem;			/* guest memory */
	struct virtq_irq irq;			/* the interrupt line */
	uint8_t mac[6];
	bool has_mac;		/* offer VIRTIO_NET_F_MAC with mac */
	uint16_t mtu;		/* offer VIRTIO_NET_F_MTU when non-zero (68..65535) */
	bool link_down;		/* start with the link down */
	uint16_t queue_size;	/* QueueNumMax: power of two; 0 = default */
	uint32_t vendor_id;
	/* Per-direction limits, copied; NULL = unlimited. */
	const struct rlim_config *rx_limit;
	const struct rlim_config *tx_limit;
};

struct vnet_device_stats {
	uint64_t rx_frames, rx_bytes;	/* delivered to the guest */
	uint64_t tx_frames, tx_bytes;	/* handed to the backend */
	uint64_t tx_malformed;
	uint64_t tx_too_long;
	uint64_t tx_bad_hdr;
	uint64_t tx_link_down;		/* dropped while the link was down */
	uint64_t tx_backend_errors;
	uint64_t rx_bad_buffer;
	uint64_t rx_short_buffer;
	uint64_t rx_dropped;		/* frames that did not fit, or over the MTU */
	uint64_t rx_bad_hdr;		/* backend frames with offloads not negotiated */
	uint64_t rx_backend_errors;
	uint64_t rx_throttled, tx_throttled;	/* rate limiter refusals */
	uint64_t interrupts;
	uint64_t needs_reset;
};

/* Receive state: a frame read from the backend and where it is going. */
struct vnet_rx {
	bool have_frame;	/* buf holds a frame not yet delivered */
	bool paid;		/* the rate limiter has charged it */
	bool blocked;		/* the limiter refused it: wait for the timer */
	uint32_t len;		/* header + frame */
	uint32_t off;		/* bytes already written to guest buffers */
	uint16_t nbufs;		/* buffers taken for it (MRG_RXBUF) */
	uint64_t num_buffers_gpa[2]; /* where the header's num_buffers lies */
	uint16_t heads[VNET_RX_MAX_BUFS];
	uint32_t lens[VNET_RX_MAX_BUFS];
	/* The buffers of the chain being filled, as checked. */
	uint16_t nsegs;
	uint64_t seg_addr[VNET_RX_MAX_SEGS];
	uint32_t seg_len[VNET_RX_MAX_SEGS];
	uint8_t buf[VNET_RX_BUF_BYTES];
};

struct vnet_tx {
	bool blocked;		/* limiter refused: wait for the timer */
	bool backend_full;	/* send said -EAGAIN: wait for writable */
	uint16_t nsegs;
	uint64_t seg_addr[VNET_TX_MAX_SEGS];
	uint32_t seg_len[VNET_TX_MAX_SEGS];
	/* Header, then each segment split at most once at a region edge. */
	struct iovec iov[1 + 2 * VNET_TX_MAX_SEGS];
};

/* Caller-allocated (about 88 KiB, mostly the receive bounce buffer);
 * fields are private. */
struct vnet_device {
	struct virtq_mmio mmio;
	struct virtq_queue queues[VNET_NUM_QUEUES];
	struct vnet_backend backend;
	struct vmmem_map *mem;
	struct virtio_net_config config;	/* little endian, as read */
	uint64_t offered;
	uint64_t features;		/* negotiated, dependencies applied */
	uint16_t mtu;
	bool link_up;
	bool unsignalled[VNET_NUM_QUEUES];
	struct rlim_limiter rx_limit, tx_limit;
	struct vnet_device_stats stats;
	struct vnet_tx tx;
	struct vnet_rx rx;
};

/*
 * Initialises the device in the reset state.  -EINVAL for a missing
 * backend (or one without send/recv) or memory, an MTU below 68, a queue
 * size that is not a power of two up to VNET_MAX_QUEUE_SIZE, or a bad
 * rate-limiter configuration.
 */
VNET_WUR int vnet_device_init(struct vnet_device *d,
			      const struct vnet_device_config *cfg);

/* Device reset, as if the driver wrote 0 to Status. */
void vnet_device_reset(struct vnet_device *d);

struct virtq_mmio *vnet_device_mmio(struct vnet_device *d);
VNET_WUR int vnet_device_mmio_read(struct vnet_device *d, uint64_t offset,
				   unsigned int size, uint64_t *value);
VNET_WUR int vnet_device_mmio_write(struct vnet_device *d, uint64_t offset,
				    unsigned int size, uint64_t value);

/* QueueNotify delivered outside the register file (an ioeventfd).
 * -EPERM when the device is not running, -EINVAL for a bad index. */
VNET_WUR int vnet_device_notify(struct vnet_device *d, uint16_t queue);

/* The backend fd became readable / writable; the rate-limit deadline
 * passed.  No-ops unless the device is running. */
void vnet_device_rx_ready(struct vnet_device *d);
void vnet_device_tx_ready(struct vnet_device *d);
void vnet_device_timer(struct vnet_device *d);

/*
 * 1 with *at_ns (on the limiters' clock) when a direction waits for its
 * rate limiter, 0 when none does.
 */
int vnet_device_deadline(const struct vnet_device *d, uint64_t *at_ns);

/*
 * Link status (VIRTIO_NET_S_LINK_UP in the configuration status).  A
 * change raises a configuration-change interrupt when the device is
 * running with STATUS negotiated.  While down, transmitted frames are
 * dropped (tx_link_down) and the backend is not read.
 */
void vnet_device_set_link(struct vnet_device *d, bool up);
bool vnet_device_link_up(const struct vnet_device *d);

uint64_t vnet_device_features(const struct vnet_device *d);
const struct vnet_device_stats *vnet_device_stats(const struct vnet_device *d);

/* Save/restore: transport + queues and the link state.  Save needs no
 * receive buffers held for a frame in progress (-EBUSY); a frame read
 * from the backend but not delivered is not saved. */
struct vnet_device_state {
	struct virtq_mmio_state mmio;
	uint8_t link_up;
};
VNET_WUR int vnet_device_save(const struct vnet_device *d,
			      struct vnet_device_state *st);
VNET_WUR int vnet_device_restore(struct vnet_device *d,
				 const struct vnet_device_state *st);

#endif
