// SPDX-License-Identifier: MIT
// The vcpu section of a snapshot (docs/snapshot.md, "vcpu"): everything in
// struct kvmw_vcpu_state, in the order KVM restores it (CPUID, mp_state,
// regs, sregs, FPU, LAPIC, XCRs, debug registers, events, TSC rate, MSRs,
// XSAVE), field by field from the KVM ABI (Documentation/virt/kvm/api.rst
// §4.11-4.13, 4.22, 4.57, 4.31, 4.42, 4.43, 4.19, 4.20).  The LAPIC page and
// the XSAVE area are architectural byte images and go as bytes; counts are
// checked against the arrays before any entry is read.
#include <string.h>

#include "snap_codec.h"

void vmm__snap_enc_cpuid(struct vmm__snapw *w, const struct kvmw_cpuid *id)
{
	uint32_t n = id->nent < KVMW_CPUID_MAX_ENTRIES ? id->nent : KVMW_CPUID_MAX_ENTRIES;

	vmm__snapw_u32(w, n);
	for (uint32_t i = 0; i < n; i++) {
		const struct kvm_cpuid_entry2 *e = &id->entries[i];

		vmm__snapw_u32(w, e->function);
		vmm__snapw_u32(w, e->index);
		vmm__snapw_u32(w, e->flags);
		vmm__snapw_u32(w, e->eax);
		vmm__snapw_u32(w, e->ebx);
		vmm__snapw_u32(w, e->ecx);
		vmm__snapw_u32(w, e->edx);
	}
}

int vmm__snap_dec_cpuid(struct vmm__snapc *c, struct kvmw_cpuid *id)
{
	if (vmm__snapc_u32(c, &id->nent))
		return c->err;
	if (id->nent > KVMW_CPUID_MAX_ENTRIES)
		return vmm__snapc_fail(c, "%u CPUID entries, at most %u", id->nent,
				       KVMW_CPUID_MAX_ENTRIES);
	for (uint32_t i = 0; i < id->nent && !c->err; i++) {
		struct kvm_cpuid_entry2 *e = &id->entries[i];

		vmm__snapc_u32(c, &e->function);
		vmm__snapc_u32(c, &e->index);
		vmm__snapc_u32(c, &e->flags);
		vmm__snapc_u32(c, &e->eax);
		vmm__snapc_u32(c, &e->ebx);
		vmm__snapc_u32(c, &e->ecx);
		vmm__snapc_u32(c, &e->edx);
	}
	return c->err;
}

/* Eighteen u64 in kvm_regs order: rax..r15, rip, rflags. */
static void enc_regs(struct vmm__snapw *w, const struct kvm_regs *r)
{
	const uint64_t v[] = { r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi,
			       r->rsp, r->rbp, r->r8, r->r9, r->r10, r->r11,
			       r->r12, r->r13, r->r14, r->r15, r->rip, r->rflags };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		vmm__snapw_u64(w, v[i]);
}

static void dec_regs(struct vmm__snapc *c, struct kvm_regs *r)
{
	__u64 *v[] = { &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi,
			  &r->rsp, &r->rbp, &r->r8, &r->r9, &r->r10, &r->r11,
			  &r->r12, &r->r13, &r->r14, &r->r15, &r->rip, &r->rflags };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		vmm__snapc_k64(c, v[i]);
}

static void enc_segment(struct vmm__snapw *w, const struct kvm_segment *s)
{
	const uint8_t f[] = { s->type, s->present, s->dpl, s->db, s->s, s->l,
			      s->g, s->avl, s->unusable };

	vmm__snapw_u64(w, s->base);
	vmm__snapw_u32(w, s->limit);
	vmm__snapw_u16(w, s->selector);
	vmm__snapw_bytes(w, f, sizeof(f));
}

