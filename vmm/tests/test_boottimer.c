// SPDX-License-Identifier: MIT
// Port 0x80 boot timer marks and their log lines.
#include <criterion/criterion.h>

#include <vmm/boottimer.h>

Test(boottimer, marks_are_relative_to_start_and_logged)
{
	struct vmm_boot_timer t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vmm_boot_timer_init(&t, 1000000000ull, f);
	vmm_boot_timer_mark(&t, 0x01, 1012345678ull);
	vmm_boot_timer_mark(&t, 0xfe, 3000000000ull);
	fclose(f);
	cr_assert_eq(t.count, 2);
	cr_assert_eq(t.marks[0].value, 0x01);
	cr_assert_eq(t.marks[0].ns_since_start, 12345678ull);
	cr_assert_str_eq(buf, "cvmm: boot-timer: 0x01 at 0.012345 s\n"
			      "cvmm: boot-timer: 0xfe at 2.000000 s\n");
	free(buf);
}

Test(boottimer, clock_before_start_reads_zero)
{
	struct vmm_boot_timer t;

	vmm_boot_timer_init(&t, 5000, NULL);
	vmm_boot_timer_mark(&t, 7, 10);
	cr_assert_eq(t.marks[0].ns_since_start, 0);
}

Test(boottimer, overflowing_marks_are_counted_not_stored)
{
	struct vmm_boot_timer t;

	vmm_boot_timer_init(&t, 0, NULL);
	for (unsigned i = 0; i < VMM_BOOT_TIMER_MAX_MARKS + 5; i++)
		vmm_boot_timer_mark(&t, (uint8_t)i, i);
	cr_assert_eq(t.count, VMM_BOOT_TIMER_MAX_MARKS + 5);
	cr_assert_eq(t.marks[VMM_BOOT_TIMER_MAX_MARKS - 1].value, VMM_BOOT_TIMER_MAX_MARKS - 1);
}

Test(boottimer, monotonic_clock_advances)
{
	uint64_t a = vmm_monotonic_ns(), b = vmm_monotonic_ns();

	cr_assert_geq(b, a);
}

Test(boottimer, phase_lines_use_the_same_clock)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vmm_boot_timer_phase(f, 1000000000ull, "kvm-setup", 1030500000ull);
	vmm_boot_timer_phase(f, 1000000000ull, "early", 999ull);
	fclose(f);
	cr_assert_str_eq(buf, "cvmm: boot-timer: phase kvm-setup done at 0.030500 s\n"
			      "cvmm: boot-timer: phase early done at 0.000000 s\n");
	free(buf);
}
