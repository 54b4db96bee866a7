/* SPDX-License-Identifier: MIT */
/*
 * virtio-net devices of a VM (virtio 1.2 §5.1, docs/cvmm.md): libvirtio-net's
 * device on a host tap, in the virtio windows after the disks and the vsock
 * device.  QueueNotify (rx 0, tx 1) arrives through ioeventfds, the
 * interrupt leaves through an irqfd, the tap fd is polled edge-triggered by
 * the event loop, and a timerfd wakes a direction its rate limiter held back.
 */
#ifndef VMM_NET_H
#define VMM_NET_H

#include <stdint.h>

#define VMM_NET_WINDOW 0x1000u

struct vmm;
struct vmm_net;

int vmm__net_new(struct vmm *vm, uint32_t index, uint32_t slot, struct vmm_net **out);
void vmm__net_free(struct vmm *vm, struct vmm_net *n);
uint64_t vmm__net_base(const struct vmm_net *n);
uint32_t vmm__net_gsi(const struct vmm_net *n);

#endif
