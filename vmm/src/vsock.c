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

#include "devices.h"
#include "vmm_internal.h"
#include "virtio_mmio.h"

#define VSOCK_NR_QUEUES 3u

struct vmm_vsock {
	struct vmm *vm;
	struct vsock_device *dev;
	struct vmm__virtio_port port;
	int epfd;
	struct evmgr_watcher sock_w;
};

static void vsock_irq(void *ctx, uint32_t isr)
{
	struct vmm_vsock *v = ctx;

	(void)isr;
	vmm__virtio_port_interrupt(&v->port);
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
	vmm__virtio_port_bus_write_seen(&v->port, off);
	VMM_IGNORE(vsock_device_mmio_write(v->dev, off, size,
					   vmm__le_load(data, size)));
}

static const struct vmm_bus_ops vsock_bus_ops = { vsock_bus_read, vsock_bus_write };

static void vsock_notify(void *ctx, uint16_t q)
{
	struct vmm_vsock *v = ctx;

	/* -EPERM: not DRIVER_OK; the guest sees nothing. */
	VMM_IGNORE(vsock_device_notify(v->dev, q));
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
	pthread_mutex_lock(&v->port.bus.lock);
	for (int budget = 256; budget > 0; budget--) {
		if (epoll_wait(v->epfd, &ev, 1, 0) != 1)
			break;
		/* -ENOENT: a stale event of a closed socket, harmless. */
		VMM_IGNORE(vsock_device_process_fd(v->dev, ev.data.fd, ev.events));
	}
	pthread_mutex_unlock(&v->port.bus.lock);
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

/* Loop thread: the queues (the port's) and the host sockets. */
static int vsock_listen(struct vmm_vsock *v)
{
	int r = 0;

	if (vmm__virtio_port_listen(&v->port))
		return -1;
	if (!evmgr_watcher_active(&v->sock_w)) {
		evmgr_watcher_init(&v->sock_w, v->epfd, EVMGR_EV_IN, on_sockets, v);
		r = evmgr_watcher_add(v->vm->loop, &v->sock_w);
	}
	return r ? vmm__fail(v->vm, "vsock: event loop: %s", strerror(-r)) : 0;
}

static int vsock_attach(void *ctx)
{
	struct vmm_vsock *v = ctx;

	return vmm__virtio_port_attach(&v->port);
}

/* Host sockets stop being serviced (their data waits in the kernel) and
 * the guest's queues wait in their rings. */
static int vsock_pause(void *ctx)
{
	struct vmm_vsock *v = ctx;

	vmm__virtio_port_deafen(&v->port);
	if (evmgr_watcher_active(&v->sock_w))
		evmgr_watcher_remove(v->vm->loop, &v->sock_w);
	return 0;
}

static void vsock_resume(void *ctx)
{
	struct vmm_vsock *v = ctx;

	if (vsock_listen(v))
		vmm__log(v->vm, VMM_LOG_WARN, "%s", v->vm->err);
}

static void vsock_reset(void *ctx)
{
	struct vmm_vsock *v = ctx;

	pthread_mutex_lock(&v->port.bus.lock);
	vsock_device_reset(v->dev);
	pthread_mutex_unlock(&v->port.bus.lock);
}

static int vsock_save(void *ctx, struct vmm__snapw *w)
{
	struct vmm_vsock *v = ctx;
	struct vsock_device_state st;
	int r = vsock_device_save(v->dev, &st);

	if (r)
		return vmm__fail(v->vm, "snapshot: vsock: %s", strerror(-r));
	vmm__snap_put_vsock(w, &st);
	return 0;
}

/* Connections are not in a snapshot: the device closes them and tells the
 * guest with a transport reset (libvirtio-vsock/README.md). */
static int vsock_restore(void *ctx, const struct vmm__snapr *rd)
{
	struct vmm_vsock *v = ctx;
	struct vsock_device_state st;
	int r = vmm__snap_get_vsock(rd, &st, v->vm->err, sizeof(v->vm->err));

	if (r)
		return -1;
	pthread_mutex_lock(&v->port.bus.lock);
	r = vsock_device_restore(v->dev, &st);
	pthread_mutex_unlock(&v->port.bus.lock);
	return r ? vmm__fail(v->vm, "snapshot: vsock state refused: %s", strerror(-r)) : 0;
}

static void vsock_teardown(void *ctx)
{
	struct vmm_vsock *v = ctx;

	if (evmgr_watcher_active(&v->sock_w))
		evmgr_watcher_remove(v->vm->loop, &v->sock_w);
	vmm__virtio_port_close(&v->port);
	/* Closes every socket and removes the listening path. */
	vsock_device_free(v->dev);
	if (v->epfd >= 0)
		close(v->epfd);
	free(v);
}

static void vsock_metrics(void *ctx, struct vmm_metrics *m)
{
	struct vmm_vsock *v = ctx;

	pthread_mutex_lock(&v->port.bus.lock);
	m->virtio_notify_exits += v->port.notify_exits;
	pthread_mutex_unlock(&v->port.bus.lock);
}

static const struct vmm_device_ops vsock_ops = {
	.attach = vsock_attach, .pause = vsock_pause, .resume = vsock_resume, .reset = vsock_reset,
	.save = vsock_save, .restore = vsock_restore, .teardown = vsock_teardown,
	.metrics = vsock_metrics,
};

int vmm__vsock_add(struct vmm *vm, uint32_t slot)
{
	struct vmm_vsock *v = calloc(1, sizeof(*v));

	if (!v)
		return vmm__fail(vm, "vsock: out of memory");
	v->vm = vm;
	vmm__virtio_port_prepare(&v->port);
	v->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (v->epfd < 0) {
		vmm__fail(vm, "vsock: epoll: %s", strerror(errno));
		vsock_teardown(v);
		return -1;
	}
	if (vsock_open(vm, v) ||
	    vmm__virtio_port_open(vm, &v->port, "vsock", slot, VSOCK_NR_QUEUES, &vsock_bus_ops,
				  vsock_notify, v) ||
	    vsock_listen(v) ||
	    vmm__device_add(vm, &(struct vmm_device){
		    .kind = "virtio-vsock", .instance = 0, .ops = &vsock_ops, .ctx = v,
		    .space = VMM_SPACE_MMIO, .base = v->port.base, .len = VMM_VIRTIO_WINDOW,
		    .gsi = v->port.gsi, .virtio_mmio = true })) {
		vsock_teardown(v);
		return -1;
	}
	return 0;
}
