// SPDX-License-Identifier: MIT
// VM lifetime and VM-wide settings: KVM_CREATE_VM, KVM_CHECK_EXTENSION and
// KVM_ENABLE_CAP on the VM fd, TSS and identity-map addresses, kvmclock,
// device creation (api.rst 4.2, 4.37, 4.40, 4.41, 4.80, 4.83).
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int kvmw_vm_create(const struct kvmw_system *sys, struct kvmw_vm **out)
{
	struct kvmw_vm *vm;
	int fd, run_size;

	if (!sys || !out)
		return -EINVAL;
	run_size = kvmw_system_vcpu_mmap_size(sys);
	if (run_size < 0)
		return run_size;
	if ((size_t)run_size < sizeof(struct kvm_run))
		return -EBADMSG;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	fd = kvmw__ioctl_val(sys->fd, KVM_CREATE_VM, 0);
	if (fd < 0) {
		free(vm);
		return fd;
	}
	vm->fd = fd;
	vm->run_size = run_size;
	*out = vm;
	return 0;
}

void kvmw_vm_free(struct kvmw_vm *vm)
{
	if (!vm)
		return;
	close(vm->fd);
	free(vm);
}

int kvmw_vm_fd(const struct kvmw_vm *vm)
{
	return vm ? vm->fd : -EINVAL;
}

int kvmw_vm_check_cap(const struct kvmw_vm *vm, int cap)
{
	if (!vm || cap < 0)
		return -EINVAL;
	return kvmw__ioctl_val(vm->fd, KVM_CHECK_EXTENSION, (unsigned long)cap);
}

int kvmw_vm_enable_cap(struct kvmw_vm *vm, uint32_t cap, const uint64_t *args, size_t nargs)
{
	struct kvm_enable_cap ec;

	if (!vm || nargs > 4 || (nargs && !args))
		return -EINVAL;
	memset(&ec, 0, sizeof(ec));
	ec.cap = cap;
	for (size_t i = 0; i < nargs; i++)
		ec.args[i] = args[i];
	return kvmw__ioctl(vm->fd, KVM_ENABLE_CAP, &ec);
}

int kvmw_vm_set_tss_addr(struct kvmw_vm *vm, uint64_t gpa)
{
	/* Three pages that must stay below 4 GiB (the TSS is 32-bit addressed). */
	if (!vm || (gpa & 0xfff) || gpa > 0xffffffffull - 3 * 0x1000 + 1)
		return -EINVAL;
	return kvmw__ioctl_val(vm->fd, KVM_SET_TSS_ADDR, (unsigned long)gpa);
}

int kvmw_vm_set_identity_map_addr(struct kvmw_vm *vm, uint64_t gpa)
{
	if (!vm || (gpa & 0xfff) || gpa > 0xffffffffull - 0x1000 + 1)
		return -EINVAL;
	return kvmw__ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &gpa);
}

int kvmw_vm_get_clock(struct kvmw_vm *vm, struct kvm_clock_data *clock)
{
	if (!vm || !clock)
		return -EINVAL;
	memset(clock, 0, sizeof(*clock));
	return kvmw__ioctl(vm->fd, KVM_GET_CLOCK, clock);
}

int kvmw_vm_set_clock(struct kvmw_vm *vm, const struct kvm_clock_data *clock)
{
	struct kvm_clock_data c;

	if (!vm || !clock)
		return -EINVAL;
	c = *clock;
	return kvmw__ioctl(vm->fd, KVM_SET_CLOCK, &c);
}

int kvmw_vm_create_device(struct kvmw_vm *vm, uint32_t type, bool test, int *fd_out)
{
	struct kvm_create_device cd = { .type = type };
	int r;

	if (!vm || (!test && !fd_out))
		return -EINVAL;
	cd.flags = test ? KVM_CREATE_DEVICE_TEST : 0;
	r = kvmw__ioctl(vm->fd, KVM_CREATE_DEVICE, &cd);
	if (r < 0)
		return r;
	if (!test)
		*fd_out = (int)cd.fd;
	return 0;
}
