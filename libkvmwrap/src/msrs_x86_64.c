// SPDX-License-Identifier: MIT
// KVM_GET_MSRS / KVM_SET_MSRS on the system fd (feature MSRs) and on vCPU
// fds (api.rst 4.18, 4.19).  struct kvm_msrs ends in a flexible array, so
// the request is assembled in a bounded local buffer; KVM returns how many
// leading entries it processed, which is passed through.
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "msrs.h"

#define MSR_BUF_BYTES (sizeof(struct kvm_msrs) + KVMW_MSR_LIST_MAX * sizeof(struct kvm_msr_entry))

/*
 * Storage for a kvm_msrs header and its entries, 8-byte aligned like the
 * struct.  Too large for a vCPU thread's stack, so one per thread.
 */
static _Thread_local uint64_t msr_buf[MSR_BUF_BYTES / sizeof(uint64_t)];

int kvmw__msrs_io(int fd, unsigned long req, struct kvm_msr_entry *entries,
		  const struct kvm_msr_entry *in, size_t n)
{
	struct kvm_msrs *m = (void *)msr_buf;
	int r;

	if (fd < 0 || !in || n == 0 || n > KVMW_MSR_LIST_MAX)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->nmsrs = (uint32_t)n;
	memcpy(m->entries, in, n * sizeof(in[0]));
	r = kvmw__ioctl(fd, req, m);
	if (r < 0)
		return r;
	if ((size_t)r > n)
		return -EBADMSG;
	if (entries)
		memcpy(entries, m->entries, n * sizeof(entries[0]));
	return r;
}

int kvmw_system_get_feature_msrs(const struct kvmw_system *sys,
				 struct kvm_msr_entry *entries, size_t n)
{
	if (!sys || !entries)
		return -EINVAL;
	return kvmw__msrs_io(sys->fd, KVM_GET_MSRS, entries, entries, n);
}
