/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk device model (virtio 1.2 §5.2) plugged into the
 * virtio-mmio transport through its const device ops table.  This file
 * owns the feature set, the configuration space (§5.2.4) and the queue
 * loop; parsing and execution live in request.c / executor.c / async.c.
 *
 * Every popped head goes back to the used ring exactly once: malformed
 * chains with an IOERR status (or length 0 when there is nowhere to put
 * it), asynchronous ones when their completion is reaped.  Contract
 * violations that make the ring itself untrustworthy are the queue's to
 * detect (virtq_queue_pop fails); they end in DEVICE_NEEDS_RESET.
 *
 * The rate limiter is asked after parsing, just before execution.  A
 * refused chain is un-popped, so the ring keeps its order and nothing is
 * held on the host, and the device then ignores notifications (each
 * would only be refused again) until vblk_device_timer().  A malformed
 * chain costs nothing and keeps its usual outcome, in ring order.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <virtq/chain.h>
#include <vblk/device.h>
#include <vblk/executor.h>

#include "limit.h"

#define BIT(n) (1ull << (n))

static struct vblk_device *dev_of(void *ctx)
{
	return ctx;
}

static uint64_t offered_features(const struct vblk_device *d)
{
	uint64_t f = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_INDIRECT_DESC) |
		     BIT(VIRTIO_F_EVENT_IDX) | BIT(VIRTIO_BLK_F_SIZE_MAX) |
		     BIT(VIRTIO_BLK_F_SEG_MAX) | BIT(VIRTIO_BLK_F_BLK_SIZE) |
		     BIT(VIRTIO_BLK_F_TOPOLOGY);
	const struct vblk_backend_ops *ops = d->backend.ops;

	if (ops->flush)
		f |= BIT(VIRTIO_BLK_F_FLUSH);
	if (d->offered.read_only)
		return f | BIT(VIRTIO_BLK_F_RO);
	/* Only a writable disk can deallocate or zero sectors. */
	if (ops->discard)
		f |= BIT(VIRTIO_BLK_F_DISCARD);
	if (ops->write_zeroes)
		f |= BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	return f;
}

static uint64_t op_features(void *ctx)
{
	return offered_features(dev_of(ctx));
}

static void op_config_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	const uint8_t *cfg = (const uint8_t *)&dev_of(ctx)->config;

	if (offset <= sizeof(struct virtio_blk_config) &&
	    len <= sizeof(struct virtio_blk_config) - offset)
		memcpy(buf, cfg + offset, len);
	else
		memset(buf, 0, len);
}

/* Every field is read-only for the driver (no CONFIG_WCE offered). */
static void op_config_write(void *ctx, uint32_t offset, const void *buf, size_t len)
{
	(void)ctx;
	(void)offset;
	(void)buf;
	(void)len;
}

static int op_activate(void *ctx, uint64_t features)
{
	struct vblk_device *d = dev_of(ctx);

	d->features = features;
	d->lim = d->offered;
	d->lim.flush = features & BIT(VIRTIO_BLK_F_FLUSH);
	/* §5.2.6.2: with FLUSH offered and neither it nor CONFIG_WCE (never
	 * offered) negotiated, completed writes must already be stable. */
	d->lim.write_through = !d->lim.flush &&
			       (offered_features(d) & BIT(VIRTIO_BLK_F_FLUSH));
	d->lim.discard = features & BIT(VIRTIO_BLK_F_DISCARD);
	d->lim.write_zeroes = features & BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	d->stalled = false;
	return 0;
}

static void ignore_done(void *ctx, uint64_t cookie, uint8_t status,
			uint32_t used_len)
{
	(void)ctx;
	(void)cookie;
	(void)status;
	(void)used_len;
}

static void op_reset(void *ctx)
{
	struct vblk_device *d = dev_of(ctx);

	/* The kernel may still write into guest memory for requests in
	 * flight; the driver may reuse that memory once reset completes. */
	while (d->async && vblk_async_inflight(d->async) &&
	       vblk_async_reap(d->async, true, ignore_done, NULL) >= 0)
		;
	d->features = 0;
	d->lim = d->offered;
	d->stalled = false;
	/* The buckets keep their levels: a guest must not refill them by
	 * resetting the device. */
	d->throttled = false;
	d->unsignalled = false;
}

