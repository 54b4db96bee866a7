// SPDX-License-Identifier: MIT
// vCPU-fd wrappers on the real /dev/kvm: creation and the run page, then a
// set-then-get round trip per piece of state (api.rst 4, "vcpu ioctl").
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "guest.h"

static struct tg g;

static void setup(void)
{
	if (!tg_have_kvm())
		cr_skip_test("no /dev/kvm");
	cr_assert_eq(tg_open(&g, 1u << 20, true), 0);
}

static void teardown(void)
{
	tg_close(&g);
}

TestSuite(vcpu, .init = setup, .fini = teardown);

Test(vcpu, create_maps_run_page)
{
	struct kvmw_vcpu *v2;

	cr_assert_geq(kvmw_vcpu_fd(g.vcpu), 0);
	cr_assert_eq(kvmw_vcpu_id(g.vcpu), 0);
	cr_assert_not_null(kvmw_vcpu_run_page(g.vcpu));
	cr_assert_eq(kvmw_vcpu_run_size(g.vcpu), (size_t)kvmw_system_vcpu_mmap_size(g.sys));
	cr_assert_eq(kvmw_vcpu_create(g.vm, 0, &v2), -EEXIST, "same id twice");
	cr_assert_eq(kvmw_vcpu_create(g.vm, 1, &v2), 0);
	cr_assert_eq(kvmw_vcpu_id(v2), 1);
	kvmw_vcpu_free(v2);
}

Test(vcpu, regs_round_trip)
{
	struct kvm_regs r, back;

	cr_assert_eq(kvmw_vcpu_get_regs(g.vcpu, &r), 0);
	r.rax = 0x1122334455667788ull;
	r.r15 = 42;
	r.rip = 0x1234;
	cr_assert_eq(kvmw_vcpu_set_regs(g.vcpu, &r), 0);
	cr_assert_eq(kvmw_vcpu_get_regs(g.vcpu, &back), 0);
	cr_assert_eq(back.rax, r.rax);
	cr_assert_eq(back.r15, 42);
	cr_assert_eq(back.rip, 0x1234);
}

Test(vcpu, sregs_round_trip)
{
	struct kvm_sregs s, back;

	cr_assert_eq(kvmw_vcpu_get_sregs(g.vcpu, &s), 0);
	cr_assert_eq(s.cs.selector, 0xf000, "reset state: CS=F000");
	s.gdt.base = 0x500;
	s.gdt.limit = 23;
	s.cr2 = 0xdead000;
	cr_assert_eq(kvmw_vcpu_set_sregs(g.vcpu, &s), 0);
	cr_assert_eq(kvmw_vcpu_get_sregs(g.vcpu, &back), 0);
	cr_assert_eq(back.gdt.base, 0x500);
	cr_assert_eq(back.cr2, 0xdead000);
}

Test(vcpu, fpu_round_trip)
{
	struct kvm_fpu f, back;

	cr_assert_eq(kvmw_vcpu_get_fpu(g.vcpu, &f), 0);
	cr_assert_eq(f.fcw, 0x37f, "x87 reset control word");
	f.fcw = 0x27f;
	f.xmm[3][0] = 0xab;
	cr_assert_eq(kvmw_vcpu_set_fpu(g.vcpu, &f), 0);
	cr_assert_eq(kvmw_vcpu_get_fpu(g.vcpu, &back), 0);
	cr_assert_eq(back.fcw, 0x27f);
	cr_assert_eq(back.xmm[3][0], 0xab);
}

