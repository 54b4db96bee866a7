// SPDX-License-Identifier: MIT
// Snapshot of a paused VM (docs/snapshot.md): the state file holds the
// configuration, the host CPU identity, the memory layout, every vCPU,
// the irqchip (both PICs and the IOAPIC), the PIT, the KVM clock as it
// stood at the pause, and every device; the memory file holds guest RAM,
// with zero pages left as holes.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/version.h>

#include "devices.h"
#include "snap_hostcpu.h"
#include "snap_memory.h"
#include "vmm_internal.h"

#define MSR_IA32_TSC 0x10u

/* The TSC a restore gives the guest is the one it had at the pause, the
 * moment the saved KVM clock also describes. */
static void use_paused_tsc(struct kvmw_vcpu_state *st, uint64_t tsc)
{
	for (uint32_t i = 0; i < st->nmsrs; i++)
		if (st->msrs[i].index == MSR_IA32_TSC)
			st->msrs[i].data = tsc;
}

static int save_vcpus(struct vmm *vm, struct vmm__snapw *w)
{
	struct kvmw_vcpu_state *st = malloc(sizeof(*st));
	int r = 0;

	if (!st)
		return vmm__fail(vm, "snapshot: out of memory");
	for (uint32_t i = 0; i < vm->nvcpus && r == 0; i++) {
		r = kvmw_vcpu_save_state(vm->vcpus[i].kvcpu, st);
		if (r) {
			r = vmm__fail(vm, "snapshot: vCPU %u state: %s", i, strerror(-r));
			break;
		}
		use_paused_tsc(st, vm->vcpus[i].paused_tsc);
		vmm__snap_put_vcpu(w, i, st);
	}
	free(st);
	return r;
}

static int save_machine(struct vmm *vm, struct vmm__snapw *w)
{
	static const uint32_t chips[] = { KVM_IRQCHIP_PIC_MASTER, KVM_IRQCHIP_PIC_SLAVE,
					  KVM_IRQCHIP_IOAPIC };
	struct kvm_pit_state2 pit;
	int r;

	for (size_t i = 0; i < sizeof(chips) / sizeof(chips[0]); i++) {
		struct kvm_irqchip chip = { .chip_id = chips[i] };

		r = kvmw_vm_get_irqchip(vm->kvm, &chip);
		if (r)
			return vmm__fail(vm, "snapshot: KVM_GET_IRQCHIP %u: %s", chips[i],
					 strerror(-r));
		vmm__snap_put_irqchip(w, &chip);
	}
	r = kvmw_vm_get_pit2(vm->kvm, &pit);
	if (r)
		return vmm__fail(vm, "snapshot: KVM_GET_PIT2: %s", strerror(-r));
	vmm__snap_put_pit(w, &pit);
	vmm__snap_put_clock(w, &vm->paused_clock);
	return 0;
}

/* Who wrote the snapshot: a restore compares it with its own host. */
static int save_host(struct vmm *vm, struct vmm__snapw *w)
{
	static struct kvmw_cpuid supported;	/* 10 KiB; under control_lock */
	struct vmm__snap_host_cpu h;
	int r = kvmw_system_supported_cpuid(vm->sys, &supported);

	if (r)
		return vmm__fail(vm, "snapshot: KVM_GET_SUPPORTED_CPUID: %s", strerror(-r));
	vmm__snap_host_cpu_read(&h, &supported);
	vmm__snap_put_host_cpu(w, &h);
	return 0;
}

/* Everything is gathered before any file is touched, and the pair is then
 * written as one (vmm__snap_write_pair()): a failure at any step leaves
 * no state file that describes other RAM than its memory file's. */
static int snapshot_paused(struct vmm *vm, const char *state_path, const char *mem_path,
			   char *err, size_t errlen)
{
	struct vmm__snap_mem_layout layout;
	struct vmm__snapw *w = NULL;
	int r = vmm__snapw_new(&w, VMM_VERSION_STRING);

	if (r) {
		snprintf(err, errlen, "snapshot: out of memory");
		return r;
	}
	vmm__snap_put_config(w, &vm->cfg);
	r = vmm__snap_mem_layout_of(vm->mem, &layout);
	if (r)
		snprintf(err, errlen, "snapshot: memory layout: %s", strerror(-r));
	if (r == 0)
		vmm__snap_put_mem_layout(w, &layout);
	if (r == 0 && (save_host(vm, w) || save_vcpus(vm, w) || save_machine(vm, w) ||
		       vmm__devices_save(vm, w))) {
		snprintf(err, errlen, "%s", vm->err);
		r = -EIO;
	}
	if (r == 0)
		r = vmm__snap_write_pair(vm->mem, w, &layout, state_path, mem_path, err, errlen);
	vmm__snapw_free(w);
	return r;
}

int vmm_snapshot_create(struct vmm *vm, const char *state_path, const char *mem_path,
			char *err, size_t errlen)
{
	int r;

	pthread_mutex_lock(&vm->control_lock);
	if (!vm->paused) {
		snprintf(err, errlen, "snapshot: the VM must be paused first");
		r = -EBUSY;
	} else {
		r = snapshot_paused(vm, state_path, mem_path, err, errlen);
	}
	pthread_mutex_unlock(&vm->control_lock);
	if (r == 0)
		vmm__log(vm, VMM_LOG_INFO, "snapshot written: %s, memory %s", state_path, mem_path);
	return r;
}
