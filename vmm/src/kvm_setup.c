// SPDX-License-Identifier: MIT
// The VM in KVM: /dev/kvm opened and checked, KVM_CREATE_VM, the TSS and
// identity map; then, once the main thread has mapped guest RAM, its memory
// slots, the in-kernel irqchip and the PIT, in that order.  vmm_new() runs
// this on a thread of its own while the main thread maps guest RAM, loads
// the kernel and builds the devices (docs/cvmm.md, "Start-up phases"):
// KVM_CREATE_VM is the largest single cost of start-up where KVM itself is
// emulated, and the main thread needs none of this before it attaches the
// devices.  It starts first thing, before the configuration is even
// checked.  So that the two threads never write the same error buffer,
// this one reports into its own, which vmm__kvm_setup_join() hands on.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "thread.h"
#include "vmm_internal.h"

__attribute__((format(printf, 3, 4)))
static int setup_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_caps(struct vmm *vm, char *err, size_t errlen)
{
	static const struct { int cap; const char *name; } needed[] = {
		{ KVM_CAP_IRQCHIP, "IRQCHIP" }, { KVM_CAP_IOEVENTFD, "IOEVENTFD" },
		{ KVM_CAP_IRQFD, "IRQFD" }, { KVM_CAP_USER_MEMORY, "USER_MEMORY" },
		{ KVM_CAP_SET_TSS_ADDR, "SET_TSS_ADDR" }, { KVM_CAP_EXT_CPUID, "EXT_CPUID" },
		{ KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT" },
	};
	int max;

	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (kvmw_system_check_cap(vm->sys, needed[i].cap) <= 0)
			return setup_fail(err, errlen, "kvm.path=%s: KVM lacks KVM_CAP_%s",
					  vm->cfg.kvm_path, needed[i].name);
	max = kvmw_system_check_cap(vm->sys, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = kvmw_system_check_cap(vm->sys, KVM_CAP_NR_VCPUS);
	if (max <= 0)
		max = 1;
	vm->max_vcpus = (uint32_t)max < VMM_VCPUS_MAX ? (uint32_t)max : VMM_VCPUS_MAX;
	if (vm->cfg.vcpus > vm->max_vcpus)
		return setup_fail(err, errlen, "vcpu.num=%u: this host's KVM allows at most %u",
				  vm->cfg.vcpus, vm->max_vcpus);
	return 0;
}

static int kvm_setup(struct vmm *vm, char *err, size_t errlen)
{
	int r;

	r = kvmw_system_open_path(vm->cfg.kvm_path, &vm->sys);
	if (r)
		return setup_fail(err, errlen, "kvm.path=%s: cannot open: %s%s", vm->cfg.kvm_path,
				  strerror(-r), r == -ENOENT ? " (is the kvm module loaded?)" : "");
	r = kvmw_system_api_version(vm->sys);
	if (r != KVMW_API_VERSION)
		return setup_fail(err, errlen, "kvm.path=%s: KVM API version %d, need %d",
				  vm->cfg.kvm_path, r, KVMW_API_VERSION);
	if (check_caps(vm, err, errlen))
		return -1;
	r = kvmw_vm_create(vm->sys, &vm->kvm);
	if (r)
		return setup_fail(err, errlen, "KVM_CREATE_VM: %s", strerror(-r));
	/* The TSS and identity map take three pages just below the BIOS
	 * flash area, inside the MMIO hole where no RAM is. */
	r = kvmw_vm_set_identity_map_addr(vm->kvm, 0xfeffc000ull);
	if (r == 0)
		r = kvmw_vm_set_tss_addr(vm->kvm, 0xfeffd000ull);
	if (r)
		return setup_fail(err, errlen, "KVM TSS/identity map setup: %s", strerror(-r));
	return 0;
}

int vmm__kvm_setup(struct vmm *vm)
{
	return kvm_setup(vm, vm->err, sizeof(vm->err));
}

/*
 * After the memory slots: on kvm-pvm a slot added once the VM has an
 * irqchip costs about 6 ms for 256 MiB of RAM, against 0.2 ms before it
 * (docs/cvmm.md, "Start-up phases").  Before the ioeventfds, irqfds and
 * vCPUs, which need it.
 */
static int irqchip_setup(struct vmm *vm, char *err, size_t errlen)
{
	int r = kvmw_vm_create_irqchip(vm->kvm);

	if (r)
		return setup_fail(err, errlen, "KVM_CREATE_IRQCHIP: %s", strerror(-r));
	/* The PIT drives Linux's TSC calibration.  With the DUMMY flag KVM
	 * also answers the speaker port 0x61 in the kernel (kvm_create_pit()
	 * in arch/x86/kvm/i8254.c puts its speaker device there: channel 2's
	 * gate and output, the speaker data bit, a refresh toggle), so 0x61
	 * never exits to userspace and pc_ports.c's latch is not reached. */
	r = kvmw_vm_create_pit2(vm->kvm, KVM_PIT_SPEAKER_DUMMY);
	if (r)
		return setup_fail(err, errlen, "KVM_CREATE_PIT2: %s", strerror(-r));
	return 0;
}

int vmm__irqchip_setup(struct vmm *vm)
{
	return irqchip_setup(vm, vm->err, sizeof(vm->err));
}

/* Guest RAM into the VM, then the irqchip and PIT; phases of their own. */
static int attach_ram(struct vmm *vm)
{
	char *err = vm->kvm_setup_err;
	size_t errlen = sizeof(vm->kvm_setup_err);

	if (vmm__memory_register_err(vm, err, errlen))
		return -1;
	vmm__phase_done(vm, "memory-slots");
	if (irqchip_setup(vm, err, errlen))
		return -1;
	vmm__phase_done(vm, "irqchip-setup");
	vm->kvm_ram_attached = true;
	return 0;
}

/* The main thread's word on guest RAM: mapped, or never. */
static bool wait_for_ram(struct vmm *vm)
{
	bool mapped;

	pthread_mutex_lock(&vm->kvm_setup_lock);
	while (vm->kvm_setup_ram == VMM_RAM_PENDING)
		pthread_cond_wait(&vm->kvm_setup_cond, &vm->kvm_setup_lock);
	mapped = vm->kvm_setup_ram == VMM_RAM_MAPPED;
	pthread_mutex_unlock(&vm->kvm_setup_lock);
	return mapped;
}

/* The VM itself, its error in the thread's own buffer. */
static int create_vm(struct vmm *vm)
{
	int r = kvm_setup(vm, vm->kvm_setup_err, sizeof(vm->kvm_setup_err));

	if (r == 0)
		vmm__phase_done(vm, "kvm-setup");
	return r;
}

static void *kvm_setup_thread(void *arg)
{
	struct vmm *vm = arg;
	int r = create_vm(vm);

	if (r == 0 && wait_for_ram(vm))
		r = attach_ram(vm);
	vm->kvm_setup_result = r;
	return NULL;
}

void vmm__kvm_setup_start(struct vmm *vm)
{
	sigset_t all, old;

	/* It starts before vmm_new() blocks the signals the event loop
	 * takes (vmm.c), so it blocks every signal itself: none is meant
	 * for it. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	vm->kvm_setup_threaded = vmm__thread_start(&vm->kvm_setup_thread, kvm_setup_thread,
						   vm) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* Without a thread, the same work in line: slower, not wrong.  The
	 * RAM part then waits for the join. */
	if (!vm->kvm_setup_threaded)
		vm->kvm_setup_result = create_vm(vm);
}

/*
 * Main thread: guest RAM is mapped (the kvm-setup thread may register it
 * while the kernel is loaded into it: no vCPU runs yet), or it never will
 * be.  Only the first word counts.
 */
void vmm__kvm_setup_ram(struct vmm *vm, bool mapped)
{
	pthread_mutex_lock(&vm->kvm_setup_lock);
	if (vm->kvm_setup_ram == VMM_RAM_PENDING) {
		vm->kvm_setup_ram = mapped ? VMM_RAM_MAPPED : VMM_RAM_NEVER;
		pthread_cond_signal(&vm->kvm_setup_cond);
	}
	pthread_mutex_unlock(&vm->kvm_setup_lock);
}

int vmm__kvm_setup_join(struct vmm *vm)
{
	vmm__kvm_setup_ram(vm, false);	/* a start that failed before the RAM */
	if (vm->kvm_setup_threaded)
		pthread_join(vm->kvm_setup_thread, NULL);
	else if (vm->kvm_setup_result == 0 && vm->kvm_setup_ram == VMM_RAM_MAPPED &&
		 !vm->kvm_ram_attached)
		vm->kvm_setup_result = attach_ram(vm);
	vm->kvm_setup_threaded = false;
	if (vm->kvm_setup_result == 0)
		return 0;
	snprintf(vm->err, sizeof(vm->err), "%s", vm->kvm_setup_err);
	return -1;
}
