// SPDX-License-Identifier: MIT
/*
 * One token bucket, refilled linearly: `size` tokens per `refill_ns`.
 * Refill is computed lazily from the injected clock at each request, with
 * exact integer arithmetic (128-bit products) that carries the fraction of
 * a token earned so far, so that no fraction is ever lost or invented,
 * however often the clock is read.  Oversized requests leave
 * the bucket in debt (a negative budget), which refill repays first.
 */
#include <errno.h>

#include "bucket.h"

__extension__ typedef unsigned __int128 u128;

int rlim__bucket_init(struct rlim_bucket *b, const struct rlim_bucket_config *c,
		      uint64_t now)
{
	if (c->size > RLIM_MAX_TOKENS || c->one_time_burst > RLIM_MAX_TOKENS ||
	    c->refill_time_ms > RLIM_MAX_REFILL_MS)
		return -EINVAL;
	if (c->size == 0 || c->refill_time_ms == 0) {
		*b = (struct rlim_bucket){ 0 };
		return 0;
	}
	b->size = c->size;
	b->burst = c->one_time_burst;
	b->refill_ns = c->refill_time_ms * 1000000u;
	b->budget = (int64_t)c->size;
	b->last_ns = now;
	b->frac = 0;
	return 0;
}

bool rlim__bucket_limits(const struct rlim_bucket *b)
{
	return b->size != 0;
}

void rlim__bucket_refill(struct rlim_bucket *b, uint64_t now)
{
	uint64_t deficit;
	u128 acc;

	if (!b->size || now <= b->last_ns)
		return;		/* unlimited, or a clock that did not advance */
	if (b->budget >= (int64_t)b->size) {
		b->last_ns = now;	/* a full bucket earns nothing */
		b->frac = 0;
		return;
	}
	/* Token-nanoseconds earned, with the fraction of a token left over
	 * from the previous refill, so that rounding never loses time. */
	acc = (u128)(now - b->last_ns) * b->size + b->frac;
	deficit = (uint64_t)((int64_t)b->size - b->budget);
	b->last_ns = now;
	if (acc / b->refill_ns >= deficit) {
		b->budget = (int64_t)b->size;
		b->frac = 0;
		return;
	}
	b->budget += (int64_t)(acc / b->refill_ns);
	b->frac = (uint64_t)(acc % b->refill_ns);
}

/* Tokens a request needs from the budget once the burst is spent. */
static uint64_t from_budget(const struct rlim_bucket *b, uint64_t tokens)
{
	return tokens > b->burst ? tokens - b->burst : 0;
}

bool rlim__bucket_fits(const struct rlim_bucket *b, uint64_t tokens)
{
	uint64_t need = from_budget(b, tokens);

	if (!b->size || need == 0)
		return true;
	if (need > b->size)	/* oversized: only from a full bucket */
		return b->budget >= (int64_t)b->size;
	return b->budget >= (int64_t)need;
}

uint64_t rlim__bucket_fit_time(const struct rlim_bucket *b, uint64_t tokens,
			       uint64_t now)
{
	uint64_t need = from_budget(b, tokens), missing, at;

	if (rlim__bucket_fits(b, tokens))
		return now;
	if (need > b->size)
		need = b->size;
	missing = (uint64_t)((int64_t)need - b->budget);
	/* The fraction already earned towards the next token counts. */
	at = b->last_ns + (uint64_t)(((u128)missing * b->refill_ns - b->frac +
				      b->size - 1) / b->size);
	return at > now ? at : now + 1;
}

void rlim__bucket_take(struct rlim_bucket *b, uint64_t tokens)
{
	uint64_t from_burst = tokens < b->burst ? tokens : b->burst;

	if (!b->size)
		return;
	b->burst -= from_burst;
	b->budget -= (int64_t)(tokens - from_burst);
}

void rlim__bucket_refund(struct rlim_bucket *b, uint64_t tokens)
{
	uint64_t room;

	if (!b->size || b->budget >= (int64_t)b->size)
		return;
	room = (uint64_t)((int64_t)b->size - b->budget);
	b->budget += (int64_t)(tokens < room ? tokens : room);
}
