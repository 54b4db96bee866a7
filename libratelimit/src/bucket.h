/* SPDX-License-Identifier: MIT */
/* One token bucket (private to libratelimit): refill, fit, take, refund. */
#ifndef RLIM_BUCKET_H
#define RLIM_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

#include <rlim/ratelimit.h>

int rlim__bucket_init(struct rlim_bucket *b, const struct rlim_bucket_config *c,
		      uint64_t now);
bool rlim__bucket_limits(const struct rlim_bucket *b);
void rlim__bucket_refill(struct rlim_bucket *b, uint64_t now);
bool rlim__bucket_fits(const struct rlim_bucket *b, uint64_t tokens);
uint64_t rlim__bucket_fit_time(const struct rlim_bucket *b, uint64_t tokens,
			       uint64_t now);
void rlim__bucket_take(struct rlim_bucket *b, uint64_t tokens);
void rlim__bucket_refund(struct rlim_bucket *b, uint64_t tokens);

#endif
