// SPDX-License-Identifier: MIT
// Argument checking that needs no /dev/kvm: NULL handles, the overridable
// device path (how a VMM simulates a host without KVM), free(NULL), and the
// capability name table.
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>

#include <kvmwrap/kvmwrap.h>

Test(args, open_missing_path_is_enoent)
{
	struct kvmw_system *sys = (struct kvmw_system *)1;

	cr_assert_eq(kvmw_system_open_path("/nonexistent/kvm", &sys), -ENOENT);
	cr_assert_eq(sys, (struct kvmw_system *)1, "out must be untouched on failure");
}

Test(args, open_non_kvm_node_is_enotsup)
{
	struct kvmw_system *sys = NULL;

	cr_assert_eq(kvmw_system_open_path("/dev/null", &sys), -ENOTSUP);
	cr_assert_null(sys);
}

Test(args, open_rejects_null)
{
	struct kvmw_system *sys;

	cr_assert_eq(kvmw_system_open_path(NULL, &sys), -EINVAL);
	cr_assert_eq(kvmw_system_open_path("/dev/kvm", NULL), -EINVAL);
	cr_assert_eq(kvmw_system_open(NULL), -EINVAL);
}

Test(args, free_null_is_noop)
{
	kvmw_system_free(NULL);
	kvmw_vm_free(NULL);
	kvmw_vcpu_free(NULL);
}

Test(args, system_calls_reject_null)
{
	struct kvmw_cpuid *cpuid = calloc(1, sizeof(*cpuid));
	struct kvmw_msr_list *list = calloc(1, sizeof(*list));
	struct kvm_msr_entry m = { .index = 0x10a };
	struct kvmw_vm *vm;

	cr_assert_eq(kvmw_system_api_version(NULL), -EINVAL);
	cr_assert_eq(kvmw_system_check_cap(NULL, KVM_CAP_IRQFD), -EINVAL);
	cr_assert_eq(kvmw_system_vcpu_mmap_size(NULL), -EINVAL);
	cr_assert_eq(kvmw_system_supported_cpuid(NULL, cpuid), -EINVAL);
	cr_assert_eq(kvmw_system_emulated_cpuid(NULL, cpuid), -EINVAL);
	cr_assert_eq(kvmw_system_msr_index_list(NULL, list), -EINVAL);
	cr_assert_eq(kvmw_system_feature_msr_index_list(NULL, list), -EINVAL);
	cr_assert_eq(kvmw_system_get_feature_msrs(NULL, &m, 1), -EINVAL);
	cr_assert_eq(kvmw_system_for_each_cap(NULL, NULL, NULL), -EINVAL);
	cr_assert_eq(kvmw_vm_create(NULL, &vm), -EINVAL);
	cr_assert_eq(kvmw_system_fd(NULL), -EINVAL);
	free(cpuid);
	free(list);
}

Test(args, vm_calls_reject_null)
{
	struct kvmw_mem_region r = { .size = 4096, .hva = (void *)4096 };
	struct kvmw_ioeventfd io = { .fd = 0, .len = 4 };
	struct kvm_clock_data clk;
	uint64_t bm[1];
	int fd;

	cr_assert_eq(kvmw_vm_fd(NULL), -EINVAL);
	cr_assert_eq(kvmw_vm_check_cap(NULL, 1), -EINVAL);
	cr_assert_eq(kvmw_vm_enable_cap(NULL, 1, NULL, 0), -EINVAL);
	cr_assert_eq(kvmw_vm_set_memory_region(NULL, &r), -EINVAL);
	cr_assert_eq(kvmw_vm_delete_memory_region(NULL, 0), -EINVAL);
	cr_assert_eq(kvmw_vm_dirty_bitmap_words(NULL, 0), -EINVAL);
	cr_assert_eq(kvmw_vm_get_dirty_log(NULL, 0, bm, 1), -EINVAL);
	cr_assert_eq(kvmw_vm_clear_dirty_log(NULL, 0, 0, 64, bm), -EINVAL);
	cr_assert_eq(kvmw_vm_enable_manual_dirty_clear(NULL), -EINVAL);
	cr_assert_eq(kvmw_vm_set_tss_addr(NULL, 0xfffbd000), -EINVAL);
	cr_assert_eq(kvmw_vm_set_identity_map_addr(NULL, 0xfffbc000), -EINVAL);
	cr_assert_eq(kvmw_vm_create_irqchip(NULL), -EINVAL);
	cr_assert_eq(kvmw_vm_create_pit2(NULL, 0), -EINVAL);
	cr_assert_eq(kvmw_vm_irq_line(NULL, 4, true), -EINVAL);
	cr_assert_eq(kvmw_vm_irqfd_assign(NULL, 0, 4), -EINVAL);
	cr_assert_eq(kvmw_vm_irqfd_deassign(NULL, 0, 4), -EINVAL);
	cr_assert_eq(kvmw_vm_irqfd_assign_resample(NULL, 0, 1, 4), -EINVAL);
	cr_assert_eq(kvmw_vm_ioeventfd_assign(NULL, &io), -EINVAL);
	cr_assert_eq(kvmw_vm_ioeventfd_deassign(NULL, &io), -EINVAL);
	cr_assert_eq(kvmw_vm_set_gsi_routing(NULL, NULL, 0), -EINVAL);
	cr_assert_eq(kvmw_vm_signal_msi(NULL, 0xfee00000, 0x30), -EINVAL);
	cr_assert_eq(kvmw_vm_get_clock(NULL, &clk), -EINVAL);
	cr_assert_eq(kvmw_vm_set_clock(NULL, &clk), -EINVAL);
	cr_assert_eq(kvmw_vm_create_device(NULL, KVM_DEV_TYPE_VFIO, false, &fd), -EINVAL);
}

