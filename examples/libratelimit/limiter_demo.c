/* SPDX-License-Identifier: MIT */
/*
 * libratelimit on its own: a 1 MB/s, 1000 packets/s limiter with a 64 KiB
 * one-time burst, fed 1500-byte packets as fast as it allows.  A simulated
 * clock stands in for the VMM's: where a VMM would arm a timerfd for the
 * deadline rlim_retry_at() gives, this program jumps the clock to it.
 *
 * Usage: limiter-demo
 */
#include <stdio.h>

#include <rlim/rlim.h>

static uint64_t now_ns;

static uint64_t sim_clock(void *ctx)
{
	(void)ctx;
	return now_ns;
}

int main(void)
{
	struct rlim_limiter l;
	struct rlim_config cfg = {
		.bytes = { .size = 100000, .one_time_burst = 65536, .refill_time_ms = 100 },
		.ops = { .size = 100, .refill_time_ms = 100 },
		.clock = sim_clock,
	};
	uint64_t sent = 0, waits = 0;

	if (rlim_init(&l, &cfg))
		return 1;
	while (now_ns < 2000000000ull) {
		if (rlim_consume(&l, 1, 1500) == 0) {
			sent += 1500;
			continue;
		}
		if (waits++ < 3)
			printf("refused at %.3f ms: retry at %.3f ms\n", (double)now_ns / 1e6,
			       (double)rlim_retry_at(&l) / 1e6);
		now_ns = rlim_retry_at(&l);	/* the timerfd fires */
	}
	printf("sent %llu bytes in 2 s (%.2f MB/s including the burst), "
	       "%llu waits, %llu allowed\n", (unsigned long long)sent, (double)sent / 2e6,
	       (unsigned long long)waits, (unsigned long long)rlim_stats(&l)->allowed);
	/* 2 s at 1 MB/s plus the bucket and the burst, within one packet */
	return sent <= 2000000 + 100000 + 65536 + 1500 ? 0 : 1;
}
