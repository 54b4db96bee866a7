// SPDX-License-Identifier: MIT
/*
 * Steps the host side of a run must take while the guest waits: the guest
 * prints "GK-WANT-INPUT <id> <token>" (README, serial protocol) and polls
 * the serial input for the line "<token>", which the runner writes once its
 * part is done (a socket written, a counter read while the VM still runs).
 * The caller's poll function keeps its devices served meanwhile.
 */
#include "gk.h"

bool gk_host_step(const char *id, const char *token, uint64_t timeout_us,
		  void (*poll)(void *ctx), void *ctx)
{
	char line[128];
	size_t n = 0, tl = strlen(token);
	uint64_t t0 = gk_now_ns();

	gk_printf("GK-WANT-INPUT %s %s\n", id, token);
	while ((gk_now_ns() - t0) / 1000 < timeout_us) {
		int ch = gk_console_getc();

		if (ch < 0) {
			if (poll)
				poll(ctx);
			gk_nap();
			continue;
		}
		if (ch == '\r')
			continue;
		if (ch != '\n') {
			if (n < sizeof(line))
				line[n++] = (char)ch;
			continue;
		}
		/* Another step's stale answer is skipped, not taken for ours. */
		if (n == tl && !memcmp(line, token, tl))
			return true;
		n = 0;
	}
	return false;
}