Test(vcpu, lapic_round_trip)
{
	struct kvm_lapic_state l, back;

	cr_assert_eq(kvmw_vcpu_get_lapic(g.vcpu, &l), 0);
	kvmw_lapic_set_reg(&l, 0xf0, 0x1ff);			/* SVR: enabled, vector 0xff */
	kvmw_lapic_set_reg(&l, 0x350, 0x700);			/* LINT0: ExtINT */
	cr_assert_eq(kvmw_vcpu_set_lapic(g.vcpu, &l), 0);
	cr_assert_eq(kvmw_vcpu_get_lapic(g.vcpu, &back), 0);
	cr_assert_eq(kvmw_lapic_reg(&back, 0xf0), 0x1ff);
	cr_assert_eq(kvmw_lapic_reg(&back, 0x350), 0x700);
}

Test(vcpu, msrs_round_trip)
{
	struct kvm_msr_entry m[2] = { { .index = 0xc0000082, .data = 0xffffffff81000000ull },
				      { .index = 0x174, .data = 0x10 } };
	struct kvm_msr_entry back[2] = { { .index = 0xc0000082 }, { .index = 0x174 } };

	cr_assert_eq(kvmw_vcpu_set_msrs(g.vcpu, m, 2), 2);
	cr_assert_eq(kvmw_vcpu_get_msrs(g.vcpu, back, 2), 2);
	cr_assert_eq(back[0].data, 0xffffffff81000000ull);
	cr_assert_eq(back[1].data, 0x10);
	cr_assert_eq(kvmw_vcpu_get_msrs(g.vcpu, back, 0), -EINVAL);
}

Test(vcpu, msrs_stop_at_unknown_index)
{
	struct kvm_msr_entry m[3] = { { .index = 0x174 }, { .index = 0x12345 }, { .index = 0x175 } };

	cr_assert_eq(kvmw_vcpu_get_msrs(g.vcpu, m, 3), 1);
}

/* Regression: Linux 6.1 leaves KVM_GET_CPUID2's nent at the caller's
 * capacity on success, so the count must come from the entries. */
/*
 * KVM_GET_CPUID2 gives back the entries KVM_SET_CPUID2 set.  kvm-pvm adds
 * leaves of its own (0xd and its subleaves) and reports the host's leaf 1
 * (docs/kvm-pvm.md): there every entry set must be among those returned,
 * unchanged but for leaf 1.
 */
Test(vcpu, get_cpuid_reports_the_entries_that_were_set)
{
	struct kvmw_cpuid *c = calloc(1, sizeof(*c)), *back = calloc(1, sizeof(*back));
	bool pvm = tg_host_is_pvm();

	cr_assert_eq(kvmw_system_supported_cpuid(g.sys, c), 0);
	cr_assert_gt(c->nent, 4);
	c->nent = 4;
	cr_assert_eq(kvmw_vcpu_set_cpuid(g.vcpu, c), 0);
	cr_assert_eq(kvmw_vcpu_get_cpuid(g.vcpu, back), 0);
	if (!pvm)
		cr_assert_eq(back->nent, 4);
	for (uint32_t i = 0; i < 4; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];
		const struct kvm_cpuid_entry2 *b = kvmw_cpuid_find(back, e->function, e->index);

		cr_assert_not_null(b, "leaf 0x%x.%u not returned", e->function, e->index);
		if (!(pvm && e->function == 1))
			cr_assert_eq(memcmp(b, e, sizeof(*e)), 0, "leaf 0x%x.%u changed",
				     e->function, e->index);
	}
	free(c);
	free(back);
}

Test(vcpu, cpuid_round_trip)
{
	struct kvmw_cpuid *c = calloc(1, sizeof(*c)), *back = calloc(1, sizeof(*back));
	struct kvm_cpuid_entry2 *e;

	cr_assert_eq(kvmw_system_supported_cpuid(g.sys, c), 0);
	/*
	 * Leaf 80000001h: KVM keeps it as given.  (Leaves 1, 7 and 0xd are
	 * adjusted by KVM itself, e.g. OSXSAVE, so they cannot round-trip.)
	 */
	e = kvmw_cpuid_find(c, 0x80000001, 0);
	cr_assert_not_null(e);
	e->edx &= ~(1u << 27);				/* hide RDTSCP */
	cr_assert_eq(kvmw_vcpu_set_cpuid(g.vcpu, c), 0);
	cr_assert_eq(kvmw_vcpu_get_cpuid(g.vcpu, back), 0);
	cr_assert_eq(back->nent, c->nent);
	cr_assert_eq(kvmw_cpuid_find(back, 0x80000001, 0)->edx & (1u << 27), 0);
	c->nent = KVMW_CPUID_MAX_ENTRIES + 1;
	cr_assert_eq(kvmw_vcpu_set_cpuid(g.vcpu, c), -EINVAL);
	free(c);
	free(back);
}

