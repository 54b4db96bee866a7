// SPDX-License-Identifier: MIT
// The rate limiter keys of --block and --net (docs/cvmm.md): every bucket B
// (rate, iops; rx_rate, rx_ops, tx_rate, tx_ops) takes B=size, B_burst= and
// B_refill_ms=.  One test per key, that it lands in its own bucket field
// and nowhere else, and one per rejection (parse and validation).
#include "args_harness.h"

TestSuite(args_limit, .init = harness_setup, .fini = harness_teardown);

static const struct vmm_token_bucket none;

static void expect_bucket(const struct vmm_token_bucket *b, uint64_t size, uint64_t burst,
			  uint64_t refill_ms)
{
	cr_assert_eq(b->size, size, "size %llu", (unsigned long long)b->size);
	cr_assert_eq(b->one_time_burst, burst, "burst %llu",
		     (unsigned long long)b->one_time_burst);
	cr_assert_eq(b->refill_ms, refill_ms, "refill_ms %llu", (unsigned long long)b->refill_ms);
}

static void expect_none(const struct vmm_token_bucket *b)
{
	cr_assert_eq(memcmp(b, &none, sizeof(none)), 0, "an untouched bucket");
}

/* --block path=...,KEYS and validation must both pass. */
static void block(const char *keys)
{
	char arg[256];

	snprintf(arg, sizeof(arg), "path=%s,%s", kernel, keys);
	cr_assert_eq(PARSE("--block", arg), VMM_ARGS_RUN, "%s", err);
	cr_assert_eq(validate(), 0, "%s", err);
}

/* --net tap=t,KEYS and validation must both pass. */
static void net(const char *keys)
{
	char arg[256];

	snprintf(arg, sizeof(arg), "tap=t,%s", keys);
	cr_assert_eq(PARSE("--net", arg), VMM_ARGS_RUN, "%s", err);
	cr_assert_eq(validate(), 0, "%s", err);
}

/* The option is refused at parse time with exactly msg. */
static void refused(const char *opt, const char *arg, const char *msg)
{
	cr_assert_eq(PARSE(opt, arg), -EINVAL, "%s %s", opt, arg);
	cr_assert_str_eq(err, msg);
}

/* --block keys. */

Test(args_limit, block_rate_is_a_one_second_bucket)
{
	block("rate=4096");
	expect_bucket(&cfg.blocks[0].limit.bytes, 4096, 0, 1000);
	expect_none(&cfg.blocks[0].limit.ops);
}

Test(args_limit, block_rate_burst)
{
	block("rate=4096,rate_burst=65536");
	expect_bucket(&cfg.blocks[0].limit.bytes, 4096, 65536, 1000);
	expect_none(&cfg.blocks[0].limit.ops);
}

Test(args_limit, block_rate_refill_ms)
{
	block("rate=4096,rate_refill_ms=100");
	expect_bucket(&cfg.blocks[0].limit.bytes, 4096, 0, 100);
	expect_none(&cfg.blocks[0].limit.ops);
}

Test(args_limit, block_iops_burst)
{
	block("iops=100,iops_burst=1000");
	expect_bucket(&cfg.blocks[0].limit.ops, 100, 1000, 1000);
	expect_none(&cfg.blocks[0].limit.bytes);
}

Test(args_limit, block_iops_refill_ms)
{
	block("iops=100,iops_refill_ms=2500");
	expect_bucket(&cfg.blocks[0].limit.ops, 100, 0, 2500);
	expect_none(&cfg.blocks[0].limit.bytes);
}

Test(args_limit, block_all_six_keys)
{
	block("iops_refill_ms=7,rate_burst=2,iops=3,rate_refill_ms=5,iops_burst=6,rate=1");
	expect_bucket(&cfg.blocks[0].limit.bytes, 1, 2, 5);
	expect_bucket(&cfg.blocks[0].limit.ops, 3, 6, 7);
}

Test(args_limit, refill_ms_given_before_the_size_is_kept)
{
	block("rate_refill_ms=250,rate=10");
	expect_bucket(&cfg.blocks[0].limit.bytes, 10, 0, 250);
}

Test(args_limit, later_value_wins_within_one_option)
{
	block("rate=10,rate_refill_ms=250,rate=20,rate_refill_ms=500");
	expect_bucket(&cfg.blocks[0].limit.bytes, 20, 0, 500);
}

