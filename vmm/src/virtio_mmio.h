/* SPDX-License-Identifier: MIT */
/*
 * What every virtio-mmio device of a VM shares (virtio 1.2 §4.2.2): the
 * little-endian value of a bus access, and one ioeventfd per queue on the
 * QueueNotify register, told apart by the value written (datamatch).
 */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

/* virtio 1.2 §4.2.2: QueueNotify register offset. */
#define VMM_VIRTIO_MMIO_QUEUE_NOTIFY 0x50u

struct vmm;

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
 * Assigns fds[q] to a write of q to base + QueueNotify, for q < n, and sets
 * on[q] for each one assigned; 0, or -errno with the queue in *failed_q.
 * The release undoes those with on[q] set.
 */
int vmm__notify_ioeventfds_assign(struct vmm *vm, uint64_t base, const int *fds,
				  bool *on, uint32_t n, uint32_t *failed_q);
void vmm__notify_ioeventfds_release(struct vmm *vm, uint64_t base, const int *fds,
				    bool *on, uint32_t n);

#endif
