/* SPDX-License-Identifier: MIT */
/*
 * The virtio-vsock device of a VM (virtio 1.2 §5.10, docs/cvmm.md):
 * libvirtio-vsock's device on the virtio-mmio transport, in the virtio
 * window after the block devices.  Its three QueueNotify values arrive
 * through ioeventfds, its interrupt leaves through an irqfd, and its host
 * sockets are polled by a private epoll instance nested in the VM's event
 * loop (see vsock.c for why).
 */
#ifndef VMM_VSOCK_H
#define VMM_VSOCK_H

#include <stdint.h>

#define VMM_VSOCK_WINDOW 0x1000u

struct vmm;
struct vmm_vsock;

int vmm__vsock_new(struct vmm *vm, uint32_t slot, struct vmm_vsock **out);
void vmm__vsock_free(struct vmm *vm, struct vmm_vsock *v);
uint64_t vmm__vsock_base(const struct vmm_vsock *v);
uint32_t vmm__vsock_gsi(const struct vmm_vsock *v);

#endif
