/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk device model (virtio 1.2 §5.2) on the virtio-mmio
 * transport of libvirtio-queue: one request queue, the configuration space
 * of §5.2.4 (capacity, size_max, seg_max, blk_size, topology, discard and
 * write-zeroes limits) and the features VERSION_1, RING_EVENT_IDX,
 * INDIRECT_DESC, FLUSH, RO, SIZE_MAX, SEG_MAX, BLK_SIZE, TOPOLOGY, DISCARD
 * and WRITE_ZEROES (the last two only on a writable disk).
 *
 * A queue notification drains the available ring: each chain is collected,
 * parsed, executed (synchronously, or through a struct vblk_async) and
 * returned to the used ring with its status byte, malformed chains
 * included.  A driver that breaks the queue contract (a head submitted
 * twice while in flight, an index jump, rings moved after DRIVER_OK) puts
 * the device into DEVICE_NEEDS_RESET; after the driver resets it, the
 * device serves requests again.  Interrupts go through the injected
 * struct virtq_irq, only when the driver asked for one (EVENT_IDX or
 * NO_INTERRUPT).
 *
 * A device reset, and a write of 0 to QueueReady, wait for the requests
 * in flight in the async engine: the kernel may still write into their
 * buffers.  After QueueReady = 0 they land in the used ring first.
 *
 * Durability: when the driver does not negotiate FLUSH (which the device
 * offers when the backend can flush), writes are write-through
 * (§5.2.6.2): OUT, DISCARD and WRITE_ZEROES are flushed before they
 * complete (io_uring writes carry RWF_DSYNC).
 *
 * Rate limiting (optional, libratelimit): each request the parser accepts
 * is charged one operation and its bytes before it is executed; when the
 * limiter refuses, the chain goes back to the available ring and the
 * device takes nothing more until vblk_device_timer() is called at the
 * deadline that vblk_device_deadline() reports.  Requests in flight are
 * not affected, and the order of the ring is kept.
 *
 * Threading: as for struct virtq_mmio, every call on one device must be
 * serialised by the caller (one mutex per device): MMIO accesses from vCPU
 * threads, notifications and completions from the event loop.
 */
#ifndef VBLK_DEVICE_H
#define VBLK_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_blk.h>
#include <rlim/ratelimit.h>
#include <virtq/mmio.h>
#include <virtq/queue.h>
#include <vblk/async.h>
#include <vblk/backend.h>
#include <vblk/request.h>

/* QueueNumMax when the configuration leaves it 0. */
#define VBLK_DEFAULT_QUEUE_SIZE 256u
/* Limits advertised for DISCARD / WRITE_ZEROES. */
#define VBLK_MAX_DWZ_SECTORS (1u << 22)
/* Largest single data buffer advertised in size_max. */
#define VBLK_SIZE_MAX (1u << 20)

struct vblk_device_config {
	const struct vblk_backend *backend;	/* copied */
	struct vmmem_map *mem;			/* guest memory */
	struct virtq_irq irq;			/* the interrupt line */
	/* Optional engine for asynchronous I/O, created by the caller over
	 * the same backend; NULL executes every request synchronously. */
	struct vblk_async *async;
	/* Serial number returned by GET_ID, zero-padded, not necessarily
	 * NUL-terminated (§5.2.6). */
	uint8_t id[VIRTIO_BLK_ID_BYTES];
	uint16_t queue_size;	/* QueueNumMax: power of two; 0 = default */
	bool read_only;		/* in addition to a read-only backend */
	uint32_t vendor_id;	/* VendorID register */
	/*
	 * Optional rate limit, read by init (NULL = unlimited; the clock's
	 * ctx must outlive the device).  One operation per request the
	 * parser accepts; bytes: the data length of IN and OUT, the zeroed
	 * range of WRITE_ZEROES, 0 for FLUSH, GET_ID and DISCARD.  Requests
	 * the parser refuses are answered at once, uncharged.  A request
	 * larger than the bytes bucket passes once the bucket is full and
	 * leaves it in debt (libratelimit's rule).
	 */
	const struct rlim_config *limit;
};

/* Counters for logs and tests. */
struct vblk_device_stats {
	uint64_t requests;	/* chains returned to the used ring */
	uint64_t errors;	/* ... with a status other than OK */
	uint64_t malformed;	/* ... that the queue or the parser refused */
	uint64_t interrupts;	/* used-buffer interrupts raised */
	uint64_t needs_reset;	/* times the device asked for a reset */
	uint64_t throttled;	/* times the rate limiter stopped the queue */
};

