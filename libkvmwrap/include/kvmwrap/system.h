/* SPDX-License-Identifier: MIT */
/*
 * The /dev/kvm system handle: API version, capabilities, vCPU mmap size,
 * supported/emulated CPUID, the MSR index lists and feature MSRs
 * (Linux Documentation/virt/kvm/api.rst, section 4, "system ioctl").
 *
 * Structures that the kernel sizes with a flexible array (kvm_cpuid2,
 * kvm_msr_list) get a fixed-capacity twin here whose prefix has the
 * kernel's exact layout, so callers never do size arithmetic.
 */
#ifndef KVMWRAP_SYSTEM_H
#define KVMWRAP_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#define KVMW_WUR __attribute__((warn_unused_result))

/* The only KVM API version there has ever been (api.rst 4.1). */
#define KVMW_API_VERSION 12

/* Default device node; kvmw_system_open_path() opens another one. */
#define KVMW_DEV_KVM "/dev/kvm"

/* Capacity of struct kvmw_cpuid; matches KVM's own limit of 256 leaves. */
#define KVMW_CPUID_MAX_ENTRIES 256u

/* Capacity of struct kvmw_msr_list. */
#define KVMW_MSR_LIST_MAX 1024u

/* Layout-compatible with struct kvm_cpuid2 followed by its entries. */
struct kvmw_cpuid {
	uint32_t nent;
	uint32_t padding;
	struct kvm_cpuid_entry2 entries[KVMW_CPUID_MAX_ENTRIES];
};

/* Layout-compatible with struct kvm_msr_list followed by its indices. */
struct kvmw_msr_list {
	uint32_t nmsrs;
	uint32_t indices[KVMW_MSR_LIST_MAX];
};

/* One entry of the built-in capability name table. */
struct kvmw_cap_info {
	int cap;		/* KVM_CAP_* */
	const char *name;	/* "IRQFD", without the KVM_CAP_ prefix */
};

struct kvmw_system;

/*
 * Opens /dev/kvm read-write with O_CLOEXEC and checks that the API version is
 * KVMW_API_VERSION.  -ENOENT when the node is absent, -EACCES without
 * permission, -ENOTSUP on another API version, -EINVAL when out is NULL.
 */
KVMW_WUR int kvmw_system_open(struct kvmw_system **out);

/*
 * Same as kvmw_system_open() on another path, so a VMM can simulate a host
 * without KVM (a missing path) or a sandboxed device node in tests.
 */
KVMW_WUR int kvmw_system_open_path(const char *path, struct kvmw_system **out);

/* Closes the handle.  VMs created from it stay valid.  NULL is a no-op. */
void kvmw_system_free(struct kvmw_system *sys);

/* The /dev/kvm file descriptor, still owned by sys. */
int kvmw_system_fd(const struct kvmw_system *sys);

/* KVM_GET_API_VERSION: the version (12) or -errno. */
KVMW_WUR int kvmw_system_api_version(const struct kvmw_system *sys);

/*
 * KVM_CHECK_EXTENSION on the system fd: 0 when absent, a positive
 * capability-specific value when present, -errno on failure.
 */
KVMW_WUR int kvmw_system_check_cap(const struct kvmw_system *sys, int cap);

/* KVM_GET_VCPU_MMAP_SIZE: bytes to mmap on a vCPU fd, or -errno. */
KVMW_WUR int kvmw_system_vcpu_mmap_size(const struct kvmw_system *sys);

/*
 * Capabilities this library knows by name, in KVM_CAP_* order.  Returns the
 * table and stores its length in *count (count may not be NULL).
 */
const struct kvmw_cap_info *kvmw_cap_table(size_t *count);

/* Name of a KVM_CAP_* value ("IRQFD"), or NULL when the library does not know it. */
const char *kvmw_cap_name(int cap);

/* Visitor of kvmw_system_for_each_cap(): value is KVM's answer, 0 = absent. */
typedef int (*kvmw_cap_fn)(void *ctx, const struct kvmw_cap_info *cap, int value);

/*
 * Calls fn for every capability of kvmw_cap_table() with the value
 * KVM_CHECK_EXTENSION returned.  Stops at and returns the first non-zero
 * return of fn; -errno if a check fails.
 */
KVMW_WUR int kvmw_system_for_each_cap(const struct kvmw_system *sys, kvmw_cap_fn fn,
				      void *ctx);

/* KVM_GET_SUPPORTED_CPUID: every leaf the host can expose to a guest. */
KVMW_WUR int kvmw_system_supported_cpuid(const struct kvmw_system *sys,
					 struct kvmw_cpuid *out);

/* KVM_GET_EMULATED_CPUID: leaves KVM emulates in software (may be slow). */
KVMW_WUR int kvmw_system_emulated_cpuid(const struct kvmw_system *sys,
					struct kvmw_cpuid *out);

/*
 * First entry of cpuid for (function, index); index is ignored for leaves
 * that do not carry KVM_CPUID_FLAG_SIGNIFCANT_INDEX.  NULL when absent.
 */
struct kvm_cpuid_entry2 *kvmw_cpuid_find(struct kvmw_cpuid *cpuid, uint32_t function,
					 uint32_t index);

/* KVM_GET_MSR_INDEX_LIST: MSRs a vCPU can save and restore. */
KVMW_WUR int kvmw_system_msr_index_list(const struct kvmw_system *sys,
					struct kvmw_msr_list *out);

/* KVM_GET_MSR_FEATURE_INDEX_LIST: feature MSRs readable on the system fd. */
KVMW_WUR int kvmw_system_feature_msr_index_list(const struct kvmw_system *sys,
						struct kvmw_msr_list *out);

/*
 * KVM_GET_MSRS on the system fd for feature MSRs: fills entries[i].data for
 * the indices set by the caller.  Returns how many leading entries were read
 * (KVM stops at the first unsupported index) or -errno; n must be 1..1024.
 */
KVMW_WUR int kvmw_system_get_feature_msrs(const struct kvmw_system *sys,
					  struct kvm_msr_entry *entries, size_t n);

#endif
