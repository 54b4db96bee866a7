// SPDX-License-Identifier: MIT
// MC146818A timing on the injected clock.  Updates happen at host times
// phase_ns + k seconds; the periodic interrupt divides the 32.768 kHz
// chain selected by register A's rate bits; the alarm matches the guest's
// hour/minute/second with 0xC0..0xFF as "any".  Nothing runs between
// accesses: flags due since last_ns are latched when the guest or the VMM
// timer looks, and the time of the next one is computed on demand.
#include "cmos_internal.h"

__extension__ typedef __int128 superio__i128;

uint64_t superio__cmos_now(const struct superio_cmos *c)
{
	return c->cfg.clock.fn(c->cfg.clock.ctx);
}

/* Divider chain out of reset (DV = 11x holds it; other values count). */
bool superio__cmos_running(const struct superio_cmos *c)
{
	return (c->ram[SUPERIO_CMOS_REG_A] & 0x60u) != 0x60u;
}

static int64_t rel_ns(const struct superio_cmos *c, uint64_t t)
{
	return (int64_t)(t - c->phase_ns);
}

int64_t superio__cmos_host_sec(const struct superio_cmos *c, uint64_t t)
{
	return superio__floor_div(rel_ns(c, t), NS_PER_S);
}

int64_t superio__cmos_guest_sec(const struct superio_cmos *c, uint64_t t)
{
	if (!superio__cmos_running(c))
		return c->frozen_s;
	return c->offset_s + superio__cmos_host_sec(c, t);
}

void superio__cmos_set_time(struct superio_cmos *c, uint64_t t, int64_t secs)
{
	c->frozen_s = secs;
	c->offset_s = secs - superio__cmos_host_sec(c, t);
	c->last_ns = t; /* a time step is not an update: no flags for the jump */
}

static int64_t ticks(const struct superio_cmos *c, uint64_t t)
{
	superio__i128 n = (superio__i128)rel_ns(c, t) * TICKS_PER_S;
	superio__i128 q = n / NS_PER_S;

	if (n % NS_PER_S < 0)
		q--;
	return (int64_t)q;
}

/* Periodic divider for rate bits 1..15 (rates 1 and 2 repeat 8 and 9). */
static int64_t rate_div(unsigned int rate)
{
	if (rate == 1)
		rate = 8;
	else if (rate == 2)
		rate = 9;
	return 1ll << (rate - 1);
}

static uint64_t tick_time(const struct superio_cmos *c, int64_t k)
{
	superio__i128 n = (superio__i128)k * NS_PER_S;
	superio__i128 ns = n / TICKS_PER_S + (n % TICKS_PER_S > 0 ? 1 : 0);

	return c->phase_ns + (uint64_t)(int64_t)ns;
}

/* An alarm field: "any" for 0xC0..0xFF, else its value or > max when malformed. */
struct field {
	bool any;
	unsigned int v;
};

static struct field alarm_field(const struct superio_cmos *c, unsigned int idx)
{
	uint8_t r = c->ram[idx];
	struct field f = { .any = (r & 0xc0u) == 0xc0u, .v = 0 };

	if (!f.any)
		f.v = idx == SUPERIO_CMOS_HOURS_ALARM ? superio__cmos_decode_hour(c, r)
						       : superio__cmos_decode(c, r);
	return f;
}

static bool fits(struct field f, unsigned int v)
{
	return f.any || f.v == v;
}

/*
 * Seconds from guest time-of-day tod (0..86399) to the next alarm match
 * strictly after it, within two days; -1 when the alarm can never match.
 * Walks hours and minutes (at most 48 * 60 steps), not seconds.
 */
static int64_t alarm_delta(const struct superio_cmos *c, int64_t tod)
{
	struct field h = alarm_field(c, SUPERIO_CMOS_HOURS_ALARM);
	struct field m = alarm_field(c, SUPERIO_CMOS_MINUTES_ALARM);
	struct field s = alarm_field(c, SUPERIO_CMOS_SECONDS_ALARM);

	for (int64_t hour = 0; hour < 48; hour++) {
		int64_t th = hour * 3600;

		if (!fits(h, (unsigned int)(hour % 24)) || th + 3599 <= tod)
			continue;
		for (int64_t min = 0; min < 60; min++) {
			int64_t tm = th + min * 60, lo;

			if (!fits(m, (unsigned int)min) || tm + 59 <= tod)
				continue;
			lo = tm > tod ? 0 : tod - tm + 1;
			if (s.any)
				return tm + lo - tod;
			if (s.v < 60 && (int64_t)s.v >= lo)
				return tm + (int64_t)s.v - tod;
		}
	}
	return -1;
}

