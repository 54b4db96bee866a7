// SPDX-License-Identifier: MIT
// Output flood mitigation for the 16550A: a token bucket of bytes per
// second with a burst size, charged when the guest writes THR.  A guest
// that floods its console loses the excess (counted) instead of filling the
// host's disk; THRE stays live, so the guest itself never stalls on it.
#include "serial_internal.h"

__extension__ typedef unsigned __int128 superio__u128;

static void refill(struct superio_serial *s)
{
	uint64_t now = s->cfg.clock.fn(s->cfg.clock.ctx);
	superio__u128 add;

	if (now < s->budget_ns) {
		/* The clock stepped back: restart the interval, grant nothing. */
		s->budget_ns = now;
		return;
	}
	add = (superio__u128)(now - s->budget_ns) * s->cfg.budget_bytes_per_sec /
	      1000000000u;
	if (add == 0)
		return; /* keep the fraction of a byte accruing */
	if (add >= s->cfg.budget_burst - s->tokens)
		s->tokens = s->cfg.budget_burst;
	else
		s->tokens += (uint64_t)add;
	s->budget_ns = now;
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
