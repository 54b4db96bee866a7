// SPDX-License-Identifier: MIT
// Per-piece x86 vCPU state, get and set (api.rst 4.11-4.22 regs/sregs/fpu/
// msrs/cpuid, 4.38-4.39 mp_state, 4.31-4.32 vcpu events, 4.42-4.43 xsave,
// 4.44-4.45 xcrs, 4.56-4.57 lapic, 4.33-4.34 debugregs, 4.55-4.56 TSC kHz).
// Setters copy into a local so that a const caller struct is never handed
// to an ioctl whose prototype is non-const.
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "internal.h"
#include "msrs.h"

#define GET(name, req, type)                                             \
	int kvmw_vcpu_get_##name(struct kvmw_vcpu *vcpu, type *out)     \
	{                                                                \
		if (!vcpu || !out)                                       \
			return -EINVAL;                                  \
		memset(out, 0, sizeof(*out));                            \
		return kvmw__ioctl(vcpu->fd, req, out);                  \
	}
#define SET(name, req, type)                                             \
	int kvmw_vcpu_set_##name(struct kvmw_vcpu *vcpu, const type *in) \
	{                                                                \
		type copy;                                               \
		if (!vcpu || !in)                                        \
			return -EINVAL;                                  \
		copy = *in;                                              \
		return kvmw__ioctl(vcpu->fd, req, &copy);                \
	}

GET(regs, KVM_GET_REGS, struct kvm_regs)
SET(regs, KVM_SET_REGS, struct kvm_regs)
GET(sregs, KVM_GET_SREGS, struct kvm_sregs)
SET(sregs, KVM_SET_SREGS, struct kvm_sregs)
GET(fpu, KVM_GET_FPU, struct kvm_fpu)
SET(fpu, KVM_SET_FPU, struct kvm_fpu)
GET(lapic, KVM_GET_LAPIC, struct kvm_lapic_state)
SET(lapic, KVM_SET_LAPIC, struct kvm_lapic_state)
GET(mp_state, KVM_GET_MP_STATE, struct kvm_mp_state)
SET(mp_state, KVM_SET_MP_STATE, struct kvm_mp_state)
GET(events, KVM_GET_VCPU_EVENTS, struct kvm_vcpu_events)
SET(events, KVM_SET_VCPU_EVENTS, struct kvm_vcpu_events)
GET(xcrs, KVM_GET_XCRS, struct kvm_xcrs)
SET(xcrs, KVM_SET_XCRS, struct kvm_xcrs)
GET(debugregs, KVM_GET_DEBUGREGS, struct kvm_debugregs)
SET(debugregs, KVM_SET_DEBUGREGS, struct kvm_debugregs)

uint32_t kvmw_lapic_reg(const struct kvm_lapic_state *lapic, uint32_t reg)
{
	uint32_t v = 0;

	if (lapic && reg <= sizeof(lapic->regs) - 4 && !(reg & 3))
		memcpy(&v, &lapic->regs[reg], sizeof(v));
	return v;
}

void kvmw_lapic_set_reg(struct kvm_lapic_state *lapic, uint32_t reg, uint32_t value)
{
	if (lapic && reg <= sizeof(lapic->regs) - 4 && !(reg & 3))
		memcpy(&lapic->regs[reg], &value, sizeof(value));
}

int kvmw_vcpu_get_msrs(struct kvmw_vcpu *vcpu, struct kvm_msr_entry *entries, size_t n)
{
	if (!vcpu || !entries)
		return -EINVAL;
	return kvmw__msrs_io(vcpu->fd, KVM_GET_MSRS, entries, entries, n);
}

int kvmw_vcpu_set_msrs(struct kvmw_vcpu *vcpu, const struct kvm_msr_entry *entries, size_t n)
{
	if (!vcpu || !entries)
		return -EINVAL;
	return kvmw__msrs_io(vcpu->fd, KVM_SET_MSRS, NULL, entries, n);
}

int kvmw_vcpu_set_cpuid(struct kvmw_vcpu *vcpu, const struct kvmw_cpuid *cpuid)
{
	if (!vcpu || !cpuid || cpuid->nent > KVMW_CPUID_MAX_ENTRIES)
		return -EINVAL;
	/* KVM only reads nent entries, so the const struct can be passed as is. */
	return kvmw__ioctl(vcpu->fd, KVM_SET_CPUID2, (void *)(uintptr_t)cpuid);
}

static bool cpuid_entry_is_zero(const struct kvm_cpuid_entry2 *e)
{
	static const struct kvm_cpuid_entry2 zero;

	return memcmp(e, &zero, sizeof(zero)) == 0;
}

