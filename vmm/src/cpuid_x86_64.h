/* SPDX-License-Identifier: MIT */
/*
 * The per-vCPU CPUID table (vcpu_x86_64.c), apart so that its topology
 * rules can be tested without KVM: leaf 1 (APIC ID, logical CPU count,
 * HTT, hypervisor bit), leaves 0xB/0x1F (one thread per core, every vCPU
 * a core of one package) and leaf 4 (cores per package).
 */
#ifndef VMM_CPUID_X86_64_H
#define VMM_CPUID_X86_64_H

#include <stdint.h>

#include <kvmwrap/kvmwrap.h>

/* Patches c, a copy of KVM_GET_SUPPORTED_CPUID, for the vCPU with this
 * APIC ID among ncpus (1 or more). */
void vmm__cpuid_patch(struct kvmw_cpuid *c, uint32_t apic_id, uint32_t ncpus);

#endif