static void needs_reset(struct vblk_device *d)
{
	d->stats.needs_reset++;
	virtq_mmio_needs_reset(&d->mmio);
}

static int put_used(struct vblk_device *d, uint16_t head, uint32_t used,
		    uint8_t status)
{
	int err = virtq_queue_add_used(&d->queue, head, used);

	if (err)
		return err;
	d->unsignalled = true;
	d->stats.requests++;
	if (status != VIRTIO_BLK_S_OK || used == 0)
		d->stats.errors++;
	return 1;
}

/*
 * Returns a completed head.  A chain whose status byte could not be
 * written (a malformed chain, or one without any writable byte) comes back
 * with length 0, and the driver would then read a stale status as the
 * result.  The device therefore also enters DEVICE_NEEDS_RESET
 * (virtio 1.2 §2.1.2): -EBADMSG stops the drain and the caller flags it.
 */
static int finish(struct vblk_device *d, uint16_t head, uint32_t used, uint8_t status)
{
	int r = put_used(d, head, used, status);

	return r == 1 && used == 0 ? -EBADMSG : r;
}

static void collect(struct vblk_device *d, struct virtq_chain *chain)
{
	struct virtq_desc desc;
	int r;

	vblk_chain_reset(&d->chain);
	while ((r = virtq_chain_next(chain, &desc)) == 1)
		vblk_chain_push(&d->chain, desc.addr, desc.len,
				virtq_desc_is_writable(&desc));
	if (r < 0)
		d->chain.bad = true;
}

/* Handles one chain: 1 handled, 0 ring empty or engine full, -errno when
 * the queue is broken. */
static int handle_next(struct vblk_device *d)
{
	struct virtq_chain chain;
	uint8_t status;
	bool charged;
	int r = virtq_queue_pop(&d->queue, &chain);

	if (r != 1)
		return r;
	collect(d, &chain);
	if (d->chain.bad) {
		/* The walk stopped early, so where the driver expects its
		 * status byte is unknown: write nothing and ask for a reset. */
		d->stats.malformed++;
		return finish(d, chain.head, 0, VIRTIO_BLK_S_IOERR);
	}
	charged = !vblk_parse(d->mem, &d->lim, &d->chain, &d->req);
	if (!charged)
		d->stats.malformed++;
	else if (vblk__limit_charge(&d->limit, &d->req)) {
		d->throttled = true;
		d->stats.throttled++;
		r = virtq_queue_unpop(&d->queue, &chain);
		return r ? r : 0;
	}
	if (d->async) {
		r = vblk_async_submit(d->async, d->mem, &d->req, chain.head);
		if (r != -EBUSY)
			return r ? r : 1;
		/* Charged again when it is popped again.  (A refund goes to
		 * the budget, never back to a spent one-time burst.) */
		if (charged)
			vblk__limit_refund(&d->limit, &d->req);
		d->stalled = true;
		r = virtq_queue_unpop(&d->queue, &chain);
		return r ? r : 0;
	}
	status = vblk_execute(d->mem, &d->backend, d->id, &d->req);
	return finish(d, chain.head, vblk_complete(d->mem, &d->req, status), status);
}

/* Asks the queue whether to interrupt, but only after adding used entries:
 * a drain that only submitted to the async engine has nothing to say. */
static void signal_used(struct vblk_device *d)
{
	if (!d->unsignalled)
		return;
	d->unsignalled = false;
	if (virtq_mmio_signal_used(&d->mmio, 0) == 1)
		d->stats.interrupts++;
}

/*
 * DRIVER_OK, and neither FAILED (the driver gave up, §2.1) nor
 * DEVICE_NEEDS_RESET: the states in which the transport delivers
 * notifications (virtq_mmio_queue_notified).  The other ways into the
 * queue (the limiter's timer, a completion resuming a full engine) must
 * agree with it.
 */
