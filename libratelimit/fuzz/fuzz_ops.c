// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: a limiter configured from the input, then a sequence
 * of (clock step, ops, bytes) requests.  Checks the accounting invariants
 * on every step: a bucket never holds more than its size; what passed
 * never exceeds what the buckets can have paid (size + burst + refill over
 * the elapsed time, plus one oversized request); a refusal's deadline lies
 * in the future.  Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rlim/rlim.h>

static uint64_t fake_now(void *ctx)
{
	return *(uint64_t *)ctx;
}

static uint64_t take(const uint8_t **p, size_t *n, size_t bytes)
{
	uint64_t v = 0;

	for (size_t i = 0; i < bytes && *n; i++, (*p)++, (*n)--)
		v |= (uint64_t)**p << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t now = take(&data, &size, 4);
	uint64_t start = now, passed = 0, big = 0;
	struct rlim_limiter l;
	struct rlim_config cfg = { .clock = fake_now, .clock_ctx = &now };

	cfg.bytes.size = take(&data, &size, 3);
	cfg.bytes.one_time_burst = take(&data, &size, 2);
	cfg.bytes.refill_time_ms = take(&data, &size, 2);
	if (rlim_init(&l, &cfg))
		return 0;
	while (size >= 5) {
		uint64_t step = take(&data, &size, 2) * 997u;
		uint64_t bytes = take(&data, &size, 3);

		now += step;
		if (rlim_consume(&l, 1, bytes) == 0) {
			passed += bytes;
			if (bytes > big)
				big = bytes;
		} else if (rlim_retry_at(&l) <= now) {
			abort();
		}
		if (l.bytes.size && l.bytes.budget > (int64_t)l.bytes.size)
			abort();
	}
	if (rlim_is_limiting(&l)) {
		__extension__ unsigned __int128 earned = (unsigned __int128)(now - start) *
			cfg.bytes.size / (cfg.bytes.refill_time_ms * 1000000u);

		if (passed > cfg.bytes.size + cfg.bytes.one_time_burst + earned + big)
			abort();
	}
	return 0;
}