Test(args_limit, second_block_starts_unlimited)
{
	char arg[256];

	block("rate=1,rate_burst=2,rate_refill_ms=3,iops=4,iops_burst=5,iops_refill_ms=6");
	snprintf(arg, sizeof(arg), "path=%s", kernel);
	cr_assert_eq(PARSE("--block", arg), VMM_ARGS_RUN, "%s", err);
	expect_none(&cfg.blocks[1].limit.bytes);
	expect_none(&cfg.blocks[1].limit.ops);
}

/* --net keys: each lands in its direction and bucket only. */

Test(args_limit, net_rx_rate_burst)
{
	net("rx_rate=1000,rx_rate_burst=1500");
	expect_bucket(&cfg.nets[0].rx_limit.bytes, 1000, 1500, 1000);
	expect_none(&cfg.nets[0].rx_limit.ops);
	expect_none(&cfg.nets[0].tx_limit.bytes);
	expect_none(&cfg.nets[0].tx_limit.ops);
}

Test(args_limit, net_rx_rate_refill_ms)
{
	net("rx_rate=1000,rx_rate_refill_ms=10");
	expect_bucket(&cfg.nets[0].rx_limit.bytes, 1000, 0, 10);
	expect_none(&cfg.nets[0].tx_limit.bytes);
}

Test(args_limit, net_rx_ops)
{
	net("rx_ops=50");
	expect_bucket(&cfg.nets[0].rx_limit.ops, 50, 0, 1000);
	expect_none(&cfg.nets[0].rx_limit.bytes);
	expect_none(&cfg.nets[0].tx_limit.ops);
}

Test(args_limit, net_rx_ops_burst)
{
	net("rx_ops=50,rx_ops_burst=500");
	expect_bucket(&cfg.nets[0].rx_limit.ops, 50, 500, 1000);
	expect_none(&cfg.nets[0].tx_limit.ops);
}

Test(args_limit, net_rx_ops_refill_ms)
{
	net("rx_ops=50,rx_ops_refill_ms=20");
	expect_bucket(&cfg.nets[0].rx_limit.ops, 50, 0, 20);
	expect_none(&cfg.nets[0].tx_limit.ops);
}

Test(args_limit, net_tx_rate_burst)
{
	net("tx_rate=100,tx_rate_burst=9000");
	expect_bucket(&cfg.nets[0].tx_limit.bytes, 100, 9000, 1000);
	expect_none(&cfg.nets[0].tx_limit.ops);
	expect_none(&cfg.nets[0].rx_limit.bytes);
}

Test(args_limit, net_tx_rate_refill_ms)
{
	net("tx_rate=100,tx_rate_refill_ms=4000");
	expect_bucket(&cfg.nets[0].tx_limit.bytes, 100, 0, 4000);
	expect_none(&cfg.nets[0].rx_limit.bytes);
}

Test(args_limit, net_tx_ops)
{
	net("tx_ops=1");
	expect_bucket(&cfg.nets[0].tx_limit.ops, 1, 0, 1000);
	expect_none(&cfg.nets[0].tx_limit.bytes);
	expect_none(&cfg.nets[0].rx_limit.ops);
}

Test(args_limit, net_tx_ops_burst)
{
	net("tx_ops=1,tx_ops_burst=3");
	expect_bucket(&cfg.nets[0].tx_limit.ops, 1, 3, 1000);
	expect_none(&cfg.nets[0].rx_limit.ops);
}

Test(args_limit, net_tx_ops_refill_ms)
{
	net("tx_ops=1,tx_ops_refill_ms=333");
	expect_bucket(&cfg.nets[0].tx_limit.ops, 1, 0, 333);
	expect_none(&cfg.nets[0].rx_limit.ops);
}

Test(args_limit, net_all_twelve_keys)
{
	net("rx_rate=1,rx_rate_burst=2,rx_rate_refill_ms=3,rx_ops=4,rx_ops_burst=5,"
	    "rx_ops_refill_ms=6,tx_rate=7,tx_rate_burst=8,tx_rate_refill_ms=9,tx_ops=10,"
	    "tx_ops_burst=11,tx_ops_refill_ms=12");
	expect_bucket(&cfg.nets[0].rx_limit.bytes, 1, 2, 3);
	expect_bucket(&cfg.nets[0].rx_limit.ops, 4, 5, 6);
	expect_bucket(&cfg.nets[0].tx_limit.bytes, 7, 8, 9);
	expect_bucket(&cfg.nets[0].tx_limit.ops, 10, 11, 12);
}

Test(args_limit, size_zero_is_unlimited)
{
	net("rx_rate=0,tx_ops=0");
	cr_assert(!vmm_rate_limit_limits(&cfg.nets[0].rx_limit));
	expect_none(&cfg.nets[0].rx_limit.bytes);
	expect_none(&cfg.nets[0].tx_limit.ops);
}

