// SPDX-License-Identifier: MIT
/*
 * The two-bucket limiter (bytes and operations) in front of a device
 * queue, as Firecracker applies it: a request passes only when both
 * buckets can pay for it, and a refused request reports the earliest time
 * at which both can.  The clock is read only when a bucket limits.
 */
#include <errno.h>
#include <time.h>

#include "bucket.h"

uint64_t rlim_clock_monotonic(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool limits(const struct rlim_bucket_config *c)
{
	return c->size != 0 && c->refill_time_ms != 0;
}

static int configure(struct rlim_limiter *l, const struct rlim_config *cfg)
{
	struct rlim_bucket bytes, ops;
	uint64_t now = 0;
	int err;

	if (!cfg) {
		*l = (struct rlim_limiter){ 0 };
		return 0;
	}
	if (limits(&cfg->bytes) || limits(&cfg->ops)) {
		if (!cfg->clock)
			return -EINVAL;
		now = cfg->clock(cfg->clock_ctx);
	}
	err = rlim__bucket_init(&bytes, &cfg->bytes, now);
	if (!err)
		err = rlim__bucket_init(&ops, &cfg->ops, now);
	if (err)
		return err;
	l->bytes = bytes;
	l->ops = ops;
	l->clock = cfg->clock;
	l->clock_ctx = cfg->clock_ctx;
	l->retry_at_ns = 0;
	return 0;
}

int rlim_init(struct rlim_limiter *l, const struct rlim_config *cfg)
{
	*l = (struct rlim_limiter){ 0 };
	return configure(l, cfg);
}

int rlim_update(struct rlim_limiter *l, const struct rlim_config *cfg)
{
	return configure(l, cfg);
}

bool rlim_is_limiting(const struct rlim_limiter *l)
{
	return rlim__bucket_limits(&l->bytes) || rlim__bucket_limits(&l->ops);
}

int rlim_consume(struct rlim_limiter *l, uint64_t ops, uint64_t bytes)
{
	uint64_t now, a, b;

	if (!rlim_is_limiting(l)) {
		l->stats.allowed++;
		return 0;
	}
	if (ops > RLIM_MAX_TOKENS || bytes > RLIM_MAX_TOKENS)
		return -EINVAL;
	now = l->clock(l->clock_ctx);
	rlim__bucket_refill(&l->bytes, now);
	rlim__bucket_refill(&l->ops, now);
	if (rlim__bucket_fits(&l->bytes, bytes) && rlim__bucket_fits(&l->ops, ops)) {
		rlim__bucket_take(&l->bytes, bytes);
		rlim__bucket_take(&l->ops, ops);
		l->stats.allowed++;
		return 0;
	}
	a = rlim__bucket_fit_time(&l->bytes, bytes, now);
	b = rlim__bucket_fit_time(&l->ops, ops, now);
	l->retry_at_ns = a > b ? a : b;
	l->stats.throttled++;
	return -EAGAIN;
}

uint64_t rlim_retry_at(const struct rlim_limiter *l)
{
	return l->retry_at_ns;
}

void rlim_refund(struct rlim_limiter *l, uint64_t ops, uint64_t bytes)
{
	rlim__bucket_refund(&l->bytes, bytes);
	rlim__bucket_refund(&l->ops, ops);
}

const struct rlim_stats *rlim_stats(const struct rlim_limiter *l)
{
	return &l->stats;
}
