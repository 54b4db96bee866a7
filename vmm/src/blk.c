// SPDX-License-Identifier: MIT
// Wiring of one virtio-blk device: disk file → backend → async engine →
// device model; MMIO window on the bus; ioeventfd on QueueNotify (queue 0)
// and irqfd on the device's GSI; notifications and completions handled on
// the event loop thread under the device lock.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vblk/vblk.h>
#include <vblk/device.h>
#include <virtq/spec.h>

#include "vmm_internal.h"

struct vmm_blk {
	struct vmm *vm;
	uint32_t index;
	uint64_t base;
	uint32_t gsi;
	struct vblk_file *file;
	struct vblk_backend be;
	struct vblk_async *async;
	struct vblk_device dev;
	bool dev_ready;
	struct vmm_bus_device bus;
	int notify_fd, irq_fd;
	bool ioeventfd_on, irqfd_on;
	struct evmgr_watcher notify_w, done_w;
	uint64_t notifies;
};

uint64_t vmm__blk_base(const struct vmm_blk *b)
{
	return b->base;
}

uint32_t vmm__blk_gsi(const struct vmm_blk *b)
{
	return b->gsi;
}

uint64_t vmm__blk_notifies(const struct vmm_blk *b)
{
	return b->notifies;
}

/* Any thread that drives the device: the interrupt is an irqfd write. */
static void blk_irq(void *ctx, uint32_t isr)
{
	struct vmm_blk *b = ctx;

	(void)isr;
	if (evmgr_eventfd_signal(b->irq_fd))
		vmm__log(b->vm, VMM_LOG_WARN, "block[%u]: irqfd write failed", b->index);
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
	VMM_IGNORE(vblk_device_mmio_write(&b->dev, off, size, vmm__le_load(data, size)));
}

static const struct vmm_bus_ops blk_bus_ops = { blk_bus_read, blk_bus_write };

static void on_notify(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct vmm_blk *b = w->data;
	uint64_t n;

	(void)loop;
	(void)revents;
	if (evmgr_eventfd_read(b->notify_fd, &n))
		return;
	b->notifies++;
	pthread_mutex_lock(&b->bus.lock);
	/* -EPERM: not DRIVER_OK or NEEDS_RESET; the guest sees nothing. */
	VMM_IGNORE(vblk_device_notify(&b->dev));
	pthread_mutex_unlock(&b->bus.lock);
}

static void on_done(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct vmm_blk *b = w->data;
	int r;

	(void)loop;
	(void)revents;
	pthread_mutex_lock(&b->bus.lock);
	r = vblk_device_complete(&b->dev, false);
	pthread_mutex_unlock(&b->bus.lock);
	if (r < 0)
		vmm__log(b->vm, VMM_LOG_WARN, "block[%u]: completion: %s", b->index,
			 strerror(-r));
}

static int blk_kvm_wiring(struct vmm *vm, struct vmm_blk *b)
{
	uint32_t q;
	int r = vmm__notify_ioeventfds_assign(vm, b->base, &b->notify_fd, &b->ioeventfd_on,
					      1, &q);

	if (r)
		return vmm__fail(vm, "block[%u]: ioeventfd: %s", b->index, strerror(-r));
	r = kvmw_vm_irqfd_assign(vm->kvm, b->irq_fd, b->gsi);
	if (r)
		return vmm__fail(vm, "block[%u]: irqfd on GSI %u: %s", b->index, b->gsi,
				 strerror(-r));
	b->irqfd_on = true;
	return 0;
}

static int blk_open(struct vmm *vm, struct vmm_blk *b)
{
	const struct vmm_block_config *bc = &vm->cfg.blocks[b->index];
	struct vblk_device_config dc = { 0 };
	int r;

	r = vblk_file_open(bc->path, bc->read_only, &b->file);
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
	r = vblk_device_init(&b->dev, &dc);
	if (r)
		return vmm__fail(vm, "block[%u]: device: %s", b->index, strerror(-r));
	b->dev_ready = true;
	return 0;
}

int vmm__blk_new(struct vmm *vm, uint32_t index, struct vmm_blk **out)
{
	struct vmm_blk *b = calloc(1, sizeof(*b));
	int r;

	*out = b;
	if (!b)
		return vmm__fail(vm, "block[%u]: out of memory", index);
	b->vm = vm;
	b->index = index;
	b->base = LOADER_VIRTIO_MMIO_START + (uint64_t)index * LOADER_VIRTIO_MMIO_STRIDE;
	b->gsi = LOADER_VIRTIO_FIRST_GSI + index;
	b->notify_fd = b->irq_fd = -1;
	if (blk_open(vm, b))
		return -1;
	b->notify_fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	b->irq_fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	if (b->notify_fd < 0 || b->irq_fd < 0)
		return vmm__fail(vm, "block[%u]: eventfd: %s", index,
				 strerror(-(b->notify_fd < 0 ? b->notify_fd : b->irq_fd)));
	r = vmm_bus_device_init(&b->bus, "virtio-blk", &blk_bus_ops, b);
	if (r == 0)
		r = vmm_bus_insert(vm->mmio, &b->bus, b->base, VMM_BLK_WINDOW);
	if (r)
		return vmm__fail(vm, "block[%u]: MMIO window at 0x%llx: %s", index,
				 (unsigned long long)b->base, strerror(-r));
	if (blk_kvm_wiring(vm, b))
		return -1;
	evmgr_watcher_init(&b->notify_w, b->notify_fd, EVMGR_EV_IN, on_notify, b);
	r = evmgr_watcher_add(vm->loop, &b->notify_w);
	if (r == 0 && vblk_device_completion_fd(&b->dev) >= 0) {
		evmgr_watcher_init(&b->done_w, vblk_device_completion_fd(&b->dev),
				   EVMGR_EV_IN, on_done, b);
		r = evmgr_watcher_add(vm->loop, &b->done_w);
	}
	if (r)
		return vmm__fail(vm, "block[%u]: event loop: %s", index, strerror(-r));
	return 0;
}

void vmm__blk_free(struct vmm *vm, struct vmm_blk *b)
{
	if (!b)
		return;
	if (evmgr_watcher_active(&b->notify_w))
		evmgr_watcher_remove(vm->loop, &b->notify_w);
	if (evmgr_watcher_active(&b->done_w))
		evmgr_watcher_remove(vm->loop, &b->done_w);
	vmm__notify_ioeventfds_release(vm, b->base, &b->notify_fd, &b->ioeventfd_on, 1);
	if (b->irqfd_on)
		VMM_IGNORE(kvmw_vm_irqfd_deassign(vm->kvm, b->irq_fd, b->gsi));
	/* Let requests in flight land before the file goes away. */
	if (b->dev_ready)
		VMM_IGNORE(vblk_device_complete(&b->dev, true));
	vblk_async_free(b->async);
	vblk_file_free(b->file);
	if (b->notify_fd >= 0)
		close(b->notify_fd);
	if (b->irq_fd >= 0)
		close(b->irq_fd);
	free(b);
}