int kvmw_vcpu_get_cpuid(struct kvmw_vcpu *vcpu, struct kvmw_cpuid *cpuid)
{
	int r;

	if (!vcpu || !cpuid)
		return -EINVAL;
	memset(cpuid, 0, sizeof(*cpuid));
	cpuid->nent = KVMW_CPUID_MAX_ENTRIES;
	r = kvmw__ioctl(vcpu->fd, KVM_GET_CPUID2, cpuid);
	if (r < 0) {
		cpuid->nent = 0;
		return r;
	}
	if (cpuid->nent > KVMW_CPUID_MAX_ENTRIES)
		return -EBADMSG;
	/* Linux 6.1's KVM_GET_CPUID2 writes the entries but, on success,
	 * leaves nent as the caller's capacity (it is only set on -E2BIG),
	 * while kvm-pvm sets it.  The buffer was zeroed, and no real entry is
	 * all zero (leaf 0 reports its highest leaf in EAX, every other entry
	 * has a non-zero function), so the zero tail marks the real end.  A
	 * vCPU that ran only accepts KVM_SET_CPUID2 of exactly its entries. */
	while (cpuid->nent && cpuid_entry_is_zero(&cpuid->entries[cpuid->nent - 1]))
		cpuid->nent--;
	return 0;
}

int kvmw_vcpu_xsave_size(struct kvmw_vcpu *vcpu)
{
	int r;

	if (!vcpu)
		return -EINVAL;
	r = kvmw__ioctl_val(vcpu->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	/* Without XSAVE2 the legacy 4 KiB area is all there is. */
	if (r <= 0)
		return r < 0 ? r : (int)KVMW_XSAVE_LEGACY_SIZE;
	return r < (int)KVMW_XSAVE_LEGACY_SIZE ? (int)KVMW_XSAVE_LEGACY_SIZE : r;
}

static int check_xsave_buf(struct kvmw_vcpu *vcpu, const void *buf, size_t len)
{
	int size;

	if (!vcpu || !buf || ((uintptr_t)buf & 7))
		return -EINVAL;
	size = kvmw_vcpu_xsave_size(vcpu);
	if (size < 0)
		return size;
	return len < (size_t)size ? -ENOSPC : size;
}

int kvmw_vcpu_get_xsave(struct kvmw_vcpu *vcpu, void *buf, size_t len)
{
	int size = check_xsave_buf(vcpu, buf, len);
	int r;

	if (size < 0)
		return size;
	memset(buf, 0, (size_t)size);
	r = kvmw__ioctl(vcpu->fd, size > (int)KVMW_XSAVE_LEGACY_SIZE ? KVM_GET_XSAVE2 :
			KVM_GET_XSAVE, buf);
	return r < 0 ? r : size;
}

int kvmw_vcpu_set_xsave(struct kvmw_vcpu *vcpu, const void *buf, size_t len)
{
	int size = check_xsave_buf(vcpu, buf, len);

	if (size < 0)
		return size;
	/* KVM reads size bytes and writes none, so buf stays untouched. */
	return kvmw__ioctl(vcpu->fd, KVM_SET_XSAVE, (void *)(uintptr_t)buf);
}

int kvmw_vcpu_get_tsc_khz(struct kvmw_vcpu *vcpu)
{
	if (!vcpu)
		return -EINVAL;
	return kvmw__ioctl_val(vcpu->fd, KVM_GET_TSC_KHZ, 0);
}

int kvmw_vcpu_set_tsc_khz(struct kvmw_vcpu *vcpu, uint32_t khz)
{
	if (!vcpu || khz == 0)
		return -EINVAL;
	return kvmw__ioctl_val(vcpu->fd, KVM_SET_TSC_KHZ, khz);
}

int kvmw_vcpu_set_guest_debug(struct kvmw_vcpu *vcpu, const struct kvm_guest_debug *dbg)
{
	struct kvm_guest_debug copy;

	if (!vcpu || !dbg)
		return -EINVAL;
	copy = *dbg;
	return kvmw__ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &copy);
}

int kvmw_vcpu_interrupt(struct kvmw_vcpu *vcpu, uint32_t vector)
{
	struct kvm_interrupt irq = { .irq = vector };

	if (!vcpu || vector > 255)
		return -EINVAL;
	return kvmw__ioctl(vcpu->fd, KVM_INTERRUPT, &irq);
}

int kvmw_vcpu_nmi(struct kvmw_vcpu *vcpu)
{
	if (!vcpu)
		return -EINVAL;
	return kvmw__ioctl(vcpu->fd, KVM_NMI, NULL);
}
