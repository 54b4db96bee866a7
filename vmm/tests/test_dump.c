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

/* A KVM_GET_LAPIC page with one 32-bit register set. */
static void apic_set(struct kvm_lapic_state *apic, unsigned reg, uint32_t v)
{
	memcpy(apic->regs + reg, &v, sizeof(v));
}

/* Sets vector vec in the 256-bit register at reg (IRR 0x200, ISR 0x100). */
static void apic_set_vector(struct kvm_lapic_state *apic, unsigned reg, unsigned vec)
{
	uint32_t w;

	memcpy(&w, apic->regs + reg + 16 * (vec / 32), sizeof(w));
	w |= 1u << (vec % 32);
	memcpy(apic->regs + reg + 16 * (vec / 32), &w, sizeof(w));
}

static struct vmm_vcpu_dump halted_with_apic(const struct kvm_lapic_state *apic)
{
	struct vmm_vcpu_dump d = sample();

	d.mp_state = KVM_MP_STATE_HALTED;
	vmm__dump_read_apic(&d, apic);
	return d;
}

Test(dump_apic, halted_vcpu_shows_its_one_shot_timer_and_no_pending_vector)
{
	struct kvm_lapic_state apic = { 0 };
	struct vmm_vcpu_dump d;

	apic_set(&apic, 0x320, 0xec);		/* one-shot, vector 0xec */
	apic_set(&apic, 0x380, 62500);
	d = halted_with_apic(&apic);
	cr_assert_str_eq(line(&d), "cvmm: dump: vcpu 1 halted rip=0xffffffff81000000 if=1 "
			 "exits=1233 io=1200 mmio=30 intr=3 apic_timer=one-shot vector=0xec "
			 "count=0/62500 irr=none isr=none");
}

Test(dump_apic, timer_modes_and_mask_are_named)
{
	static const struct { uint32_t lvt; const char *text; } cases[] = {
		{ 0x200ec, "apic_timer=periodic vector=0xec" },
		{ 0x400ec, "apic_timer=tsc-deadline vector=0xec" },
		{ 0x600ec, "apic_timer=reserved vector=0xec" },
		{ 0x100ec, "apic_timer=one-shot,masked vector=0xec" },
		{ 0x30030, "apic_timer=periodic,masked vector=0x30" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kvm_lapic_state apic = { 0 };
		struct vmm_vcpu_dump d;

		apic_set(&apic, 0x320, cases[i].lvt);
		d = halted_with_apic(&apic);
		assert_has(d, cases[i].text);
	}
}

Test(dump_apic, current_count_is_read_from_tmcct)
{
	struct kvm_lapic_state apic = { 0 };
	struct vmm_vcpu_dump d;

	apic_set(&apic, 0x380, 0xffffffffu);
	apic_set(&apic, 0x390, 12345);
	d = halted_with_apic(&apic);
	assert_has(d, " count=12345/4294967295 ");
}

/* Up to three vectors set in IRR and in ISR (-1 ends a list): the
 * highest of each is shown, at both ends of the 256-bit registers too. */
Test(dump_apic, highest_requested_and_in_service_vectors_are_shown)
{
	static const struct { int irr[3], isr[3], irr_top, isr_top; const char *text; } cases[] = {
		{ { 0x31, 0xec, -1 }, { 0x20, -1 }, 0xec, 0x20, " irr=0xec isr=0x20" },
		{ { 255, -1 }, { 0, -1 }, 255, 0, " irr=0xff isr=0x0" },
		{ { 0x40, 0x3f, 0x41 }, { -1 }, 0x41, -1, " irr=0x41 isr=none" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kvm_lapic_state apic = { 0 };
		struct vmm_vcpu_dump d;

		for (int k = 0; k < 3 && cases[i].irr[k] >= 0; k++)
			apic_set_vector(&apic, 0x200, (unsigned)cases[i].irr[k]);
		for (int k = 0; k < 3 && cases[i].isr[k] >= 0; k++)
			apic_set_vector(&apic, 0x100, (unsigned)cases[i].isr[k]);
		d = halted_with_apic(&apic);
		cr_assert_eq(d.apic_irr_top, cases[i].irr_top, "case %zu", i);
		cr_assert_eq(d.apic_isr_top, cases[i].isr_top, "case %zu", i);
		assert_has(d, cases[i].text);
	}
}

Test(dump_apic, other_registers_do_not_leak_into_irr_or_isr)
{
	struct kvm_lapic_state apic;
	struct vmm_vcpu_dump d;

	/* Every byte set, then the two registers' words cleared: the 12
	 * bytes between their words must not count. */
	memset(&apic, 0xff, sizeof(apic));
	for (unsigned w = 0; w < 8; w++) {
		apic_set(&apic, 0x100 + 16 * w, 0);
		apic_set(&apic, 0x200 + 16 * w, 0);
	}
	d = halted_with_apic(&apic);
	cr_assert_eq(d.apic_irr_top, -1);
	cr_assert_eq(d.apic_isr_top, -1);
}

Test(dump_apic, left_out_when_not_read_or_the_vcpu_did_not_answer)
{
	struct kvm_lapic_state apic = { 0 };
	struct vmm_vcpu_dump d = sample();

	cr_assert_null(strstr(line(&d), "apic_timer="));
	d = halted_with_apic(&apic);
	d.answered = false;
	cr_assert_null(strstr(line(&d), "apic_timer="));
}
