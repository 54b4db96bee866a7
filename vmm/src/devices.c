// SPDX-License-Identifier: MIT
// The machine's devices in their fixed order (docs/boot-path.md): the
// buses, the legacy PC devices (i8042, CMOS RTC, the small ports, the
// 16550A console), then the virtio-mmio devices in slot order: disks, the
// vsock device, network devices.  Each device file registers itself
// (device.h); nothing else names a device kind.
#include <errno.h>
#include <string.h>

#include "devices.h"
#include "vmm_internal.h"

void vmm__irq_line(struct vmm *vm, uint32_t gsi, bool level)
{
	int r = kvmw_vm_irq_line(vm->kvm, gsi, level);

	if (r)
		vmm__log(vm, VMM_LOG_WARN, "KVM_IRQ_LINE %u: %s", gsi, strerror(-r));
}

static void bucket_config(const struct vmm_token_bucket *b, struct rlim_bucket_config *c)
{
	c->size = b->size;
	c->one_time_burst = b->one_time_burst;
	c->refill_time_ms = b->refill_ms;
}

bool vmm__rlim_config(const struct vmm_rate_limit *l, struct rlim_config *rc)
{
	memset(rc, 0, sizeof(*rc));
	bucket_config(&l->bytes, &rc->bytes);
	bucket_config(&l->ops, &rc->ops);
	rc->clock = rlim_clock_monotonic;
	return vmm_rate_limit_limits(l);
}

static int virtio_setup(struct vmm *vm)
{
	uint32_t slot = 0;

	for (uint32_t i = 0; i < vm->cfg.nblocks; i++)
		if (vmm__blk_add(vm, i, slot++))
			return -1;
	if (vm->cfg.vsock.enabled && vmm__vsock_add(vm, slot++))
		return -1;
	for (uint32_t i = 0; i < vm->cfg.nnets; i++)
		if (vmm__net_add(vm, i, slot++))
			return -1;
	return 0;
}

int vmm__devices_setup(struct vmm *vm)
{
	int r;

	r = vmm_bus_new("pio", &vm->pio);
	if (r == 0)
		r = vmm_bus_new("mmio", &vm->mmio);
	if (r)
		return vmm__fail(vm, "buses: %s", strerror(-r));
	if (vmm__i8042_add(vm) || vmm__cmos_add(vm) || vmm__pc_ports_add(vm) ||
	    vmm__console_add(vm))
		return -1;
	return virtio_setup(vm);
}

void vmm__devices_teardown(struct vmm *vm)
{
	vmm__devices_teardown_all(vm);
	vmm_bus_free(vm->pio);
	vmm_bus_free(vm->mmio);
	vm->pio = vm->mmio = NULL;
}
