// SPDX-License-Identifier: MIT
// Wiring of one virtio-blk device (virtio 1.2 §5.2): disk file → backend →
// async engine → device model, on a virtio-mmio port (virtio_mmio.h);
// notifications and completions are handled on the event loop thread
// under the device lock.  Pause lets every request in flight land.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vblk/vblk.h>
#include <vblk/device.h>
#include <rlim/ratelimit.h>

#include "devices.h"
#include "vmm_internal.h"
#include "virtio_mmio.h"

struct vmm_blk {
	struct vmm *vm;
	uint32_t index;
	struct vblk_file *file;
	struct vblk_backend be;
	struct vblk_async *async;
	struct vblk_device dev;
	bool dev_ready;
	struct vmm__virtio_port port;
	struct evmgr_watcher done_w;
	struct rlim_config limit;
	struct evmgr_timer timer;	/* the limiter's deadline */
	bool timer_open;
	bool kick_on_resume;		/* restored: look at the ring when the VM resumes */
};

/* Under the lock, on the loop thread: a queue the limiter stopped goes on
 * when the timer fires. */
static void rearm(struct vmm_blk *b)
{
	uint64_t at;

	if (b->timer_open && vblk_device_deadline(&b->dev, &at) == 1 &&
	    evmgr_timer_arm_at(&b->timer, at, 0))
		vmm__log(b->vm, VMM_LOG_WARN, "block[%u]: cannot arm the rate-limit timer",
			 b->index);
}

static void on_timer(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	struct vmm_blk *b = data;

	(void)t;
	(void)expirations;
	pthread_mutex_lock(&b->port.bus.lock);
	vblk_device_timer(&b->dev);
	rearm(b);
	pthread_mutex_unlock(&b->port.bus.lock);
}

/* Any thread that drives the device: the interrupt is an irqfd write. */
static void blk_irq(void *ctx, uint32_t isr)
{
	struct vmm_blk *b = ctx;

	(void)isr;
	vmm__virtio_port_interrupt(&b->port);
}

static void blk_bus_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data,
			 uint32_t size)
{
	struct vmm_blk *b = ctx;
	uint64_t v = 0;

	(void)base;
	VMM_IGNORE(vblk_device_mmio_read(&b->dev, off, size, &v));
	vmm__le_store(v, data, size);
}

static void blk_bus_write(void *ctx, uint64_t base, uint64_t off,
			  const uint8_t *data, uint32_t size)
{
	struct vmm_blk *b = ctx;

	(void)base;
	vmm__virtio_port_bus_write_seen(&b->port, off);
	VMM_IGNORE(vblk_device_mmio_write(&b->dev, off, size, vmm__le_load(data, size)));
}

static const struct vmm_bus_ops blk_bus_ops = { blk_bus_read, blk_bus_write };

static void blk_notify(void *ctx, uint16_t q)
{
	struct vmm_blk *b = ctx;

	(void)q;
	/* -EPERM: not DRIVER_OK or NEEDS_RESET; the guest sees nothing. */
	VMM_IGNORE(vblk_device_notify(&b->dev));
	rearm(b);
}

static void on_done(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct vmm_blk *b = w->data;
	int r;

	(void)loop;
	(void)revents;
	pthread_mutex_lock(&b->port.bus.lock);
	r = vblk_device_complete(&b->dev, false);
	rearm(b);
	pthread_mutex_unlock(&b->port.bus.lock);
	if (r < 0)
		vmm__log(b->vm, VMM_LOG_WARN, "block[%u]: completion: %s", b->index,
			 strerror(-r));
}

/* The disk vmm_new()'s input check opened (vm->input); a restored VM has
 * none and opens the path its snapshot names. */
static int blk_file_open(struct vmm *vm, struct vmm_blk *b, bool read_only)
{
	int *checked = &vm->input.blocks[b->index];
	int r;

	if (*checked < 0)
		return vblk_file_open(vm->cfg.blocks[b->index].path, read_only, &b->file);
	r = vblk_file_open_fd(*checked, read_only, &b->file);
	*checked = -1;	/* taken, also on failure */
	return r;
}

