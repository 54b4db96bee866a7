// SPDX-License-Identifier: MIT
/* The token bucket on its own: limits, linear refill, exact rounding,
 * burst, debt for oversized requests, fit times and refunds. */
#include <criterion/criterion.h>
#include <errno.h>

#include "bucket.h"

#define MS 1000000ull

static struct rlim_bucket mk(uint64_t size, uint64_t burst, uint64_t ms)
{
	struct rlim_bucket b;
	struct rlim_bucket_config c = { size, burst, ms };

	cr_assert_eq(rlim__bucket_init(&b, &c, 1000), 0);
	return b;
}

Test(bucket, init_rejects_values_above_the_maxima)
{
	struct rlim_bucket b;
	struct rlim_bucket_config big_size = { RLIM_MAX_TOKENS + 1, 0, 1 };
	struct rlim_bucket_config big_burst = { 1, RLIM_MAX_TOKENS + 1, 1 };
	struct rlim_bucket_config big_time = { 1, 0, RLIM_MAX_REFILL_MS + 1 };

	cr_expect_eq(rlim__bucket_init(&b, &big_size, 0), -EINVAL);
	cr_expect_eq(rlim__bucket_init(&b, &big_burst, 0), -EINVAL);
	cr_expect_eq(rlim__bucket_init(&b, &big_time, 0), -EINVAL);
}

Test(bucket, size_or_refill_zero_does_not_limit)
{
	struct rlim_bucket a = mk(0, 0, 100), b = mk(100, 0, 0);

	cr_expect_not(rlim__bucket_limits(&a));
	cr_expect_not(rlim__bucket_limits(&b));
	cr_expect(rlim__bucket_fits(&a, UINT64_MAX));
	rlim__bucket_take(&b, 1u << 30);
	cr_expect(rlim__bucket_fits(&b, 1u << 30));
}

Test(bucket, starts_full_and_refuses_beyond_the_budget)
{
	struct rlim_bucket b = mk(1000, 0, 1000);

	cr_assert(rlim__bucket_fits(&b, 1000));
	rlim__bucket_take(&b, 1);
	cr_expect_not(rlim__bucket_fits(&b, 1000));
	cr_expect(rlim__bucket_fits(&b, 999));
}

Test(bucket, refills_linearly_and_never_above_size)
{
	struct rlim_bucket b = mk(1000, 0, 1000);	/* 1 token per ms */

	rlim__bucket_take(&b, 1000);
	rlim__bucket_refill(&b, 1000 + 500 * MS);
	cr_expect_eq(b.budget, 500);
	rlim__bucket_refill(&b, 1000 + 10000 * MS);
	cr_expect_eq(b.budget, 1000);
}

Test(bucket, frequent_refills_lose_no_fraction_of_a_token)
{
	/* 3 tokens per ms: a token every 333333.3 ns, read every 1 us. */
	struct rlim_bucket b = mk(3, 0, 1);
	uint64_t t = 1000;

	rlim__bucket_take(&b, 3);
	for (int i = 0; i < 999; i++) {
		t += 1000;
		rlim__bucket_refill(&b, t);
	}
	cr_expect_eq(b.budget, 2, "999 us gives 2 tokens, got %lld", (long long)b.budget);
	rlim__bucket_refill(&b, 1000 + MS);
	cr_expect_eq(b.budget, 3);
}

Test(bucket, burst_is_spent_first_and_never_refilled)
{
	struct rlim_bucket b = mk(100, 50, 1000);

	cr_assert(rlim__bucket_fits(&b, 150));
	rlim__bucket_take(&b, 120);
	cr_expect_eq(b.burst, 0);
	cr_expect_eq(b.budget, 30);
	rlim__bucket_refill(&b, 1000 + 100000 * MS);
	cr_expect_eq(b.budget, 100);
	cr_expect_eq(b.burst, 0);
	cr_expect_not(rlim__bucket_fits(&b, 101) && b.budget < 100);
}

Test(bucket, oversized_request_passes_only_when_full_and_leaves_debt)
{
	struct rlim_bucket b = mk(100, 0, 100);		/* 1 token per ms */

	cr_assert(rlim__bucket_fits(&b, 250));
	rlim__bucket_take(&b, 250);
	cr_expect_eq(b.budget, -150);
	cr_expect_not(rlim__bucket_fits(&b, 1));
	/* 151 tokens (151 ms) until one token is there again. */
	cr_expect_eq(rlim__bucket_fit_time(&b, 1, 1000), 1000 + 151 * MS);
	rlim__bucket_take(&b, 0);
	rlim__bucket_refill(&b, 1000 + 50 * MS);
	cr_expect_not(rlim__bucket_fits(&b, 250), "oversized needs a full bucket");
}

Test(bucket, fit_time_is_when_the_missing_tokens_have_refilled)
{
	struct rlim_bucket b = mk(1000, 0, 1000);

	rlim__bucket_take(&b, 1000);
	cr_expect_eq(rlim__bucket_fit_time(&b, 100, 1000), 1000 + 100 * MS);
	rlim__bucket_refill(&b, 1000 + 100 * MS);
	cr_expect(rlim__bucket_fits(&b, 100));
	cr_expect_eq(rlim__bucket_fit_time(&b, 100, 5), 5, "fits now: now");
}

Test(bucket, refund_never_grows_beyond_size)
{
	struct rlim_bucket b = mk(100, 0, 1000);

	rlim__bucket_take(&b, 10);
	rlim__bucket_refund(&b, 1000);
	cr_expect_eq(b.budget, 100);
}

Test(bucket, clock_going_backwards_changes_nothing)
{
	struct rlim_bucket b = mk(1000, 0, 1000);

	rlim__bucket_take(&b, 1000);
	rlim__bucket_refill(&b, 10);
	cr_expect_eq(b.budget, 0);
	cr_expect_eq(b.last_ns, 1000);
}
