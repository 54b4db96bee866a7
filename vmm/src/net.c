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

#include "vmm_internal.h"

struct vmm_net {
	struct vmm *vm;
	uint32_t index;
	uint64_t base;
	uint32_t gsi;
	struct vnet_tap *tap;
	struct vnet_backend be;
	struct vnet_device dev;
	struct vmm_bus_device bus;
	int irq_fd;
	int notify_fd[VNET_NUM_QUEUES];
	bool ioeventfd_on[VNET_NUM_QUEUES], irqfd_on;
	struct evmgr_watcher notify_w[VNET_NUM_QUEUES], tap_w;
	struct evmgr_timer timer;
};

uint64_t vmm__net_base(const struct vmm_net *n)
{
	return n->base;
}

uint32_t vmm__net_gsi(const struct vmm_net *n)
{
	return n->gsi;
}

static void net_irq(void *ctx, uint32_t isr)
{
	struct vmm_net *n = ctx;

	(void)isr;
	if (evmgr_eventfd_signal(n->irq_fd))
		vmm__log(n->vm, VMM_LOG_WARN, "net[%u]: irqfd write failed", n->index);
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

static void on_notify(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct vmm_net *n = w->data;
	uint16_t q = (uint16_t)(w - n->notify_w);
	uint64_t cnt;

	(void)loop;
	(void)revents;
	if (evmgr_eventfd_read(n->notify_fd[q], &cnt))
		return;
	pthread_mutex_lock(&n->bus.lock);
	/* -EPERM: not DRIVER_OK; the guest sees nothing. */
	VMM_IGNORE(vnet_device_notify(&n->dev, q));
	rearm(n);
	pthread_mutex_unlock(&n->bus.lock);
}

static void on_tap(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct vmm_net *n = w->data;

	(void)loop;
	pthread_mutex_lock(&n->bus.lock);
	if (revents & (EVMGR_EV_OUT | EVMGR_EV_ERR | EVMGR_EV_HUP))
		vnet_device_tx_ready(&n->dev);
	if (revents & (EVMGR_EV_IN | EVMGR_EV_ERR | EVMGR_EV_HUP))
		vnet_device_rx_ready(&n->dev);
	rearm(n);
	pthread_mutex_unlock(&n->bus.lock);
}

static void on_timer(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	struct vmm_net *n = data;

	(void)t;
	(void)expirations;
	pthread_mutex_lock(&n->bus.lock);
	vnet_device_timer(&n->dev);
	rearm(n);
	pthread_mutex_unlock(&n->bus.lock);
}

/* rate bytes/s: a bucket of one second's worth, refilled over a second. */
static void rate_config(uint64_t rate, struct rlim_config *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->bytes.size = rate;
	rc->bytes.refill_time_ms = 1000;
	rc->clock = rlim_clock_monotonic;
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
	rate_config(nc->rx_rate, &rx);
	rate_config(nc->tx_rate, &tx);
	dc.rx_limit = nc->rx_rate ? &rx : NULL;
	dc.tx_limit = nc->tx_rate ? &tx : NULL;
	r = vnet_device_init(&n->dev, &dc);
	if (r)
		return vmm__fail(vm, "net[%u]: device: %s", n->index, strerror(-r));
	return 0;
}

static int net_kvm_wiring(struct vmm *vm, struct vmm_net *n)
{
	uint32_t q;
	int r = vmm__notify_ioeventfds_assign(vm, n->base, n->notify_fd, n->ioeventfd_on,
					      VNET_NUM_QUEUES, &q);

	if (r)
		return vmm__fail(vm, "net[%u]: ioeventfd for queue %u: %s", n->index, q,
				 strerror(-r));
	r = kvmw_vm_irqfd_assign(vm->kvm, n->irq_fd, n->gsi);
	if (r)
		return vmm__fail(vm, "net[%u]: irqfd on GSI %u: %s", n->index, n->gsi,
				 strerror(-r));
	n->irqfd_on = true;
	return 0;
}

static int net_loop(struct vmm *vm, struct vmm_net *n)
{
	int r = 0;

	for (uint32_t q = 0; q < VNET_NUM_QUEUES && r == 0; q++) {
		evmgr_watcher_init(&n->notify_w[q], n->notify_fd[q], EVMGR_EV_IN, on_notify, n);
		r = evmgr_watcher_add(vm->loop, &n->notify_w[q]);
	}
	if (r == 0) {
		evmgr_watcher_init(&n->tap_w, n->be.fd,
				   EVMGR_EV_IN | EVMGR_EV_OUT | EVMGR_EV_ET, on_tap, n);
		r = evmgr_watcher_add(vm->loop, &n->tap_w);
	}
	if (r == 0)
		r = evmgr_timer_open(vm->loop, &n->timer, CLOCK_MONOTONIC, on_timer, n);
	return r ? vmm__fail(vm, "net[%u]: event loop: %s", n->index, strerror(-r)) : 0;
}

static int net_fds(struct vmm *vm, struct vmm_net *n)
{
	n->irq_fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	if (n->irq_fd < 0)
		return vmm__fail(vm, "net[%u]: eventfd: %s", n->index, strerror(-n->irq_fd));
	for (uint32_t q = 0; q < VNET_NUM_QUEUES; q++) {
		n->notify_fd[q] = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
		if (n->notify_fd[q] < 0)
			return vmm__fail(vm, "net[%u]: eventfd: %s", n->index,
					 strerror(-n->notify_fd[q]));
	}
	return 0;
}

int vmm__net_new(struct vmm *vm, uint32_t index, uint32_t slot, struct vmm_net **out)
{
	struct vmm_net *n = calloc(1, sizeof(*n));
	int r;

	*out = n;
	if (!n)
		return vmm__fail(vm, "net[%u]: out of memory", index);
	n->vm = vm;
	n->index = index;
	n->base = LOADER_VIRTIO_MMIO_START + (uint64_t)slot * LOADER_VIRTIO_MMIO_STRIDE;
	n->gsi = LOADER_VIRTIO_FIRST_GSI + slot;
	n->irq_fd = -1;
	for (uint32_t q = 0; q < VNET_NUM_QUEUES; q++)
		n->notify_fd[q] = -1;
	if (net_fds(vm, n) || net_open(vm, n))
		return -1;
	r = vmm_bus_device_init(&n->bus, "virtio-net", &net_bus_ops, n);
	if (r == 0)
		r = vmm_bus_insert(vm->mmio, &n->bus, n->base, VMM_NET_WINDOW);
	if (r)
		return vmm__fail(vm, "net[%u]: MMIO window at 0x%llx: %s", index,
				 (unsigned long long)n->base, strerror(-r));
	if (net_kvm_wiring(vm, n) || net_loop(vm, n))
		return -1;
	return 0;
}

void vmm__net_free(struct vmm *vm, struct vmm_net *n)
{
	if (!n)
		return;
	for (uint32_t q = 0; q < VNET_NUM_QUEUES; q++)
		if (evmgr_watcher_active(&n->notify_w[q]))
			evmgr_watcher_remove(vm->loop, &n->notify_w[q]);
	vmm__notify_ioeventfds_release(vm, n->base, n->notify_fd, n->ioeventfd_on,
				       VNET_NUM_QUEUES);
	for (uint32_t q = 0; q < VNET_NUM_QUEUES; q++)
		if (n->notify_fd[q] >= 0)
			close(n->notify_fd[q]);
	if (evmgr_watcher_active(&n->tap_w))
		evmgr_watcher_remove(vm->loop, &n->tap_w);
	evmgr_timer_close(&n->timer);
	if (n->irqfd_on)
		VMM_IGNORE(kvmw_vm_irqfd_deassign(vm->kvm, n->irq_fd, n->gsi));
	vnet_tap_free(n->tap);
	if (n->irq_fd >= 0)
		close(n->irq_fd);
	free(n);
}
