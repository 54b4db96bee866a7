// SPDX-License-Identifier: MIT
/* Cost of rlim_consume() per request: unlimited (no clock read), and
 * limiting with the real monotonic clock, always allowed (huge bucket). */
#include <cvmm_bench.h>
#include <stdlib.h>

#include <rlim/rlim.h>

static void run(void *ctx, uint64_t ops)
{
	struct rlim_limiter *l = ctx;

	for (uint64_t i = 0; i < ops; i++)
		if (rlim_consume(l, 1, 1500) != 0)
			abort();
}

int main(void)
{
	struct rlim_limiter l;
	struct rlim_config cfg = {
		.bytes = { RLIM_MAX_TOKENS, 0, 1 }, .ops = { RLIM_MAX_TOKENS, 0, 1 },
		.clock = rlim_clock_monotonic,
	};

	if (rlim_init(&l, NULL))
		return 1;
	cvmm_bench_run("ratelimit-consume-unlimited", run, &l, 1000000, 11);
	if (rlim_init(&l, &cfg))
		return 1;
	cvmm_bench_run("ratelimit-consume-limiting", run, &l, 1000000, 11);
	return 0;
}