/* Caller-allocated; fields are private. */
struct vblk_device {
	struct virtq_mmio mmio;
	struct virtq_queue queue;
	struct vblk_backend backend;
	struct vblk_async *async;
	struct vmmem_map *mem;
	struct vblk_limits offered;	/* limits before negotiation */
	struct vblk_limits lim;		/* limits of the negotiated features */
	struct virtio_blk_config config; /* little endian, as the guest reads it */
	uint64_t features;
	uint8_t id[VIRTIO_BLK_ID_BYTES];
	bool stalled;			/* the async engine was full */
	bool throttled;			/* the rate limiter refused a request */
	struct rlim_limiter limit;
	bool unsignalled;		/* used entries added since the last
					 * interrupt decision */
	struct vblk_device_stats stats;
	/* Scratch for the request being handled (too big for the stack of an
	 * event loop callback chain). */
	struct vblk_chain chain;
	struct vblk_request req;
};

/*
 * Initialises the device in the reset state.  -EINVAL for a missing
 * backend or memory, a backend smaller than one sector, or a queue size
 * that is not a power of two up to VIRTQ_MAX_SIZE.
 */
VBLK_WUR int vblk_device_init(struct vblk_device *d,
			      const struct vblk_device_config *cfg);

/* Device reset, as if the driver wrote 0 to Status: waits for requests
 * in flight in the async engine, then resets the transport and queue. */
void vblk_device_reset(struct vblk_device *d);

/* The transport, for a VMM that drives it through <virtq/mmio.h>. */
struct virtq_mmio *vblk_device_mmio(struct vblk_device *d);

/* Guest MMIO accesses at offset in the device's window (see
 * virtq_mmio_read/write for the error convention). */
VBLK_WUR int vblk_device_mmio_read(struct vblk_device *d, uint64_t offset,
				   unsigned int size, uint64_t *value);
VBLK_WUR int vblk_device_mmio_write(struct vblk_device *d, uint64_t offset,
				    unsigned int size, uint64_t value);

/* QueueNotify delivered outside the register file (an ioeventfd): drains
 * the queue.  -EPERM when the device is not running. */
VBLK_WUR int vblk_device_notify(struct vblk_device *d);

/*
 * The eventfd of the async engine (-1 without one): when it is readable,
 * call vblk_device_complete().
 */
int vblk_device_completion_fd(const struct vblk_device *d);

/*
 * Returns finished asynchronous requests to the used ring, raises the
 * interrupt when the driver wants one, and resumes draining when the
 * engine had been full.  With wait, blocks for at least one completion if
 * any request is in flight.  Returns the number completed or -errno.
 */
VBLK_WUR int vblk_device_complete(struct vblk_device *d, bool wait);

/*
 * Waits until no request is in flight in the async engine (0 at once
 * without one): calls vblk_device_complete(d, true) until the engine is
 * empty, so every used entry is added and every guest buffer written.
 * For a pause or a snapshot, after the caller stopped the vCPUs and
 * notifications: when the engine had been full, a completion resumes the
 * drain and the chains put back are taken and waited for as well, so the
 * loop ends once the ring holds nothing the guest published.  Returns 0,
 * or -errno from vblk_device_complete (requests may then still be in
 * flight).
 */
VBLK_WUR int vblk_device_quiesce(struct vblk_device *d);

/*
 * Rate limiting: 1 with *at_ns (on the limiter's clock) while the device
 * waits for its rate limiter, 0 when it does not.  Call it after every
 * call that may drain the queue (notify, MMIO write, complete, timer) and
 * arm a timer for *at_ns; when it fires, call vblk_device_timer(), which
 * takes requests again (and may be refused again, with a later deadline).
 * The timer is a no-op unless the device is running: DRIVER_OK set,
 * FAILED and DEVICE_NEEDS_RESET clear (the states in which a notification
 * is accepted; a completion that finds the engine had been full resumes
 * the queue only then as well).  Same serialisation as every other call
 * on the device.
 */
int vblk_device_deadline(const struct vblk_device *d, uint64_t *at_ns);
void vblk_device_timer(struct vblk_device *d);

/* Capacity in 512-byte sectors, and the negotiated features. */
uint64_t vblk_device_capacity(const struct vblk_device *d);
uint64_t vblk_device_features(const struct vblk_device *d);
const struct vblk_device_stats *vblk_device_stats(const struct vblk_device *d);

/*
 * Save/restore: the transport and queue state (the configuration space
 * is derived from the backend and is not saved).  Save needs a quiescent
 * device (-EBUSY while requests are in flight: call vblk_device_quiesce
 * first).  Restore re-validates everything as
 * virtq_mmio_restore() does.
 * The rate limiter is host policy, not guest state: its bucket levels are
 * not saved, and a restore leaves them as they are in d (full buckets in
 * a freshly initialised device).  A restore ends a wait for the limiter.
 * After restoring a running device, kick it once (vblk_device_notify), as
 * Firecracker does: the ring may hold requests whose notification was
 * consumed before the save (a chain the limiter refused, or a kick that
 * had not reached the device yet).
 */
struct vblk_device_state {
	struct virtq_mmio_state mmio;
};
VBLK_WUR int vblk_device_save(const struct vblk_device *d,
			      struct vblk_device_state *st);
VBLK_WUR int vblk_device_restore(struct vblk_device *d,
				 const struct vblk_device_state *st);

#endif
