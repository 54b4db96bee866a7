// SPDX-License-Identifier: MIT
// Wiring of one virtio-net device (virtio 1.2 §5.1; libvirtio-net/README.md
// says how a VMM drives it): tap backend, MMIO window on the bus, one
// ioeventfd per queue on QueueNotify, an irqfd on the device's GSI, the tap
// fd edge-triggered on the event loop, and a timerfd armed for the rate
// limiters' deadline.  Loop-thread work and vCPU MMIO accesses share the
// device's bus lock.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vnet/vnet.h>

#include "devices.h"
#include "vmm_internal.h"
#include "virtio_mmio.h"

struct vmm_net {
	struct vmm *vm;
	uint32_t index;
	struct vnet_tap *tap;
	struct vnet_backend be;
	struct vnet_device dev;
	struct vmm__virtio_port port;
	struct evmgr_watcher tap_w;
	struct evmgr_timer timer;
	bool timer_open;
};

static void net_irq(void *ctx, uint32_t isr)
{
	struct vmm_net *n = ctx;

	(void)isr;
	vmm__virtio_port_interrupt(&n->port);
}
static void net_bus_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data,
			 uint32_t size)
{
	struct vmm_net *n = ctx;
	uint64_t v = 0;

	(void)base;
	VMM_IGNORE(vnet_device_mmio_read(&n->dev, off, size, &v));
	vmm__le_store(v, data, size);
}

static void net_bus_write(void *ctx, uint64_t base, uint64_t off,
			  const uint8_t *data, uint32_t size)
{
	struct vmm_net *n = ctx;
	(void)base;
	vmm__virtio_port_bus_write_seen(&n->port, off);
	VMM_IGNORE(vnet_device_mmio_write(&n->dev, off, size,
					   vmm__le_load(data, size)));
}

static const struct vmm_bus_ops net_bus_ops = { net_bus_read, net_bus_write };

/* Under the lock, on the loop thread: a direction held back by its limiter
 * is retried when the timer fires. */
static void rearm(struct vmm_net *n)
{
	uint64_t at;

	if (vnet_device_deadline(&n->dev, &at) != 1)
		return;
	if (evmgr_timer_arm_at(&n->timer, at, 0))
		vmm__log(n->vm, VMM_LOG_WARN, "net[%u]: cannot arm the rate-limit timer",
			 n->index);
}

static void net_notify(void *ctx, uint16_t q)
{
	struct vmm_net *n = ctx;

	/* -EPERM: not DRIVER_OK; the guest sees nothing. */
	VMM_IGNORE(vnet_device_notify(&n->dev, q));
	rearm(n);
}

static void on_tap(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct vmm_net *n = w->data;

	(void)loop;
	pthread_mutex_lock(&n->port.bus.lock);
	if (revents & (EVMGR_EV_OUT | EVMGR_EV_ERR | EVMGR_EV_HUP))
		vnet_device_tx_ready(&n->dev);
	if (revents & (EVMGR_EV_IN | EVMGR_EV_ERR | EVMGR_EV_HUP))
		vnet_device_rx_ready(&n->dev);
	rearm(n);
	pthread_mutex_unlock(&n->port.bus.lock);
}

static void on_timer(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	struct vmm_net *n = data;

	(void)t;
	(void)expirations;
	pthread_mutex_lock(&n->port.bus.lock);
	vnet_device_timer(&n->dev);
	rearm(n);
	pthread_mutex_unlock(&n->port.bus.lock);
}

static int net_open(struct vmm *vm, struct vmm_net *n)
{
	const struct vmm_net_config *nc = &vm->cfg.nets[n->index];
	struct rlim_config rx, tx;
	struct vnet_device_config dc = {
		.backend = &n->be, .mem = vm->mem, .irq = { net_irq, n },
		.has_mac = nc->has_mac,
	};
	int r = vnet_tap_open(nc->tap, &n->tap);

	if (r)
		return vmm__fail(vm, "net[%u].tap=%s: %s", n->index, nc->tap,
				 r == -EPERM || r == -EACCES
					 ? "not allowed (needs CAP_NET_ADMIN or a tap owned by this user)"
					 : strerror(-r));
	vnet_tap_backend(n->tap, &n->be);
	memcpy(dc.mac, nc->mac, sizeof(dc.mac));
	/* Every frame costs one op and its length less the virtio-net header
	 * (libvirtio-net). */
	dc.rx_limit = vmm__rlim_config(&nc->rx_limit, &rx) ? &rx : NULL;
	dc.tx_limit = vmm__rlim_config(&nc->tx_limit, &tx) ? &tx : NULL;
	r = vnet_device_init(&n->dev, &dc);
	if (r)
		return vmm__fail(vm, "net[%u]: device: %s", n->index, strerror(-r));
	return 0;
}

/* Loop thread: the tap and the limiter timer (the queues are the port's). */
static int net_listen(struct vmm_net *n)
{
	int r = 0;

	if (vmm__virtio_port_listen(&n->port))
		return -1;
	if (!evmgr_watcher_active(&n->tap_w)) {
		evmgr_watcher_init(&n->tap_w, n->be.fd,
				   EVMGR_EV_IN | EVMGR_EV_OUT | EVMGR_EV_ET, on_tap, n);
		r = evmgr_watcher_add(n->vm->loop, &n->tap_w);
	}
	if (r == 0 && !n->timer_open) {
		r = evmgr_timer_open(n->vm->loop, &n->timer, CLOCK_MONOTONIC, on_timer, n);
		n->timer_open = r == 0;
	}
	return r ? vmm__fail(n->vm, "net[%u]: event loop: %s", n->index, strerror(-r)) : 0;
}