static void dec_segment(struct vmm__snapc *c, struct kvm_segment *s)
{
	uint8_t f[9];

	vmm__snapc_k64(c, &s->base);
	vmm__snapc_u32(c, &s->limit);
	vmm__snapc_u16(c, &s->selector);
	if (vmm__snapc_bytes(c, f, sizeof(f)))
		return;
	s->type = f[0];
	s->present = f[1];
	s->dpl = f[2];
	s->db = f[3];
	s->s = f[4];
	s->l = f[5];
	s->g = f[6];
	s->avl = f[7];
	s->unusable = f[8];
}

static void enc_sregs(struct vmm__snapw *w, const struct kvm_sregs *s)
{
	const struct kvm_segment *seg[] = { &s->cs, &s->ds, &s->es, &s->fs,
					    &s->gs, &s->ss, &s->tr, &s->ldt };
	const struct kvm_dtable *dt[] = { &s->gdt, &s->idt };
	const uint64_t cr[] = { s->cr0, s->cr2, s->cr3, s->cr4, s->cr8, s->efer,
				s->apic_base };

	for (size_t i = 0; i < 8; i++)
		enc_segment(w, seg[i]);
	for (size_t i = 0; i < 2; i++) {
		vmm__snapw_u64(w, dt[i]->base);
		vmm__snapw_u16(w, dt[i]->limit);
	}
	for (size_t i = 0; i < sizeof(cr) / sizeof(cr[0]); i++)
		vmm__snapw_u64(w, cr[i]);
	for (size_t i = 0; i < sizeof(s->interrupt_bitmap) / 8; i++)
		vmm__snapw_u64(w, s->interrupt_bitmap[i]);
}

static void dec_sregs(struct vmm__snapc *c, struct kvm_sregs *s)
{
	struct kvm_segment *seg[] = { &s->cs, &s->ds, &s->es, &s->fs,
				      &s->gs, &s->ss, &s->tr, &s->ldt };
	struct kvm_dtable *dt[] = { &s->gdt, &s->idt };
	__u64 *cr[] = { &s->cr0, &s->cr2, &s->cr3, &s->cr4, &s->cr8, &s->efer,
			   &s->apic_base };

	for (size_t i = 0; i < 8; i++)
		dec_segment(c, seg[i]);
	for (size_t i = 0; i < 2; i++) {
		vmm__snapc_k64(c, &dt[i]->base);
		vmm__snapc_u16(c, &dt[i]->limit);
	}
	for (size_t i = 0; i < sizeof(cr) / sizeof(cr[0]); i++)
		vmm__snapc_k64(c, cr[i]);
	for (size_t i = 0; i < sizeof(s->interrupt_bitmap) / 8; i++)
		vmm__snapc_k64(c, &s->interrupt_bitmap[i]);
}

static void enc_fpu(struct vmm__snapw *w, const struct kvm_fpu *f)
{
	vmm__snapw_bytes(w, f->fpr, sizeof(f->fpr));
	vmm__snapw_u16(w, f->fcw);
	vmm__snapw_u16(w, f->fsw);
	vmm__snapw_u8(w, f->ftwx);
	vmm__snapw_u16(w, f->last_opcode);
	vmm__snapw_u64(w, f->last_ip);
	vmm__snapw_u64(w, f->last_dp);
	vmm__snapw_bytes(w, f->xmm, sizeof(f->xmm));
	vmm__snapw_u32(w, f->mxcsr);
}

static void dec_fpu(struct vmm__snapc *c, struct kvm_fpu *f)
{
	vmm__snapc_bytes(c, f->fpr, sizeof(f->fpr));
	vmm__snapc_u16(c, &f->fcw);
	vmm__snapc_u16(c, &f->fsw);
	vmm__snapc_u8(c, &f->ftwx);
	vmm__snapc_u16(c, &f->last_opcode);
	vmm__snapc_k64(c, &f->last_ip);
	vmm__snapc_k64(c, &f->last_dp);
	vmm__snapc_bytes(c, f->xmm, sizeof(f->xmm));
	vmm__snapc_u32(c, &f->mxcsr);
}