Test(args, vcpu_calls_reject_null)
{
	struct kvmw_vcpu *v;
	struct kvmw_exit e;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_mp_state mp;
	uint64_t xs[512];

	cr_assert_eq(kvmw_vcpu_create(NULL, 0, &v), -EINVAL);
	cr_assert_eq(kvmw_vcpu_run(NULL, &e), -EINVAL);
	cr_assert_eq(kvmw_vcpu_get_regs(NULL, &regs), -EINVAL);
	cr_assert_eq(kvmw_vcpu_set_regs(NULL, &regs), -EINVAL);
	cr_assert_eq(kvmw_vcpu_get_sregs(NULL, &sregs), -EINVAL);
	cr_assert_eq(kvmw_vcpu_set_sregs(NULL, &sregs), -EINVAL);
	cr_assert_eq(kvmw_vcpu_get_mp_state(NULL, &mp), -EINVAL);
	cr_assert_eq(kvmw_vcpu_get_xsave(NULL, xs, sizeof(xs)), -EINVAL);
	cr_assert_eq(kvmw_vcpu_get_tsc_khz(NULL), -EINVAL);
	cr_assert_eq(kvmw_vcpu_set_tsc_khz(NULL, 1000), -EINVAL);
	cr_assert_eq(kvmw_vcpu_set_signal_mask(NULL, NULL), -EINVAL);
	cr_assert_eq(kvmw_vcpu_kick(NULL, pthread_self(), SIGUSR1), -EINVAL);
	cr_assert_eq(kvmw_vcpu_save_state(NULL, NULL), -EINVAL);
	cr_assert_eq(kvmw_vcpu_restore_state(NULL, NULL), -EINVAL);
	cr_assert_null(kvmw_vcpu_run_page(NULL));
	cr_assert_eq(kvmw_vcpu_run_size(NULL), 0);
	kvmw_vcpu_set_immediate_exit(NULL, true);
}

Test(args, kick_signal_init_rejects_bad_signals)
{
	cr_assert_eq(kvmw_kick_signal_init(0), -EINVAL);
	cr_assert_eq(kvmw_kick_signal_init(SIGKILL), -EINVAL);
	cr_assert_eq(kvmw_kick_signal_init(NSIG), -EINVAL);
	cr_assert_eq(kvmw_kick_signal_init(SIGUSR2), 0);
}

Test(args, cap_table_names)
{
	size_t n = 0;
	const struct kvmw_cap_info *t = kvmw_cap_table(&n);

	cr_assert_gt(n, 50);
	for (size_t i = 1; i < n; i++)
		cr_assert_lt(t[i - 1].cap, t[i].cap, "table sorted by value");
	cr_assert_str_eq(kvmw_cap_name(KVM_CAP_IRQFD), "IRQFD");
	cr_assert_str_eq(kvmw_cap_name(KVM_CAP_IOEVENTFD), "IOEVENTFD");
	cr_assert_str_eq(kvmw_cap_name(KVM_CAP_IMMEDIATE_EXIT), "IMMEDIATE_EXIT");
	cr_assert_null(kvmw_cap_name(-1));
	cr_assert_null(kvmw_cap_name(KVM_CAP_S390_PSW));
}

Test(args, lapic_register_helpers_bound_offsets)
{
	struct kvm_lapic_state l;

	memset(&l, 0, sizeof(l));
	kvmw_lapic_set_reg(&l, 0xf0, 0x1ff);
	cr_assert_eq(kvmw_lapic_reg(&l, 0xf0), 0x1ff);
	kvmw_lapic_set_reg(&l, 0x400, 1);	/* out of the page: ignored */
	kvmw_lapic_set_reg(&l, 0xf1, 1);	/* unaligned: ignored */
	cr_assert_eq(kvmw_lapic_reg(&l, 0x400), 0);
	cr_assert_eq(kvmw_lapic_reg(&l, 0xf0), 0x1ff);
}

Test(args, cpuid_find_respects_significant_index)
{
	struct kvmw_cpuid *c = calloc(1, sizeof(*c));

	c->nent = 3;
	c->entries[0] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0xd };
	c->entries[1] = (struct kvm_cpuid_entry2){ .function = 7, .index = 0,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .ebx = 1 };
	c->entries[2] = (struct kvm_cpuid_entry2){ .function = 7, .index = 1,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .ebx = 2 };
	cr_assert_eq(kvmw_cpuid_find(c, 0, 99)->eax, 0xd, "index ignored when not significant");
	cr_assert_eq(kvmw_cpuid_find(c, 7, 1)->ebx, 2);
	cr_assert_null(kvmw_cpuid_find(c, 7, 2));
	cr_assert_null(kvmw_cpuid_find(c, 0x80000001, 0));
	c->nent = 100000;	/* a corrupt count must not run past the array */
	cr_assert_null(kvmw_cpuid_find(c, 0x12345678, 0));
	free(c);
}
