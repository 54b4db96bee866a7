// SPDX-License-Identifier: MIT
// PL031 RTC (ARM DDI 0224): register map and IDs, the counter as an offset
// from the injected clock, the match interrupt (RIS/IMSC/MIS/ICR) with its
// exposed deadline, clock steps, and save/restore.
#include "harness.h"

#define S 1000000000ull
#define T0 (1700000000ull * S + 250000000ull) /* a quarter second into a second */

static struct superio_pl031 rtc;
static struct line irq;
static struct fake_clock clk;

static void setup(void)
{
	struct superio_pl031_config cfg = { .irq = { line_fn, &irq }, .clock = { clock_fn, &clk } };

	memset(&irq, 0, sizeof(irq));
	clk.ns = T0;
	cr_assert_eq(superio_pl031_init(&rtc, &cfg), 0);
}

TestSuite(pl031, .init = setup);

static uint32_t rd(unsigned int off)
{
	uint32_t v = 0;

	cr_assert_eq(superio_pl031_read(&rtc, off, 4, &v), 0, "read %#x", off);
	return v;
}

static void wr(unsigned int off, uint32_t v)
{
	cr_assert_eq(superio_pl031_write(&rtc, off, 4, v), 0, "write %#x", off);
}

Test(pl031, primecell_identification)
{
	static const uint32_t want[8] = { 0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

	for (unsigned int i = 0; i < 8; i++)
		cr_assert_eq(rd(0xfe0 + 4 * i), want[i], "id %u", i);
}

Test(pl031, counter_starts_at_clock_unix_time)
{
	cr_assert_eq(rd(SUPERIO_PL031_DR), 1700000000u);
	cr_assert_eq(rd(SUPERIO_PL031_CR), 1);
}

Test(pl031, counter_ticks_on_clock_seconds)
{
	clk.ns = T0 + 749999999ull;
	cr_assert_eq(rd(SUPERIO_PL031_DR), 1700000000u);
	clk.ns = T0 + 750000000ull;
	cr_assert_eq(rd(SUPERIO_PL031_DR), 1700000001u);
	clk.ns += 3600 * S;
	cr_assert_eq(rd(SUPERIO_PL031_DR), 1700003601u);
}

Test(pl031, load_sets_counter)
{
	wr(SUPERIO_PL031_LR, 1000);
	cr_assert_eq(rd(SUPERIO_PL031_DR), 1000);
	cr_assert_eq(rd(SUPERIO_PL031_LR), 1000);
	clk.ns += 2 * S;
	cr_assert_eq(rd(SUPERIO_PL031_DR), 1002);
}

Test(pl031, counter_wraps_at_32_bits)
{
	wr(SUPERIO_PL031_LR, 0xffffffffu);
	clk.ns += S;
	cr_assert_eq(rd(SUPERIO_PL031_DR), 0);
}

Test(pl031, match_raises_masked_interrupt)
{
	wr(SUPERIO_PL031_LR, 100);
	wr(SUPERIO_PL031_MR, 105);
	wr(SUPERIO_PL031_IMSC, 1);
	cr_assert_eq(superio_pl031_next_deadline(&rtc), clk.ns + 5 * S);
	clk.ns += 5 * S - 1;
	superio_pl031_update(&rtc);
	cr_assert_eq(rd(SUPERIO_PL031_RIS), 0);
	cr_assert_not(irq.level);
	clk.ns += 1;
	superio_pl031_update(&rtc);
	cr_assert(irq.level);
	cr_assert_eq(rd(SUPERIO_PL031_RIS), 1);
	cr_assert_eq(rd(SUPERIO_PL031_MIS), 1);
	cr_assert_eq(superio_pl031_next_deadline(&rtc), SUPERIO_NO_DEADLINE);
}

Test(pl031, icr_clears_interrupt)
{
	wr(SUPERIO_PL031_IMSC, 1);
	wr(SUPERIO_PL031_MR, rd(SUPERIO_PL031_DR) + 1);
	clk.ns += S;
	superio_pl031_update(&rtc);
	cr_assert(irq.level);
	wr(SUPERIO_PL031_ICR, 1);
	cr_assert_not(irq.level);
	cr_assert_eq(rd(SUPERIO_PL031_RIS), 0);
}

Test(pl031, ris_latches_while_masked)
{
	wr(SUPERIO_PL031_MR, rd(SUPERIO_PL031_DR) + 2);
	cr_assert_eq(superio_pl031_next_deadline(&rtc), SUPERIO_NO_DEADLINE, "masked: no timer");
	clk.ns += 3 * S;
	cr_assert_eq(rd(SUPERIO_PL031_RIS), 1, "a register read notices the match");
	cr_assert_eq(rd(SUPERIO_PL031_MIS), 0);
	cr_assert_not(irq.level);
	wr(SUPERIO_PL031_IMSC, 1);
	cr_assert(irq.level);
}

Test(pl031, match_equal_to_counter_fires_at_once)
{
	wr(SUPERIO_PL031_IMSC, 1);
	wr(SUPERIO_PL031_MR, rd(SUPERIO_PL031_DR));
	cr_assert(irq.level);
}

Test(pl031, match_fires_once_per_wrap)
{
	wr(SUPERIO_PL031_IMSC, 1);
	wr(SUPERIO_PL031_MR, rd(SUPERIO_PL031_DR) + 1);
	clk.ns += S;
	superio_pl031_update(&rtc);
	wr(SUPERIO_PL031_ICR, 1);
	clk.ns += 10 * S;
	superio_pl031_update(&rtc);
	cr_assert_not(irq.level);
}

Test(pl031, load_reschedules_match)
{
	wr(SUPERIO_PL031_IMSC, 1);
	wr(SUPERIO_PL031_MR, 500);
	wr(SUPERIO_PL031_LR, 490);
	cr_assert_eq(superio_pl031_next_deadline(&rtc), clk.ns + 10 * S);
}

Test(pl031, start_bit_cannot_be_cleared)
{
	wr(SUPERIO_PL031_CR, 0);
	cr_assert_eq(rd(SUPERIO_PL031_CR), 1);
	clk.ns += S;
	cr_assert_eq(rd(SUPERIO_PL031_DR), 1700000001u, "still counting");
}

Test(pl031, read_only_registers_ignore_writes)
{
	wr(SUPERIO_PL031_DR, 5);
	wr(SUPERIO_PL031_RIS, 1);
	wr(SUPERIO_PL031_MIS, 1);
	wr(0xfe0, 0);
	cr_assert_eq(rd(SUPERIO_PL031_DR), 1700000000u);
	cr_assert_eq(rd(SUPERIO_PL031_RIS), 0);
	cr_assert_eq(rd(0xfe0), 0x31);
}

Test(pl031, reserved_and_write_only_read_zero)
{
	cr_assert_eq(rd(SUPERIO_PL031_ICR), 0);
	cr_assert_eq(rd(0x020), 0);
	cr_assert_eq(rd(0xfdc), 0);
}

Test(pl031, imsc_keeps_one_bit)
{
	wr(SUPERIO_PL031_IMSC, 0xffffffffu);
	cr_assert_eq(rd(SUPERIO_PL031_IMSC), 1);
}

Test(pl031, bad_accesses_are_rejected)
{
	uint32_t v = 0;

	cr_assert_eq(superio_pl031_read(&rtc, 0, 1, &v), -EINVAL);
	cr_assert_eq(v, 0xff);
	cr_assert_eq(superio_pl031_read(&rtc, 2, 4, &v), -EINVAL);
	cr_assert_eq(superio_pl031_read(&rtc, 0x1000, 4, &v), -EINVAL);
	cr_assert_eq(v, 0xffffffffu);
	cr_assert_eq(superio_pl031_write(&rtc, SUPERIO_PL031_LR, 2, 0), -EINVAL);
	cr_assert_eq(rd(SUPERIO_PL031_DR), 1700000000u);
}

Test(pl031, init_needs_a_clock)
{
	struct superio_pl031_config cfg = { 0 };

	cr_assert_eq(superio_pl031_init(&rtc, &cfg), -EINVAL);
}

Test(pl031, clock_step_back_moves_counter_and_match)
{
	wr(SUPERIO_PL031_IMSC, 1);
	wr(SUPERIO_PL031_MR, 1700000010u);
	clk.ns -= 100 * S;
	cr_assert_eq(rd(SUPERIO_PL031_DR), 1699999900u);
	cr_assert_not(irq.level);
	cr_assert_eq(superio_pl031_next_deadline(&rtc), T0 - T0 % S + 10 * S);
	clk.ns = T0 - T0 % S + 10 * S;
	superio_pl031_update(&rtc);
	cr_assert(irq.level);
}

Test(pl031, clock_jump_forward_past_match_latches_once)
{
	wr(SUPERIO_PL031_IMSC, 1);
	wr(SUPERIO_PL031_MR, 1700000003u);
	clk.ns += 86400 * S;
	superio_pl031_update(&rtc);
	cr_assert(irq.level);
	cr_assert_eq(rtc.matches, 1);
}

/* Linux rtc-pl031: pl031_set_alarm writes MR then IMSC; the handler reads MIS and writes ICR. */
Test(pl031, linux_alarm_sequence)
{
	uint32_t now = rd(SUPERIO_PL031_DR);

	wr(SUPERIO_PL031_MR, now + 30);
	wr(SUPERIO_PL031_IMSC, 1);
	clk.ns = superio_pl031_next_deadline(&rtc);
	superio_pl031_update(&rtc);
	cr_assert(irq.level);
	cr_assert_eq(rd(SUPERIO_PL031_MIS) & 1, 1);
	wr(SUPERIO_PL031_ICR, 1);
	cr_assert_not(irq.level);
	cr_assert_eq(rd(SUPERIO_PL031_DR), now + 30);
}

Test(pl031, save_restore_continues_counter_on_another_clock)
{
	struct superio_pl031 other;
	struct fake_clock clk2 = { .ns = 5 * S };
	struct line irq2 = { 0 };
	struct superio_pl031_config cfg = { .irq = { line_fn, &irq2 }, .clock = { clock_fn, &clk2 } };
	struct superio_pl031_state st;

	wr(SUPERIO_PL031_MR, 1700000007u);
	wr(SUPERIO_PL031_IMSC, 1);
	superio_pl031_save(&rtc, &st);
	cr_assert_eq(superio_pl031_init(&other, &cfg), 0);
	cr_assert_eq(superio_pl031_restore(&other, &st), 0);
	cr_assert_eq(superio_pl031_counter(&other), 1700000000u);
	clk2.ns += 7 * S;
	superio_pl031_update(&other);
	cr_assert(irq2.level);
}

Test(pl031, restore_with_pending_match_raises_line)
{
	struct superio_pl031_state st = { .version = SUPERIO_PL031_STATE_VERSION, .counter = 9,
					  .mr = 9, .cr = 1, .imsc = 1, .ris = 1 };

	cr_assert_eq(superio_pl031_restore(&rtc, &st), 0);
	cr_assert(irq.level);
	cr_assert_eq(irq.rises, 1);
}

/* The interrupt controller must see the line fall, or it keeps a stale interrupt asserted. */
Test(pl031, restore_of_quiet_state_lowers_a_raised_line)
{
	struct superio_pl031_state st = { .version = SUPERIO_PL031_STATE_VERSION, .counter = 9,
					  .mr = 9, .cr = 1, .imsc = 1, .ris = 1 };

	cr_assert_eq(superio_pl031_restore(&rtc, &st), 0);
	cr_assert(irq.level);
	st.ris = 0;
	cr_assert_eq(superio_pl031_restore(&rtc, &st), 0);
	cr_assert_eq(irq.falls, 1, "the callback saw the line fall");
	cr_assert_not(irq.level);
	cr_assert_not(superio_pl031_irq_level(&rtc));
}

#define REFUSE(name, corrupt)                                            \
	Test(pl031, restore_refuses_##name)                              \
	{                                                                \
		struct superio_pl031_state st;                           \
		superio_pl031_save(&rtc, &st);                           \
		corrupt;                                                 \
		cr_assert_eq(superio_pl031_restore(&rtc, &st), -EINVAL); \
		cr_assert_not(irq.level);                                \
	}

REFUSE(unknown_version, st.version = 0)
REFUSE(imsc_not_a_bit, st.imsc = 2)
REFUSE(ris_not_a_bit, (st.ris = 3, st.imsc = 1))
REFUSE(cr_not_a_bit, st.cr = 2)

Test(pl031, restore_refuses_null)
{
	cr_assert_eq(superio_pl031_restore(&rtc, NULL), -EINVAL);
}