/* Guest second of the first alarm match after guest second g, or -1. */
static int64_t next_alarm(const struct superio_cmos *c, int64_t g)
{
	int64_t tod = g - superio__floor_div(g, SECS_PER_DAY) * SECS_PER_DAY;
	int64_t d = alarm_delta(c, tod);

	return d < 0 ? -1 : g + d;
}

static uint8_t due_flags(const struct superio_cmos *c, uint64_t from, uint64_t to)
{
	unsigned int rate = c->ram[SUPERIO_CMOS_REG_A] & A_RATE_MASK;
	uint8_t flags = 0;
	int64_t hs_from, hs_to, alarm;

	if (rate) {
		int64_t div = rate_div(rate);

		if (superio__floor_div(ticks(c, to), div) > superio__floor_div(ticks(c, from), div))
			flags |= SUPERIO_CMOS_C_PF;
	}
	if (c->ram[SUPERIO_CMOS_REG_B] & SUPERIO_CMOS_B_SET)
		return flags; /* SET inhibits updates, hence UF and AF */
	hs_from = superio__cmos_host_sec(c, from);
	hs_to = superio__cmos_host_sec(c, to);
	if (hs_to > hs_from) {
		flags |= SUPERIO_CMOS_C_UF;
		alarm = next_alarm(c, c->offset_s + hs_from);
		if (alarm >= 0 && alarm <= c->offset_s + hs_to)
			flags |= SUPERIO_CMOS_C_AF;
	}
	return flags;
}

void superio__cmos_process(struct superio_cmos *c, uint64_t t)
{
	uint8_t flags;

	if (t <= c->last_ns || !superio__cmos_running(c)) {
		c->last_ns = t;
		return;
	}
	flags = due_flags(c, c->last_ns, t);
	c->metrics.periodic += (flags & SUPERIO_CMOS_C_PF) ? 1 : 0;
	c->metrics.alarm += (flags & SUPERIO_CMOS_C_AF) ? 1 : 0;
	c->metrics.update += (flags & SUPERIO_CMOS_C_UF) ? 1 : 0;
	c->ram[SUPERIO_CMOS_REG_C] |= flags;
	c->last_ns = t;
}

static uint64_t earlier(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t superio__cmos_next_event(const struct superio_cmos *c)
{
	uint8_t b = c->ram[SUPERIO_CMOS_REG_B];
	unsigned int rate = c->ram[SUPERIO_CMOS_REG_A] & A_RATE_MASK;
	uint64_t best = SUPERIO_NO_DEADLINE, from = c->last_ns;
	int64_t hs = superio__cmos_host_sec(c, from);

	if (!superio__cmos_running(c))
		return best;
	if ((b & SUPERIO_CMOS_B_PIE) && rate) {
		int64_t div = rate_div(rate);

		best = tick_time(c, (superio__floor_div(ticks(c, from), div) + 1) * div);
	}
	if (b & SUPERIO_CMOS_B_SET)
		return best;
	if (b & SUPERIO_CMOS_B_UIE)
		best = earlier(best, c->phase_ns + (uint64_t)(hs + 1) * (uint64_t)NS_PER_S);
	if (b & SUPERIO_CMOS_B_AIE) {
		int64_t g = next_alarm(c, c->offset_s + hs);

		if (g >= 0)
			best = earlier(best, c->phase_ns +
					      (uint64_t)(g - c->offset_s) * (uint64_t)NS_PER_S);
	}
	return best;
}

bool superio__cmos_uip(const struct superio_cmos *c, uint64_t t)
{
	uint64_t into = (uint64_t)rel_ns(c, t) -
			(uint64_t)superio__cmos_host_sec(c, t) * (uint64_t)NS_PER_S;

	if (!superio__cmos_running(c) || (c->ram[SUPERIO_CMOS_REG_B] & SUPERIO_CMOS_B_SET))
		return false;
	return into >= (uint64_t)(NS_PER_S - UIP_NS);
}

static uint8_t irq_level(const struct superio_cmos *c)
{
	return (c->ram[SUPERIO_CMOS_REG_C] & c->ram[SUPERIO_CMOS_REG_B] & C_FLAGS) ? 1 : 0;
}

static void drive_irq(struct superio_cmos *c, uint8_t level)
{
	c->line = level;
	if (level)
		c->metrics.irqs_raised++;
	if (c->cfg.irq.fn)
		c->cfg.irq.fn(c->cfg.irq.ctx, level != 0);
}

void superio__cmos_update_irq(struct superio_cmos *c)
{
	uint8_t level = irq_level(c);

	if (level != c->line)
		drive_irq(c, level);
}

void superio__cmos_redrive_irq(struct superio_cmos *c)
{
	drive_irq(c, irq_level(c));
}
