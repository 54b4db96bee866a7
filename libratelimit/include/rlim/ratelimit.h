/* SPDX-License-Identifier: MIT */
/*
 * Token-bucket rate limiting for device I/O, in the model of Firecracker's
 * rate limiter: a limiter has two buckets, one counting bytes and one
 * counting operations (packets, block requests).  Each bucket has
 *  - a size: the tokens it holds when full, refilled linearly over
 *  - refill_time_ms: the time an empty bucket takes to become full again,
 *  - a one-time burst: extra tokens spent first, never refilled.
 * A bucket with size 0 or refill_time_ms 0 does not limit.
 *
 * The limiter never sleeps, never arms a timer and never reads a clock of
 * its own: time comes from an injected callback (rlim_clock_monotonic is a
 * ready-made one).  When a request does not fit, nothing is consumed and
 * the caller learns the earliest time at which the same request fits, so
 * that its event loop can arm a timerfd for that deadline and retry.
 *
 * A single request larger than a bucket's size (a 64 KiB TSO frame through
 * a 16 KiB bucket) is let through once the bucket is full, leaving the
 * bucket in debt for the excess, so that no request is refused forever.
 *
 * Caller-allocated, no allocation, no locking: one limiter is used by one
 * thread at a time (the device's lock serialises it).
 */
#ifndef RLIM_RATELIMIT_H
#define RLIM_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RLIM_WUR __attribute__((warn_unused_result))

/* Monotonic time in nanoseconds. */
typedef uint64_t (*rlim_clock_fn)(void *ctx);

/* CLOCK_MONOTONIC in nanoseconds; ctx is ignored. */
uint64_t rlim_clock_monotonic(void *ctx);

struct rlim_bucket_config {
	uint64_t size;			/* tokens when full; 0 = unlimited */
	uint64_t one_time_burst;	/* extra tokens, spent first, once */
	uint64_t refill_time_ms;	/* empty to full; 0 = unlimited */
};

struct rlim_config {
	struct rlim_bucket_config bytes;
	struct rlim_bucket_config ops;
	rlim_clock_fn clock;	/* required unless both buckets are unlimited */
	void *clock_ctx;
};

/* One bucket.  Fields are private. */
struct rlim_bucket {
	uint64_t size;
	uint64_t burst;		/* one-time burst left */
	uint64_t refill_ns;
	int64_t budget;		/* tokens; negative while in debt */
	uint64_t last_ns;	/* time of the last refill */
	uint64_t frac;		/* token-ns earned towards the next token */
};

struct rlim_stats {
	uint64_t allowed;	/* requests let through */
	uint64_t throttled;	/* requests refused for now */
};

struct rlim_limiter {
	struct rlim_bucket bytes;
	struct rlim_bucket ops;
	rlim_clock_fn clock;
	void *clock_ctx;
	uint64_t retry_at_ns;	/* after a refusal: when it fits */
	struct rlim_stats stats;
};

/* Largest size, burst and refill time accepted, so that the arithmetic
 * (tokens times nanoseconds) stays exact. */
#define RLIM_MAX_TOKENS (1ull << 48)
#define RLIM_MAX_REFILL_MS (1ull << 32)

/*
 * Initialises l with full buckets (and their bursts) at the clock's
 * current time.  -EINVAL for a value above the maxima or a missing clock
 * for a limiting bucket.  A NULL cfg makes an unlimited limiter.
 */
RLIM_WUR int rlim_init(struct rlim_limiter *l, const struct rlim_config *cfg);

/*
 * Changes the limits at run time (an API PATCH): each bucket starts full
 * again with its new burst.  Same errors as rlim_init; l unchanged on error.
 */
RLIM_WUR int rlim_update(struct rlim_limiter *l, const struct rlim_config *cfg);

/* Whether any bucket limits. */
bool rlim_is_limiting(const struct rlim_limiter *l);

/*
 * Takes `ops` operation tokens and `bytes` byte tokens, both or neither.
 * 0 when taken; -EAGAIN when not (nothing taken): rlim_retry_at() then
 * tells when the same request fits.  An unlimited limiter always returns
 * 0 without reading the clock.
 */
RLIM_WUR int rlim_consume(struct rlim_limiter *l, uint64_t ops, uint64_t bytes);

/* After -EAGAIN: the clock value at which the refused request fits. */
uint64_t rlim_retry_at(const struct rlim_limiter *l);

/*
 * Gives tokens back (the I/O they paid for did not happen, e.g. the
 * backend said -EAGAIN).  A bucket never grows beyond its size this way.
 */
void rlim_refund(struct rlim_limiter *l, uint64_t ops, uint64_t bytes);

const struct rlim_stats *rlim_stats(const struct rlim_limiter *l);

#endif
