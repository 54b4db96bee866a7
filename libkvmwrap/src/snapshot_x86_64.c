// SPDX-License-Identifier: MIT
// Whole-vCPU save and restore for snapshots.  The order follows what KVM
// needs for a consistent result (as Firecracker and QEMU do it): saving
// reads mp_state first, because reading it lets KVM process pending INIT/SIPI
// events that would otherwise change state read earlier; restoring sets
// CPUID before anything whose validity depends on it (MSRs, xsave), sregs
// (APIC base) before the LAPIC page, and vCPU events last because they refer
// to the restored registers.
#include <errno.h>
#include <string.h>

#include "internal.h"

static const uint32_t state_msrs[] = {
	0x00000010, /* IA32_TSC */
	0x0000003b, /* IA32_TSC_ADJUST */
	0x00000048, /* IA32_SPEC_CTRL */
	0x00000174, /* IA32_SYSENTER_CS */
	0x00000175, /* IA32_SYSENTER_ESP */
	0x00000176, /* IA32_SYSENTER_EIP */
	0x000001a0, /* IA32_MISC_ENABLE */
	0x00000277, /* IA32_PAT */
	0x000002ff, /* IA32_MTRR_DEF_TYPE */
	0x000006e0, /* IA32_TSC_DEADLINE */
	0xc0000081, /* STAR */
	0xc0000082, /* LSTAR */
	0xc0000083, /* CSTAR */
	0xc0000084, /* SFMASK */
	0xc0000102, /* KERNEL_GS_BASE */
	0xc0000103, /* TSC_AUX */
	0x4b564d00, /* kvmclock wall clock */
	0x4b564d01, /* kvmclock system time */
	0x4b564d02, /* async page fault */
	0x4b564d03, /* steal time */
	0x4b564d04, /* PV EOI */
};

const uint32_t *kvmw_vcpu_state_msr_indices(size_t *count)
{
	if (count)
		*count = sizeof(state_msrs) / sizeof(state_msrs[0]);
	return state_msrs;
}

/* Reads every readable MSR of the list; KVM stops at the first unreadable one, which is dropped. */
static int save_msrs(struct kvmw_vcpu *vcpu, struct kvmw_vcpu_state *st)
{
	size_t n = sizeof(state_msrs) / sizeof(state_msrs[0]), done = 0;

	_Static_assert(sizeof(state_msrs) / sizeof(state_msrs[0]) <= KVMW_STATE_MAX_MSRS,
		       "MSR list larger than the state array");
	memset(st->msrs, 0, sizeof(st->msrs));
	for (size_t i = 0; i < n; i++)
		st->msrs[i].index = state_msrs[i];
	while (done < n) {
		int r = kvmw_vcpu_get_msrs(vcpu, &st->msrs[done], n - done);

		if (r < 0)
			return r;
		done += (size_t)r;
		if (done < n) {
			memmove(&st->msrs[done], &st->msrs[done + 1],
				(n - done - 1) * sizeof(st->msrs[0]));
			n--;
		}
	}
	st->nmsrs = (uint32_t)n;
	return 0;
}

static int save_xsave(struct kvmw_vcpu *vcpu, struct kvmw_vcpu_state *st)
{
	int r = kvmw_vcpu_get_xsave(vcpu, st->xsave, sizeof(st->xsave));

	if (r < 0)
		return r;
	st->xsave_len = (uint32_t)r;
	return 0;
}

int kvmw_vcpu_save_state(struct kvmw_vcpu *vcpu, struct kvmw_vcpu_state *st)
{
	int r;

	if (!vcpu || !st)
		return -EINVAL;
	if ((r = kvmw_vcpu_get_mp_state(vcpu, &st->mp_state)) ||
	    (r = kvmw_vcpu_get_regs(vcpu, &st->regs)) ||
	    (r = kvmw_vcpu_get_sregs(vcpu, &st->sregs)) ||
	    (r = kvmw_vcpu_get_fpu(vcpu, &st->fpu)) ||
	    (r = save_xsave(vcpu, st)) ||
	    (r = kvmw_vcpu_get_xcrs(vcpu, &st->xcrs)) ||
	    (r = kvmw_vcpu_get_debugregs(vcpu, &st->debugregs)) ||
	    (r = kvmw_vcpu_get_lapic(vcpu, &st->lapic)) ||
	    (r = kvmw_vcpu_get_cpuid(vcpu, &st->cpuid)) ||
	    (r = save_msrs(vcpu, st)) ||
	    (r = kvmw_vcpu_get_events(vcpu, &st->events)))
		return r;
	r = kvmw_vcpu_get_tsc_khz(vcpu);
	if (r < 0)
		return r;
	st->tsc_khz = (uint32_t)r;
	return 0;
}

/* Only touches the TSC frequency when it differs, so hosts without TSC scaling still restore. */
static int restore_tsc_khz(struct kvmw_vcpu *vcpu, uint32_t khz)
{
	int cur = kvmw_vcpu_get_tsc_khz(vcpu);

	if (cur < 0)
		return cur;
	if (khz == 0 || (uint32_t)cur == khz)
		return 0;
	return kvmw_vcpu_set_tsc_khz(vcpu, khz);
}

static int restore_msrs(struct kvmw_vcpu *vcpu, const struct kvmw_vcpu_state *st)
{
	int r;

	if (st->nmsrs == 0)
		return 0;
	r = kvmw_vcpu_set_msrs(vcpu, st->msrs, st->nmsrs);
	if (r < 0)
		return r;
	return (uint32_t)r == st->nmsrs ? 0 : -EIO;
}

int kvmw_vcpu_restore_state(struct kvmw_vcpu *vcpu, const struct kvmw_vcpu_state *st)
{
	int r;

	if (!vcpu || !st || st->nmsrs > KVMW_STATE_MAX_MSRS ||
	    st->xsave_len > sizeof(st->xsave) || st->cpuid.nent > KVMW_CPUID_MAX_ENTRIES)
		return -EINVAL;
	if ((r = kvmw_vcpu_set_cpuid(vcpu, &st->cpuid)) ||
	    (r = restore_tsc_khz(vcpu, st->tsc_khz)) ||
	    (r = restore_msrs(vcpu, st)) ||
	    (r = kvmw_vcpu_set_regs(vcpu, &st->regs)) ||
	    (r = kvmw_vcpu_set_sregs(vcpu, &st->sregs)) ||
	    (r = kvmw_vcpu_set_fpu(vcpu, &st->fpu)))
		return r;
	if (st->xsave_len && (r = kvmw_vcpu_set_xsave(vcpu, st->xsave, st->xsave_len)))
		return r;
	if ((r = kvmw_vcpu_set_xcrs(vcpu, &st->xcrs)) ||
	    (r = kvmw_vcpu_set_debugregs(vcpu, &st->debugregs)) ||
	    (r = kvmw_vcpu_set_lapic(vcpu, &st->lapic)) ||
	    (r = kvmw_vcpu_set_mp_state(vcpu, &st->mp_state)) ||
	    (r = kvmw_vcpu_set_events(vcpu, &st->events)))
		return r;
	return 0;
}
