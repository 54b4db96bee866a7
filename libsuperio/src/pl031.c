// SPDX-License-Identifier: MIT
// ARM PL031 real time clock (ARM DDI 0224, chapter 3 "Programmer's model").
// The 1 Hz counter is derived from the injected clock: counter(t) =
// load_value + whole seconds since load_ns.  The match interrupt is kept as
// the clock time at which the counter next equals MR; it latches RIS when
// that time has passed at any access or superio_pl031_update() call.
#include <errno.h>
#include <string.h>

#include <superio/pl031.h>

#define NS_PER_S 1000000000ull
/* The counter wraps after 2^32 seconds: the next match after one is that far off. */
#define WRAP_NS ((1ull << 32) * NS_PER_S)

static const uint8_t periph_id[4] = { 0x31, 0x10, 0x04, 0x00 };
static const uint8_t pcell_id[4] = { 0x0d, 0xf0, 0x05, 0xb1 };

static uint64_t clock_now(const struct superio_pl031 *r)
{
	return r->cfg.clock.fn(r->cfg.clock.ctx);
}

/* Whole seconds from load_ns to t, rounded down; t may precede load_ns. */
static int64_t seconds_since_load(const struct superio_pl031 *r, uint64_t t)
{
	int64_t d = (int64_t)(t - r->load_ns);
	int64_t q = d / (int64_t)NS_PER_S;

	if (d % (int64_t)NS_PER_S < 0)
		q--;
	return q;
}

static uint32_t counter_at(const struct superio_pl031 *r, uint64_t t)
{
	return (uint32_t)(r->load_value + (uint32_t)(uint64_t)seconds_since_load(r, t));
}

static void drive_irq(struct superio_pl031 *r, uint8_t level)
{
	r->line = level;
	if (r->cfg.irq.fn)
		r->cfg.irq.fn(r->cfg.irq.ctx, level != 0);
}

static void update_irq(struct superio_pl031 *r)
{
	uint8_t level = (uint8_t)(r->ris & r->imsc & 1u);

	if (level != r->line)
		drive_irq(r, level);
}

static void latch(struct superio_pl031 *r)
{
	r->ris = 1;
	r->matches++;
}

/*
 * Recomputes when the counter next equals MR, as seen at clock time t.
 * With equal_fires, a counter already equal to MR matches now (a guest
 * writing MR or LR to the current value gets its interrupt at once).
 */
static void schedule(struct superio_pl031 *r, uint64_t t, bool equal_fires)
{
	int64_t secs = seconds_since_load(r, t);
	uint32_t ticks = r->mr - counter_at(r, t);
	uint64_t second_start = r->load_ns + (uint64_t)secs * NS_PER_S;
	uint64_t wait = ticks ? (uint64_t)ticks * NS_PER_S : WRAP_NS;

	if (!ticks && equal_fires)
		latch(r);
	if (__builtin_add_overflow(second_start, wait, &r->match_ns))
		r->match_ns = SUPERIO_NO_DEADLINE;
}

/* Brings the match state up to clock time t. */
static void sync_to(struct superio_pl031 *r, uint64_t t)
{
	if (t < r->seen_ns) {
		/* The clock stepped back: the pending match moves with the counter. */
		schedule(r, t, false);
	} else if (t >= r->match_ns) {
		latch(r);
		if (__builtin_add_overflow(r->match_ns, WRAP_NS, &r->match_ns))
			r->match_ns = SUPERIO_NO_DEADLINE;
	}
	r->seen_ns = t;
}

static uint32_t id_byte(uint64_t offset)
{
	if (offset >= SUPERIO_PL031_PCELLID0)
		return pcell_id[(offset - SUPERIO_PL031_PCELLID0) / 4];
	return periph_id[(offset - SUPERIO_PL031_PERIPHID0) / 4];
}

static bool decoded(uint64_t offset, unsigned int size)
{
	return size == 4 && offset < SUPERIO_PL031_SIZE && (offset & 3) == 0;
}

