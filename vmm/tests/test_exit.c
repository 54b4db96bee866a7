// SPDX-License-Identifier: MIT
// Every stop reason has its own documented exit code.
#include <criterion/criterion.h>
#include <signal.h>

#include <vmm/exit.h>

Test(exit, codes_match_documentation)
{
	cr_assert_eq(vmm_exit_code(VMM_STOP_RESET, 0), 0);
	cr_assert_eq(vmm_exit_code(VMM_STOP_POWEROFF, 0), 3);
	cr_assert_eq(vmm_exit_code(VMM_STOP_TRIPLE_FAULT, 0), 4);
	cr_assert_eq(vmm_exit_code(VMM_STOP_GUEST_PANIC, 0), 5);
	cr_assert_eq(vmm_exit_code(VMM_STOP_STUCK, 0), 6);
	cr_assert_eq(vmm_exit_code(VMM_STOP_INTERNAL, 0), 7);
	cr_assert_eq(vmm_exit_code(VMM_STOP_SIGNAL, SIGINT), 130);
	cr_assert_eq(vmm_exit_code(VMM_STOP_SIGNAL, SIGTERM), 143);
}

Test(exit, every_reason_distinct_from_setup_and_usage)
{
	int seen[256] = { 0 };

	seen[VMM_EXIT_SETUP] = 1;
	seen[VMM_EXIT_USAGE] = 1;
	for (int r = VMM_STOP_RESET; r <= VMM_STOP_INTERNAL; r++) {
		int c = vmm_exit_code((enum vmm_stop_reason)r, SIGTERM);

		cr_assert(c >= 0 && c < 256);
		cr_assert_eq(seen[c], 0, "code %d used twice", c);
		seen[c] = 1;
		cr_assert_neq(vmm_stop_reason_name((enum vmm_stop_reason)r)[0], '?');
	}
}

Test(exit, bogus_signal_number_is_internal)
{
	cr_assert_eq(vmm_exit_code(VMM_STOP_SIGNAL, 0), VMM_EXIT_INTERNAL);
	cr_assert_eq(vmm_exit_code(VMM_STOP_SIGNAL, 200), VMM_EXIT_INTERNAL);
}
