// SPDX-License-Identifier: MIT
// The state dump's per-vCPU line (dump.h): what a runner's log shows of a
// VM it had to kill, so every field must be there and nothing may overflow.
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <linux/kvm.h>

#include "dump.h"

static struct vmm_vcpu_dump sample(void)
{
	struct vmm_vcpu_dump d;

	memset(&d, 0, sizeof(d));
	d.index = 1;
	d.answered = true;
	d.rip = 0xffffffff81000000ull;
	d.irq_enabled = true;
	d.exits[KVMW_EXIT_IO] = 1200;
	d.exits[KVMW_EXIT_MMIO] = 30;
	d.exits[KVMW_EXIT_INTR] = 3;
	return d;
}

/* The line for d, in a buffer that outlives the call. */
static const char *line(const struct vmm_vcpu_dump *d)
{
	static char buf[1024];

	vmm__dump_format_vcpu(buf, sizeof(buf), d, 500);
	return buf;
}

#define assert_has(d, text) \
	cr_assert(strstr(line(&(d)), (text)) != NULL, "%s lacks %s", line(&(d)), (text))

Test(dump_format, running_vcpu_names_index_rip_if_and_counts)
{
	struct vmm_vcpu_dump d = sample();

	cr_assert_str_eq(line(&d), "cvmm: dump: vcpu 1 running rip=0xffffffff81000000 if=1 "
			 "exits=1233 io=1200 mmio=30 intr=3");
}

Test(dump_format, halted_vcpu_with_interrupts_off)
{
	struct vmm_vcpu_dump d = sample();

	d.mp_state = KVM_MP_STATE_HALTED;
	d.irq_enabled = false;
	assert_has(d, "vcpu 1 halted rip=0xffffffff81000000 if=0 ");
}

Test(dump_format, ap_never_started_waits_for_sipi)
{
	struct vmm_vcpu_dump d = sample();

	d.mp_state = KVM_MP_STATE_UNINITIALIZED;
	assert_has(d, "vcpu 1 wait-for-sipi rip=");
	d.mp_state = KVM_MP_STATE_INIT_RECEIVED;
	assert_has(d, "vcpu 1 init-received rip=");
}

Test(dump_format, unknown_mp_state_is_shown_by_number)
{
	struct vmm_vcpu_dump d = sample();

	d.mp_state = 77;
	assert_has(d, "vcpu 1 mp_state=77 rip=");
}

Test(dump_format, zero_counters_are_left_out)
{
	struct vmm_vcpu_dump d = sample();

	cr_assert_null(strstr(line(&d), "hlt="));
	cr_assert_null(strstr(line(&d), "shutdown="));
	cr_assert_null(strstr(line(&d), "other="));
}

Test(dump_format, every_exit_reason_has_a_name)
{
	struct vmm_vcpu_dump d = sample();
	static const char *const names[] = {
		" io=1", " mmio=1", " hlt=1", " shutdown=1", " fail_entry=1", " internal=1",
		" system_event=1", " debug=1", " irq_window=1", " intr=1", " other=1",
	};

	cr_assert_eq(sizeof(names) / sizeof(names[0]), VMM_EXIT_KINDS);
	for (unsigned i = 0; i < VMM_EXIT_KINDS; i++)
		d.exits[i] = 1;
	for (unsigned i = 0; i < VMM_EXIT_KINDS; i++)
		assert_has(d, names[i]);
	assert_has(d, "exits=11 ");
}

Test(dump_format, unresponsive_vcpu_says_so_without_a_stale_rip)
{
	struct vmm_vcpu_dump d = sample();

	d.answered = false;
	assert_has(d, "vcpu 1 unresponsive (no answer to its kick in 500 ms");
	cr_assert_null(strstr(line(&d), "rip="));
	assert_has(d, "exits=1233 io=1200 mmio=30 intr=3");
}

Test(dump_format, exited_thread_is_not_called_unresponsive)
{
	struct vmm_vcpu_dump d = sample();

	d.exited = true;
	d.answered = false;
	cr_assert_str_eq(line(&d), "cvmm: dump: vcpu 1 exited exits=1233 io=1200 mmio=30 intr=3");
}

Test(dump_format, truncates_safely_and_reports_full_length)
{
	struct vmm_vcpu_dump d = sample();
	char full[256], small[24];
	int n;

	memset(small, 'x', sizeof(small));
	n = vmm__dump_format_vcpu(full, sizeof(full), &d, 500);
	cr_assert_eq(vmm__dump_format_vcpu(small, sizeof(small), &d, 500), n);
	cr_assert_eq((size_t)n, strlen(full));
	cr_assert_eq(small[sizeof(small) - 1], '\0');
	cr_assert_eq(strncmp(small, full, sizeof(small) - 1), 0);
}

Test(dump_format, rejects_no_buffer)
{
	struct vmm_vcpu_dump d = sample();
	char b[1];

	cr_assert_eq(vmm__dump_format_vcpu(NULL, 10, &d, 500), -EINVAL);
	cr_assert_eq(vmm__dump_format_vcpu(b, 0, &d, 500), -EINVAL);
}
