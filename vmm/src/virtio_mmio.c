// SPDX-License-Identifier: MIT
// The plumbing of one virtio-mmio device (virtio 1.2 §4.2.2, docs/boot-path.md
// for the slot layout): window and pin of its slot, QueueNotify ioeventfds
// with datamatch on the queue index, the irqfd, and the notify watchers on
// the event loop.  The eventfds are made with the port; they are handed to
// KVM in a step of their own, because the port is built while the VM is
// still being created on another thread (docs/cvmm.md, "Start-up phases").
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm_internal.h"
#include "virtio_mmio.h"

static struct kvmw_ioeventfd notify_io(const struct vmm__virtio_port *p, uint32_t q)
{
	return (struct kvmw_ioeventfd){
		.fd = p->notify_fd[q], .space = KVMW_IO_MMIO,
		.addr = p->base + VMM_VIRTIO_MMIO_QUEUE_NOTIFY, .len = 4,
		.datamatch = true, .data = q,
	};
}

static void on_notify(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct vmm__virtio_port *p = w->data;
	uint16_t q = (uint16_t)(w - p->notify_w);
	uint64_t n;

	(void)loop;
	(void)revents;
	if (evmgr_eventfd_read(p->notify_fd[q], &n))
		return;
	p->notifies++;
	pthread_mutex_lock(&p->bus.lock);
	p->notify(p->ctx, q);
	pthread_mutex_unlock(&p->bus.lock);
}

void vmm__virtio_port_prepare(struct vmm__virtio_port *p)
{
	memset(p, 0, sizeof(*p));
	p->irq_fd = -1;
	for (uint32_t q = 0; q < VMM_VIRTIO_MAX_QUEUES; q++)
		p->notify_fd[q] = -1;
}

static int open_fds(struct vmm__virtio_port *p)
{
	p->irq_fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	if (p->irq_fd < 0)
		return p->irq_fd;
	for (uint32_t q = 0; q < p->nqueues; q++) {
		p->notify_fd[q] = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
		if (p->notify_fd[q] < 0)
			return p->notify_fd[q];
	}
	return 0;
}

int vmm__virtio_port_attach(struct vmm__virtio_port *p)
{
	struct vmm *vm = p->vm;
	int r;

	for (uint32_t q = 0; q < p->nqueues; q++) {
		struct kvmw_ioeventfd io = notify_io(p, q);

		r = kvmw_vm_ioeventfd_assign(vm->kvm, &io);
		if (r)
			return vmm__fail(vm, "%s: ioeventfd for queue %u: %s", p->label, q,
					 strerror(-r));
		p->ioeventfd_on[q] = true;
	}
	r = kvmw_vm_irqfd_assign(vm->kvm, p->irq_fd, p->gsi);
	if (r)
		return vmm__fail(vm, "%s: irqfd on GSI %u: %s", p->label, p->gsi, strerror(-r));
	p->irqfd_on = true;
	return 0;
}

int vmm__virtio_port_open(struct vmm *vm, struct vmm__virtio_port *p, const char *label,
			  uint32_t slot, uint32_t nqueues, const struct vmm_bus_ops *bus_ops,
			  vmm__virtio_notify_fn notify, void *ctx)
{
	int r;

	p->vm = vm;
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->base = LOADER_VIRTIO_MMIO_START + (uint64_t)slot * LOADER_VIRTIO_MMIO_STRIDE;
	p->gsi = LOADER_VIRTIO_FIRST_GSI + slot;
	p->nqueues = nqueues;
	p->notify = notify;
	p->ctx = ctx;
	r = open_fds(p);
	if (r)
		return vmm__fail(vm, "%s: eventfd: %s", label, strerror(-r));
	r = vmm_bus_device_init(&p->bus, label, bus_ops, ctx);
	if (r == 0)
		r = vmm_bus_insert(vm->mmio, &p->bus, p->base, VMM_VIRTIO_WINDOW);
	if (r)
		return vmm__fail(vm, "%s: MMIO window at 0x%llx: %s", label,
				 (unsigned long long)p->base, strerror(-r));
	return 0;
}

int vmm__virtio_port_listen(struct vmm__virtio_port *p)
{
	for (uint32_t q = 0; q < p->nqueues; q++) {
		int r;

		if (evmgr_watcher_active(&p->notify_w[q]))
			continue;
		evmgr_watcher_init(&p->notify_w[q], p->notify_fd[q], EVMGR_EV_IN, on_notify, p);
		r = evmgr_watcher_add(p->vm->loop, &p->notify_w[q]);
		if (r)
			return vmm__fail(p->vm, "%s: event loop: %s", p->label, strerror(-r));
	}
	return 0;
}

void vmm__virtio_port_deafen(struct vmm__virtio_port *p)
{
	for (uint32_t q = 0; q < p->nqueues; q++)
		if (evmgr_watcher_active(&p->notify_w[q]))
			evmgr_watcher_remove(p->vm->loop, &p->notify_w[q]);
}

void vmm__virtio_port_close(struct vmm__virtio_port *p)
{
	if (!p->vm)
		return;
	vmm__virtio_port_deafen(p);
	for (uint32_t q = 0; q < p->nqueues; q++) {
		struct kvmw_ioeventfd io = notify_io(p, q);

		if (p->ioeventfd_on[q])
			VMM_IGNORE(kvmw_vm_ioeventfd_deassign(p->vm->kvm, &io));
		p->ioeventfd_on[q] = false;
		if (p->notify_fd[q] >= 0)
			close(p->notify_fd[q]);
		p->notify_fd[q] = -1;
	}
	if (p->irqfd_on)
		VMM_IGNORE(kvmw_vm_irqfd_deassign(p->vm->kvm, p->irq_fd, p->gsi));
	p->irqfd_on = false;
	if (p->irq_fd >= 0)
		close(p->irq_fd);
	p->irq_fd = -1;
}

void vmm__virtio_port_interrupt(struct vmm__virtio_port *p)
{
	if (evmgr_eventfd_signal(p->irq_fd))
		vmm__log(p->vm, VMM_LOG_WARN, "%s: irqfd write failed", p->label);
}
