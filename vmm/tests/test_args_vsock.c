// SPDX-License-Identifier: MIT
// --vsock cid=N,uds=PATH: each key lands in the configuration, and each bad
// input (parse or validation) is one line naming the key and value.
#include "args_harness.h"

TestSuite(args_vsock, .init = harness_setup, .fini = harness_teardown);

Test(args_vsock, off_by_default)
{
	cr_assert_eq(PARSE("--kernel", "path=k"), VMM_ARGS_RUN);
	cr_assert(!cfg.vsock.enabled);
}

Test(args_vsock, keys_land_in_config)
{
	cr_assert_eq(PARSE("--vsock", "cid=42,uds=/tmp/v.sock"), VMM_ARGS_RUN, "%s", err);
	cr_assert(cfg.vsock.enabled);
	cr_assert_eq(cfg.vsock.guest_cid, 42);
	cr_assert_str_eq(cfg.vsock.uds_path, "/tmp/v.sock");
	cr_assert_eq(validate(), 0, "%s", err);
}

Test(args_vsock, largest_cid_is_valid)
{
	cr_assert_eq(PARSE("--vsock", "cid=4294967294,uds=v"), VMM_ARGS_RUN);
	cr_assert_eq(validate(), 0, "%s", err);
}

Test(args_vsock, given_twice)
{
	cr_assert_eq(PARSE("--vsock", "cid=3,uds=a", "--vsock", "cid=4,uds=b"), -EINVAL);
	cr_assert_str_eq(err, "--vsock given twice: cvmm has one vsock device");
}

Test(args_vsock, cid_not_a_number)
{
	cr_assert_eq(PARSE("--vsock", "cid=three,uds=a"), -EINVAL);
	cr_assert_str_eq(err, "--vsock cid=three: not a number");
}

Test(args_vsock, unknown_key)
{
	cr_assert_eq(PARSE("--vsock", "cid=3,port=5"), -EINVAL);
	cr_assert(strstr(err, "--vsock"));
	cr_assert(strstr(err, "port=5"));
}

Test(args_vsock, reserved_cids_rejected)
{
	static const char *const bad[] = { "cid=0,uds=a", "cid=2,uds=a",
					   "cid=4294967295,uds=a", "cid=4294967296,uds=a" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vmm_config_init(&cfg);
		cr_assert_eq(PARSE("--vsock", bad[i]), VMM_ARGS_RUN);
		cr_assert_eq(validate(), -EINVAL, "%s", bad[i]);
		cr_assert(strstr(err, "vsock.cid="), "%s", err);
		cr_assert(strstr(err, "between 3 and 4294967294"), "%s", err);
	}
}

Test(args_vsock, missing_uds)
{
	cr_assert_eq(PARSE("--vsock", "cid=3"), VMM_ARGS_RUN);
	cr_assert_eq(validate(), -EINVAL);
	cr_assert_str_eq(err, "vsock.uds: missing (--vsock cid=N,uds=PATH)");
}

Test(args_vsock, uds_too_long_for_a_socket)
{
	char arg[200];

	snprintf(arg, sizeof(arg), "cid=3,uds=/tmp/%0*d", (int)VMM_VSOCK_UDS_MAX, 0);
	cr_assert_eq(PARSE("--vsock", arg), VMM_ARGS_RUN);
	cr_assert_eq(validate(), -EINVAL);
	cr_assert(strstr(err, "vsock.uds=/tmp/"), "%s", err);
	cr_assert(strstr(err, "longer than 96 bytes"), "%s", err);
}

Test(args_vsock, counts_against_the_virtio_slots)
{
	for (uint32_t i = 0; i < VMM_MAX_BLOCKS; i++)
		cr_assert_eq(PARSE("--block", "path=/dev/null"), VMM_ARGS_RUN);
	cr_assert_eq(PARSE("--vsock", "cid=3,uds=a"), VMM_ARGS_RUN);
	cr_assert_eq(validate(), -EINVAL);
	cr_assert_str_eq(err, "virtio: 9 devices (block, vsock and net), at most 8");
}
