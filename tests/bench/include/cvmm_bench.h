/* SPDX-License-Identifier: MIT */
/*
 * Shared microbenchmark harness (header only, not installed).  A benchmark
 * runs its body for `reps` repetitions of `ops` operations and prints the
 * median, because the machines we measure on are shared and noisy:
 *   name=<name> ops=<ops> ns_per_op=<median> reps=<reps> min_ns_per_op=<min>
 */
#ifndef CVMM_BENCH_H
#define CVMM_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CVMM_BENCH_MAX_REPS 64

static inline uint64_t cvmm_bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int cvmm_bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Runs fn(ctx, ops) reps times; fn performs ops operations per call. */
typedef void (*cvmm_bench_fn)(void *ctx, uint64_t ops);

static inline double cvmm_bench_run(const char *name, cvmm_bench_fn fn, void *ctx,
				    uint64_t ops, unsigned int reps)
{
	double per_op[CVMM_BENCH_MAX_REPS];

	if (reps == 0 || reps > CVMM_BENCH_MAX_REPS)
		reps = CVMM_BENCH_MAX_REPS;
	fn(ctx, ops); /* warm-up: page faults, caches, branch predictors */
	for (unsigned int r = 0; r < reps; r++) {
		uint64_t t0 = cvmm_bench_now_ns();

		fn(ctx, ops);
		per_op[r] = (double)(cvmm_bench_now_ns() - t0) / (double)ops;
	}
	qsort(per_op, reps, sizeof(per_op[0]), cvmm_bench_cmp);
	printf("name=%s ops=%llu ns_per_op=%.2f reps=%u min_ns_per_op=%.2f\n", name,
	       (unsigned long long)ops, per_op[reps / 2], reps, per_op[0]);
	fflush(stdout);
	return per_op[reps / 2];
}

#endif
