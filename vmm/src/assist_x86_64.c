// SPDX-License-Identifier: MIT
// LDMXCSR / STMXCSR / FNINIT assists for kvm-pvm (see assist_x86_64.h).
// Decoding follows the Intel SDM vol. 2, 2.1-2.2 (prefixes, ModR/M, SIB,
// REX, RIP-relative addressing); the page walk follows vol. 3, 4.5
// (4-level paging, 2 MiB and 1 GiB pages).  Everything read from the guest
// (instruction bytes, page tables, the operand) is bounds-checked through
// libvmmem.
#include <errno.h>
#include <string.h>

#include <vmmem/access.h>

#include "assist_x86_64.h"

#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_PG (1ull << 31)
#define CR4_OSFXSR (1ull << 9)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)
#define PTE_P 0x1ull
#define PTE_PS 0x80ull
#define PTE_ADDR 0x000ffffffffff000ull

enum vmm_assist_kind vmm__assist_decode(const uint8_t *b, size_t len,
					struct vmm_assist_insn *in)
{
	size_t i = 0;

	memset(in, 0, sizeof(*in));
	if (len >= 2 && b[0] == 0xdb && b[1] == 0xe3) {
		in->len = 2;
		return in->kind = VMM_ASSIST_FNINIT;
	}
	if (len >= 3 && b[0] == 0x9b && b[1] == 0xdb && b[2] == 0xe3) {
		in->len = 3;	/* FINIT: the wait has nothing to wait for */
		return in->kind = VMM_ASSIST_FNINIT;
	}
	for (; i < len && (b[i] == 0x64 || b[i] == 0x65 || b[i] == 0x3e || b[i] == 0x2e); i++)
		if (b[i] == 0x64 || b[i] == 0x65)
			in->seg = b[i];
	if (i < len && (b[i] & 0xf0) == 0x40)
		in->rex = b[i++];
	if (i + 3 > len || b[i] != 0x0f || b[i + 1] != 0xae)
		return VMM_ASSIST_NONE;
	i += 2;
	in->modrm = b[i++];
	if ((in->modrm >> 6) == 3)
		return VMM_ASSIST_NONE;	/* register forms are other instructions */
	switch ((in->modrm >> 3) & 7) {
	case 2: in->kind = VMM_ASSIST_LDMXCSR; break;
	case 3: in->kind = VMM_ASSIST_STMXCSR; break;
	default: return VMM_ASSIST_NONE;
	}
	if ((in->modrm & 7) == 4) {
		if (i >= len)
			return in->kind = VMM_ASSIST_NONE;
		in->sib = b[i++];
		in->has_sib = true;
	}
	if ((in->modrm >> 6) == 1) {
		if (i + 1 > len)
			return in->kind = VMM_ASSIST_NONE;
		in->disp = (int8_t)b[i++];
	} else if ((in->modrm >> 6) == 2 || ((in->modrm >> 6) == 0 &&
		   ((in->modrm & 7) == 5 || (in->has_sib && (in->sib & 7) == 5)))) {
		uint32_t d;

		if (i + 4 > len)
			return in->kind = VMM_ASSIST_NONE;
		d = (uint32_t)b[i] | (uint32_t)b[i + 1] << 8 | (uint32_t)b[i + 2] << 16 |
		    (uint32_t)b[i + 3] << 24;
		in->disp = (int32_t)d;
		in->rip_relative = (in->modrm >> 6) == 0 && (in->modrm & 7) == 5;
		i += 4;
	}
	in->len = (uint8_t)i;
	return in->kind;
}

static uint64_t gpr(const struct kvm_regs *r, unsigned n)
{
	const uint64_t v[16] = { r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp,
				 r->rsi, r->rdi, r->r8, r->r9, r->r10, r->r11,
				 r->r12, r->r13, r->r14, r->r15 };
	return v[n & 15];
}