static int blk_open(struct vmm *vm, struct vmm_blk *b)
{
	const struct vmm_block_config *bc = &vm->cfg.blocks[b->index];
	struct vblk_device_config dc = { 0 };
	int r;

	r = blk_file_open(vm, b, bc->read_only);
	if (r)
		return vmm__fail(vm, "block[%u].path=%s: %s", b->index, bc->path,
				 r == -EINVAL ? "not a disk image (smaller than one sector?)"
					      : strerror(-r));
	vblk_file_backend(b->file, &b->be);
	snprintf((char *)dc.id, sizeof(dc.id), "cvmm-blk%u", b->index);
	r = vblk_async_new(&b->be, dc.id, VBLK_DEFAULT_QUEUE_SIZE, 0, &b->async);
	if (r)
		return vmm__fail(vm, "block[%u]: I/O engine: %s", b->index, strerror(-r));
	dc.backend = &b->be;
	dc.mem = vm->mem;
	dc.irq = (struct virtq_irq){ blk_irq, b };
	dc.async = b->async;
	dc.read_only = bc->read_only;
	/* Every request costs one op and its data bytes (libvirtio-blk). */
	dc.limit = vmm__rlim_config(&bc->limit, &b->limit) ? &b->limit : NULL;
	r = vblk_device_init(&b->dev, &dc);
	if (r)
		return vmm__fail(vm, "block[%u]: device: %s", b->index, strerror(-r));
	b->dev_ready = true;
	return 0;
}

/* Loop thread: watch the queue and the completions. */
static int blk_listen(struct vmm_blk *b)
{
	int fd = vblk_device_completion_fd(&b->dev);
	int r;

	if (vmm__virtio_port_listen(&b->port))
		return -1;
	if (!b->timer_open) {
		r = evmgr_timer_open(b->vm->loop, &b->timer, CLOCK_MONOTONIC, on_timer, b);
		if (r)
			return vmm__fail(b->vm, "block[%u]: timer: %s", b->index, strerror(-r));
		b->timer_open = true;
	}
	if (fd < 0 || evmgr_watcher_active(&b->done_w))
		return 0;
	evmgr_watcher_init(&b->done_w, fd, EVMGR_EV_IN, on_done, b);
	r = evmgr_watcher_add(b->vm->loop, &b->done_w);
	return r ? vmm__fail(b->vm, "block[%u]: event loop: %s", b->index, strerror(-r)) : 0;
}

static int blk_attach(void *ctx)
{
	struct vmm_blk *b = ctx;

	return vmm__virtio_port_attach(&b->port);
}

/* No notification is heard any more, and every request in flight lands
 * (vblk_device_quiesce waits until the engine is empty; chains a full
 * engine had put back are taken and land too), so that the used ring and
 * the disk are final while paused.  Should waiting fail, the warning says
 * so, and a snapshot is then refused (vblk_device_save: -EBUSY). */
static int blk_pause(void *ctx)
{
	struct vmm_blk *b = ctx;
	int r;

	vmm__virtio_port_deafen(&b->port);
	if (evmgr_watcher_active(&b->done_w))
		evmgr_watcher_remove(b->vm->loop, &b->done_w);
	if (b->timer_open)
		VMM_IGNORE(evmgr_timer_disarm(&b->timer));
	pthread_mutex_lock(&b->port.bus.lock);
	r = vblk_device_quiesce(&b->dev);
	pthread_mutex_unlock(&b->port.bus.lock);
	if (r < 0)
		vmm__log(b->vm, VMM_LOG_WARN, "block[%u]: draining: %s", b->index, strerror(-r));
	return 0;
}

static void blk_resume(void *ctx)
{
	struct vmm_blk *b = ctx;

	if (blk_listen(b)) {
		vmm__log(b->vm, VMM_LOG_WARN, "%s", b->vm->err);
		return;
	}
	/* A chain the limiter held back before a pause or a snapshot waits
	 * for its timer, whose deadline is armed again here; after a restore
	 * the ring is looked at once (blk_restore()). */
	pthread_mutex_lock(&b->port.bus.lock);
	if (b->kick_on_resume) {
		b->kick_on_resume = false;
		VMM_IGNORE(vblk_device_notify(&b->dev));
	}
	rearm(b);
	pthread_mutex_unlock(&b->port.bus.lock);
}