Test(vcpu, mp_state_round_trip)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_HALTED }, back;

	cr_assert_eq(kvmw_vcpu_get_mp_state(g.vcpu, &back), 0);
	cr_assert_eq(back.mp_state, KVM_MP_STATE_RUNNABLE, "the BSP starts runnable");
	cr_assert_eq(kvmw_vcpu_set_mp_state(g.vcpu, &mp), 0);
	cr_assert_eq(kvmw_vcpu_get_mp_state(g.vcpu, &back), 0);
	cr_assert_eq(back.mp_state, KVM_MP_STATE_HALTED);
}

Test(vcpu, events_round_trip)
{
	struct kvm_vcpu_events ev, back;

	cr_assert_eq(kvmw_vcpu_get_events(g.vcpu, &ev), 0);
	ev.nmi.pending = 1;
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	cr_assert_eq(kvmw_vcpu_set_events(g.vcpu, &ev), 0);
	cr_assert_eq(kvmw_vcpu_get_events(g.vcpu, &back), 0);
	cr_assert_eq(back.nmi.pending, 1);
}

Test(vcpu, xsave_round_trip)
{
	int size = kvmw_vcpu_xsave_size(g.vcpu);
	uint64_t *buf, *back;

	if (kvmw_vm_check_cap(g.vm, KVM_CAP_XSAVE) <= 0)
		cr_skip_test("KVM_CAP_XSAVE absent on this host");
	cr_assert_geq(size, (int)KVMW_XSAVE_LEGACY_SIZE);
	buf = aligned_alloc(64, (size_t)size);
	back = aligned_alloc(64, (size_t)size);
	cr_assert_eq(kvmw_vcpu_get_xsave(g.vcpu, buf, (size_t)size - 8), -ENOSPC);
	cr_assert_eq(kvmw_vcpu_get_xsave(g.vcpu, (uint8_t *)buf + 4, (size_t)size), -EINVAL);
	cr_assert_eq(kvmw_vcpu_get_xsave(g.vcpu, buf, (size_t)size), size);
	/* Legacy area: XMM1 lives at byte 160+16 of the FXSAVE image. */
	buf[(160 + 16) / 8] = 0x0123456789abcdefull;
	buf[512 / 8] |= 2;	/* XSTATE_BV.SSE: the SSE component is not in its init state */
	cr_assert_eq(kvmw_vcpu_set_xsave(g.vcpu, buf, (size_t)size), 0);
	cr_assert_eq(kvmw_vcpu_get_xsave(g.vcpu, back, (size_t)size), size);
	cr_assert_eq(back[(160 + 16) / 8], 0x0123456789abcdefull);
	free(buf);
	free(back);
}

Test(vcpu, xcrs_round_trip)
{
	struct kvm_xcrs x, back;

	if (kvmw_vm_check_cap(g.vm, KVM_CAP_XCRS) <= 0)
		cr_skip_test("KVM_CAP_XCRS absent on this host");
	cr_assert_eq(kvmw_vcpu_get_xcrs(g.vcpu, &x), 0);
	cr_assert_geq(x.nr_xcrs, 1);
	cr_assert_eq(x.xcrs[0].xcr, 0);
	x.xcrs[0].value = 0x3;			/* x87 | SSE */
	cr_assert_eq(kvmw_vcpu_set_xcrs(g.vcpu, &x), 0);
	cr_assert_eq(kvmw_vcpu_get_xcrs(g.vcpu, &back), 0);
	cr_assert_eq(back.xcrs[0].value, 0x3);
}

