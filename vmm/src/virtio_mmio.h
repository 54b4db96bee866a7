/* SPDX-License-Identifier: MIT */
/*
 * What every virtio-mmio device of a VM shares (virtio 1.2 §4.2): a 4 KiB
 * window in the MMIO hole and one IOAPIC pin per slot, one eventfd per
 * queue bound to the QueueNotify register by an ioeventfd (told apart by
 * the value written, datamatch), and an irqfd for the interrupt.  A
 * notification therefore costs no exit to userspace and still names its
 * queue; the port reads it on the event loop thread and calls the device
 * under the device's bus lock.
 */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include <evmgr/evmgr.h>

#include <vmm/bus.h>

/* virtio 1.2 §4.2.2: QueueNotify register offset. */
#define VMM_VIRTIO_MMIO_QUEUE_NOTIFY 0x50u
#define VMM_VIRTIO_WINDOW 0x1000u
/* The most queues a device of ours has (vsock: rx, tx, event). */
#define VMM_VIRTIO_MAX_QUEUES 3u

struct vmm;

/* Loop thread, device bus lock held: queue q was notified. */
typedef void (*vmm__virtio_notify_fn)(void *ctx, uint16_t q);

struct vmm__virtio_port {
	struct vmm *vm;
	char label[24];			/* "block[0]", for messages */
	uint64_t base;
	uint32_t gsi;
	uint32_t nqueues;
	struct vmm_bus_device bus;	/* its lock is the device lock */
	int irq_fd;
	int notify_fd[VMM_VIRTIO_MAX_QUEUES];
	bool ioeventfd_on[VMM_VIRTIO_MAX_QUEUES], irqfd_on;
	struct evmgr_watcher notify_w[VMM_VIRTIO_MAX_QUEUES];
	vmm__virtio_notify_fn notify;
	void *ctx;
	uint64_t notifies;		/* loop thread */
	uint64_t notify_exits;		/* vCPU threads, under the bus lock */
};

/* A bus write of the device's window, bus lock held: a QueueNotify write
 * here came through an exit instead of an ioeventfd, and is counted. */
static inline void vmm__virtio_port_bus_write_seen(struct vmm__virtio_port *p, uint64_t off)
{
	if (off == VMM_VIRTIO_MMIO_QUEUE_NOTIFY)
		p->notify_exits++;
}

static inline uint64_t vmm__le_load(const uint8_t *data, uint32_t size)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < size; i++)
		v |= (uint64_t)data[i] << (8 * i);
	return v;
}

static inline void vmm__le_store(uint64_t v, uint8_t *data, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++)
		data[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Virtio slot `slot` (window and pin), nqueues notify eventfds, the irqfd's
 * eventfd and the window on the MMIO bus with bus_ops(ctx).  Open needs no
 * VM in KVM: vmm__virtio_port_attach() assigns the eventfds to the VM as
 * ioeventfds and irqfd once it exists.  The notify watchers are not on the
 * loop yet: vmm__virtio_port_listen() adds them once the device model
 * exists.  On failure vm->err says why and the port must still be closed.
 * Call vmm__virtio_port_prepare() first, so that a port whose open never
 * ran can be closed too.
 */
void vmm__virtio_port_prepare(struct vmm__virtio_port *p);
int vmm__virtio_port_open(struct vmm *vm, struct vmm__virtio_port *p, const char *label,
			  uint32_t slot, uint32_t nqueues, const struct vmm_bus_ops *bus_ops,
			  vmm__virtio_notify_fn notify, void *ctx);
/* The queue notifications and the interrupt wired through KVM (never a
 * userspace exit); 0 or -1 with vm->err set.  Close undoes it. */
int vmm__virtio_port_attach(struct vmm__virtio_port *p);
/* Loop thread (or before the loop runs): watch / stop watching the queue
 * notifications; a notification that arrives meanwhile waits in its
 * eventfd and is handled once listening again. */
int vmm__virtio_port_listen(struct vmm__virtio_port *p);
void vmm__virtio_port_deafen(struct vmm__virtio_port *p);
void vmm__virtio_port_close(struct vmm__virtio_port *p);
/* Any thread: raise the device's interrupt through its irqfd. */
void vmm__virtio_port_interrupt(struct vmm__virtio_port *p);

#endif
