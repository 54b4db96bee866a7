// SPDX-License-Identifier: MIT
// The kvm-pvm limits of docs/kvm-pvm.md on this machine's /dev/kvm: the
// instructions its emulator rejects at CPL0 come back as emulation
// failures, the decoder names them with their hint, and the generic assist
// (advance RIP, inject #BP or the soft interrupt, or skip fwait) lets the
// guest's own handler run.  On a hardware host these instructions simply
// work, so the tests skip there, naming the host kind.
#include <criterion/criterion.h>
#include <errno.h>

#include "guest.h"

#define RAM (2u << 20)

static struct tg g;

static void setup(void)
{
	struct kvmw_host_facts f;

	if (!tg_have_kvm())
		cr_skip_test("no /dev/kvm");
	cr_assert_eq(kvmw_host_probe(&f), 0);
	if (f.kind != KVMW_HOST_PVM)
		cr_skip_test("host KVM is %s: kvm-pvm emulation limits do not apply",
			     kvmw_host_kind_name(f.kind));
	cr_assert_eq(tg_open(&g, RAM, false), 0);
}

static void teardown(void)
{
	tg_close(&g);
}

TestSuite(pvm, .init = setup, .fini = teardown, .timeout = 20);

/* Handler at 0x1100: pops the return RIP and reports its low half on port 0x12. */
static const uint8_t handler[] = { 0x58, 0xe7, 0x12, 0xf4 };	/* pop rax; out 0x12, eax; hlt */

static void install_handler(uint8_t vector)
{
	memcpy(g.mem + 0x1100, handler, sizeof(handler));
	cr_assert_eq(tg_set_idt_gate(&g, vector, 0x1100), 0);
}

static void run_to_failure(struct kvmw_emul_failure *f)
{
	struct kvm_regs regs;
	struct kvmw_exit e;

	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_INTERNAL_ERROR, "exit %s", kvmw_exit_reason_name(e.reason));
	cr_assert_eq(e.u.internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
	cr_assert_eq(kvmw_vcpu_get_regs(g.vcpu, &regs), 0);
	cr_assert_eq(kvmw_emul_failure_decode(&e, regs.rip, f), 0);
}

static uint32_t reported_ip(void)
{
	struct kvmw_exit e;
	uint32_t v;

	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO, "exit %s", kvmw_exit_reason_name(e.reason));
	cr_assert_eq(e.u.io.port, 0x12);
	memcpy(&v, e.u.io.data, 4);
	return v;
}

Test(pvm, int3_fails_is_decoded_and_assisted)
{
	static const uint8_t code[] = { 0xcc, 0xf4 };
	struct kvmw_emul_failure f;
	char report[512];

	cr_assert_eq(tg_long_mode(&g, code, sizeof(code)), 0);
	install_handler(3);
	run_to_failure(&f);
	cr_assert_eq(f.rip, TG_CODE_GPA);
	cr_assert(f.bytes_valid);
	cr_assert_eq(f.insn[0], 0xcc);
	cr_assert_eq(f.limit, KVMW_LIMIT_INT3);
	cr_assert_gt(kvmw_emul_failure_format(&f, report, sizeof(report)), 0);
	cr_assert_not_null(strstr(report, "(int3)"), "%s", report);
	cr_assert_eq(kvmw_vcpu_pvm_assist(g.vcpu, &f), 0);
	cr_assert_eq(reported_ip(), TG_CODE_GPA + 1u, "#BP delivered as a trap after int3");
}

Test(pvm, int_n_is_assisted_as_soft_interrupt)
{
	static const uint8_t code[] = { 0xcd, 0x21, 0xf4 };
	struct kvmw_emul_failure f;

	cr_assert_eq(tg_long_mode(&g, code, sizeof(code)), 0);
	install_handler(0x21);
	run_to_failure(&f);
	cr_assert_eq(f.limit, KVMW_LIMIT_INT_N);
	cr_assert_eq(f.int_vector, 0x21);
	cr_assert_eq(kvmw_vcpu_pvm_assist(g.vcpu, &f), 0);
	cr_assert_eq(reported_ip(), TG_CODE_GPA + 2u);
}

Test(pvm, fwait_is_skipped)
{
	static const uint8_t code[] = {
		0x9b,				/* fwait */
		0xb8, 0x34, 0x12, 0x00, 0x00,	/* mov eax, 0x1234 */
		0xe7, 0x12,			/* out 0x12, eax */
		0xf4,
	};
	struct kvmw_emul_failure f;

	cr_assert_eq(tg_long_mode(&g, code, sizeof(code)), 0);
	run_to_failure(&f);
	cr_assert_eq(f.limit, KVMW_LIMIT_FWAIT);
	cr_assert_eq(kvmw_vcpu_pvm_assist(g.vcpu, &f), 0);
	cr_assert_eq(reported_ip(), 0x1234);
}

Test(pvm, assist_refuses_a_stale_rip)
{
	static const uint8_t code[] = { 0xcc, 0xf4 };
	struct kvmw_emul_failure f;

	cr_assert_eq(tg_long_mode(&g, code, sizeof(code)), 0);
	install_handler(3);
	run_to_failure(&f);
	f.rip += 1;
	cr_assert_eq(kvmw_vcpu_pvm_assist(g.vcpu, &f), -EINVAL);
	f.rip -= 1;
	f.limit = KVMW_LIMIT_POPCNT;
	cr_assert_eq(kvmw_vcpu_pvm_assist(g.vcpu, &f), -ENOTSUP);
}

Test(pvm, host_facts_say_pvm)
{
	struct kvmw_host_facts f;

	cr_assert_eq(kvmw_host_probe(&f), 0);
	cr_assert(f.mod_kvm_pvm);
	cr_assert(!f.cpu.vmx && !f.cpu.svm, "kvm-pvm hosts expose no vmx/svm");
	cr_assert(f.dev_kvm);
}
