// SPDX-License-Identifier: MIT
// The cvmm options: each key lands in the right field; each bad input gives
// one error naming the option, key and value.
#include "args_harness.h"

static void setup(void)
{
	vmm_config_init(&cfg);
	err[0] = '\0';
}

TestSuite(args, .init = setup);

Test(args, design_example_parses)
{
	cr_assert_eq(PARSE("--memory", "size_mib=512", "--vcpu", "num=2",
			   "--kernel", "path=vmlinuz,cmdline=\"console=ttyS0 reboot=k panic=1\"",
			   "--initramfs", "path=initrd.img",
			   "--block", "path=disk.img,read_only=on"), VMM_ARGS_RUN, "%s", err);
	cr_assert_eq(cfg.mem_mib, 512);
	cr_assert_eq(cfg.vcpus, 2);
	cr_assert_str_eq(cfg.kernel_path, "vmlinuz");
	cr_assert_str_eq(cfg.cmdline, "console=ttyS0 reboot=k panic=1");
	cr_assert_str_eq(cfg.initramfs_path, "initrd.img");
	cr_assert_eq(cfg.nblocks, 1);
	cr_assert_str_eq(cfg.blocks[0].path, "disk.img");
	cr_assert(cfg.blocks[0].read_only);
}

Test(args, kernel_boot_entry)
{
	cr_assert_eq(cfg.boot, VMM_BOOT_AUTO);
	cr_assert_eq(PARSE("--kernel", "path=k,boot=64bit"), VMM_ARGS_RUN);
	cr_assert_eq(cfg.boot, VMM_BOOT_64BIT);
	cr_assert_eq(PARSE("--kernel", "boot=pvh"), VMM_ARGS_RUN);
	cr_assert_eq(cfg.boot, VMM_BOOT_PVH);
	cr_assert_eq(PARSE("--kernel", "boot=real"), -EINVAL);
	cr_assert_str_eq(err, "--kernel boot=real: expected auto, pvh or 64bit");
}

Test(args, block_is_repeatable)
{
	cr_assert_eq(PARSE("--kernel", "path=k", "--block", "path=a",
			   "--block", "path=b,read_only=off"), VMM_ARGS_RUN);
	cr_assert_eq(cfg.nblocks, 2);
	cr_assert_str_eq(cfg.blocks[1].path, "b");
	cr_assert(!cfg.blocks[1].read_only);
}

Test(args, too_many_blocks_rejected)
{
	for (unsigned i = 0; i < VMM_MAX_BLOCKS; i++)
		cr_assert_eq(PARSE("--block", "path=x"), VMM_ARGS_RUN);
	cr_assert_eq(cfg.nblocks, VMM_MAX_BLOCKS);
	cr_assert_eq(PARSE("--block", "path=x"), -EINVAL);
	cr_assert(strstr(err, "--block"));
}

Test(args, help_and_version)
{
	cr_assert_eq(PARSE("--help"), VMM_ARGS_HELP);
	cr_assert_eq(PARSE("--version"), VMM_ARGS_VERSION);
	cr_assert_eq(PARSE("--memory", "size_mib=64", "--version"), VMM_ARGS_VERSION);
}

Test(args, memory_size_with_unit)
{
	cr_assert_eq(PARSE("--memory", "size=2G"), VMM_ARGS_RUN);
	cr_assert_eq(cfg.mem_mib, 2048);
}

Test(args, memory_hugepages)
{
	cr_assert_eq(PARSE("--memory", "size_mib=512"), VMM_ARGS_RUN);
	cr_assert(!cfg.mem_hugepages, "off by default");
	cr_assert_eq(PARSE("--memory", "size_mib=512,hugepages=on"), VMM_ARGS_RUN);
	cr_assert(cfg.mem_hugepages);
	cr_assert_eq(cfg.mem_mib, 512);
}

Test(args, memory_hugepages_not_on_or_off)
{
	cr_assert_eq(PARSE("--memory", "hugepages=2M"), -EINVAL);
	cr_assert_str_eq(err, "--memory hugepages=2M: expected on or off");
}

Test(args, memory_size_not_whole_mib)
{
	cr_assert_eq(PARSE("--memory", "size=1536K"), -EINVAL);
	cr_assert_str_eq(err, "--memory size=1536K: not a whole number of MiB");
}

Test(args, bad_size_names_key_and_value)
{
	cr_assert_eq(PARSE("--memory", "size_mib=lots"), -EINVAL);
	cr_assert_str_eq(err, "--memory size_mib=lots: not a number");
}

Test(args, unknown_key_names_key_and_value)
{
	cr_assert_eq(PARSE("--kernel", "path=k,colour=blue"), -EINVAL);
	cr_assert_str_eq(err, "--kernel colour=blue: unknown key 'colour' (known: path, cmdline, boot)");
}

Test(args, unknown_option)
{
	cr_assert_eq(PARSE("--frobnicate", "x=1"), -EINVAL);
	cr_assert_str_eq(err, "--frobnicate: unknown option (see --help)");
}

Test(args, control_characters_in_errors_become_question_marks)
{
	/* Regression (fuzz-vmm-args): the echoed argument held a newline. */
	cr_assert_eq(PARSE("--memory\nsize=1"), -EINVAL);
	cr_assert_str_eq(err, "--memory?size=1: unknown option (see --help)");
	cr_assert_eq(PARSE("--kernel", "path=a\tb,x=1"), -EINVAL);
	cr_assert(strchr(err, '\t') == NULL);
}

