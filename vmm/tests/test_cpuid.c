// SPDX-License-Identifier: MIT
// The per-vCPU CPUID patch (cpuid_x86_64.h): leaf 4's cores-per-package
// field (Intel SDM vol. 2A, CPUID.04H:EAX[31:26], 6 bits) on a table shaped
// like KVM_GET_SUPPORTED_CPUID's, without KVM.
#include <criterion/criterion.h>
#include <string.h>

#include "cpuid_x86_64.h"

/* Leaf 4 subleaves 0..3 (L1d, L1i, L2, L3) with cache fields in
 * EAX[25:0] and a host core count in EAX[31:26]. */
static void leaf4_table(struct kvmw_cpuid *c)
{
	memset(c, 0, sizeof(*c));
	for (uint32_t i = 0; i < 4; i++)
		c->entries[c->nent++] = (struct kvm_cpuid_entry2){
			.function = 4, .index = i,
			.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
			.eax = (7u << 26) | (0x121u + i),
		};
}

/* Regression: (ncpus - 1) & 0x3f wrapped, so 65 vCPUs
 * read as 1 core per package and 254 as 62. */
Test(cpuid, leaf_4_cores_per_package_saturates_at_64)
{
	static const uint32_t counts[] = { 1, 64, 65, 254 };
	static struct kvmw_cpuid c;

	for (size_t n = 0; n < sizeof(counts) / sizeof(counts[0]); n++) {
		uint32_t want = counts[n] < 64 ? counts[n] : 64;

		leaf4_table(&c);
		vmm__cpuid_patch(&c, 0, counts[n]);
		for (uint32_t i = 0; i < c.nent; i++)
			cr_assert_eq((c.entries[i].eax >> 26) + 1, want,
				     "%u vCPUs, subleaf %u: EAX %#x", counts[n], i,
				     c.entries[i].eax);
	}
}

Test(cpuid, leaf_4_keeps_the_cache_fields)
{
	static struct kvmw_cpuid c;

	leaf4_table(&c);
	vmm__cpuid_patch(&c, 3, 254);
	for (uint32_t i = 0; i < c.nent; i++)
		cr_assert_eq(c.entries[i].eax & 0x3ffffffu, 0x121u + i);
}