static bool running(const struct vblk_device *d)
{
	uint32_t st = virtq_mmio_status(&d->mmio);

	return (st & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(st & (VIRTIO_CONFIG_S_FAILED | VIRTIO_CONFIG_S_NEEDS_RESET));
}

/* The loop of <virtq/queue.h>: drain, re-enable notifications, and drain
 * again if the driver published more in between. */
static void drain(struct vblk_device *d)
{
	int r;

	if (d->stalled || d->throttled || !running(d) ||
	    !virtq_queue_is_live(&d->queue))
		return;
	do {
		r = virtq_queue_disable_notification(&d->queue);
		while (r >= 0 && (r = handle_next(d)) == 1)
			;
		/* Stopped with notifications off: whoever resumes (a
		 * completion, the timer) drains and re-enables them. */
		if (r < 0 || d->stalled || d->throttled)
			break;
	} while ((r = virtq_queue_enable_notification(&d->queue)) == 1);
	if (d->async && vblk_async_commit(d->async) < 0)
		r = -EIO;
	if (r < 0)
		needs_reset(d);
	else
		signal_used(d);
}

static void op_queue_notify(void *ctx, uint16_t index)
{
	if (index == 0)
		drain(dev_of(ctx));
}

static void on_done(void *ctx, uint64_t cookie, uint8_t status, uint32_t used_len);

/*
 * QueueReady = 0: the device MUST NOT access the queue afterwards
 * (§4.2.2.1), and the kernel may still be writing into its buffers.  The
 * requests in flight land first, into the used ring of the queue that is
 * still ready, as if they had finished before the write; nothing is
 * taken from the ring meanwhile.
 */
static void op_queue_stop(void *ctx, uint16_t index)
{
	struct vblk_device *d = dev_of(ctx);

	if (index != 0)
		return;
	while (d->async && vblk_async_inflight(d->async) &&
	       vblk_async_reap(d->async, true, on_done, d) >= 0)
		;
	if (virtq_queue_is_live(&d->queue))
		signal_used(d);
}

static const struct virtq_device_ops blk_ops = {
	.version = VIRTQ_DEVICE_OPS_VERSION,
	.features = op_features,
	.config_read = op_config_read,
	.config_write = op_config_write,
	.activate = op_activate,
	.reset = op_reset,
	.queue_notify = op_queue_notify,
	.queue_stop = op_queue_stop,
};

static void fill_config(struct vblk_device *d)
{
	struct virtio_blk_config *c = &d->config;
	const struct vblk_limits *l = &d->offered;

	memset(c, 0, sizeof(*c));
	c->capacity = htole64(l->capacity);
	c->size_max = htole32(VBLK_SIZE_MAX);
	c->seg_max = htole32(l->seg_max);
	c->blk_size = htole32(VBLK_SECTOR_SIZE);
	/* Topology: 512-byte logical = physical blocks, no preferred size. */
	c->min_io_size = htole16(1);
	c->max_discard_sectors = htole32(l->max_discard_sectors);
	c->max_discard_seg = htole32(l->max_discard_seg);
	c->discard_sector_alignment = htole32(l->discard_sector_alignment);
	c->max_write_zeroes_sectors = htole32(l->max_write_zeroes_sectors);
	c->max_write_zeroes_seg = htole32(l->max_write_zeroes_seg);
	c->write_zeroes_may_unmap = 1;
}

static void set_limits(struct vblk_device *d, uint16_t qsize, bool read_only)
{
	struct vblk_limits *l = &d->offered;
	uint32_t seg = qsize > 2 ? qsize - 2u : 1u;

	memset(l, 0, sizeof(*l));
	l->capacity = d->backend.size >> VBLK_SECTOR_SHIFT;
	/* Linux puts header and status next to the data descriptors. */
	l->seg_max = seg < VBLK_MAX_SEGS - 2u ? seg : VBLK_MAX_SEGS - 2u;
	l->read_only = read_only || d->backend.read_only;
	l->max_discard_sectors = VBLK_MAX_DWZ_SECTORS;
	l->max_discard_seg = VBLK_MAX_DWZ_SEGS;
	l->discard_sector_alignment = 1;
	l->max_write_zeroes_sectors = VBLK_MAX_DWZ_SECTORS;
	l->max_write_zeroes_seg = VBLK_MAX_DWZ_SEGS;
	d->lim = *l;
}

int vblk_device_init(struct vblk_device *d, const struct vblk_device_config *cfg)
{
	uint16_t qsize = cfg->queue_size ? cfg->queue_size : VBLK_DEFAULT_QUEUE_SIZE;
	struct virtq_mmio_config mc;
	int err;

	if (!cfg->backend || !cfg->backend->ops || !cfg->mem ||
	    cfg->backend->size < VBLK_SECTOR_SIZE)
		return -EINVAL;
	memset(d, 0, offsetof(struct vblk_device, chain));
	d->backend = *cfg->backend;
	d->async = cfg->async;
	d->mem = cfg->mem;
	memcpy(d->id, cfg->id, sizeof(d->id));
	set_limits(d, qsize, cfg->read_only);
	fill_config(d);
	err = rlim_init(&d->limit, cfg->limit);
	if (!err)
		err = virtq_queue_init(&d->queue, qsize);
	if (err)
		return err;
	mc = (struct virtq_mmio_config){
		.device_id = VIRTIO_ID_BLOCK,
		.vendor_id = cfg->vendor_id,
		.ops = &blk_ops,
		.ctx = d,
		.queues = &d->queue,
		.num_queues = 1,
		.config_size = sizeof(struct virtio_blk_config),
		.mem = cfg->mem,
		.irq = cfg->irq,
	};
	return virtq_mmio_init(&d->mmio, &mc);
}

void vblk_device_reset(struct vblk_device *d)
{
	virtq_mmio_reset(&d->mmio);
}

struct virtq_mmio *vblk_device_mmio(struct vblk_device *d)
{
	return &d->mmio;
}

int vblk_device_mmio_read(struct vblk_device *d, uint64_t offset,
			  unsigned int size, uint64_t *value)
{
	return virtq_mmio_read(&d->mmio, offset, size, value);
}

int vblk_device_mmio_write(struct vblk_device *d, uint64_t offset,
			   unsigned int size, uint64_t value)
{
	return virtq_mmio_write(&d->mmio, offset, size, value);
}

int vblk_device_notify(struct vblk_device *d)
{
	return virtq_mmio_queue_notified(&d->mmio, 0);
}

int vblk_device_completion_fd(const struct vblk_device *d)
{
	return d->async ? vblk_async_fd(d->async) : -1;
}

static void on_done(void *ctx, uint64_t cookie, uint8_t status, uint32_t used_len)
{
	struct vblk_device *d = ctx;

	/* A queue broken meanwhile refuses the entry; the reset that must
	 * follow discards it anyway. */
	int r = finish(d, (uint16_t)cookie, used_len, status);

	if (r == -EBADMSG)
		needs_reset(d);
	else if (r < 0)
		d->stats.errors++;
}

int vblk_device_complete(struct vblk_device *d, bool wait)
{
	int n;

	if (!d->async)
		return 0;
	n = vblk_async_reap(d->async, wait, on_done, d);
	if (n < 0)
		return n;
	if (virtq_queue_is_live(&d->queue))
		signal_used(d);
	if (d->stalled) {
		d->stalled = false;
		drain(d);
	}
	return n;
}

int vblk_device_quiesce(struct vblk_device *d)
{
	while (d->async && vblk_async_inflight(d->async)) {
		int n = vblk_device_complete(d, true);

		if (n < 0)
			return n;
	}
	return 0;
}

int vblk_device_deadline(const struct vblk_device *d, uint64_t *at_ns)
{
	if (!d->throttled)
		return 0;
	*at_ns = rlim_retry_at(&d->limit);
	return 1;
}

void vblk_device_timer(struct vblk_device *d)
{
	if (!d->throttled)
		return;
	d->throttled = false;
	drain(d);
}

uint64_t vblk_device_capacity(const struct vblk_device *d)
{
	return d->offered.capacity;
}

uint64_t vblk_device_features(const struct vblk_device *d)
{
	return d->features;
}

const struct vblk_device_stats *vblk_device_stats(const struct vblk_device *d)
{
	return &d->stats;
}

int vblk_device_save(const struct vblk_device *d, struct vblk_device_state *st)
{
	if (d->async && vblk_async_inflight(d->async))
		return -EBUSY;
	return virtq_mmio_save(&d->mmio, &st->mmio);
}

int vblk_device_restore(struct vblk_device *d, const struct vblk_device_state *st)
{
	/* Restore resets the device first (op_reset), which ends a wait for
	 * the limiter; the refused chain is back in the restored ring. */
	return virtq_mmio_restore(&d->mmio, &st->mmio);
}
