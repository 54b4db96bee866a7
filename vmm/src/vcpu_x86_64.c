// SPDX-License-Identifier: MIT
// Initial x86_64 vCPU state (docs/boot-path.md): CPUID from KVM_GET_SUPPORTED_CPUID
// patched per vCPU (APIC IDs, topology, hypervisor bit), boot MSRs, the
// FPU, LAPIC LINT0 as ExtINT and LINT1 as NMI, and for the boot vCPU the
// entry state libloader computes: 32-bit flat protected mode for PVH (Xen's
// pvh.pandoc), or long mode on identity page tables with __BOOT_CS/__BOOT_DS
// for the 64-bit boot protocol (Documentation/arch/x86/boot.rst).  The other
// vCPUs wait for INIT/SIPI from the guest, as on hardware.
#include <errno.h>
#include <string.h>

#include "cpuid_x86_64.h"
#include "vmm_internal.h"


#define MSR_IA32_SYSENTER_CS 0x174u
#define MSR_IA32_SYSENTER_ESP 0x175u
#define MSR_IA32_SYSENTER_EIP 0x176u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SYSCALL_MASK 0xc0000084u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_IA32_TSC 0x10u
#define MSR_IA32_MISC_ENABLE 0x1a0u
#define MISC_ENABLE_FAST_STRING 0x1ull

#define APIC_LVT_LINT0 0x350u
#define APIC_LVT_LINT1 0x360u
#define APIC_MODE_NMI 0x4u
#define APIC_MODE_EXTINT 0x7u

/* Leaf 1 ECX bit 31: running under a hypervisor. */
#define CPUID1_ECX_HYPERVISOR (1u << 31)

/* CPUID.04H:EAX[31:26] holds cores per package - 1 in 6 bits (Intel SDM
 * vol. 2A, CPUID): above 64 vCPUs the nearest value it can say is 64. */
#define CPUID4_CORES_MAX 64u

void vmm__cpuid_patch(struct kvmw_cpuid *c, uint32_t apic_id, uint32_t ncpus)
{
	uint32_t cores4 = ncpus < CPUID4_CORES_MAX ? ncpus : CPUID4_CORES_MAX;

	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			/* EBX[31:24] initial APIC ID, [23:16] logical CPUs per
			 * package, [15:8] CLFLUSH line size in 8-byte units. */
			e->ebx = (apic_id << 24) | ((ncpus & 0xff) << 16) | (8u << 8);
			e->ecx |= CPUID1_ECX_HYPERVISOR;
			if (ncpus > 1)
				e->edx |= 1u << 28;	/* HTT: the count above is valid */
			break;
		case 0xb:
		case 0x1f:
			/* x2APIC topology: one thread per core, all cores in
			 * one package; EDX is the x2APIC ID on every subleaf. */
			e->edx = apic_id;
			if (e->index == 0) {
				e->eax = 0;
				e->ebx = 1;
				e->ecx = 0x100u;		/* level 0: SMT */
			} else if (e->index == 1) {
				uint32_t shift = 0;

				while ((1u << shift) < ncpus)
					shift++;
				e->eax = shift;
				e->ebx = ncpus;
				e->ecx = 0x200u | 1u;	/* level 1: core */
			} else {
				e->eax = e->ebx = 0;
				e->ecx = e->index;
			}
			break;
		case 4:
			/* Cache topology: EAX[31:26] cores per package - 1,
			 * saturated rather than wrapped (leaf 0xB says the
			 * exact count). */
			e->eax = (e->eax & 0x3ffffffu) | ((cores4 - 1) << 26);
			break;
		default:
			break;
		}
	}
}

static int set_msrs(struct kvmw_vcpu *v)
{
	const struct kvm_msr_entry msrs[] = {
		{ .index = MSR_IA32_SYSENTER_CS }, { .index = MSR_IA32_SYSENTER_ESP },
		{ .index = MSR_IA32_SYSENTER_EIP }, { .index = MSR_STAR },
		{ .index = MSR_CSTAR }, { .index = MSR_KERNEL_GS_BASE },
		{ .index = MSR_SYSCALL_MASK }, { .index = MSR_LSTAR },
		{ .index = MSR_IA32_TSC },
		{ .index = MSR_IA32_MISC_ENABLE, .data = MISC_ENABLE_FAST_STRING },
	};
	const size_t n = sizeof(msrs) / sizeof(msrs[0]);
	int r = kvmw_vcpu_set_msrs(v, msrs, n);

	if (r < 0)
		return r;
	return (size_t)r == n ? 0 : -EIO;
}

