/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk devices of a VM (docs/boot-path.md): libvirtio-blk's device model on
 * the virtio-mmio transport, one 4 KiB window each in the MMIO hole from
 * LOADER_VIRTIO_MMIO_START, one IOAPIC pin each from LOADER_VIRTIO_FIRST_GSI.
 * QueueNotify arrives through an ioeventfd and interrupts leave through an
 * irqfd, so neither costs a userspace exit; requests run on the event loop
 * thread (io_uring when available).
 */
#ifndef VMM_BLK_H
#define VMM_BLK_H

#include <stdint.h>

#define VMM_BLK_WINDOW 0x1000u

struct vmm;
struct vmm_blk;

int vmm__blk_new(struct vmm *vm, uint32_t index, struct vmm_blk **out);
void vmm__blk_free(struct vmm *vm, struct vmm_blk *b);
uint64_t vmm__blk_base(const struct vmm_blk *b);
uint32_t vmm__blk_gsi(const struct vmm_blk *b);
uint64_t vmm__blk_notifies(const struct vmm_blk *b);

#endif
