/* SPDX-License-Identifier: MIT */
/*
 * Test-only helpers that build tiny guests through libkvmwrap: one memory
 * slot of anonymous memory at GPA 0, code copied to a fixed address, and
 * either real mode or 64-bit long mode with identity-mapped 2 MiB pages for
 * the first and the fourth GiB (the latter holds the LAPIC at 0xfee00000)
 * (Intel SDM vol. 3, 9.8.5 "Initializing IA-32e Mode"; 4.5 4-level paging;
 * 6.14.1 64-bit IDT gates).
 * Shared by the kvm tests, the benchmark and (by copy of the idea only) the
 * tiny-guest example.  Not installed.
 */
#ifndef KVMWRAP_TEST_GUEST_H
#define KVMWRAP_TEST_GUEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kvmwrap/kvmwrap.h>

#define TG_CODE_GPA 0x1000u	/* where guest code starts */
#define TG_GDT_GPA 0x500u
#define TG_PML4_GPA 0x8000u	/* PML4, PDPT and two PDs on the next pages */
#define TG_IDT_GPA 0x3000u	/* 256 16-byte gates */
#define TG_STACK_TOP 0x7000u

struct tg {
	struct kvmw_system *sys;
	struct kvmw_vm *vm;
	struct kvmw_vcpu *vcpu;
	uint8_t *mem;
	size_t mem_size;
};

/* True when the tests may touch KVM: the node exists. */
static inline bool tg_have_kvm(void)
{
	return access(KVMW_DEV_KVM, F_OK) == 0;
}

/* True on kvm-pvm, whose known differences some tests allow for
 * (docs/kvm-pvm.md). */
static inline bool tg_host_is_pvm(void)
{
	struct kvmw_host_facts f;

	return kvmw_host_probe(&f) == 0 && f.kind == KVMW_HOST_PVM;
}

/* Frees whatever tg_open() created. */
static inline void tg_close(struct tg *g)
{
	kvmw_vcpu_free(g->vcpu);
	kvmw_vm_free(g->vm);
	kvmw_system_free(g->sys);
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, g->mem_size);
	memset(g, 0, sizeof(*g));
}

/*
 * Opens KVM, creates a VM (TSS, identity map, optionally the irqchip),
 * backs [0, mem_size) with slot 0 and creates vCPU 0 with the host's
 * supported CPUID.
 */
static inline int tg_open(struct tg *g, size_t mem_size, bool irqchip)
{
	static struct kvmw_cpuid cpuid;
	struct kvmw_mem_region r;
	int err;

	memset(g, 0, sizeof(*g));
	g->mem_size = mem_size;
	g->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED)
		return -errno;
	r = (struct kvmw_mem_region){ .slot = 0, .gpa = 0, .size = mem_size, .hva = g->mem };
	if ((err = kvmw_system_open(&g->sys)) || (err = kvmw_vm_create(g->sys, &g->vm)) ||
	    (err = kvmw_vm_set_tss_addr(g->vm, 0xfffbd000)) ||
	    (err = kvmw_vm_set_identity_map_addr(g->vm, 0xfffbc000)) ||
	    (irqchip && (err = kvmw_vm_create_irqchip(g->vm))) ||
	    (err = kvmw_vm_set_memory_region(g->vm, &r)) ||
	    (err = kvmw_vcpu_create(g->vm, 0, &g->vcpu)))
		goto fail;
	if ((err = kvmw_system_supported_cpuid(g->sys, &cpuid)) ||
	    (err = kvmw_vcpu_set_cpuid(g->vcpu, &cpuid)))
		goto fail;
	return 0;
fail:
	tg_close(g);
	return err;
}

/* Copies code to TG_CODE_GPA. */
static inline int tg_load(struct tg *g, const uint8_t *code, size_t len)
{
	if (len > g->mem_size - TG_CODE_GPA)
		return -EINVAL;
	memcpy(g->mem + TG_CODE_GPA, code, len);
	return 0;
}

/* Real mode, CS=0, IP=TG_CODE_GPA, SP=TG_STACK_TOP. */
static inline int tg_real_mode(struct tg *g, const uint8_t *code, size_t len)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int err;

	if ((err = tg_load(g, code, len)) || (err = kvmw_vcpu_get_sregs(g->vcpu, &sregs)))
		return err;
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	sregs.ds = sregs.es = sregs.ss = sregs.fs = sregs.gs = sregs.cs;
	sregs.ds.type = sregs.es.type = sregs.ss.type = 3;
	sregs.fs.type = sregs.gs.type = 3;
	if ((err = kvmw_vcpu_set_sregs(g->vcpu, &sregs)))
		return err;
	memset(&regs, 0, sizeof(regs));
	regs.rip = TG_CODE_GPA;
	regs.rsp = TG_STACK_TOP;
	regs.rflags = 0x2;
	return kvmw_vcpu_set_regs(g->vcpu, &regs);
}

