/* SPDX-License-Identifier: MIT */
/*
 * The host-CPU rule of snapshots (docs/snapshot.md, "Host CPU"): a
 * snapshot restores only on a host with the same CPU vendor, family and
 * model, whose KVM supports every CPUID feature bit the saved guest was
 * given.  The identity comes from CPUID leaves 0 and 1 (Intel SDM vol. 2A,
 * "CPUID"; AMD APM vol. 3, appendix E); the feature words compared are
 * those of vmm__snap_feature_words[].  The check takes the supported CPUID
 * as a parameter so that it runs without /dev/kvm.
 */
#ifndef VMM_SNAP_HOSTCPU_H
#define VMM_SNAP_HOSTCPU_H

#include <stddef.h>
#include <stdint.h>

#include <kvmwrap/system.h>
#include <kvmwrap/vcpu.h>

#include "snap_file.h"

#define VMM__SNAP_NFEATURE_WORDS 8u

enum vmm__cpuid_reg { VMM__CPUID_EAX, VMM__CPUID_EBX, VMM__CPUID_ECX, VMM__CPUID_EDX };

/* One CPUID output register holding feature flags. */
struct vmm__snap_feature_word {
	uint32_t function, index;
	enum vmm__cpuid_reg reg;
	/* Bits the VMM sets or the guest OS toggles (hypervisor, HTT,
	 * OSXSAVE, OSPKE), which KVM_GET_SUPPORTED_CPUID does not list. */
	uint32_t ignore;
};

extern const struct vmm__snap_feature_word vmm__snap_feature_words[VMM__SNAP_NFEATURE_WORDS];

struct vmm__snap_host_cpu {
	char vendor[13];	/* CPUID.0 EBX EDX ECX, NUL-terminated */
	uint32_t family, model, stepping;	/* display values (with extended fields) */
	/* This host's KVM-supported value of each vmm__snap_feature_words[]. */
	uint32_t features[VMM__SNAP_NFEATURE_WORDS];
};

/* Identity from this CPU's CPUID, features from supported (may be NULL: 0). */
void vmm__snap_host_cpu_read(struct vmm__snap_host_cpu *out,
			     const struct kvmw_cpuid *supported);

/* Value of one register of (function, index); 0 when the leaf is absent. */
uint32_t vmm__snap_cpuid_word(const struct kvmw_cpuid *id, uint32_t function,
			      uint32_t index, enum vmm__cpuid_reg reg);

void vmm__snap_put_host_cpu(struct vmm__snapw *w, const struct vmm__snap_host_cpu *h);
int vmm__snap_get_host_cpu(const struct vmm__snapr *r, struct vmm__snap_host_cpu *h,
			   char *err, size_t errlen);

/*
 * What this host's KVM gives a guest: KVM_GET_SUPPORTED_CPUID, and the
 * CPUID KVM reports back for a vCPU this cvmm configured here (NULL: none).
 * The second counts because KVM may give more than its supported list:
 * kvm-pvm reports the host's own leaf 1, 7 and 0xd bits for every vCPU
 * (docs/kvm-pvm.md).
 */
struct vmm__snap_host_offer {
	const struct kvmw_cpuid *supported;
	const struct kvmw_cpuid *given;
};

/*
 * 0 when a snapshot taken on saved, whose guest had guest_cpuid, may be
 * restored on here, whose KVM offers offer.  -ENOTSUP with one line naming
 * the difference: vendor/family/model, or the CPUID word and the bits this
 * host's KVM lacks.
 */
int vmm__snap_host_check(const struct vmm__snap_host_cpu *saved,
			 const struct vmm__snap_host_cpu *here,
			 const struct kvmw_cpuid *guest_cpuid,
			 const struct vmm__snap_host_offer *offer, char *err, size_t errlen);

/*
 * vmm__snap_host_check() for the guest CPUID of each of the n saved vCPUs:
 * a file may give each its own, and every one must be offered here.
 */
int vmm__snap_host_check_vcpus(const struct vmm__snap_host_cpu *saved,
			       const struct vmm__snap_host_cpu *here,
			       const struct kvmw_vcpu_state *vcpus, unsigned int n,
			       const struct vmm__snap_host_offer *offer, char *err,
			       size_t errlen);

#endif