int superio_pl031_read(struct superio_pl031 *r, uint64_t offset, unsigned int size,
		       uint32_t *value)
{
	uint64_t t;

	if (!value)
		return -EINVAL;
	*value = size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1u;
	if (!r || !decoded(offset, size))
		return -EINVAL;
	t = clock_now(r);
	sync_to(r, t);
	switch (offset) {
	case SUPERIO_PL031_DR: *value = counter_at(r, t); break;
	case SUPERIO_PL031_MR: *value = r->mr; break;
	case SUPERIO_PL031_LR: *value = r->load_value; break;
	case SUPERIO_PL031_CR: *value = r->cr; break;
	case SUPERIO_PL031_IMSC: *value = r->imsc; break;
	case SUPERIO_PL031_RIS: *value = r->ris; break;
	case SUPERIO_PL031_MIS: *value = r->ris & r->imsc; break;
	default:
		/* Reserved and write-only locations read as zero. */
		*value = offset >= SUPERIO_PL031_PERIPHID0 ? id_byte(offset) : 0;
		break;
	}
	update_irq(r);
	return 0;
}

int superio_pl031_write(struct superio_pl031 *r, uint64_t offset, unsigned int size,
			uint32_t value)
{
	uint64_t t;

	if (!r || !decoded(offset, size))
		return -EINVAL;
	t = clock_now(r);
	sync_to(r, t);
	switch (offset) {
	case SUPERIO_PL031_MR:
		r->mr = value;
		schedule(r, t, true);
		break;
	case SUPERIO_PL031_LR:
		r->load_value = value;
		r->load_ns = t;
		schedule(r, t, true);
		break;
	case SUPERIO_PL031_CR:
		/* Once started the RTC cannot be stopped short of a reset (DDI 0224 3.3.4). */
		r->cr |= (uint8_t)(value & 1u);
		break;
	case SUPERIO_PL031_IMSC:
		r->imsc = (uint8_t)(value & 1u);
		break;
	case SUPERIO_PL031_ICR:
		r->ris &= (uint8_t)~(value & 1u);
		break;
	default:
		break; /* read-only and reserved locations ignore writes */
	}
	update_irq(r);
	return 0;
}

void superio_pl031_update(struct superio_pl031 *r)
{
	sync_to(r, clock_now(r));
	update_irq(r);
}

uint64_t superio_pl031_next_deadline(const struct superio_pl031 *r)
{
	if (!r->imsc || r->ris)
		return SUPERIO_NO_DEADLINE;
	return r->match_ns;
}

bool superio_pl031_irq_level(const struct superio_pl031 *r)
{
	return r->line != 0;
}

uint32_t superio_pl031_counter(const struct superio_pl031 *r)
{
	return counter_at(r, clock_now(r));
}

/*
 * Power-on: the counter shows the clock's Unix time, started (firmware on
 * real boards starts it before the OS runs), MR 0, interrupt masked.
 */
static void power_on(struct superio_pl031 *r)
{
	uint64_t t = clock_now(r);

	r->load_ns = t - t % NS_PER_S;
	r->load_value = (uint32_t)(t / NS_PER_S);
	r->mr = 0;
	r->cr = 1;
	r->imsc = 0;
	r->ris = 0;
	r->seen_ns = t;
	schedule(r, t, false);
	update_irq(r);
}

int superio_pl031_init(struct superio_pl031 *r, const struct superio_pl031_config *cfg)
{
	if (!r || !cfg || !cfg->clock.fn)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	power_on(r);
	return 0;
}

void superio_pl031_reset(struct superio_pl031 *r)
{
	power_on(r);
}

void superio_pl031_save(const struct superio_pl031 *r, struct superio_pl031_state *out)
{
	*out = (struct superio_pl031_state){
		.version = SUPERIO_PL031_STATE_VERSION,
		.counter = superio_pl031_counter(r),
		.mr = r->mr, .cr = r->cr, .imsc = r->imsc, .ris = r->ris,
	};
}

int superio_pl031_restore(struct superio_pl031 *r, const struct superio_pl031_state *st)
{
	uint64_t t;

	if (!r || !st || st->version != SUPERIO_PL031_STATE_VERSION || st->cr > 1 ||
	    st->imsc > 1 || st->ris > 1)
		return -EINVAL;
	t = clock_now(r);
	r->load_ns = t;
	r->load_value = st->counter;
	r->mr = st->mr;
	r->cr = st->cr;
	r->imsc = st->imsc;
	r->ris = st->ris;
	r->seen_ns = t;
	schedule(r, t, false);
	/* Both ways: the interrupt controller may be new or hold a stale level. */
	drive_irq(r, (uint8_t)(r->ris & r->imsc & 1u));
	return 0;
}
