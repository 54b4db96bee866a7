// SPDX-License-Identifier: MIT
// Initial x86_64 vCPU state (DESIGN §5): CPUID from KVM_GET_SUPPORTED_CPUID
// patched per vCPU (APIC IDs, topology, hypervisor bit), boot MSRs, the
// FPU, LAPIC LINT0 as ExtINT and LINT1 as NMI, and for the boot vCPU the
// entry state: 32-bit flat protected mode for PVH (Xen's pvh.pandoc), or
// long mode on identity page tables for the 64-bit boot protocol
// (Documentation/arch/x86/boot.rst, "64-bit boot protocol").  The other
// vCPUs wait for INIT/SIPI from the guest, as on hardware.
#include <errno.h>
#include <string.h>

#include "vmm_internal.h"

#define CR0_PE 0x1ull
#define CR0_ET 0x10ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

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

static void patch_cpuid(struct kvmw_cpuid *c, uint32_t apic_id, uint32_t ncpus)
{
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
			/* Cache topology: EAX[31:26] cores per package - 1. */
			e->eax = (e->eax & 0x3ffffffu) | (((ncpus - 1) & 0x3f) << 26);
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

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type, bool code64)
{
	struct kvm_segment s = {
		.base = 0, .limit = 0xffffffffu, .selector = selector, .type = type,
		.present = 1, .dpl = 0, .db = code64 ? 0 : 1, .s = 1, .l = code64 ? 1 : 0,
		.g = 1,
	};
	return s;
}

static uint64_t gdt_entry(const struct kvm_segment *s)
{
	uint64_t base = s->base, limit = s->g ? s->limit >> 12 : s->limit;

	return (limit & 0xffffull) | ((base & 0xffffffull) << 16) |
	       ((uint64_t)s->type << 40) | ((uint64_t)s->s << 44) |
	       ((uint64_t)s->dpl << 45) | ((uint64_t)s->present << 47) |
	       (((limit >> 16) & 0xfull) << 48) | ((uint64_t)s->avl << 52) |
	       ((uint64_t)s->l << 53) | ((uint64_t)s->db << 54) |
	       ((uint64_t)s->g << 55) | (((base >> 24) & 0xffull) << 56);
}

/* GDT: null, code (0x08), data (0x10), TSS (0x18).  Written to guest
 * memory too, because the first far jump or segment load reads it. */
static int boot_segments(struct vmm *vm, struct kvm_sregs *sregs, bool long_mode)
{
	struct kvm_segment code = flat_segment(0x08, 0xb, long_mode);
	struct kvm_segment data = flat_segment(0x10, 0x3, false);
	struct kvm_segment tss = flat_segment(0x18, 0xb, false);
	uint64_t gdt[4];
	int r;

	tss.s = 0;
	tss.limit = 0x67;
	tss.g = 0;
	tss.db = 0;
	gdt[0] = 0;
	gdt[1] = gdt_entry(&code);
	gdt[2] = gdt_entry(&data);
	gdt[3] = gdt_entry(&tss);
	for (int i = 0; i < 4; i++) {
		r = vmmem_store_u64(vm->mem, LOADER_GDT_START + 8u * (uint64_t)i, gdt[i]);
		if (r)
			return r;
	}
	r = vmmem_store_u64(vm->mem, LOADER_IDT_START, 0);
	if (r)
		return r;
	sregs->gdt.base = LOADER_GDT_START;
	sregs->gdt.limit = sizeof(gdt) - 1;
	sregs->idt.base = LOADER_IDT_START;
	sregs->idt.limit = LOADER_IDT_SIZE - 1;
	sregs->cs = code;
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
	sregs->tr = tss;
	return 0;
}

/* Identity map of the first 4 GiB with 2 MiB pages: PML4 → PDPT → 4 PDs. */
static int page_tables(struct vmm *vm)
{
	int r = vmmem_store_u64(vm->mem, LOADER_PML4_START, LOADER_PDPT_START | 0x3);

	for (uint64_t i = 0; r == 0 && i < 4; i++)
		r = vmmem_store_u64(vm->mem, LOADER_PDPT_START + i * 8,
				    (LOADER_PD_START + i * 0x1000) | 0x3);
	for (uint64_t i = 0; r == 0 && i < 4 * 512; i++)
		r = vmmem_store_u64(vm->mem, LOADER_PD_START + i * 8,
				    (i << 21) | 0x83);	/* present, writable, 2 MiB */
	return r;
}

static int boot_state(struct vmm *vm, struct kvmw_vcpu *v)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int r = kvmw_vcpu_get_sregs(v, &sregs);

	if (r)
		return r;
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;	/* bit 1 is reserved and always set */
	if (vm->pvh) {
		/* PVH: 32-bit protected mode, paging off, EBX = start info. */
		r = boot_segments(vm, &sregs, false);
		sregs.cr0 = CR0_PE | CR0_ET;
		sregs.cr4 = 0;
		sregs.efer = 0;
		regs.rip = vm->kernel.pvh_entry;
		regs.rbx = LOADER_PVH_INFO_START;
	} else {
		/* 64-bit boot protocol: long mode, RSI = boot params. */
		r = boot_segments(vm, &sregs, true);
		if (r == 0)
			r = page_tables(vm);
		sregs.cr3 = LOADER_PML4_START;
		sregs.cr4 = CR4_PAE;
		sregs.cr0 = CR0_PE | CR0_ET | CR0_PG;
		sregs.efer = EFER_LME | EFER_LMA;
		regs.rip = vm->kernel.entry;
		regs.rsi = LOADER_ZERO_PAGE_START;
		regs.rsp = regs.rbp = LOADER_BOOT_STACK_POINTER;
	}
	if (r)
		return r;
	r = kvmw_vcpu_set_sregs(v, &sregs);
	return r ? r : kvmw_vcpu_set_regs(v, &regs);
}

int vmm__vcpu_configure(struct vmm *vm, struct vmm_vcpu *vcpu,
			const struct kvmw_cpuid *base_cpuid)
{
	static __thread struct kvmw_cpuid cpuid;	/* 10 KiB: not on the stack */
	const char *step = "CPUID";
	int r;

	cpuid = *base_cpuid;
	patch_cpuid(&cpuid, vcpu->index, vm->cfg.vcpus);
	r = kvmw_vcpu_set_cpuid(vcpu->kvcpu, &cpuid);
	if (r == 0 && (step = "MSRs", r = set_msrs(vcpu->kvcpu)) == 0 &&
	    (step = "FPU", r = set_fpu(vcpu->kvcpu)) == 0 &&
	    (step = "LAPIC LINT0/LINT1", r = set_lint(vcpu->kvcpu)) == 0 &&
	    vcpu->index == 0)
		step = "boot registers", r = boot_state(vm, vcpu->kvcpu);
	if (r)
		return vmm__fail(vm, "vCPU %u: setting %s: %s", vcpu->index, step,
				 strerror(-r));
	return 0;
}