static void enc_xcrs(struct vmm__snapw *w, const struct kvm_xcrs *x)
{
	uint32_t n = x->nr_xcrs < KVM_MAX_XCRS ? x->nr_xcrs : KVM_MAX_XCRS;

	vmm__snapw_u32(w, n);
	vmm__snapw_u32(w, x->flags);
	for (uint32_t i = 0; i < n; i++) {
		vmm__snapw_u32(w, x->xcrs[i].xcr);
		vmm__snapw_u64(w, x->xcrs[i].value);
	}
}

static void dec_xcrs(struct vmm__snapc *c, struct kvm_xcrs *x)
{
	vmm__snapc_u32(c, &x->nr_xcrs);
	vmm__snapc_u32(c, &x->flags);
	if (!c->err && x->nr_xcrs > KVM_MAX_XCRS) {
		vmm__snapc_fail(c, "%u XCRs, at most %u", x->nr_xcrs, KVM_MAX_XCRS);
		return;
	}
	for (uint32_t i = 0; i < x->nr_xcrs && !c->err; i++) {
		vmm__snapc_u32(c, &x->xcrs[i].xcr);
		vmm__snapc_k64(c, &x->xcrs[i].value);
	}
}

static void enc_debugregs(struct vmm__snapw *w, const struct kvm_debugregs *d)
{
	for (int i = 0; i < 4; i++)
		vmm__snapw_u64(w, d->db[i]);
	vmm__snapw_u64(w, d->dr6);
	vmm__snapw_u64(w, d->dr7);
	vmm__snapw_u64(w, d->flags);
}

static void dec_debugregs(struct vmm__snapc *c, struct kvm_debugregs *d)
{
	for (int i = 0; i < 4; i++)
		vmm__snapc_k64(c, &d->db[i]);
	vmm__snapc_k64(c, &d->dr6);
	vmm__snapc_k64(c, &d->dr7);
	vmm__snapc_k64(c, &d->flags);
}

static void enc_events(struct vmm__snapw *w, const struct kvm_vcpu_events *e)
{
	const uint8_t f[] = { e->exception.injected, e->exception.nr,
			      e->exception.has_error_code, e->exception.pending,
			      e->interrupt.injected, e->interrupt.nr, e->interrupt.soft,
			      e->interrupt.shadow, e->nmi.injected, e->nmi.pending,
			      e->nmi.masked, e->smi.smm, e->smi.pending,
			      e->smi.smm_inside_nmi, e->smi.latched_init,
			      e->triple_fault.pending, e->exception_has_payload };

	vmm__snapw_bytes(w, f, sizeof(f));
	vmm__snapw_u32(w, e->exception.error_code);
	vmm__snapw_u32(w, e->sipi_vector);
	vmm__snapw_u32(w, e->flags);
	vmm__snapw_u64(w, e->exception_payload);
}

static void dec_events(struct vmm__snapc *c, struct kvm_vcpu_events *e)
{
	uint8_t *f[] = { &e->exception.injected, &e->exception.nr,
			 &e->exception.has_error_code, &e->exception.pending,
			 &e->interrupt.injected, &e->interrupt.nr, &e->interrupt.soft,
			 &e->interrupt.shadow, &e->nmi.injected, &e->nmi.pending,
			 &e->nmi.masked, &e->smi.smm, &e->smi.pending,
			 &e->smi.smm_inside_nmi, &e->smi.latched_init,
			 &e->triple_fault.pending, &e->exception_has_payload };

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		vmm__snapc_u8(c, f[i]);
	vmm__snapc_u32(c, &e->exception.error_code);
	vmm__snapc_u32(c, &e->sipi_vector);
	vmm__snapc_u32(c, &e->flags);
	vmm__snapc_k64(c, &e->exception_payload);
}

