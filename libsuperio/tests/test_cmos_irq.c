// SPDX-License-Identifier: MIT
// MC146818A interrupts: periodic rates, update-ended, alarm with don't-care
// fields, IRQF and read-to-clear register C, the exposed next deadline a
// VMM arms its timer with, and save/restore with pending flags.
#include "harness.h"

#define S 1000000000ull
#define T0 (1709214330ull * S) /* 2024-02-29 13:45:30 UTC, on a second boundary */

static struct superio_cmos rtc;
static struct line irq;
static struct fake_clock clk;

static void setup(void)
{
	struct superio_cmos_config cfg = { .irq = { line_fn, &irq }, .clock = { clock_fn, &clk } };

	memset(&irq, 0, sizeof(irq));
	clk.ns = T0;
	cr_assert_eq(superio_cmos_init(&rtc, &cfg), 0);
}

TestSuite(cmos_irq, .init = setup);

static uint8_t rd(uint8_t idx)
{
	uint32_t v = 0;

	cr_assert_eq(superio_cmos_write(&rtc, 0, 1, idx), 0);
	cr_assert_eq(superio_cmos_read(&rtc, 1, 1, &v), 0);
	return (uint8_t)v;
}

static void wr(uint8_t idx, uint8_t v)
{
	cr_assert_eq(superio_cmos_write(&rtc, 0, 1, idx), 0);
	cr_assert_eq(superio_cmos_write(&rtc, 1, 1, v), 0);
}

static uint64_t period_ns(unsigned int rate)
{
	unsigned int shift = rate == 1 ? 7 : rate == 2 ? 8 : rate - 1;

	return ((S << shift) + 32767) / 32768; /* first whole ns at or after the tick */
}

Test(cmos_irq, periodic_rates_and_deadlines)
{
	for (unsigned int rate = 1; rate < 16; rate++) {
		uint64_t p = period_ns(rate);

		setup();
		wr(0x0a, (uint8_t)(0x20 | rate));
		wr(0x0b, 0x02 | SUPERIO_CMOS_B_PIE);
		cr_assert_eq(superio_cmos_next_deadline(&rtc), T0 + p, "rate %u", rate);
		clk.ns = T0 + p - 1;
		superio_cmos_update(&rtc);
		cr_assert_not(irq.level, "rate %u early", rate);
		clk.ns = T0 + p;
		superio_cmos_update(&rtc);
		cr_assert(irq.level, "rate %u due", rate);
		cr_assert_eq(rd(0x0c), 0x80 | 0x40);
		cr_assert_not(irq.level);
	}
}

Test(cmos_irq, rate_zero_has_no_periodic)
{
	wr(0x0a, 0x20);
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_PIE);
	cr_assert_eq(superio_cmos_next_deadline(&rtc), SUPERIO_NO_DEADLINE);
	clk.ns += S;
	cr_assert_eq(rd(0x0c) & 0x40, 0);
}

Test(cmos_irq, flags_latch_without_enable_but_no_irqf)
{
	clk.ns += S;
	cr_assert_eq(rd(0x0c), 0x40 | 0x10, "PF and UF, no IRQF");
	cr_assert_not(irq.level);
	cr_assert_eq(superio_cmos_next_deadline(&rtc), SUPERIO_NO_DEADLINE);
}

Test(cmos_irq, register_c_read_clears_flags_and_line)
{
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_UIE);
	clk.ns += S;
	superio_cmos_update(&rtc);
	cr_assert(irq.level);
	cr_assert_eq(rd(0x0c), 0x80 | 0x40 | 0x10);
	cr_assert_not(irq.level);
	cr_assert_eq(rd(0x0c), 0x00);
}

Test(cmos_irq, enabling_with_flag_set_raises_line)
{
	clk.ns += S;
	superio_cmos_update(&rtc);
	cr_assert_not(irq.level);
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_UIE);
	cr_assert(irq.level);
}

Test(cmos_irq, update_ended_every_second)
{
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_UIE);
	for (int i = 1; i <= 3; i++) {
		cr_assert_eq(superio_cmos_next_deadline(&rtc), T0 + (uint64_t)i * S);
		clk.ns = superio_cmos_next_deadline(&rtc);
		superio_cmos_update(&rtc);
		cr_assert(irq.level);
		cr_assert_eq(rd(0x0c) & 0x90, 0x90);
	}
}

Test(cmos_irq, no_update_interrupt_while_set)
{
	wr(0x0b, 0x82);
	wr(0x0b, 0x82 | SUPERIO_CMOS_B_UIE);
	clk.ns += 2 * S;
	cr_assert_eq(rd(0x0c) & 0x10, 0);
}