static int net_attach(void *ctx)
{
	struct vmm_net *n = ctx;

	return vmm__virtio_port_attach(&n->port);
}

/* Frames stop moving both ways; the tap keeps what arrives meanwhile (up
 * to its queue length) and the guest's TX waits in its ring. */
static int net_pause(void *ctx)
{
	struct vmm_net *n = ctx;

	vmm__virtio_port_deafen(&n->port);
	if (evmgr_watcher_active(&n->tap_w))
		evmgr_watcher_remove(n->vm->loop, &n->tap_w);
	if (n->timer_open)
		VMM_IGNORE(evmgr_timer_disarm(&n->timer));
	return 0;
}

static void net_resume(void *ctx)
{
	struct vmm_net *n = ctx;

	if (net_listen(n)) {
		vmm__log(n->vm, VMM_LOG_WARN, "%s", n->vm->err);
		return;
	}
	/* Re-adding an edge-triggered watcher reports the current state
	 * only for new edges: look at both directions once now. */
	pthread_mutex_lock(&n->port.bus.lock);
	vnet_device_rx_ready(&n->dev);
	vnet_device_tx_ready(&n->dev);
	rearm(n);
	pthread_mutex_unlock(&n->port.bus.lock);
}

static void net_reset(void *ctx)
{
	struct vmm_net *n = ctx;

	pthread_mutex_lock(&n->port.bus.lock);
	vnet_device_reset(&n->dev);
	pthread_mutex_unlock(&n->port.bus.lock);
}

static int net_save(void *ctx, struct vmm__snapw *w)
{
	struct vmm_net *n = ctx;
	struct vnet_device_state st;
	int r = vnet_device_save(&n->dev, &st);

	if (r)
		return vmm__fail(n->vm, "snapshot: net[%u]: %s", n->index, strerror(-r));
	vmm__snap_put_net(w, n->index, &st);
	return 0;
}

static int net_restore(void *ctx, const struct vmm__snapr *rd)
{
	struct vmm_net *n = ctx;
	struct vnet_device_state st;
	int r = vmm__snap_get_net(rd, n->index, &st, n->vm->err, sizeof(n->vm->err));

	if (r)
		return -1;
	pthread_mutex_lock(&n->port.bus.lock);
	r = vnet_device_restore(&n->dev, &st);
	pthread_mutex_unlock(&n->port.bus.lock);
	return r ? vmm__fail(n->vm, "snapshot: net[%u] state refused: %s", n->index,
			     strerror(-r)) : 0;
}

static void net_teardown(void *ctx)
{
	struct vmm_net *n = ctx;

	if (evmgr_watcher_active(&n->tap_w))
		evmgr_watcher_remove(n->vm->loop, &n->tap_w);
	if (n->timer_open)
		evmgr_timer_close(&n->timer);
	vmm__virtio_port_close(&n->port);
	vnet_tap_free(n->tap);
	free(n);
}

static void net_metrics(void *ctx, struct vmm_metrics *m)
{
	struct vmm_net *n = ctx;
	const struct vnet_device_stats *st;

	/* The device counts on the loop thread under its lock. */
	pthread_mutex_lock(&n->port.bus.lock);
	m->virtio_notify_exits += n->port.notify_exits;
	st = vnet_device_stats(&n->dev);
	m->net_rx_frames += st->rx_frames;
	m->net_rx_bytes += st->rx_bytes;
	m->net_tx_frames += st->tx_frames;
	m->net_tx_bytes += st->tx_bytes;
	/* A guest buffer refused (rx_bad_buffer, rx_short_buffer) goes back
	 * empty; the frame waits for the next one, so it is not a drop. */
	m->net_rx_dropped += st->rx_dropped + st->rx_bad_hdr + st->rx_backend_errors;
	m->net_tx_dropped += st->tx_malformed + st->tx_too_long + st->tx_bad_hdr +
			     st->tx_link_down + st->tx_backend_errors;
	m->net_throttled += st->rx_throttled + st->tx_throttled;
	pthread_mutex_unlock(&n->port.bus.lock);
}

static const struct vmm_device_ops net_ops = {
	.attach = net_attach, .pause = net_pause, .resume = net_resume, .reset = net_reset,
	.save = net_save, .restore = net_restore, .metrics = net_metrics,
	.teardown = net_teardown,
};

int vmm__net_add(struct vmm *vm, uint32_t index, uint32_t slot)
{
	struct vmm_net *n = calloc(1, sizeof(*n));
	char label[24];

	if (!n)
		return vmm__fail(vm, "net[%u]: out of memory", index);
	n->vm = vm;
	n->index = index;
	vmm__virtio_port_prepare(&n->port);
	snprintf(label, sizeof(label), "net[%u]", index);
	if (net_open(vm, n) ||
	    vmm__virtio_port_open(vm, &n->port, label, slot, VNET_NUM_QUEUES, &net_bus_ops,
				  net_notify, n) ||
	    net_listen(n) ||
	    vmm__device_add(vm, &(struct vmm_device){
		    .kind = "virtio-net", .instance = index, .ops = &net_ops, .ctx = n,
		    .space = VMM_SPACE_MMIO, .base = n->port.base, .len = VMM_VIRTIO_WINDOW,
		    .gsi = n->port.gsi, .virtio_mmio = true })) {
		net_teardown(n);
		return -1;
	}
	return 0;
}
