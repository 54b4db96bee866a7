// SPDX-License-Identifier: MIT
// Save/restore of the MC146818A to a plain struct.  The time travels as
// guest seconds plus the position within the current second, so a restored
// clock neither jumps nor shifts its update phase; every field is checked
// before anything is loaded.
#include <errno.h>
#include <string.h>

#include "cmos_internal.h"

/*
 * The registers show the year in four BCD digits (century and year), so
 * what the guest sees repeats every 10000 years (a whole number of 400-year
 * Gregorian cycles, and of weeks).  The guest can set any time in
 * 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z and then let it tick past
 * either end, so save stores the time within that one cycle: the same
 * registers, weekday and alarm phase, and a value restore takes.
 */
#define CYCLE_FIRST_SECOND (-62167219200ll)	/* 0000-01-01T00:00:00Z */
#define CYCLE_SECONDS 315569520000ll		/* 10000 years */
#define CYCLE_END (CYCLE_FIRST_SECOND + CYCLE_SECONDS)	/* 10000-01-01T00:00:00Z */

static int64_t within_cycle(int64_t secs)
{
	int64_t r = secs - superio__floor_div(secs, CYCLE_SECONDS) * CYCLE_SECONDS;

	return r >= CYCLE_END ? r - CYCLE_SECONDS : r;
}

void superio_cmos_save(const struct superio_cmos *c, struct superio_cmos_state *out)
{
	uint64_t t = superio__cmos_now(c);
	int64_t rel = (int64_t)(t - c->phase_ns);

	memset(out, 0, sizeof(*out));
	out->version = SUPERIO_CMOS_STATE_VERSION;
	memcpy(out->ram, c->ram, sizeof(out->ram));
	out->index = c->index;
	out->nmi_disabled = c->nmi_disabled;
	out->guest_seconds = within_cycle(superio__cmos_guest_sec(c, t));
	if (superio__cmos_running(c))
		out->subsecond_ns = (uint32_t)(rel - superio__floor_div(rel, NS_PER_S) * NS_PER_S);
}

static bool state_valid(const struct superio_cmos_state *st)
{
	if (st->version != SUPERIO_CMOS_STATE_VERSION || st->index >= SUPERIO_CMOS_RAM_SIZE ||
	    st->nmi_disabled > 1 || st->subsecond_ns >= NS_PER_S)
		return false;
	if (st->guest_seconds < CYCLE_FIRST_SECOND || st->guest_seconds >= CYCLE_END)
		return false;
	if (st->ram[SUPERIO_CMOS_REG_A] & SUPERIO_CMOS_A_UIP)
		return false;
	return (st->ram[SUPERIO_CMOS_REG_C] & ~C_FLAGS) == 0 && st->ram[SUPERIO_CMOS_REG_D] == 0;
}

int superio_cmos_restore(struct superio_cmos *c, const struct superio_cmos_state *st)
{
	uint64_t t;

	if (!c || !st || !state_valid(st))
		return -EINVAL;
	t = superio__cmos_now(c);
	memcpy(c->ram, st->ram, sizeof(c->ram));
	c->index = st->index;
	c->nmi_disabled = st->nmi_disabled;
	c->phase_ns = (t % (uint64_t)NS_PER_S + (uint64_t)NS_PER_S - st->subsecond_ns) %
		      (uint64_t)NS_PER_S;
	superio__cmos_set_time(c, t, st->guest_seconds);
	/* Both ways: the interrupt controller may be new or hold a stale level. */
	superio__cmos_redrive_irq(c);
	return 0;
}
