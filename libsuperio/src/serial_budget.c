// SPDX-License-Identifier: MIT
// Output flood mitigation for the 16550A: a token bucket of bytes per
// second with a burst size, charged when the guest writes THR.  A guest
// that floods its console loses the excess (counted) instead of filling the
// host's disk; THRE stays live, so the guest itself never stalls on it.
#include "serial_internal.h"

__extension__ typedef unsigned __int128 superio__u128;

/*
 * budget_ns is the clock time up to which elapsed time has been turned
 * into tokens.  It advances only by the time the whole bytes granted took
 * to accrue, so the fraction of a byte since then keeps accruing: setting
 * it to now would throw that away on every grant, and a guest writing
 * just above the rate would get about half of it.
 */
static void refill(struct superio_serial *s)
{
	uint64_t now = s->cfg.clock.fn(s->cfg.clock.ctx);
	uint64_t rate = s->cfg.budget_bytes_per_sec;
	superio__u128 add;

	if (now < s->budget_ns) {
		/* The clock stepped back: restart the interval, grant nothing. */
		s->budget_ns = now;
		return;
	}
	add = (superio__u128)(now - s->budget_ns) * rate / 1000000000u;
	if (add == 0)
		return;
	if (add >= s->cfg.budget_burst - s->tokens) {
		/* Full: time beyond what fills the bucket is not credit. */
		s->tokens = s->cfg.budget_burst;
		s->budget_ns = now;
		return;
	}
	s->tokens += (uint64_t)add;
	/* add bytes took add * 1e9 / rate ns, rounded up: never more than the rate. */
	s->budget_ns += (uint64_t)((add * 1000000000u + rate - 1) / rate);
}

bool superio__serial_budget_take(struct superio_serial *s)
{
	if (!s->cfg.budget_bytes_per_sec)
		return true;
	refill(s);
	if (s->tokens == 0)
		return false;
	s->tokens--;
	return true;
}
