// SPDX-License-Identifier: MIT
/* The two-bucket limiter through its public API, on a fake clock. */
#include <criterion/criterion.h>
#include <errno.h>

#include <rlim/rlim.h>

#define MS 1000000ull

struct fake_clock {
	uint64_t now;
	unsigned int reads;
};

static uint64_t fake_now(void *ctx)
{
	struct fake_clock *c = ctx;

	c->reads++;
	return c->now;
}

static void mk(struct rlim_limiter *l, struct fake_clock *c, uint64_t bytes,
	       uint64_t ops, uint64_t ms)
{
	struct rlim_config cfg = {
		.bytes = { bytes, 0, ms }, .ops = { ops, 0, ms },
		.clock = fake_now, .clock_ctx = c,
	};

	cr_assert_eq(rlim_init(l, &cfg), 0);
}

Test(limiter, unlimited_never_reads_the_clock)
{
	struct rlim_limiter l;
	struct fake_clock c = { 0 };
	struct rlim_config cfg = { .clock = fake_now, .clock_ctx = &c };

	cr_assert_eq(rlim_init(&l, &cfg), 0);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(rlim_consume(&l, 1, 65536), 0);
	cr_expect_eq(c.reads, 0);
	cr_expect_not(rlim_is_limiting(&l));
	cr_expect_eq(rlim_stats(&l)->allowed, 100);
	cr_assert_eq(rlim_init(&l, NULL), 0);
	cr_expect_eq(rlim_consume(&l, 1, 1), 0);
}

Test(limiter, limiting_bucket_without_clock_is_invalid)
{
	struct rlim_limiter l;
	struct rlim_config cfg = { .bytes = { 100, 0, 100 } };

	cr_expect_eq(rlim_init(&l, &cfg), -EINVAL);
}

Test(limiter, both_buckets_pay_or_neither)
{
	struct rlim_limiter l;
	struct fake_clock c = { 0 };

	mk(&l, &c, 10000, 2, 1000);
	cr_assert_eq(rlim_consume(&l, 1, 100), 0);
	cr_assert_eq(rlim_consume(&l, 1, 100), 0);
	/* ops are exhausted: the bytes must not be taken either */
	cr_expect_eq(rlim_consume(&l, 1, 100), -EAGAIN);
	cr_expect_eq(l.bytes.budget, 9800);
	cr_expect_eq(rlim_consume(&l, 0, 9800), 0);
	cr_expect_eq(rlim_stats(&l)->throttled, 1);
}

Test(limiter, retry_at_is_exactly_when_the_request_fits)
{
	struct rlim_limiter l;
	struct fake_clock c = { .now = 5000 };
	uint64_t at;

	mk(&l, &c, 1000, 0, 1000);	/* 1 byte per ms */
	cr_assert_eq(rlim_consume(&l, 1, 1000), 0);
	cr_assert_eq(rlim_consume(&l, 1, 300), -EAGAIN);
	at = rlim_retry_at(&l);
	cr_expect_eq(at, 5000 + 300 * MS);
	c.now = at - 1;
	cr_expect_eq(rlim_consume(&l, 1, 300), -EAGAIN);
	c.now = at;
	cr_expect_eq(rlim_consume(&l, 1, 300), 0);
}

Test(limiter, retry_at_waits_for_the_slower_bucket)
{
	struct rlim_limiter l;
	struct fake_clock c = { 0 };

	mk(&l, &c, 1000, 10, 1000);	/* 1 byte per ms, 1 op per 100 ms */
	cr_assert_eq(rlim_consume(&l, 10, 990), 0);
	cr_assert_eq(rlim_consume(&l, 1, 20), -EAGAIN);
	cr_expect_eq(rlim_retry_at(&l), 100 * MS);
}

Test(limiter, long_run_rate_stays_within_size_burst_and_refill)
{
	struct rlim_limiter l;
	struct fake_clock c = { 0 };
	struct rlim_config cfg = {
		.bytes = { 100000, 50000, 100 },	/* 1 MB/s */
		.clock = fake_now, .clock_ctx = &c,
	};
	uint64_t sent = 0;

	cr_assert_eq(rlim_init(&l, &cfg), 0);
	/* A sender that retries exactly at the deadline for 10 s. */
	while (c.now < 10000 * MS) {
		if (rlim_consume(&l, 1, 1500) == 0)
			sent += 1500;
		else
			c.now = rlim_retry_at(&l);
	}
	cr_expect_leq(sent, 100000 + 50000 + 10000000 + 1500);
	cr_expect_geq(sent, 100000 + 50000 + 10000000 - 3000);
}

Test(limiter, update_starts_full_with_new_limits)
{
	struct rlim_limiter l;
	struct fake_clock c = { 0 };
	struct rlim_config cfg = {
		.bytes = { 5000, 0, 1000 }, .clock = fake_now, .clock_ctx = &c,
	};
	struct rlim_config bad = { .bytes = { RLIM_MAX_TOKENS + 1, 0, 1 },
				   .clock = fake_now, .clock_ctx = &c };

	mk(&l, &c, 100, 0, 1000);
	cr_assert_eq(rlim_consume(&l, 0, 100), 0);
	cr_expect_eq(rlim_update(&l, &bad), -EINVAL);
	cr_expect_eq(rlim_consume(&l, 0, 1), -EAGAIN, "unchanged after a bad update");
	cr_assert_eq(rlim_update(&l, &cfg), 0);
	cr_expect_eq(rlim_consume(&l, 0, 5000), 0);
}

Test(limiter, refund_gives_tokens_back)
{
	struct rlim_limiter l;
	struct fake_clock c = { 0 };

	mk(&l, &c, 1000, 1, 1000);
	cr_assert_eq(rlim_consume(&l, 1, 1000), 0);
	rlim_refund(&l, 1, 1000);
	cr_expect_eq(rlim_consume(&l, 1, 1000), 0);
}

Test(limiter, absurd_request_is_invalid)
{
	struct rlim_limiter l;
	struct fake_clock c = { 0 };

	mk(&l, &c, 1000, 1, 1000);
	cr_expect_eq(rlim_consume(&l, 1, RLIM_MAX_TOKENS + 1), -EINVAL);
}

Test(limiter, monotonic_clock_advances)
{
	uint64_t a = rlim_clock_monotonic(NULL), b = rlim_clock_monotonic(NULL);

	cr_expect_geq(b, a);
	cr_expect_gt(a, 0);
}