static int set_fpu(struct kvmw_vcpu *v)
{
	struct kvm_fpu fpu;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;	/* x87 power-on control word */
	fpu.mxcsr = 0x1f80;	/* SSE exceptions masked */
	return kvmw_vcpu_set_fpu(v, &fpu);
}

static int set_lint(struct kvmw_vcpu *v)
{
	struct kvm_lapic_state lapic;
	uint32_t lint0, lint1;
	int r = kvmw_vcpu_get_lapic(v, &lapic);

	if (r)
		return r;
	/* The delivery mode is bits 10:8 of an LVT entry. */
	lint0 = kvmw_lapic_reg(&lapic, APIC_LVT_LINT0);
	lint1 = kvmw_lapic_reg(&lapic, APIC_LVT_LINT1);
	lint0 = (lint0 & ~0x700u) | (APIC_MODE_EXTINT << 8);
	lint1 = (lint1 & ~0x700u) | (APIC_MODE_NMI << 8);
	kvmw_lapic_set_reg(&lapic, APIC_LVT_LINT0, lint0);
	kvmw_lapic_set_reg(&lapic, APIC_LVT_LINT1, lint1);
	return kvmw_vcpu_set_lapic(v, &lapic);
}

static struct kvm_segment kvm_seg(const struct loader_segment *l)
{
	struct kvm_segment s = {
		.base = l->base, .limit = l->limit, .selector = l->selector,
		.type = l->type, .present = l->present, .dpl = l->dpl, .db = l->db,
		.s = l->s, .l = l->l, .g = l->g, .avl = l->avl,
	};
	return s;
}

/* libloader writes the GDT, the empty IDT and (long mode) the identity
 * page tables, and computes the entry registers; this only loads them. */
static int boot_state(struct vmm *vm, struct kvmw_vcpu *v)
{
	struct loader_boot_cpu bc;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int r = loader_boot_cpu_setup(vm->mem, &vm->kernel,
				      vm->pvh ? LOADER_ENTRY_PVH : LOADER_ENTRY_LONG_MODE, &bc);

	if (r == 0)
		r = kvmw_vcpu_get_sregs(v, &sregs);
	if (r)
		return r;
	sregs.cs = kvm_seg(&bc.cs);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = kvm_seg(&bc.ds);
	sregs.tr = kvm_seg(&bc.tr);
	sregs.gdt.base = bc.gdt_base;
	sregs.gdt.limit = bc.gdt_limit;
	sregs.idt.base = bc.idt_base;
	sregs.idt.limit = bc.idt_limit;
	sregs.cr0 = bc.cr0;
	sregs.cr3 = bc.cr3;
	sregs.cr4 = bc.cr4;
	sregs.efer = bc.efer;
	memset(&regs, 0, sizeof(regs));
	regs.rip = bc.rip;
	regs.rsp = regs.rbp = bc.rsp;
	regs.rflags = bc.rflags ? bc.rflags : 0x2;
	regs.rsi = bc.rsi;
	regs.rbx = bc.rbx;
	r = kvmw_vcpu_set_sregs(v, &sregs);
	return r ? r : kvmw_vcpu_set_regs(v, &regs);
}

int vmm__vcpu_configure(struct vmm *vm, struct vmm_vcpu *vcpu,
			const struct kvmw_cpuid *base_cpuid, struct kvmw_cpuid *scratch)
{
	const char *step = "CPUID";
	int r;

	*scratch = *base_cpuid;
	vmm__cpuid_patch(scratch, vcpu->index, vm->cfg.vcpus);
	r = kvmw_vcpu_set_cpuid(vcpu->kvcpu, scratch);
	if (r == 0 && (step = "MSRs", r = set_msrs(vcpu->kvcpu)) == 0 &&
	    (step = "FPU", r = set_fpu(vcpu->kvcpu)) == 0 &&
	    (step = "LAPIC LINT0/LINT1", r = set_lint(vcpu->kvcpu)) == 0 &&
	    vcpu->index == 0 && !vm->restored)
		step = "boot registers", r = boot_state(vm, vcpu->kvcpu);
	if (r)
		return vmm__fail(vm, "vCPU %u: setting %s: %s", vcpu->index, step,
				 strerror(-r));
	return 0;
}