Test(cmos_irq, alarm_exact_match)
{
	wr(0x01, 0x00);
	wr(0x03, 0x46);
	wr(0x05, 0x13);
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_AIE);
	cr_assert_eq(superio_cmos_next_deadline(&rtc), T0 + 30 * S);
	clk.ns = T0 + 29 * S;
	superio_cmos_update(&rtc);
	cr_assert_not(irq.level);
	clk.ns = T0 + 30 * S;
	superio_cmos_update(&rtc);
	cr_assert(irq.level);
	cr_assert_eq(rd(0x0c) & 0xa0, 0xa0);
}

Test(cmos_irq, alarm_dont_care_hour_and_minute)
{
	wr(0x01, 0x15);
	wr(0x03, 0xc0);
	wr(0x05, 0xff);
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_AIE);
	cr_assert_eq(superio_cmos_next_deadline(&rtc), T0 + 45 * S, "next :15 is 13:46:15");
}

Test(cmos_irq, alarm_all_dont_care_fires_every_second)
{
	wr(0x01, 0xc0);
	wr(0x03, 0xc0);
	wr(0x05, 0xc0);
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_AIE);
	cr_assert_eq(superio_cmos_next_deadline(&rtc), T0 + S);
}

Test(cmos_irq, alarm_tomorrow)
{
	wr(0x01, 0x00);
	wr(0x03, 0x00);
	wr(0x05, 0x01);
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_AIE);
	cr_assert_eq(superio_cmos_next_deadline(&rtc), T0 + (11 * 3600 + 14 * 60 + 30) * S);
}

Test(cmos_irq, alarm_in_12_hour_binary_format)
{
	wr(0x0b, SUPERIO_CMOS_B_DM);
	wr(0x01, 0);
	wr(0x03, 46);
	wr(0x05, 0x80 | 1); /* 1 PM */
	wr(0x0b, SUPERIO_CMOS_B_DM | SUPERIO_CMOS_B_AIE);
	cr_assert_eq(superio_cmos_next_deadline(&rtc), T0 + 30 * S);
}

Test(cmos_irq, malformed_alarm_never_matches)
{
	wr(0x01, 0x75);
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_AIE);
	cr_assert_eq(superio_cmos_next_deadline(&rtc), SUPERIO_NO_DEADLINE);
	clk.ns += 2 * 86400 * S;
	cr_assert_eq(rd(0x0c) & 0x20, 0);
}

Test(cmos_irq, long_clock_jump_latches_each_flag_once)
{
	struct superio_cmos_metrics m;

	wr(0x01, 0x00);
	wr(0x03, 0x00);
	wr(0x05, 0x00);
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_AIE);
	clk.ns += 3 * 86400 * S;
	superio_cmos_update(&rtc);
	superio_cmos_get_metrics(&rtc, &m);
	cr_assert_eq(m.alarm, 1);
	cr_assert_eq(m.update, 1);
	cr_assert(irq.level);
}

Test(cmos_irq, clock_step_back_latches_nothing)
{
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_UIE);
	clk.ns -= 10 * S;
	superio_cmos_update(&rtc);
	cr_assert_not(irq.level);
	cr_assert_eq(rd(0x00), 0x20);
}

Test(cmos_irq, earliest_source_wins)
{
	wr(0x0a, 0x2f); /* 2 Hz */
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_PIE | SUPERIO_CMOS_B_UIE);
	cr_assert_eq(superio_cmos_next_deadline(&rtc), T0 + S / 2);
}

Test(cmos_irq, stopped_divider_has_no_deadline)
{
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_UIE);
	wr(0x0a, 0x66);
	cr_assert_eq(superio_cmos_next_deadline(&rtc), SUPERIO_NO_DEADLINE);
	clk.ns += 5 * S;
	cr_assert_eq(rd(0x0c), 0x00);
}

Test(cmos_irq, save_restore_round_trip_with_pending_irq)
{
	struct superio_cmos other;
	struct fake_clock clk2 = { .ns = 42 * S + 250000000ull };
	struct line irq2 = { 0 };
	struct superio_cmos_config cfg = { .irq = { line_fn, &irq2 }, .clock = { clock_fn, &clk2 } };
	struct superio_cmos_state st;
	uint32_t v = 0;

	wr(0x0b, 0x02 | SUPERIO_CMOS_B_UIE);
	wr(0x50, 0x42);
	clk.ns = T0 + S + 300000000ull;
	superio_cmos_update(&rtc);
	cr_assert(irq.level);
	superio_cmos_save(&rtc, &st);
	cr_assert_eq(st.subsecond_ns, 300000000u);
	cr_assert_eq(superio_cmos_init(&other, &cfg), 0);
	cr_assert_eq(superio_cmos_restore(&other, &st), 0);
	cr_assert(irq2.level, "the pending update interrupt is re-raised");
	cr_assert_eq(superio_cmos_time(&other), 1709214331);
	clk2.ns += 700000000ull;
	cr_assert_eq(superio_cmos_time(&other), 1709214332, "update phase preserved");
	cr_assert_eq(superio_cmos_write(&other, 0, 1, 0x50), 0);
	cr_assert_eq(superio_cmos_read(&other, 1, 1, &v), 0);
	cr_assert_eq(v, 0x42);
}

