// SPDX-License-Identifier: MIT
// System-fd wrappers on the real /dev/kvm (api.rst 4.1-4.5, 4.46, 4.88,
// 4.3): one test per wrapper.
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "guest.h"

static struct kvmw_system *sys;

static void setup(void)
{
	if (!tg_have_kvm())
		cr_skip_test("no /dev/kvm");
	cr_assert_eq(kvmw_system_open(&sys), 0);
}

static void teardown(void)
{
	kvmw_system_free(sys);
	sys = NULL;
}

TestSuite(system, .init = setup, .fini = teardown);

Test(system, fd_is_open)
{
	cr_assert_geq(kvmw_system_fd(sys), 0);
}

Test(system, api_version_is_12)
{
	cr_assert_eq(kvmw_system_api_version(sys), KVMW_API_VERSION);
}

Test(system, check_cap_present_absent_and_bad)
{
	cr_assert_gt(kvmw_system_check_cap(sys, KVM_CAP_USER_MEMORY), 0);
	cr_assert_eq(kvmw_system_check_cap(sys, KVM_CAP_S390_PSW), 0, "s390 cap on x86");
	cr_assert_eq(kvmw_system_check_cap(sys, -1), -EINVAL);
}

struct count_ctx {
	size_t seen, present;
	size_t stop_after;
};

static int count_cap(void *ctx, const struct kvmw_cap_info *cap, int value)
{
	struct count_ctx *c = ctx;

	cr_assert_not_null(cap->name);
	c->seen++;
	c->present += value > 0;
	return c->stop_after && c->seen == c->stop_after ? 42 : 0;
}

Test(system, for_each_cap_enumerates_whole_table)
{
	struct count_ctx c = { 0 };
	size_t n;

	kvmw_cap_table(&n);
	cr_assert_eq(kvmw_system_for_each_cap(sys, count_cap, &c), 0);
	cr_assert_eq(c.seen, n);
	cr_assert_gt(c.present, 10);
}

Test(system, for_each_cap_stops_on_nonzero)
{
	struct count_ctx c = { .stop_after = 3 };

	cr_assert_eq(kvmw_system_for_each_cap(sys, count_cap, &c), 42);
	cr_assert_eq(c.seen, 3);
}

Test(system, vcpu_mmap_size_covers_kvm_run)
{
	int n = kvmw_system_vcpu_mmap_size(sys);

	cr_assert_geq((size_t)n, sizeof(struct kvm_run));
	cr_assert_eq(n % 4096, 0);
}

Test(system, supported_cpuid_has_long_mode)
{
	struct kvmw_cpuid *c = calloc(1, sizeof(*c));
	struct kvm_cpuid_entry2 *e;

	cr_assert_eq(kvmw_system_supported_cpuid(sys, c), 0);
	cr_assert_gt(c->nent, 1);
	cr_assert_not_null(kvmw_cpuid_find(c, 0, 0));
	e = kvmw_cpuid_find(c, 0x80000001, 0);
	cr_assert_not_null(e);
	cr_assert(e->edx & (1u << 29), "CPUID.80000001h:EDX.LM");
	free(c);
}

Test(system, emulated_cpuid_lists_leaves)
{
	struct kvmw_cpuid *c = calloc(1, sizeof(*c));

	if (kvmw_system_check_cap(sys, KVM_CAP_EXT_EMUL_CPUID) <= 0)
		cr_skip_test("KVM_CAP_EXT_EMUL_CPUID absent on this host");
	cr_assert_eq(kvmw_system_emulated_cpuid(sys, c), 0);
	cr_assert_gt(c->nent, 0);
	cr_assert_leq(c->nent, KVMW_CPUID_MAX_ENTRIES);
	free(c);
}

static bool list_has(const struct kvmw_msr_list *l, uint32_t idx)
{
	for (uint32_t i = 0; i < l->nmsrs; i++)
		if (l->indices[i] == idx)
			return true;
	return false;
}

Test(system, msr_index_list_has_lstar)
{
	struct kvmw_msr_list *l = calloc(1, sizeof(*l));

	cr_assert_eq(kvmw_system_msr_index_list(sys, l), 0);
	cr_assert_gt(l->nmsrs, 5);
	cr_assert(list_has(l, 0xc0000082), "LSTAR");
	free(l);
}

Test(system, feature_msrs_readable)
{
	struct kvmw_msr_list *l = calloc(1, sizeof(*l));
	struct kvm_msr_entry *e;
	int n;

	if (kvmw_system_check_cap(sys, KVM_CAP_GET_MSR_FEATURES) <= 0)
		cr_skip_test("KVM_CAP_GET_MSR_FEATURES absent on this host");
	cr_assert_eq(kvmw_system_feature_msr_index_list(sys, l), 0);
	cr_assert_gt(l->nmsrs, 0);
	e = calloc(l->nmsrs, sizeof(*e));
	for (uint32_t i = 0; i < l->nmsrs; i++)
		e[i].index = l->indices[i];
	n = kvmw_system_get_feature_msrs(sys, e, l->nmsrs);
	cr_assert_gt(n, 0, "at least the first listed feature MSR reads (got %d)", n);
	cr_assert_leq((uint32_t)n, l->nmsrs);
	cr_assert_eq(kvmw_system_get_feature_msrs(sys, e, 0), -EINVAL);
	cr_assert_eq(kvmw_system_get_feature_msrs(sys, e, KVMW_MSR_LIST_MAX + 1), -EINVAL);
	free(e);
	free(l);
}
