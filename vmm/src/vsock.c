// SPDX-License-Identifier: MIT
// Wiring of the virtio-vsock device (virtio 1.2 §5.10; host side as in
// libvirtio-vsock/README.md): MMIO window on the bus, one ioeventfd per
// queue (rx 0, tx 1, event 2) on QueueNotify, an irqfd on the device's GSI,
// and the device's sockets on the event loop.
//
// The device announces which events it wants on which socket through a
// callback, and it may do so on a vCPU thread (a Status write that resets
// the device closes every socket there).  libevmgr watchers may only be
// changed on the loop thread, so the sockets live in a private epoll
// instance instead: epoll_ctl() is safe from any thread, and the instance's
// own fd is one ordinary watcher on the VM's loop.  Every call into the
// device, the announcement callback included, runs under the device's bus
// lock, which is the one mutex the library asks for.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <vsock/vsock.h>

#include "vmm_internal.h"

#define VSOCK_NR_QUEUES 3u

struct vmm_vsock {
	struct vmm *vm;
	uint64_t base;
	uint32_t gsi;
	struct vsock_device *dev;
	struct vmm_bus_device bus;
	int epfd, irq_fd;
	int notify_fd[VSOCK_NR_QUEUES];
	bool ioeventfd_on[VSOCK_NR_QUEUES], irqfd_on;
	struct evmgr_watcher notify_w[VSOCK_NR_QUEUES], sock_w;
};

uint64_t vmm__vsock_base(const struct vmm_vsock *v)
{
	return v->base;
}

uint32_t vmm__vsock_gsi(const struct vmm_vsock *v)
{
	return v->gsi;
}

static void vsock_irq(void *ctx, uint32_t isr)
{
	struct vmm_vsock *v = ctx;

	(void)isr;
	if (evmgr_eventfd_signal(v->irq_fd))
		vmm__log(v->vm, VMM_LOG_WARN, "vsock: irqfd write failed");
}