/* The interrupt controller must see IRQ 8 fall, or it keeps a stale interrupt asserted. */
Test(cmos_irq, restore_of_quiet_state_lowers_a_raised_line)
{
	struct superio_cmos_state quiet;

	superio_cmos_save(&rtc, &quiet);
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_UIE);
	clk.ns += S;
	superio_cmos_update(&rtc);
	cr_assert(irq.level);
	cr_assert_eq(superio_cmos_restore(&rtc, &quiet), 0);
	cr_assert_eq(irq.falls, 1, "the callback saw the line fall");
	cr_assert_not(irq.level);
	cr_assert_not(superio_cmos_irq_level(&rtc));
}

/* Sets the clock through the registers as a guest does: SET, the fields (BCD), SET off. */
static void set_bcd_time(uint8_t cent, uint8_t year, uint8_t mon, uint8_t mday, uint8_t hour,
			 uint8_t min, uint8_t sec)
{
	wr(0x0b, 0x02 | 0x80);
	wr(0x32, cent);
	wr(0x09, year);
	wr(0x08, mon);
	wr(0x07, mday);
	wr(0x04, hour);
	wr(0x02, min);
	wr(0x00, sec);
	wr(0x0b, 0x02);
}

/* Saves, restores into a fresh device on the same clock, and checks the time registers. */
static void assert_restores_showing(const uint8_t want[8])
{
	static const uint8_t regs[8] = { 0x32, 0x09, 0x08, 0x07, 0x06, 0x04, 0x02, 0x00 };
	struct superio_cmos_config cfg = { .clock = { clock_fn, &clk } };
	struct superio_cmos_state st;

	for (unsigned int i = 0; i < 8; i++)
		cr_assert_eq(rd(regs[i]), want[i], "before save, register 0x%02x", regs[i]);
	superio_cmos_save(&rtc, &st);
	cr_assert_eq(superio_cmos_init(&rtc, &cfg), 0);
	cr_assert_eq(superio_cmos_restore(&rtc, &st), 0, "what save() produces, restore() takes");
	for (unsigned int i = 0; i < 8; i++)
		cr_assert_eq(rd(regs[i]), want[i], "after restore, register 0x%02x", regs[i]);
}

Test(cmos_irq, restore_accepts_a_time_the_guest_set_before_1970)
{
	static const uint8_t want[8] = { 0x19, 0x69, 0x12, 0x31, 0x04, 0x23, 0x59, 0x59 };

	set_bcd_time(0x19, 0x69, 0x12, 0x31, 0x23, 0x59, 0x59);
	cr_assert_eq(superio_cmos_time(&rtc), -1);
	assert_restores_showing(want); /* Wednesday 1969-12-31 23:59:59 */
}

Test(cmos_irq, restore_accepts_a_time_ticked_past_year_9999)
{
	static const uint8_t want[8] = { 0x00, 0x00, 0x01, 0x01, 0x07, 0x00, 0x00, 0x01 };

	set_bcd_time(0x99, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59);
	clk.ns += 2 * S;
	cr_assert_eq(superio_cmos_time(&rtc), 253402300801ll);
	/* The four year digits wrap: Saturday 0000-01-01 00:00:01 (proleptic). */
	assert_restores_showing(want);
	clk.ns += S;
	cr_assert_eq(rd(0x00), 0x02, "and it keeps counting");
}

#define REFUSE(name, corrupt)                                           \
	Test(cmos_irq, restore_refuses_##name)                          \
	{                                                               \
		struct superio_cmos_state st;                           \
		superio_cmos_save(&rtc, &st);                           \
		corrupt;                                                \
		cr_assert_eq(superio_cmos_restore(&rtc, &st), -EINVAL); \
		cr_assert_eq(rd(0x00), 0x30, "time untouched");         \
	}

REFUSE(unknown_version, st.version = 9)
REFUSE(index_beyond_ram, st.index = 0x80)
REFUSE(nmi_not_a_bit, st.nmi_disabled = 2)
REFUSE(subsecond_of_a_full_second, st.subsecond_ns = 1000000000u)
REFUSE(time_before_year_0, st.guest_seconds = -62167219201ll)
REFUSE(time_after_year_9999, st.guest_seconds = 253402300800ll)
REFUSE(uip_stored, st.ram[0x0a] |= 0x80)
REFUSE(irqf_stored, st.ram[0x0c] = 0x80)
REFUSE(register_d_stored, st.ram[0x0d] = 0x80)

Test(cmos_irq, restore_refuses_null)
{
	cr_assert_eq(superio_cmos_restore(&rtc, NULL), -EINVAL);
}
