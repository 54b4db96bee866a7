// SPDX-License-Identifier: MIT
// KVM_GET_MSRS / KVM_SET_MSRS on the system fd (feature MSRs) and on vCPU
// fds (api.rst 4.18, 4.19).  struct kvm_msrs ends in a flexible array, so
// the request is assembled in a buffer of its own; KVM returns how many
// leading entries it processed, which is passed through.
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "msrs.h"

/* The request is allocated per call: MSR calls are rare (vCPU setup,
 * pause, snapshots), up to KVMW_MSR_LIST_MAX entries (16 KiB) is too much
 * for a thread's stack, and a thread-local buffer would cost every thread
 * of the process 16 KiB. */
int kvmw__msrs_io(int fd, unsigned long req, struct kvm_msr_entry *entries,
		  const struct kvm_msr_entry *in, size_t n)
{
	struct kvm_msrs *m;
	int r;

	if (fd < 0 || !in || n == 0 || n > KVMW_MSR_LIST_MAX)
		return -EINVAL;
	m = calloc(1, sizeof(*m) + n * sizeof(m->entries[0]));
	if (!m)
		return -ENOMEM;
	m->nmsrs = (uint32_t)n;
	memcpy(m->entries, in, n * sizeof(in[0]));
	r = kvmw__ioctl(fd, req, m);
	if (r >= 0 && (size_t)r > n)
		r = -EBADMSG;
	if (r >= 0 && entries)
		memcpy(entries, m->entries, n * sizeof(entries[0]));
	free(m);
	return r;
}

int kvmw_system_get_feature_msrs(const struct kvmw_system *sys,
				 struct kvm_msr_entry *entries, size_t n)
{
	if (!sys || !entries)
		return -EINVAL;
	return kvmw__msrs_io(sys->fd, KVM_GET_MSRS, entries, entries, n);
}
