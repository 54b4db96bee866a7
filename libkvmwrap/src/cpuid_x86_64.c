// SPDX-License-Identifier: MIT
// CPUID and MSR enumeration on the system fd (api.rst 4.3 KVM_GET_MSR_INDEX_LIST,
// 4.46 KVM_GET_SUPPORTED_CPUID, 4.88 KVM_GET_EMULATED_CPUID).  The caller's
// fixed-capacity structs carry the kernel layout, so the capacity is written
// into the count field before the call and KVM answers -E2BIG if it is short.
#include <errno.h>
#include <string.h>

#include "internal.h"

_Static_assert(offsetof(struct kvmw_cpuid, entries) == sizeof(struct kvm_cpuid2),
	       "kvmw_cpuid must start with the kvm_cpuid2 header");
_Static_assert(offsetof(struct kvmw_msr_list, indices) == sizeof(struct kvm_msr_list),
	       "kvmw_msr_list must start with the kvm_msr_list header");

static int get_cpuid(const struct kvmw_system *sys, unsigned long req, struct kvmw_cpuid *out)
{
	int r;

	if (!sys || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->nent = KVMW_CPUID_MAX_ENTRIES;
	r = kvmw__ioctl(sys->fd, req, out);
	if (r < 0)
		out->nent = 0;
	else if (out->nent > KVMW_CPUID_MAX_ENTRIES)
		return -EBADMSG;
	return r < 0 ? r : 0;
}

int kvmw_system_supported_cpuid(const struct kvmw_system *sys, struct kvmw_cpuid *out)
{
	return get_cpuid(sys, KVM_GET_SUPPORTED_CPUID, out);
}

int kvmw_system_emulated_cpuid(const struct kvmw_system *sys, struct kvmw_cpuid *out)
{
	return get_cpuid(sys, KVM_GET_EMULATED_CPUID, out);
}

struct kvm_cpuid_entry2 *kvmw_cpuid_find(struct kvmw_cpuid *cpuid, uint32_t function,
					 uint32_t index)
{
	uint32_t n;

	if (!cpuid)
		return NULL;
	n = cpuid->nent < KVMW_CPUID_MAX_ENTRIES ? cpuid->nent : KVMW_CPUID_MAX_ENTRIES;
	for (uint32_t i = 0; i < n; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index)
			continue;
		return e;
	}
	return NULL;
}

static int get_msr_list(const struct kvmw_system *sys, unsigned long req,
			struct kvmw_msr_list *out)
{
	int r;

	if (!sys || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->nmsrs = KVMW_MSR_LIST_MAX;
	r = kvmw__ioctl(sys->fd, req, out);
	if (r < 0) {
		out->nmsrs = 0;
		return r;
	}
	return out->nmsrs > KVMW_MSR_LIST_MAX ? -EBADMSG : 0;
}

int kvmw_system_msr_index_list(const struct kvmw_system *sys, struct kvmw_msr_list *out)
{
	return get_msr_list(sys, KVM_GET_MSR_INDEX_LIST, out);
}

int kvmw_system_feature_msr_index_list(const struct kvmw_system *sys,
				       struct kvmw_msr_list *out)
{
	return get_msr_list(sys, KVM_GET_MSR_FEATURE_INDEX_LIST, out);
}
