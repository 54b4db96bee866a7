// SPDX-License-Identifier: MIT
// --net tap=NAME,mac=..,rx_rate=..,tx_rate=..: each key lands in the
// configuration, and each bad input (parse or validation) is one line
// naming the device, key and value.  The other limiter keys are in
// test_args_limit.c.
#include "args_harness.h"

TestSuite(args_net, .init = harness_setup, .fini = harness_teardown);

Test(args_net, keys_land_in_config)
{
	cr_assert_eq(PARSE("--net", "tap=tap0,mac=52:54:00:Ab:cD:0f,rx_rate=1000,tx_rate=2000"),
		     VMM_ARGS_RUN, "%s", err);
	cr_assert_eq(cfg.nnets, 1);
	cr_assert_str_eq(cfg.nets[0].tap, "tap0");
	cr_assert(cfg.nets[0].has_mac);
	cr_assert_arr_eq(cfg.nets[0].mac, ((uint8_t[]){ 0x52, 0x54, 0, 0xab, 0xcd, 0x0f }), 6);
	cr_assert_eq(cfg.nets[0].rx_limit.bytes.size, 1000);
	cr_assert_eq(cfg.nets[0].rx_limit.bytes.refill_ms, 1000);
	cr_assert_eq(cfg.nets[0].tx_limit.bytes.size, 2000);
	cr_assert_eq(cfg.nets[0].tx_limit.bytes.refill_ms, 1000);
	cr_assert_eq(cfg.nets[0].rx_limit.ops.size + cfg.nets[0].tx_limit.ops.size, 0);
	cr_assert_eq(validate(), 0, "%s", err);
}

Test(args_net, mac_and_rates_are_optional)
{
	cr_assert_eq(PARSE("--net", "tap=tap0"), VMM_ARGS_RUN, "%s", err);
	cr_assert(!cfg.nets[0].has_mac);
	cr_assert(!vmm_rate_limit_limits(&cfg.nets[0].rx_limit));
	cr_assert(!vmm_rate_limit_limits(&cfg.nets[0].tx_limit));
	cr_assert_eq(validate(), 0, "%s", err);
}

Test(args_net, repeatable_up_to_eight)
{
	for (uint32_t i = 0; i < VMM_MAX_NETS; i++)
		cr_assert_eq(PARSE("--net", "tap=t"), VMM_ARGS_RUN);
	cr_assert_eq(cfg.nnets, VMM_MAX_NETS);
	cr_assert_eq(validate(), 0, "%s", err);
	cr_assert_eq(PARSE("--net", "tap=t"), -EINVAL);
	cr_assert_str_eq(err, "--net given more than 8 times");
}

Test(args_net, second_device_starts_clean)
{
	cr_assert_eq(PARSE("--net", "tap=a,mac=52:54:00:00:00:01,rx_rate=5",
			   "--net", "tap=b"), VMM_ARGS_RUN);
	cr_assert_eq(cfg.nnets, 2);
	cr_assert_str_eq(cfg.nets[1].tap, "b");
	cr_assert(!cfg.nets[1].has_mac);
	cr_assert_eq(cfg.nets[1].rx_limit.bytes.size, 0);
	cr_assert_eq(cfg.nets[1].rx_limit.bytes.refill_ms, 0);
}

Test(args_net, bad_macs_rejected)
{
	static const char *const bad[] = {
		"tap=t,mac=52:54:00:12:34", "tap=t,mac=52:54:00:12:34:56:78",
		"tap=t,mac=52-54-00-12-34-56", "tap=t,mac=5:54:00:12:34:56",
		"tap=t,mac=52:54:00:12:34:5g", "tap=t,mac=",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vmm_config_init(&cfg);
		cr_assert_eq(PARSE("--net", bad[i]), -EINVAL, "%s", bad[i]);
		cr_assert(strstr(err, "--net mac="), "%s", err);
		cr_assert(strstr(err, "expected six hex bytes"), "%s", err);
	}
}

Test(args_net, rate_not_a_number)
{
	cr_assert_eq(PARSE("--net", "tap=t,rx_rate=fast"), -EINVAL);
	cr_assert_str_eq(err, "--net rx_rate=fast: not a number");
}

Test(args_net, multicast_mac_rejected)
{
	cr_assert_eq(PARSE("--net", "tap=t,mac=01:00:5e:00:00:01"), VMM_ARGS_RUN);
	cr_assert_eq(validate(), -EINVAL);
	cr_assert_str_eq(err, "net[0].mac=01:00:5e:00:00:01: a multicast address");
}

Test(args_net, missing_tap)
{
	cr_assert_eq(PARSE("--net", "tap=a", "--net", "mac=52:54:00:00:00:01"), VMM_ARGS_RUN);
	cr_assert_eq(validate(), -EINVAL);
	cr_assert_str_eq(err, "net[1].tap: missing (--net tap=NAME)");
}

Test(args_net, tap_name_too_long)
{
	cr_assert_eq(PARSE("--net", "tap=abcdefghijklmnop"), VMM_ARGS_RUN);
	cr_assert_eq(validate(), -EINVAL);
	cr_assert(strstr(err, "net[0].tap=abcdefghijklmnop: longer than 15 bytes"), "%s", err);
}

Test(args_net, shares_the_virtio_slots)
{
	char disk[64];

	snprintf(disk, sizeof(disk), "path=%s", kernel);
	for (uint32_t i = 0; i < 4; i++)
		cr_assert_eq(PARSE("--block", disk, "--net", "tap=t"), VMM_ARGS_RUN);
	cr_assert_eq(validate(), 0, "%s", err);
	cr_assert_eq(PARSE("--vsock", "cid=3,uds=v"), VMM_ARGS_RUN);
	cr_assert_eq(validate(), -EINVAL);
	cr_assert_str_eq(err, "virtio: 9 devices (block, vsock and net), at most 8");
}
