/* SPDX-License-Identifier: MIT */
/*
 * What a virtio device type plugs into a transport: a const ops table
 * (features, configuration space, activate, reset, queue notification) and
 * the injected interrupt line.  The transport (virtio 1.2 §4.2.2, see
 * <virtq/mmio.h>) owns the common register file and the status state
 * machine; the device owns its configuration layout and what it does with
 * its queues.  A NULL member is a no-op (reads of configuration return 0).
 */
#ifndef VIRTQ_DEVICE_H
#define VIRTQ_DEVICE_H

#include <stddef.h>
#include <stdint.h>

/* Bump when struct virtq_device_ops changes layout (2: queue_stop). */
#define VIRTQ_DEVICE_OPS_VERSION 2u

struct virtq_device_ops {
	/* Must be VIRTQ_DEVICE_OPS_VERSION. */
	uint32_t version;

	/*
	 * The device's feature bits.  The transport always adds
	 * VIRTIO_F_VERSION_1 and drops transport-range bits (24..49) that
	 * this library does not implement (it offers INDIRECT_DESC and
	 * EVENT_IDX only when the device asks for them).  Called at
	 * initialisation and after every reset.
	 */
	uint64_t (*features)(void *ctx);

	/*
	 * Device-specific configuration space access.  offset + len never
	 * exceeds the config_size given to the transport; len is 1, 2, 4 or 8
	 * and offset is a multiple of len.  buf is little endian.
	 */
	void (*config_read)(void *ctx, uint32_t offset, void *buf, size_t len);
	void (*config_write)(void *ctx, uint32_t offset, const void *buf, size_t len);

	/*
	 * The driver set DRIVER_OK: every ready queue is validated and
	 * `features` is the negotiated set.  A negative return puts the
	 * device into DEVICE_NEEDS_RESET.
	 */
	int (*activate)(void *ctx, uint64_t features);

	/* The driver wrote 0 to Status (or the transport is being reset):
	 * drop all in-flight work.  The queues are reset by the transport. */
	void (*reset)(void *ctx);

	/* The driver notified queue `index` (a live queue of a DRIVER_OK
	 * device): drain its available ring. */
	void (*queue_notify)(void *ctx, uint16_t index);

	/*
	 * The driver wrote 0 to QueueReady of queue `index`, which was ready
	 * (in any device state).  Called before the queue stops: the device
	 * finishes the chains it holds from that queue (completing them
	 * into its used ring is still allowed) or abandons them, and touches
	 * none of their buffers afterwards, because virtio 1.2 §4.2.2.1 says
	 * the device MUST NOT access a queue whose QueueReady is 0.
	 */
	void (*queue_stop)(void *ctx, uint16_t index);
};

/*
 * The interrupt line of one device, injected by the VMM (an irqfd write,
 * a GSI assertion ...).  isr holds the InterruptStatus bits just set:
 * VIRTIO_MMIO_INT_VRING (used buffer) and/or VIRTIO_MMIO_INT_CONFIG
 * (configuration change).  It may be called from any thread that drives
 * the device, and must not call back into the transport.
 */
typedef void (*virtq_irq_fn)(void *ctx, uint32_t isr);

struct virtq_irq {
	virtq_irq_fn fn;	/* NULL: interrupts are only visible in ISR */
	void *ctx;
};

#endif
