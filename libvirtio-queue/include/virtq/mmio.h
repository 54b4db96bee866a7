/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio transport, version 2 (virtio 1.2 §4.2.2; no legacy
 * interface): the register file, 64-bit paged feature negotiation, the
 * device status state machine (§2.1, §3.1.1) with DEVICE_NEEDS_RESET, queue
 * configuration, interrupt status/acknowledge, configuration generation and
 * configuration space, in front of any device type given as a
 * struct virtq_device_ops.
 *
 * The model is a pure state machine: the VMM forwards MMIO exits as
 * (offset, size, value) and wires the interrupt line.  Rules enforced:
 *  - control registers (offset < 0x100) take 32-bit aligned accesses only;
 *    configuration space takes 1/2/4/8-byte naturally aligned accesses;
 *  - FEATURES_OK is refused (left clear) when the driver acked a feature the
 *    device did not offer or did not ack VIRTIO_F_VERSION_1;
 *  - status bits are added in order (ACKNOWLEDGE, DRIVER, FEATURES_OK,
 *    DRIVER_OK); clearing bits other than by writing 0, or setting
 *    NEEDS_RESET, is refused; after FAILED only a reset is accepted;
 *  - queue registers are writable only while FEATURES_OK is set and
 *    DRIVER_OK is not; a write that would change a queue after DRIVER_OK is
 *    refused and sets DEVICE_NEEDS_RESET (the Firecracker CVE-2026-5747
 *    pattern);
 *  - QueueReady = 0 stops the selected queue in every state (§4.2.2.2,
 *    Linux's vm_del_vq), after telling the device (ops->queue_stop) when
 *    the queue was ready; the stopped queue is quiesced until a reset;
 *  - QueueReady = 1 validates the queue (size, alignment, backing); a bad
 *    queue stays not ready and the device needs a reset.
 *
 * Threading: InterruptStatus is atomic, so virtq_mmio_raise(),
 * virtq_mmio_signal_used() and virtq_mmio_config_changed() may be called
 * from a device thread while a vCPU reads or acknowledges it.  Everything
 * else (register access, queue notification, queue processing) must be
 * serialised by the caller, e.g. with one mutex per device.
 */
#ifndef VIRTQ_MMIO_H
#define VIRTQ_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include <vmmem/map.h>
#include <virtq/device.h>
#include <virtq/queue.h>
#include <virtq/spec.h>

/* Queues one transport can save in a struct virtq_mmio_state. */
#define VIRTQ_MMIO_MAX_QUEUES 64u

/* Everything a transport instance is built from. */
struct virtq_mmio_config {
	uint32_t device_id;	/* virtio device ID (§5), e.g. 2 for block */
	uint32_t vendor_id;	/* VendorID register */
	const struct virtq_device_ops *ops;
	void *ctx;		/* passed to every op */
	struct virtq_queue *queues; /* caller-owned, initialised with max sizes */
	uint16_t num_queues;	/* 1 .. VIRTQ_MMIO_MAX_QUEUES */
	uint32_t config_size;	/* bytes of device configuration space */
	struct vmmem_map *mem;	/* guest memory the queues live in */
	struct virtq_irq irq;
};

/* One virtio-mmio device.  Caller-allocated; fields are private. */
struct virtq_mmio {
	struct virtq_mmio_config cfg;
	uint64_t device_features;	/* what is offered */
	uint64_t driver_features;	/* what the driver acked */
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	uint32_t shm_sel;
	uint32_t status;
	uint32_t config_generation;
	uint32_t interrupt_status;	/* accessed atomically */
};

/*
 * Initialises the transport in the reset state.  -EINVAL when ops is NULL
 * or of another version, num_queues is 0 or above VIRTQ_MMIO_MAX_QUEUES,
 * queues or mem is NULL, a queue was not initialised with a valid
 * max_size, or config_size would reach past the 4 KiB page.  Each queue
 * keeps its max_size; it is reset.
 */
VIRTQ_WUR int virtq_mmio_init(struct virtq_mmio *dev,
			      const struct virtq_mmio_config *cfg);

/* Device reset as if the driver wrote 0 to Status: ops->reset, queues,
 * features, selectors, InterruptStatus and status cleared. */
void virtq_mmio_reset(struct virtq_mmio *dev);

/*
 * A guest read of `size` bytes at `offset` in the device window.  *value is
 * always written (0 for a refused access).  -EINVAL for a wrong width,
 * misalignment or an offset beyond the register file / configuration
 * space; the VMM completes the exit with *value anyway.
 */
VIRTQ_WUR int virtq_mmio_read(struct virtq_mmio *dev, uint64_t offset,
			      unsigned int size, uint64_t *value);

/*
 * A guest write.  -EINVAL for a wrong width, misalignment, a read-only or
 * unknown register; -EPERM for a write the current status forbids (it is
 * ignored, and after DRIVER_OK also sets DEVICE_NEEDS_RESET).  QueueReady
 * = 0 is never forbidden.  Errors are for logging: the guest sees no
 * effect.
 */
VIRTQ_WUR int virtq_mmio_write(struct virtq_mmio *dev, uint64_t offset,
			       unsigned int size, uint64_t value);

/*
 * The direct "queue notified" entry point, for a QueueNotify delivered
 * through an ioeventfd instead of a register write.  Calls ops->queue_notify
 * when the device is DRIVER_OK, not NEEDS_RESET, and the queue is live.
 * -EINVAL for an index out of range, -EPERM when not accepted.
 */
VIRTQ_WUR int virtq_mmio_queue_notified(struct virtq_mmio *dev, uint16_t index);

/* Sets `isr` bits in InterruptStatus and calls the interrupt line. */
void virtq_mmio_raise(struct virtq_mmio *dev, uint32_t isr);

/*
 * After add_used on queue `index`: raises VIRTIO_MMIO_INT_VRING when
 * virtq_queue_needs_notification() says the driver wants it.  Returns 1
 * when it raised, 0 when suppressed, or -errno (and the device then needs
 * a reset, which this function requests).
 */
VIRTQ_WUR int virtq_mmio_signal_used(struct virtq_mmio *dev, uint16_t index);

/* The device changed its configuration: bumps ConfigGeneration and raises
 * VIRTIO_MMIO_INT_CONFIG (§2.5.1, §4.2.3.4). */
void virtq_mmio_config_changed(struct virtq_mmio *dev);

/*
 * The device (or a queue) found the driver breaking the contract: sets
 * DEVICE_NEEDS_RESET and raises a configuration interrupt (§2.1.2).  Only
 * meaningful after DRIVER_OK; before it the status gains NEEDS_RESET too and
 * the driver's next steps are refused until it resets.
 */
void virtq_mmio_needs_reset(struct virtq_mmio *dev);

/* Current Status register, negotiated features (valid once FEATURES_OK),
 * InterruptStatus. */
uint32_t virtq_mmio_status(const struct virtq_mmio *dev);
uint64_t virtq_mmio_features(const struct virtq_mmio *dev);
uint32_t virtq_mmio_interrupt_status(const struct virtq_mmio *dev);

/* Queue `index` of the device, or NULL when out of range. */
struct virtq_queue *virtq_mmio_queue(struct virtq_mmio *dev, uint16_t index);

/* Saved transport state, including its queues. */
struct virtq_mmio_state {
	uint64_t device_features;
	uint64_t driver_features;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	uint32_t shm_sel;
	uint32_t status;
	uint32_t config_generation;
	uint32_t interrupt_status;
	uint16_t num_queues;
	struct virtq_queue_state queues[VIRTQ_MMIO_MAX_QUEUES];
};

/* Copies the state out.  -EBUSY when a queue has heads in flight. */
VIRTQ_WUR int virtq_mmio_save(const struct virtq_mmio *dev,
			      struct virtq_mmio_state *st);

/*
 * Restores a saved state into a device initialised with the same
 * configuration.  Everything is re-validated: the offered features must
 * equal what this device offers, acked features (once FEATURES_OK) a
 * subset of them with VERSION_1, the status a reachable one, InterruptStatus
 * only known bits, each queue as virtq_queue_restore() checks it, with
 * ring features matching the negotiated ones and readiness only after
 * FEATURES_OK.  When the restored status has DRIVER_OK (without
 * NEEDS_RESET or FAILED), ops->activate is called.  On error (-EINVAL,
 * -EFAULT, or activate's error) the device is left reset.
 */
VIRTQ_WUR int virtq_mmio_restore(struct virtq_mmio *dev,
				 const struct virtq_mmio_state *st);

#endif
