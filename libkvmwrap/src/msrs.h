/* SPDX-License-Identifier: MIT */
/* Shared KVM_GET_MSRS/KVM_SET_MSRS request builder (system and vCPU fds). */
#ifndef KVMWRAP_MSRS_H
#define KVMWRAP_MSRS_H

#include <stddef.h>

#include <linux/kvm.h>

/*
 * Issues req with the n entries of in; copies the result back to entries
 * when it is not NULL.  Returns KVM's processed count or -errno.
 */
int kvmw__msrs_io(int fd, unsigned long req, struct kvm_msr_entry *entries,
		  const struct kvm_msr_entry *in, size_t n);

#endif