static void blk_reset(void *ctx)
{
	struct vmm_blk *b = ctx;

	pthread_mutex_lock(&b->port.bus.lock);
	vblk_device_reset(&b->dev);
	pthread_mutex_unlock(&b->port.bus.lock);
}

static int blk_save(void *ctx, struct vmm__snapw *w)
{
	struct vmm_blk *b = ctx;
	struct vblk_device_state st;
	int r = vblk_device_save(&b->dev, &st);

	if (r)
		return vmm__fail(b->vm, "snapshot: block[%u]: %s", b->index, strerror(-r));
	vmm__snap_put_blk(w, b->index, &st);
	return 0;
}

static int blk_restore(void *ctx, const struct vmm__snapr *rd)
{
	struct vmm_blk *b = ctx;
	struct vblk_device_state st;
	int r = vmm__snap_get_blk(rd, b->index, &st, b->vm->err, sizeof(b->vm->err));

	if (r)
		return -1;
	pthread_mutex_lock(&b->port.bus.lock);
	r = vblk_device_restore(&b->dev, &st);
	/* A chain the limiter held back at the snapshot (or one whose
	 * notification the pause swallowed) had its notification already:
	 * look at the ring once (libvirtio-blk/README.md), but only when the
	 * VM resumes.  A restored VM is Paused, and one whose restore fails
	 * later must not have touched its disk. */
	if (r == 0)
		b->kick_on_resume = true;
	pthread_mutex_unlock(&b->port.bus.lock);
	return r ? vmm__fail(b->vm, "snapshot: block[%u] state refused: %s", b->index,
			     strerror(-r)) : 0;
}

static void blk_metrics(void *ctx, struct vmm_metrics *m)
{
	struct vmm_blk *b = ctx;
	const struct vblk_device_stats *st;

	/* The device counts on the loop thread under its lock. */
	pthread_mutex_lock(&b->port.bus.lock);
	m->blk_notifies += b->port.notifies;
	m->virtio_notify_exits += b->port.notify_exits;
	if (b->dev_ready) {
		st = vblk_device_stats(&b->dev);
		m->blk_requests += st->requests;
		m->blk_errors += st->errors;
		m->blk_throttled += st->throttled;
	}
	pthread_mutex_unlock(&b->port.bus.lock);
}

static void blk_teardown(void *ctx)
{
	struct vmm_blk *b = ctx;

	if (evmgr_watcher_active(&b->done_w))
		evmgr_watcher_remove(b->vm->loop, &b->done_w);
	if (b->timer_open)
		evmgr_timer_close(&b->timer);
	vmm__virtio_port_close(&b->port);
	/* Let requests in flight land before the file goes away. */
	if (b->dev_ready)
		VMM_IGNORE(vblk_device_complete(&b->dev, true));
	vblk_async_free(b->async);
	vblk_file_free(b->file);
	free(b);
}

static const struct vmm_device_ops blk_ops = {
	.attach = blk_attach, .pause = blk_pause, .resume = blk_resume, .reset = blk_reset,
	.save = blk_save, .restore = blk_restore, .metrics = blk_metrics,
	.teardown = blk_teardown,
};

int vmm__blk_add(struct vmm *vm, uint32_t index, uint32_t slot)
{
	struct vmm_blk *b = calloc(1, sizeof(*b));
	char label[24];

	if (!b)
		return vmm__fail(vm, "block[%u]: out of memory", index);
	b->vm = vm;
	b->index = index;
	vmm__virtio_port_prepare(&b->port);
	snprintf(label, sizeof(label), "block[%u]", index);
	if (blk_open(vm, b) ||
	    vmm__virtio_port_open(vm, &b->port, label, slot, 1, &blk_bus_ops, blk_notify, b) ||
	    blk_listen(b) ||
	    vmm__device_add(vm, &(struct vmm_device){
		    .kind = "virtio-blk", .instance = index, .ops = &blk_ops, .ctx = b,
		    .space = VMM_SPACE_MMIO, .base = b->port.base, .len = VMM_VIRTIO_WINDOW,
		    .gsi = b->port.gsi, .virtio_mmio = true })) {
		blk_teardown(b);
		return -1;
	}
	return 0;
}