Test(args, option_without_argument)
{
	cr_assert_eq(PARSE("--kernel"), -EINVAL);
	cr_assert_str_eq(err, "--kernel: missing its key=value argument");
}

Test(args, malformed_argument)
{
	cr_assert_eq(PARSE("--kernel", "vmlinuz"), -EINVAL);
	cr_assert_str_eq(err, "--kernel vmlinuz: malformed; expected key=value[,key=value...]");
}

Test(args, empty_argument)
{
	cr_assert_eq(PARSE("--vcpu", ""), -EINVAL);
	cr_assert_str_eq(err, "--vcpu needs key=value pairs");
}

Test(args, bad_boolean)
{
	cr_assert_eq(PARSE("--block", "path=d,read_only=perhaps"), -EINVAL);
	cr_assert_str_eq(err, "--block read_only=perhaps: expected on or off");
}

Test(args, vcpu_count_overflow)
{
	cr_assert_eq(PARSE("--vcpu", "num=4294967296"), -EINVAL);
	cr_assert_str_eq(err, "--vcpu num=4294967296: number too large");
}

Test(args, serial_keys)
{
	cr_assert_eq(PARSE("--serial", "path=/tmp/con,in=none,rate=1000,burst=64"), VMM_ARGS_RUN);
	cr_assert_eq(cfg.serial.out, VMM_SERIAL_OUT_FILE);
	cr_assert_str_eq(cfg.serial.out_path, "/tmp/con");
	cr_assert(!cfg.serial.stdin_input);
	cr_assert_eq(cfg.serial.rate_bytes_per_s, 1000);
	cr_assert_eq(cfg.serial.burst_bytes, 64);
	cr_assert_eq(PARSE("--serial", "out=tty"), -EINVAL);
	cr_assert_str_eq(err, "--serial out=tty: expected stdout, file or none");
}

Test(args, watchdog_platform_timer_log_kvm)
{
	cr_assert_eq(PARSE("--watchdog", "panic=off,stuck_ms=500",
			   "--platform", "acpi=off,mptable=off,virtio_cmdline=off",
			   "--boot-timer", "enabled=on", "--log", "level=debug",
			   "--kvm", "path=/nonexistent", "--vcpu", "assists=off"), VMM_ARGS_RUN);
	cr_assert(!cfg.watchdog.panic_detect);
	cr_assert_eq(cfg.watchdog.stuck_ms, 500);
	cr_assert(!cfg.acpi);
	cr_assert(!cfg.mptable);
	cr_assert(!cfg.virtio_cmdline);
	cr_assert(cfg.boot_timer);
	cr_assert_eq(cfg.log_level, VMM_LOG_DEBUG);
	cr_assert_str_eq(cfg.kvm_path, "/nonexistent");
	cr_assert(!cfg.assists);
}

Test(args, bad_log_level)
{
	cr_assert_eq(PARSE("--log", "level=loud"), -EINVAL);
	cr_assert_str_eq(err, "--log level=loud: expected error, warn, info or debug");
}

Test(args, oversize_path_rejected)
{
	static char arg[VMM_PATH_MAX + 16];

	memcpy(arg, "path=", 5);
	memset(arg + 5, 'p', VMM_PATH_MAX + 2);
	arg[VMM_PATH_MAX + 7] = '\0';
	cr_assert_eq(PARSE("--kernel", arg), -EINVAL);
	cr_assert(strstr(err, "--kernel path=") == err, "%s", err);
}

Test(args, usage_lists_every_option)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vmm_args_usage(f, "cvmm");
	fclose(f);
	cr_assert(strstr(buf, "--memory"));
	cr_assert(strstr(buf, "--block"));
	cr_assert(strstr(buf, "read_only"));
	cr_assert(strstr(buf, "exit codes"));
	free(buf);
}

Test(args, block_rate_and_iops)
{
	cr_assert_eq(PARSE("--block", "path=a.img,rate=1048576,iops=200", "--block", "path=b.img"),
		     VMM_ARGS_RUN, "%s", err);
	/* N per second: a bucket of N refilled over 1000 ms, no burst. */
	cr_assert_eq(cfg.blocks[0].limit.bytes.size, 1048576);
	cr_assert_eq(cfg.blocks[0].limit.bytes.refill_ms, 1000);
	cr_assert_eq(cfg.blocks[0].limit.bytes.one_time_burst, 0);
	cr_assert_eq(cfg.blocks[0].limit.ops.size, 200);
	cr_assert_eq(cfg.blocks[0].limit.ops.refill_ms, 1000);
	cr_assert_eq(cfg.blocks[0].limit.ops.one_time_burst, 0);
	cr_assert_eq(cfg.blocks[1].limit.bytes.size, 0);
	cr_assert_eq(cfg.blocks[1].limit.bytes.refill_ms, 0);
	cr_assert_eq(cfg.blocks[1].limit.ops.size, 0);
	cr_assert_eq(cfg.blocks[1].limit.ops.refill_ms, 0);
	cr_assert_eq(PARSE("--block", "path=a.img,rate=fast"), -EINVAL);
	cr_assert(strstr(err, "rate=fast"), "%s", err);
}
