// SPDX-License-Identifier: MIT
// Panic marker scanning and stuck-vCPU windows.
#include <criterion/criterion.h>

#include <vmm/watchdog.h>

static bool feed(struct vmm_panic_scanner *s, const char *str)
{
	return vmm_panic_scanner_feed(s, (const uint8_t *)str, strlen(str));
}

Test(panic, found_in_one_write_with_reason)
{
	struct vmm_panic_scanner s;

	vmm_panic_scanner_init(&s);
	cr_assert(!feed(&s, "[    1.0] Run /init as init process\r\n"));
	cr_assert(feed(&s, "[    2.0] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b\r\n"));
	cr_assert_str_eq(s.line, "Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b");
	cr_assert(s.line_done);
}

Test(panic, marker_split_across_writes)
{
	struct vmm_panic_scanner s;
	const char *text = "xxKernel panic - not syncing: VFS\n";

	vmm_panic_scanner_init(&s);
	for (size_t i = 0; text[i]; i++) {
		bool found = vmm_panic_scanner_feed(&s, (const uint8_t *)&text[i], 1);

		cr_assert_eq(found, i >= 2 + 26 - 1, "byte %zu", i);
	}
	cr_assert_str_eq(s.line, "Kernel panic - not syncing: VFS");
}

Test(panic, near_misses_do_not_match)
{
	struct vmm_panic_scanner s;

	vmm_panic_scanner_init(&s);
	cr_assert(!feed(&s, "Kernel panic - not syncin\n"));
	cr_assert(!feed(&s, "kernel panic - not syncing\n"));
	cr_assert(!feed(&s, "KKernel panic -  not syncing\n"));
}

Test(panic, restart_after_partial_match)
{
	struct vmm_panic_scanner s;

	vmm_panic_scanner_init(&s);
	cr_assert(feed(&s, "Kernel pKernel panic - not syncing"));
}

Test(panic, long_reason_is_truncated_safely)
{
	struct vmm_panic_scanner s;
	char buf[600];

	vmm_panic_scanner_init(&s);
	memset(buf, 'z', sizeof(buf));
	cr_assert(feed(&s, "Kernel panic - not syncing: "));
	cr_assert(vmm_panic_scanner_feed(&s, (uint8_t *)buf, sizeof(buf)));
	cr_assert_eq(strlen(s.line), VMM_PANIC_LINE_MAX - 1);
}

static bool sample(struct vmm_stuck_detector *d, uint64_t t, uint64_t exits, bool irq,
		   bool halted, uint64_t rip)
{
	struct vmm_stuck_sample smp = { t, exits, irq, halted, rip };

	return vmm_stuck_feed(d, &smp);
}

Test(stuck, halted_with_irq_off_and_no_exits_for_the_window)
{
	struct vmm_stuck_detector d;

	vmm_stuck_init(&d, 1000);
	cr_assert(!sample(&d, 0, 5, false, true, 0x100));
	cr_assert(!sample(&d, 500, 5, false, true, 0x100));
	cr_assert(!sample(&d, 999, 5, false, true, 0x100));
	cr_assert(sample(&d, 1000, 5, false, true, 0x100));
}

Test(stuck, spinning_on_one_rip_is_stuck)
{
	struct vmm_stuck_detector d;

	vmm_stuck_init(&d, 1000);
	cr_assert(!sample(&d, 0, 5, false, false, 0x200));
	cr_assert(sample(&d, 1500, 5, false, false, 0x200));
}

Test(stuck, running_code_with_irq_off_is_not_stuck)
{
	struct vmm_stuck_detector d;

	vmm_stuck_init(&d, 1000);
	cr_assert(!sample(&d, 0, 5, false, false, 0x200));
	cr_assert(!sample(&d, 1500, 5, false, false, 0x234));
	cr_assert(!sample(&d, 3000, 5, false, false, 0x2a0));
	cr_assert(!sample(&d, 3500, 5, false, false, 0x2a0));
	cr_assert(sample(&d, 4000, 5, false, false, 0x2a0));
}

Test(stuck, interrupts_enabled_resets_window)
{
	struct vmm_stuck_detector d;

	vmm_stuck_init(&d, 1000);
	cr_assert(!sample(&d, 0, 5, false, true, 1));
	cr_assert(!sample(&d, 800, 5, true, true, 1));
	cr_assert(!sample(&d, 900, 5, false, true, 1));
	cr_assert(!sample(&d, 1800, 5, false, true, 1));
	cr_assert(sample(&d, 1900, 5, false, true, 1));
}

Test(stuck, exits_mean_progress)
{
	struct vmm_stuck_detector d;

	vmm_stuck_init(&d, 1000);
	cr_assert(!sample(&d, 0, 5, false, true, 1));
	cr_assert(!sample(&d, 900, 6, false, true, 1));
	cr_assert(!sample(&d, 1500, 6, false, true, 1));
	cr_assert(sample(&d, 1900, 6, false, true, 1));
}

Test(stuck, disabled_with_zero_window)
{
	struct vmm_stuck_detector d;

	vmm_stuck_init(&d, 0);
	cr_assert(!sample(&d, 0, 0, false, true, 1));
	cr_assert(!sample(&d, 1000000, 0, false, true, 1));
}