uint64_t vmm__assist_ea(const struct vmm_assist_insn *in, const struct kvm_regs *regs,
			const struct kvm_sregs *sregs)
{
	unsigned mod = in->modrm >> 6, rm = (in->modrm & 7) | ((in->rex & 1u) << 3);
	uint64_t ea;

	if (in->rip_relative) {
		ea = regs->rip + in->len;
	} else if (in->has_sib) {
		unsigned base = (in->sib & 7) | ((in->rex & 1u) << 3);
		unsigned index = ((in->sib >> 3) & 7) | ((in->rex & 2u) << 2);

		ea = (mod == 0 && (in->sib & 7) == 5) ? 0 : gpr(regs, base);
		if (index != 4)	/* index 4 (rsp) means none */
			ea += gpr(regs, index) << (in->sib >> 6);
	} else {
		ea = gpr(regs, rm);
	}
	ea += (uint64_t)(int64_t)in->disp;
	if (in->seg == 0x64)
		ea += sregs->fs.base;
	else if (in->seg == 0x65)
		ea += sregs->gs.base;
	return ea;
}

int vmm__gva_to_gpa(const struct vmmem_map *mem, const struct kvm_sregs *sregs,
		    uint64_t gva, uint64_t *gpa)
{
	uint64_t table, entry = 0;

	if (!(sregs->cr0 & CR0_PG)) {
		*gpa = gva;
		return 0;
	}
	if (!(sregs->efer & EFER_LMA) || (sregs->cr4 & CR4_LA57))
		return -ENOTSUP;	/* 32-bit paging / 5-level: not needed by Linux x86_64 early */
	table = sregs->cr3 & PTE_ADDR;
	for (int level = 3; level >= 0; level--) {
		unsigned shift = 12u + 9u * (unsigned)level;
		uint64_t idx = (gva >> shift) & 0x1ff;

		if (vmmem_load_u64(mem, table + idx * 8, &entry) || !(entry & PTE_P))
			return -EFAULT;
		if (level > 0 && level < 3 && (entry & PTE_PS)) {
			uint64_t mask = (1ull << shift) - 1;

			*gpa = ((entry & PTE_ADDR) & ~mask) | (gva & mask);
			return 0;
		}
		table = entry & PTE_ADDR;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

/* Reads or writes the 4-byte operand byte by byte across a page boundary. */
static int operand_io(struct vmmem_map *mem, const struct kvm_sregs *sregs, uint64_t gva,
		      uint8_t buf[4], bool write)
{
	for (unsigned i = 0; i < 4; i++) {
		uint64_t gpa;
		int r = vmm__gva_to_gpa(mem, sregs, gva + i, &gpa);

		if (r == 0)
			r = write ? vmmem_store_u8(mem, gpa, buf[i]) : vmmem_load_u8(mem, gpa, &buf[i]);
		if (r)
			return r;
	}
	return 0;
}

int vmm__assist_fault(enum vmm_assist_kind kind, uint64_t cr0, uint64_t cr4)
{
	switch (kind) {
	case VMM_ASSIST_LDMXCSR:
	case VMM_ASSIST_STMXCSR:
		/* Their "Protected Mode Exceptions" (SDM vol. 2) list EM=1
		 * and OSFXSR=0 under #UD and TS=1 under #NM; SSE-enabled
		 * checks come first, so #UD wins when both apply. */
		if ((cr0 & CR0_EM) || !(cr4 & CR4_OSFXSR))
			return VMM_VEC_UD;
		return (cr0 & CR0_TS) ? VMM_VEC_NM : -1;
	case VMM_ASSIST_FNINIT:
		/* x87 with EM set traps to the emulator via #NM, not #UD
		 * (SDM vol. 3 table 2-2, EM/MP/TS combinations). */
		return (cr0 & (CR0_EM | CR0_TS)) ? VMM_VEC_NM : -1;
	case VMM_ASSIST_NONE:
		break;
	}
	return -1;
}

uint32_t vmm__mxcsr_writable(uint32_t mxcsr_mask)
{
	return mxcsr_mask ? mxcsr_mask : 0xffbfu;
}

/* #GP carries error code 0 here; #UD and #NM carry none (SDM vol. 3 6.15). */
static int inject(struct kvmw_vcpu *vcpu, unsigned vec)
{
	struct kvm_vcpu_events ev;
	int r = kvmw_vcpu_get_events(vcpu, &ev);

	if (r)
		return r;
	ev.exception.injected = 1;
	ev.exception.nr = (uint8_t)vec;
	ev.exception.has_error_code = vec == 13;
	ev.exception.error_code = 0;
	ev.flags = 0;
	return kvmw_vcpu_set_events(vcpu, &ev);
}

/*
 * The FPU state goes through KVM_GET/SET_XSAVE: on this project's kvm-pvm
 * hosts KVM_GET_FPU reports MXCSR as 0 and KVM_SET_FPU does not change it,
 * while the XSAVE image holds the live value.  Offsets are those of the
 * legacy region (SDM vol. 1, 10.5.1): FCW 0, FSW 2, abridged FTW 4, FOP 6,
 * FIP 8, FDP 16, MXCSR 24; XSTATE_BV at 512.
 */
#define XS_FCW 0u
#define XS_FSW 2u
#define XS_FTW 4u
#define XS_FOP 6u
#define XS_FIP 8u
#define XS_FDP 16u
#define XS_MXCSR 24u
#define XS_MXCSR_MASK 28u
#define XS_XSTATE_BV 512u

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int vmm__assist_run(struct kvmw_vcpu *vcpu, struct vmmem_map *mem,
		    const uint8_t *insn, size_t len, uint64_t *xsave_buf,
		    enum vmm_assist_kind *kind)
{
	uint8_t *xs = (uint8_t *)xsave_buf;
	struct vmm_assist_insn in;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	uint8_t buf[4];
	int n, r, vec;

	*kind = vmm__assist_decode(insn, len, &in);
	if (in.kind == VMM_ASSIST_NONE)
		return -ENOTSUP;
	r = kvmw_vcpu_get_regs(vcpu, &regs);
	if (r == 0)
		r = kvmw_vcpu_get_sregs(vcpu, &sregs);
	if (r)
		return r;
	vec = vmm__assist_fault(in.kind, sregs.cr0, sregs.cr4);
	if (vec >= 0)
		return inject(vcpu, (unsigned)vec);
	n = kvmw_vcpu_get_xsave(vcpu, xsave_buf, KVMW_XSAVE_MAX_SIZE);
	if (n < 0)
		return n;
	if (in.kind == VMM_ASSIST_FNINIT) {
		/* The x87 state FNINIT defines (SDM vol. 1, 8.7 "FINIT/FNINIT"). */
		put(xs + XS_FCW, 0x37f, 2);
		put(xs + XS_FSW, 0, 2);
		put(xs + XS_FTW, 0, 1);	/* abridged tag word: all empty */
		put(xs + XS_FOP, 0, 2);
		put(xs + XS_FIP, 0, 8);
		put(xs + XS_FDP, 0, 8);
		xs[XS_XSTATE_BV] |= 1;	/* the x87 component is now explicit */
	} else {
		uint64_t ea = vmm__assist_ea(&in, &regs, &sregs);

		if (in.kind == VMM_ASSIST_STMXCSR) {
			memcpy(buf, xs + XS_MXCSR, 4);
			r = operand_io(mem, &sregs, ea, buf, true);
		} else {
			r = operand_io(mem, &sregs, ea, buf, false);
			/* Reserved bits set: the CPU raises #GP(0). */
			if (r == 0 && (get32(buf) &
				       ~vmm__mxcsr_writable(get32(xs + XS_MXCSR_MASK))))
				return inject(vcpu, 13);
			if (r == 0)
				memcpy(xs + XS_MXCSR, buf, 4);
		}
		if (r)
			return r;
	}
	if (in.kind != VMM_ASSIST_STMXCSR &&
	    (r = kvmw_vcpu_set_xsave(vcpu, xsave_buf, (size_t)n)) != 0)
		return r;
	regs.rip += in.len;
	return kvmw_vcpu_set_regs(vcpu, &regs);
}
