// SPDX-License-Identifier: MIT
// QueueNotify ioeventfds of a virtio-mmio device (virtio 1.2 §4.2.2): one
// eventfd per queue, matched on the queue index the driver writes, so that
// a notification costs no exit to userspace and still names its queue.
#include "vmm_internal.h"

static struct kvmw_ioeventfd notify_io(uint64_t base, int fd, uint32_t q)
{
	return (struct kvmw_ioeventfd){
		.fd = fd, .space = KVMW_IO_MMIO,
		.addr = base + VMM_VIRTIO_MMIO_QUEUE_NOTIFY, .len = 4,
		.datamatch = true, .data = q,
	};
}

int vmm__notify_ioeventfds_assign(struct vmm *vm, uint64_t base, const int *fds,
				  bool *on, uint32_t n, uint32_t *failed_q)
{
	for (uint32_t q = 0; q < n; q++) {
		struct kvmw_ioeventfd io = notify_io(base, fds[q], q);
		int r = kvmw_vm_ioeventfd_assign(vm->kvm, &io);

		if (r) {
			*failed_q = q;
			return r;
		}
		on[q] = true;
	}
	return 0;
}

void vmm__notify_ioeventfds_release(struct vmm *vm, uint64_t base, const int *fds,
				    bool *on, uint32_t n)
{
	for (uint32_t q = 0; q < n; q++) {
		struct kvmw_ioeventfd io = notify_io(base, fds[q], q);

		if (on[q])
			VMM_IGNORE(kvmw_vm_ioeventfd_deassign(vm->kvm, &io));
		on[q] = false;
	}
}