static void enc_msrs_xsave(struct vmm__snapw *w, const struct kvmw_vcpu_state *st)
{
	uint32_t n = st->nmsrs < KVMW_STATE_MAX_MSRS ? st->nmsrs : KVMW_STATE_MAX_MSRS;
	uint32_t xlen = st->xsave_len < KVMW_XSAVE_MAX_SIZE ? st->xsave_len
							    : KVMW_XSAVE_MAX_SIZE;

	vmm__snapw_u32(w, n);
	for (uint32_t i = 0; i < n; i++) {
		vmm__snapw_u32(w, st->msrs[i].index);
		vmm__snapw_u64(w, st->msrs[i].data);
	}
	vmm__snapw_u32(w, xlen);
	vmm__snapw_bytes(w, st->xsave, xlen);
}

static void dec_msrs_xsave(struct vmm__snapc *c, struct kvmw_vcpu_state *st)
{
	if (vmm__snapc_u32(c, &st->nmsrs))
		return;
	if (st->nmsrs > KVMW_STATE_MAX_MSRS) {
		vmm__snapc_fail(c, "%u MSRs, at most %u", st->nmsrs, KVMW_STATE_MAX_MSRS);
		return;
	}
	for (uint32_t i = 0; i < st->nmsrs && !c->err; i++) {
		vmm__snapc_u32(c, &st->msrs[i].index);
		vmm__snapc_k64(c, &st->msrs[i].data);
	}
	if (vmm__snapc_u32(c, &st->xsave_len))
		return;
	if (st->xsave_len > KVMW_XSAVE_MAX_SIZE) {
		vmm__snapc_fail(c, "XSAVE area of %u bytes, at most %u", st->xsave_len,
				KVMW_XSAVE_MAX_SIZE);
		return;
	}
	vmm__snapc_bytes(c, st->xsave, st->xsave_len);
}

void vmm__snap_put_vcpu(struct vmm__snapw *w, uint32_t index,
			const struct kvmw_vcpu_state *st)
{
	vmm__snapw_begin(w, VMM__SNAP_VCPU, index, VMM__SNAP_VCPU_V);
	vmm__snap_enc_cpuid(w, &st->cpuid);
	vmm__snapw_u32(w, st->mp_state.mp_state);
	enc_regs(w, &st->regs);
	enc_sregs(w, &st->sregs);
	enc_fpu(w, &st->fpu);
	vmm__snapw_bytes(w, st->lapic.regs, sizeof(st->lapic.regs));
	enc_xcrs(w, &st->xcrs);
	enc_debugregs(w, &st->debugregs);
	enc_events(w, &st->events);
	vmm__snapw_u32(w, st->tsc_khz);
	enc_msrs_xsave(w, st);
	vmm__snapw_end(w);
}

int vmm__snap_get_vcpu(const struct vmm__snapr *r, uint32_t index,
		       struct kvmw_vcpu_state *st, char *err, size_t errlen)
{
	struct vmm__snapc c;

	if (vmm__snapr_open_version(r, VMM__SNAP_VCPU, index, VMM__SNAP_VCPU_V, &c,
				    err, errlen))
		return c.err;
	memset(st, 0, sizeof(*st));
	if (vmm__snap_dec_cpuid(&c, &st->cpuid))
		return c.err;
	vmm__snapc_u32(&c, &st->mp_state.mp_state);
	dec_regs(&c, &st->regs);
	dec_sregs(&c, &st->sregs);
	dec_fpu(&c, &st->fpu);
	vmm__snapc_bytes(&c, st->lapic.regs, sizeof(st->lapic.regs));
	dec_xcrs(&c, &st->xcrs);
	dec_debugregs(&c, &st->debugregs);
	dec_events(&c, &st->events);
	vmm__snapc_u32(&c, &st->tsc_khz);
	dec_msrs_xsave(&c, st);
	return vmm__snapc_done(&c);
}