Test(vcpu, debugregs_round_trip)
{
	struct kvm_debugregs d, back;

	cr_assert_eq(kvmw_vcpu_get_debugregs(g.vcpu, &d), 0);
	d.db[0] = 0x1000;
	d.dr7 = 0x401;				/* L0 enabled */
	cr_assert_eq(kvmw_vcpu_set_debugregs(g.vcpu, &d), 0);
	cr_assert_eq(kvmw_vcpu_get_debugregs(g.vcpu, &back), 0);
	cr_assert_eq(back.db[0], 0x1000);
	cr_assert_eq(back.dr7, 0x401);
}

Test(vcpu, tsc_khz_get_set)
{
	int khz = kvmw_vcpu_get_tsc_khz(g.vcpu);

	cr_assert_gt(khz, 0);
	/* Setting the current frequency needs no TSC scaling, so it works everywhere. */
	cr_assert_eq(kvmw_vcpu_set_tsc_khz(g.vcpu, (uint32_t)khz), 0);
	cr_assert_eq(kvmw_vcpu_set_tsc_khz(g.vcpu, 0), -EINVAL);
	if (kvmw_system_check_cap(g.sys, KVM_CAP_TSC_CONTROL) > 0) {
		cr_assert_eq(kvmw_vcpu_set_tsc_khz(g.vcpu, (uint32_t)khz / 2), 0);
		cr_assert_eq(kvmw_vcpu_get_tsc_khz(g.vcpu), khz / 2);
	}
}

Test(vcpu, tsc_scaling_needs_tsc_control)
{
	int khz = kvmw_vcpu_get_tsc_khz(g.vcpu);

	if (kvmw_system_check_cap(g.sys, KVM_CAP_TSC_CONTROL) > 0)
		cr_skip_test("KVM_CAP_TSC_CONTROL present: scaling is allowed on this host");
	cr_assert_lt(kvmw_vcpu_set_tsc_khz(g.vcpu, (uint32_t)khz / 2), 0);
}

Test(vcpu, signal_mask_set_and_clear)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	cr_assert_eq(kvmw_vcpu_set_signal_mask(g.vcpu, &s), 0);
	cr_assert_eq(kvmw_vcpu_set_signal_mask(g.vcpu, NULL), 0);
}

Test(vcpu, guest_debug_single_step_sets)
{
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP };

	cr_assert_eq(kvmw_vcpu_set_guest_debug(g.vcpu, &dbg), 0);
	dbg.control = 0;
	cr_assert_eq(kvmw_vcpu_set_guest_debug(g.vcpu, &dbg), 0);
}

Test(vcpu, nmi_is_queued)
{
	struct kvm_vcpu_events ev;

	cr_assert_eq(kvmw_vcpu_nmi(g.vcpu), 0);
	cr_assert_eq(kvmw_vcpu_get_events(g.vcpu, &ev), 0);
	cr_assert(ev.nmi.pending || ev.nmi.injected, "the NMI waits for the guest");
}

Test(vcpu, interrupt_needs_userspace_irqchip)
{
	struct tg u;

	/* With the in-kernel irqchip KVM_INTERRUPT is refused... */
	cr_assert_lt(kvmw_vcpu_interrupt(g.vcpu, 0x20), 0);
	cr_assert_eq(kvmw_vcpu_interrupt(g.vcpu, 256), -EINVAL);
	/* ...without it the vector is queued. */
	cr_assert_eq(tg_open(&u, 1u << 20, false), 0);
	cr_assert_eq(kvmw_vcpu_interrupt(u.vcpu, 0x20), 0);
	tg_close(&u);
}
