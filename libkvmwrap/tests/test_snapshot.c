// SPDX-License-Identifier: MIT
// Snapshot of a running vCPU: a guest counts and reports each value over a
// port; mid-way its vCPU state and memory are saved, restored into a brand
// new VM, and the copy must go on counting from where the original was.
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "guest.h"

#define RAM (64u * 1024u)

static struct tg a, b;
static struct kvmw_vcpu_state *st;

static void setup(void)
{
	if (!tg_have_kvm())
		cr_skip_test("no /dev/kvm");
	cr_assert_eq(tg_open(&a, RAM, true), 0);
	cr_assert_eq(tg_open(&b, RAM, true), 0);
	st = calloc(1, sizeof(*st));
	cr_assert_not_null(st);
}

static void teardown(void)
{
	tg_close(&a);
	tg_close(&b);
	free(st);
	st = NULL;
}

TestSuite(snapshot, .init = setup, .fini = teardown, .timeout = 20);

/* bx counts; each value goes out on port 0x10 as a word. */
static const uint8_t counter[] = {
	0x31, 0xdb,		/* xor bx, bx */
	0x43,			/* loop: inc bx */
	0x89, 0xd8,		/* mov ax, bx */
	0xe7, 0x10,		/* out 0x10, ax */
	0xeb, 0xf9,		/* jmp loop */
};

static uint16_t next_value(struct tg *g)
{
	struct kvmw_exit e;
	uint16_t v;

	cr_assert_eq(tg_run(g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO, "exit %s", kvmw_exit_reason_name(e.reason));
	cr_assert_eq(e.u.io.port, 0x10);
	memcpy(&v, e.u.io.data, 2);
	return v;
}

Test(snapshot, running_vcpu_round_trips_into_a_new_vm)
{
	struct kvm_regs ra, rb;

	cr_assert_eq(tg_real_mode(&a, counter, sizeof(counter)), 0);
	cr_assert_eq(next_value(&a), 1);
	cr_assert_eq(next_value(&a), 2);
	cr_assert_eq(kvmw_vcpu_complete_pending(a.vcpu), 0);
	cr_assert_eq(kvmw_vcpu_save_state(a.vcpu, st), 0);
	cr_assert_gt(st->nmsrs, 0);
	cr_assert_gt(st->xsave_len, 0);
	cr_assert_gt(st->tsc_khz, 0);
	cr_assert_gt(st->cpuid.nent, 0);
	memcpy(b.mem, a.mem, RAM);

	cr_assert_eq(kvmw_vcpu_restore_state(b.vcpu, st), 0);
	cr_assert_eq(kvmw_vcpu_get_regs(a.vcpu, &ra), 0);
	cr_assert_eq(kvmw_vcpu_get_regs(b.vcpu, &rb), 0);
	cr_assert_eq(rb.rip, ra.rip);
	cr_assert_eq(rb.rbx, ra.rbx);
	cr_assert_eq(rb.rflags, ra.rflags);
	cr_assert_eq(next_value(&b), 3, "the copy continues the count");
	cr_assert_eq(next_value(&b), 4);
	cr_assert_eq(next_value(&a), 3, "the original is unaffected");
}

Test(snapshot, restore_into_same_vcpu_rewinds_it)
{
	cr_assert_eq(tg_real_mode(&a, counter, sizeof(counter)), 0);
	cr_assert_eq(next_value(&a), 1);
	cr_assert_eq(kvmw_vcpu_complete_pending(a.vcpu), 0);
	cr_assert_eq(kvmw_vcpu_save_state(a.vcpu, st), 0);
	cr_assert_eq(next_value(&a), 2);
	cr_assert_eq(next_value(&a), 3);
	cr_assert_eq(kvmw_vcpu_restore_state(a.vcpu, st), 0);
	cr_assert_eq(next_value(&a), 2);
}

Test(snapshot, saved_msrs_are_a_subset_of_the_list)
{
	size_t n;
	const uint32_t *idx = kvmw_vcpu_state_msr_indices(&n);

	cr_assert_eq(kvmw_vcpu_save_state(a.vcpu, st), 0);
	cr_assert_leq(st->nmsrs, n);
	for (uint32_t i = 0; i < st->nmsrs; i++) {
		bool found = false;

		for (size_t j = 0; j < n; j++)
			found |= idx[j] == st->msrs[i].index;
		cr_assert(found, "MSR %#x not in the list", st->msrs[i].index);
	}
}

Test(snapshot, restore_rejects_corrupt_counts)
{
	cr_assert_eq(kvmw_vcpu_save_state(a.vcpu, st), 0);
	st->nmsrs = KVMW_STATE_MAX_MSRS + 1;
	cr_assert_eq(kvmw_vcpu_restore_state(b.vcpu, st), -EINVAL);
	st->nmsrs = 0;
	st->xsave_len = sizeof(st->xsave) + 4;
	cr_assert_eq(kvmw_vcpu_restore_state(b.vcpu, st), -EINVAL);
	st->xsave_len = 0;
	st->cpuid.nent = KVMW_CPUID_MAX_ENTRIES + 1;
	cr_assert_eq(kvmw_vcpu_restore_state(b.vcpu, st), -EINVAL);
}
