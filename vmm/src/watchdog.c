// SPDX-License-Identifier: MIT
// Guest panic detection on the console stream and stuck-vCPU detection
// from periodic samples.  Both are pure state machines; the VMM feeds them.
#include <string.h>

#include <vmm/watchdog.h>

/* What Linux's panic() prints first, on every architecture and version. */
static const char marker[] = "Kernel panic - not syncing";
#define MARKER_LEN (sizeof(marker) - 1)

void vmm_panic_scanner_init(struct vmm_panic_scanner *s)
{
	memset(s, 0, sizeof(*s));
}

static void keep(struct vmm_panic_scanner *s, char c)
{
	if (s->line_len + 1 < sizeof(s->line)) {
		s->line[s->line_len++] = c;
		s->line[s->line_len] = '\0';
	}
}

bool vmm_panic_scanner_feed(struct vmm_panic_scanner *s, const uint8_t *buf,
			    size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = (char)buf[i];

		if (s->found) {
			if (s->line_done)
				break;
			if (c == '\n' || c == '\r')
				s->line_done = true;
			else
				keep(s, c);
			continue;
		}
		/* The marker has no repeated prefix, so on a mismatch the
		 * only candidate restart is the current byte itself. */
		if (c == marker[s->matched]) {
			s->matched++;
		} else {
			s->matched = c == marker[0] ? 1 : 0;
		}
		if (s->matched == MARKER_LEN) {
			s->found = true;
			memcpy(s->line, marker, MARKER_LEN + 1);
			s->line_len = MARKER_LEN;
		}
	}
	return s->found;
}

void vmm_stuck_init(struct vmm_stuck_detector *d, uint32_t window_ms)
{
	memset(d, 0, sizeof(*d));
	d->window_ms = window_ms;
}

static void open_window(struct vmm_stuck_detector *d, const struct vmm_stuck_sample *s)
{
	d->armed = true;
	d->since_ms = s->now_ms;
	d->exits_at_start = s->exits;
	d->rip_at_start = s->rip;
	d->halted_at_start = s->halted;
}

bool vmm_stuck_feed(struct vmm_stuck_detector *d,
		    const struct vmm_stuck_sample *sample)
{
	if (d->window_ms == 0)
		return false;
	if (sample->irq_enabled) {	/* an interrupt can still wake it */
		d->armed = false;
		return false;
	}
	/* Progress since the window opened (an exit, a halt that ended,
	 * a running vCPU that moved) starts a new window. */
	if (!d->armed || sample->exits != d->exits_at_start ||
	    sample->halted != d->halted_at_start ||
	    (!sample->halted && sample->rip != d->rip_at_start)) {
		open_window(d, sample);
		return false;
	}
	return sample->now_ms - d->since_ms >= d->window_ms;
}