Test(args_limit, largest_values_pass_validation)
{
	/* libratelimit's maxima: 2^48 tokens, 2^32 ms. */
	block("rate=281474976710656,rate_burst=281474976710656,rate_refill_ms=4294967296");
	expect_bucket(&cfg.blocks[0].limit.bytes, 1ull << 48, 1ull << 48, 1ull << 32);
}

/* Rejections while parsing. */

Test(args_limit, burst_without_size_refused)
{
	refused("--block", "path=d,rate_burst=5", "--block rate_burst=5: needs a non-zero rate");
	refused("--block", "path=d,iops=0,iops_burst=5",
		"--block iops_burst=5: needs a non-zero iops");
	refused("--net", "tap=t,rx_ops_burst=1", "--net rx_ops_burst=1: needs a non-zero rx_ops");
	refused("--net", "tap=t,tx_rate_burst=9", "--net tx_rate_burst=9: needs a non-zero tx_rate");
}

Test(args_limit, refill_without_size_refused)
{
	refused("--block", "path=d,iops_refill_ms=100",
		"--block iops_refill_ms=100: needs a non-zero iops");
	refused("--block", "path=d,rate_refill_ms=100",
		"--block rate_refill_ms=100: needs a non-zero rate");
	refused("--net", "tap=t,rx_rate=5,tx_rate_refill_ms=10",
		"--net tx_rate_refill_ms=10: needs a non-zero tx_rate");
	refused("--net", "tap=t,tx_ops_refill_ms=10", "--net tx_ops_refill_ms=10: needs a non-zero tx_ops");
}

Test(args_limit, refill_ms_zero_refused)
{
	refused("--block", "path=d,rate=1,rate_refill_ms=0",
		"--block rate_refill_ms=0: must be at least 1 (no limit is a size of 0)");
	refused("--net", "tap=t,rx_ops=1,rx_ops_refill_ms=0",
		"--net rx_ops_refill_ms=0: must be at least 1 (no limit is a size of 0)");
}

Test(args_limit, not_a_number_refused)
{
	refused("--block", "path=d,iops_burst=lots", "--block iops_burst=lots: not a number");
	refused("--net", "tap=t,tx_ops=-1", "--net tx_ops=-1: not a number");
	refused("--net", "tap=t,rx_rate_refill_ms=1s", "--net rx_rate_refill_ms=1s: not a number");
}

Test(args_limit, beyond_u64_refused)
{
	refused("--block", "path=d,rate_burst=18446744073709551616",
		"--block rate_burst=18446744073709551616: number too large");
}

Test(args_limit, unknown_limiter_key_lists_the_keys)
{
	cr_assert_eq(PARSE("--net", "tap=t,rx_iops=5"), -EINVAL);
	cr_assert(strstr(err, "unknown key 'rx_iops' (known: tap, mac, rx_rate, rx_rate_burst, "
			 "rx_rate_refill_ms, rx_ops, rx_ops_burst, rx_ops_refill_ms, tx_rate, "
			 "tx_rate_burst, tx_rate_refill_ms, tx_ops, tx_ops_burst, tx_ops_refill_ms)"),
		  "%s", err);
}

/* Rejections by vmm_config_validate(): libratelimit's maxima. */

Test(args_limit, size_beyond_2_48_refused)
{
	char arg[256];

	snprintf(arg, sizeof(arg), "path=%s,iops=281474976710657", kernel);
	cr_assert_eq(PARSE("--block", arg), VMM_ARGS_RUN, "%s", err);
	cr_assert_eq(validate(), -EINVAL);
	cr_assert_str_eq(err, "block[0].iops=281474976710657: at most 281474976710656");
}

Test(args_limit, burst_beyond_2_48_refused)
{
	cr_assert_eq(PARSE("--net", "tap=t", "--net", "tap=u,tx_rate=1,tx_rate_burst=281474976710657"),
		     VMM_ARGS_RUN, "%s", err);
	cr_assert_eq(validate(), -EINVAL);
	cr_assert_str_eq(err, "net[1].tx_rate_burst=281474976710657: at most 281474976710656");
}

Test(args_limit, refill_beyond_2_32_ms_refused)
{
	cr_assert_eq(PARSE("--net", "tap=t,rx_ops=1,rx_ops_refill_ms=4294967297"), VMM_ARGS_RUN,
		     "%s", err);
	cr_assert_eq(validate(), -EINVAL);
	cr_assert_str_eq(err, "net[0].rx_ops_refill_ms=4294967297: at most 4294967296");
}
