/* SPDX-License-Identifier: MIT */
/* Private helpers shared by the virtio-mmio transport's source files. */
#ifndef VIRTQ_MMIO_INTERNAL_H
#define VIRTQ_MMIO_INTERNAL_H

#include <stdint.h>

#include <virtq/mmio.h>

/* Status bits the driver may write; NEEDS_RESET belongs to the device. */
#define VIRTQ__STATUS_DRIVER_BITS (VIRTIO_CONFIG_S_ACKNOWLEDGE |		\
				   VIRTIO_CONFIG_S_DRIVER |		\
				   VIRTIO_CONFIG_S_FEATURES_OK |	\
				   VIRTIO_CONFIG_S_DRIVER_OK |		\
				   VIRTIO_CONFIG_S_FAILED)

/* The features this device offers: the device's own, VERSION_1, and only
 * the transport-range bits this library implements. */
uint64_t virtq__offered_features(const struct virtq_mmio *dev);

/* Whether `acked` may be accepted with FEATURES_OK. */
bool virtq__features_acceptable(uint64_t offered, uint64_t acked);

/* Whether a status value (driver bits plus NEEDS_RESET) is reachable: known
 * bits only, each step's prerequisites present. */
bool virtq__status_reachable(uint32_t status);

/* A Status register write. */
int virtq__status_write(struct virtq_mmio *dev, uint32_t value);

/* Queue register writes (QueueNum .. QueueReady) and reads. */
int virtq__queue_write(struct virtq_mmio *dev, uint64_t offset, uint32_t value);
int virtq__queue_read(struct virtq_mmio *dev, uint64_t offset, uint32_t *value);

/* Resets transport state without calling ops->reset. */
void virtq__mmio_clear(struct virtq_mmio *dev);

#endif
