// SPDX-License-Identifier: MIT
// Whole guests on the real /dev/kvm: a real-mode guest that writes a port
// and halts, and a 64-bit guest whose long mode is set up only through the
// wrappers (sregs, regs, CPUID, memory slot).
#include <criterion/criterion.h>

#include "guest.h"

static struct tg g;

static void setup(void)
{
	if (!tg_have_kvm())
		cr_skip_test("no /dev/kvm");
	cr_assert_eq(tg_open(&g, 2u << 20, false), 0);
}

static void teardown(void)
{
	tg_close(&g);
}

TestSuite(guest_modes, .init = setup, .fini = teardown);

Test(guest_modes, real_mode_port_write_then_hlt)
{
	/* mov al, 0x5a; out 0x10, al; hlt */
	static const uint8_t code[] = { 0xb0, 0x5a, 0xe6, 0x10, 0xf4 };
	struct kvmw_exit e;

	cr_assert_eq(tg_real_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO, "exit %s", kvmw_exit_reason_name(e.reason));
	cr_assert(!e.u.io.in);
	cr_assert_eq(e.u.io.port, 0x10);
	cr_assert_eq(e.u.io.size, 1);
	cr_assert_eq(e.u.io.count, 1);
	cr_assert_eq(e.u.io.len, 1);
	cr_assert_eq(e.u.io.data[0], 0x5a);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_HLT, "exit %s", kvmw_exit_reason_name(e.reason));
}

Test(guest_modes, long_mode_guest_computes_and_reports)
{
	/*
	 * mov rax, 0x1122334455667788; mov rbx, rax; shr rbx, 32;
	 * mov edx, 0x20; out dx, eax; mov eax, ebx; out dx, eax; hlt
	 * The 64-bit immediate and the 32-bit shift only work in long mode.
	 */
	static const uint8_t code[] = {
		0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		0x48, 0x89, 0xc3, 0x48, 0xc1, 0xeb, 0x20,
		0xba, 0x20, 0x00, 0x00, 0x00, 0xef, 0x89, 0xd8, 0xef, 0xf4,
	};
	struct kvmw_exit e;
	struct kvm_sregs s;
	uint32_t v;

	cr_assert_eq(tg_long_mode(&g, code, sizeof(code)), 0);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_IO, "exit %s", kvmw_exit_reason_name(e.reason));
	cr_assert_eq(e.u.io.port, 0x20);
	cr_assert_eq(e.u.io.size, 4);
	memcpy(&v, e.u.io.data, 4);
	cr_assert_eq(v, 0x55667788u);
	cr_assert_eq(tg_run(&g, &e), 0);
	memcpy(&v, e.u.io.data, 4);
	cr_assert_eq(v, 0x11223344u);
	cr_assert_eq(kvmw_vcpu_get_sregs(g.vcpu, &s), 0);
	cr_assert(s.efer & (1u << 10), "EFER.LMA must be set");
	cr_assert(s.cs.l);
	cr_assert_eq(tg_run(&g, &e), 0);
	cr_assert_eq(e.reason, KVMW_EXIT_HLT);
}