/* Called by the device under the bus lock, on any thread. */
static void vsock_watch(void *ctx, int fd, uint32_t events)
{
	struct vmm_vsock *v = ctx;
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (events == 0) {
		VMM_IGNORE(epoll_ctl(v->epfd, EPOLL_CTL_DEL, fd, NULL));
		return;
	}
	if (epoll_ctl(v->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
		return;
	if (errno == ENOENT && epoll_ctl(v->epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
		return;
	vmm__log(v->vm, VMM_LOG_WARN, "vsock: cannot poll socket %d: %s", fd,
		 strerror(errno));
}

static void vsock_bus_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data,
			   uint32_t size)
{
	struct vmm_vsock *v = ctx;
	uint64_t val = 0;

	(void)base;
	VMM_IGNORE(vsock_device_mmio_read(v->dev, off, size, &val));
	vmm__le_store(val, data, size);
}

static void vsock_bus_write(void *ctx, uint64_t base, uint64_t off,
			    const uint8_t *data, uint32_t size)
{
	struct vmm_vsock *v = ctx;
	(void)base;
	VMM_IGNORE(vsock_device_mmio_write(v->dev, off, size,
					   vmm__le_load(data, size)));
}

static const struct vmm_bus_ops vsock_bus_ops = { vsock_bus_read, vsock_bus_write };

static void on_notify(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct vmm_vsock *v = w->data;
	uint16_t q = (uint16_t)(w - v->notify_w);
	uint64_t n;

	(void)loop;
	(void)revents;
	if (evmgr_eventfd_read(v->notify_fd[q], &n))
		return;
	pthread_mutex_lock(&v->bus.lock);
	/* -EPERM: not DRIVER_OK; the guest sees nothing. */
	VMM_IGNORE(vsock_device_notify(v->dev, q));
	pthread_mutex_unlock(&v->bus.lock);
}

/*
 * One event per epoll_wait: handling it may close a socket and accept a
 * new one on the same fd number, so a second event fetched in the same
 * batch could belong to the old socket.
 */
static void on_sockets(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct vmm_vsock *v = w->data;
	struct epoll_event ev;

	(void)loop;
	(void)revents;
	pthread_mutex_lock(&v->bus.lock);
	for (int budget = 256; budget > 0; budget--) {
		if (epoll_wait(v->epfd, &ev, 1, 0) != 1)
			break;
		/* -ENOENT: a stale event of a closed socket, harmless. */
		VMM_IGNORE(vsock_device_process_fd(v->dev, ev.data.fd, ev.events));
	}
	pthread_mutex_unlock(&v->bus.lock);
}

static int vsock_kvm_wiring(struct vmm *vm, struct vmm_vsock *v)
{
	uint32_t q;
	int r = vmm__notify_ioeventfds_assign(vm, v->base, v->notify_fd, v->ioeventfd_on,
					      VSOCK_NR_QUEUES, &q);

	if (r)
		return vmm__fail(vm, "vsock: ioeventfd for queue %u: %s", q, strerror(-r));
	r = kvmw_vm_irqfd_assign(vm->kvm, v->irq_fd, v->gsi);
	if (r)
		return vmm__fail(vm, "vsock: irqfd on GSI %u: %s", v->gsi, strerror(-r));
	v->irqfd_on = true;
	return 0;
}

static int vsock_open(struct vmm *vm, struct vmm_vsock *v)
{
	const struct vmm_vsock_config *vc = &vm->cfg.vsock;
	struct vsock_device_config dc = {
		.mem = vm->mem, .irq = { vsock_irq, v }, .watch = { vsock_watch, v },
		.guest_cid = vc->guest_cid, .uds_path = vc->uds_path,
	};
	int r;

	/* The device announces its listener from _new, under no lock yet:
	 * nothing else can reach it before it is on the bus. */
	r = vsock_device_new(&dc, &v->dev);
	if (r)
		return vmm__fail(vm, "vsock.uds=%s: %s", vc->uds_path,
				 r == -EADDRINUSE ? "already exists (remove the stale socket)"
						  : strerror(-r));
	return 0;
}

static int vsock_fds(struct vmm *vm, struct vmm_vsock *v)
{
	v->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (v->epfd < 0)
		return vmm__fail(vm, "vsock: epoll: %s", strerror(errno));
	v->irq_fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	if (v->irq_fd < 0)
		return vmm__fail(vm, "vsock: eventfd: %s", strerror(-v->irq_fd));
	for (uint32_t q = 0; q < VSOCK_NR_QUEUES; q++) {
		v->notify_fd[q] = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
		if (v->notify_fd[q] < 0)
			return vmm__fail(vm, "vsock: eventfd: %s", strerror(-v->notify_fd[q]));
	}
	return 0;
}

static int vsock_loop(struct vmm *vm, struct vmm_vsock *v)
{
	int r = 0;

	for (uint32_t q = 0; q < VSOCK_NR_QUEUES && r == 0; q++) {
		evmgr_watcher_init(&v->notify_w[q], v->notify_fd[q], EVMGR_EV_IN, on_notify, v);
		r = evmgr_watcher_add(vm->loop, &v->notify_w[q]);
	}
	if (r == 0) {
		evmgr_watcher_init(&v->sock_w, v->epfd, EVMGR_EV_IN, on_sockets, v);
		r = evmgr_watcher_add(vm->loop, &v->sock_w);
	}
	return r ? vmm__fail(vm, "vsock: event loop: %s", strerror(-r)) : 0;
}

int vmm__vsock_new(struct vmm *vm, uint32_t slot, struct vmm_vsock **out)
{
	struct vmm_vsock *v = calloc(1, sizeof(*v));
	int r;

	*out = v;
	if (!v)
		return vmm__fail(vm, "vsock: out of memory");
	v->vm = vm;
	v->base = LOADER_VIRTIO_MMIO_START + (uint64_t)slot * LOADER_VIRTIO_MMIO_STRIDE;
	v->gsi = LOADER_VIRTIO_FIRST_GSI + slot;
	v->epfd = v->irq_fd = -1;
	for (uint32_t q = 0; q < VSOCK_NR_QUEUES; q++)
		v->notify_fd[q] = -1;
	if (vsock_fds(vm, v) || vsock_open(vm, v))
		return -1;
	r = vmm_bus_device_init(&v->bus, "virtio-vsock", &vsock_bus_ops, v);
	if (r == 0)
		r = vmm_bus_insert(vm->mmio, &v->bus, v->base, VMM_VSOCK_WINDOW);
	if (r)
		return vmm__fail(vm, "vsock: MMIO window at 0x%llx: %s",
				 (unsigned long long)v->base, strerror(-r));
	if (vsock_kvm_wiring(vm, v) || vsock_loop(vm, v))
		return -1;
	return 0;
}

void vmm__vsock_free(struct vmm *vm, struct vmm_vsock *v)
{
	if (!v)
		return;
	for (uint32_t q = 0; q < VSOCK_NR_QUEUES; q++)
		if (evmgr_watcher_active(&v->notify_w[q]))
			evmgr_watcher_remove(vm->loop, &v->notify_w[q]);
	vmm__notify_ioeventfds_release(vm, v->base, v->notify_fd, v->ioeventfd_on,
				       VSOCK_NR_QUEUES);
	for (uint32_t q = 0; q < VSOCK_NR_QUEUES; q++)
		if (v->notify_fd[q] >= 0)
			close(v->notify_fd[q]);
	if (evmgr_watcher_active(&v->sock_w))
		evmgr_watcher_remove(vm->loop, &v->sock_w);
	if (v->irqfd_on)
		VMM_IGNORE(kvmw_vm_irqfd_deassign(vm->kvm, v->irq_fd, v->gsi));
	/* Closes every socket and removes the listening path. */
	vsock_device_free(v->dev);
	if (v->epfd >= 0)
		close(v->epfd);
	if (v->irq_fd >= 0)
		close(v->irq_fd);
	free(v);
}