static inline void tg_put64(struct tg *g, uint64_t gpa, uint64_t v)
{
	memcpy(g->mem + gpa, &v, sizeof(v));
}

/* A flat segment for long mode: code (L=1) or data. */
static inline struct kvm_segment tg_seg(uint16_t sel, bool code)
{
	struct kvm_segment s = {
		.base = 0, .limit = 0xffffffff, .selector = sel,
		.type = code ? 11 : 3, .present = 1, .dpl = 0,
		.db = code ? 0 : 1, .s = 1, .l = code ? 1 : 0, .g = 1,
	};
	return s;
}

/*
 * 64-bit mode at CPL0: GDT with a 64-bit code and a data segment, 4-level
 * paging identity-mapping the first 1 GiB with 2 MiB pages, CR0.PE|PG,
 * CR4.PAE, EFER.LME|LMA; RIP=TG_CODE_GPA.
 */
static inline int tg_long_mode(struct tg *g, const uint8_t *code, size_t len)
{
	const uint64_t pdpt = TG_PML4_GPA + 0x1000, pd = TG_PML4_GPA + 0x2000;
	const uint64_t pd3 = TG_PML4_GPA + 0x3000;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int err;

	if ((err = tg_load(g, code, len)) || (err = kvmw_vcpu_get_sregs(g->vcpu, &sregs)))
		return err;
	tg_put64(g, TG_GDT_GPA, 0);
	tg_put64(g, TG_GDT_GPA + 8, 0x00af9a000000ffffull);	/* code64 */
	tg_put64(g, TG_GDT_GPA + 16, 0x00cf92000000ffffull);	/* data */
	tg_put64(g, TG_PML4_GPA, pdpt | 3);
	tg_put64(g, pdpt, pd | 3);
	tg_put64(g, pdpt + 3 * 8, pd3 | 3);
	for (uint64_t i = 0; i < 512; i++) {
		tg_put64(g, pd + 8 * i, (i << 21) | 0x83);	/* present, writable, 2 MiB */
		tg_put64(g, pd3 + 8 * i, ((3ull << 30) + (i << 21)) | 0x93); /* + PCD */
	}
	sregs.gdt.base = TG_GDT_GPA;
	sregs.gdt.limit = 23;
	sregs.cs = tg_seg(8, true);
	sregs.ds = sregs.es = sregs.ss = sregs.fs = sregs.gs = tg_seg(16, false);
	sregs.cr3 = TG_PML4_GPA;
	sregs.cr4 = 1u << 5;				/* PAE */
	sregs.cr0 = 0x80000001u | (1u << 4);		/* PG | PE | ET */
	sregs.efer = (1u << 8) | (1u << 10);		/* LME | LMA */
	if ((err = kvmw_vcpu_set_sregs(g->vcpu, &sregs)))
		return err;
	memset(&regs, 0, sizeof(regs));
	regs.rip = TG_CODE_GPA;
	regs.rsp = TG_STACK_TOP;
	regs.rflags = 0x2;
	return kvmw_vcpu_set_regs(g->vcpu, &regs);
}

/*
 * Long mode only: points vector at a 64-bit interrupt gate to handler_gpa
 * in the code segment and loads the IDT at TG_IDT_GPA.
 */
static inline int tg_set_idt_gate(struct tg *g, uint8_t vector, uint64_t handler_gpa)
{
	uint64_t lo = (handler_gpa & 0xffff) | (8u << 16) | (0x8eull << 40) |
		      ((handler_gpa >> 16 & 0xffff) << 48);
	uint64_t hi = handler_gpa >> 32;
	struct kvm_sregs s;
	int err;

	tg_put64(g, TG_IDT_GPA + 16u * vector, lo);
	tg_put64(g, TG_IDT_GPA + 16u * vector + 8, hi);
	if ((err = kvmw_vcpu_get_sregs(g->vcpu, &s)))
		return err;
	s.idt.base = TG_IDT_GPA;
	s.idt.limit = 256 * 16 - 1;
	return kvmw_vcpu_set_sregs(g->vcpu, &s);
}

/* Runs until an exit other than INTR; returns the run's error. */
static inline int tg_run(struct tg *g, struct kvmw_exit *e)
{
	int err;

	do {
		err = kvmw_vcpu_run(g->vcpu, e);
	} while (!err && e->reason == KVMW_EXIT_INTR);
	return err;
}

#endif
