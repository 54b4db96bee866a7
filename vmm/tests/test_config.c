// SPDX-License-Identifier: MIT
// Configuration validation: one message per bad field, naming it.
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmm/config.h>

#include "config_internal.h"

static struct vmm_config cfg;
static char err[VMM_ERR_MAX];
static char kernel[] = "/tmp/vmm-test-kernel-XXXXXX";

static void setup(void)
{
	int fd = mkstemp(kernel);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "x", 1), 1);
	close(fd);
	vmm_config_init(&cfg);
	strcpy(cfg.kernel_path, kernel);
	err[0] = '\0';
}

static void teardown(void)
{
	unlink(kernel);
}

TestSuite(config, .init = setup, .fini = teardown);

Test(config, defaults_with_kernel_are_valid)
{
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.mem_mib, VMM_MEM_DEFAULT_MIB);
	cr_assert_eq(cfg.vcpus, 1);
	cr_assert_str_eq(cfg.kvm_path, "/dev/kvm");
}

Test(config, zero_memory)
{
	cfg.mem_mib = 0;
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "memory.size_mib=0: must be between 16 and 1048576");
}

Test(config, too_much_memory)
{
	cfg.mem_mib = VMM_MEM_MAX_MIB + 1ull;
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "memory.size_mib=1048577"));
}

Test(config, hugepages_need_an_even_number_of_mib)
{
	cfg.mem_hugepages = true;
	cfg.mem_mib = 255;
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "memory.size_mib=255: not a whole number of 2 MiB huge pages "
			 "(memory.hugepages=on)");
	cfg.mem_mib = 256;
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), 0, "%s", err);
}

Test(config, zero_and_too_many_vcpus)
{
	cfg.vcpus = 0;
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "vcpu.num=0: must be between 1 and 254");
	cfg.vcpus = 255;
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "vcpu.num=255: must be between 1 and 254");
}

Test(config, missing_kernel_path)
{
	cfg.kernel_path[0] = '\0';
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "kernel.path: missing (--kernel path=...)");
}

Test(config, nonexistent_kernel)
{
	strcpy(cfg.kernel_path, "/nonexistent/vmlinuz");
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "kernel.path=/nonexistent/vmlinuz: No such file or directory");
}

Test(config, control_characters_in_paths_are_not_echoed)
{
	strcpy(cfg.kernel_path, "/nonexistent/a\nb");
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "kernel.path=/nonexistent/a?b: No such file or directory");
}

Test(config, directory_as_kernel)
{
	strcpy(cfg.kernel_path, "/tmp");
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "kernel.path=/tmp: not a regular file or block device");
}

Test(config, missing_initramfs)
{
	strcpy(cfg.initramfs_path, "/nonexistent/initrd");
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "initramfs.path=/nonexistent/initrd"));
}

Test(config, unreadable_disk_is_named_by_index)
{
	cfg.nblocks = 2;
	strcpy(cfg.blocks[0].path, kernel);
	strcpy(cfg.blocks[1].path, "/nonexistent/disk.img");
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "block[1].path=/nonexistent/disk.img: No such file or directory");
}

Test(config, read_only_disk_opened_read_only)
{
	/* A read-only disk must not need write access: /proc/self/status is
	 * a regular file that refuses O_RDWR for everyone but opens read-only. */
	cfg.nblocks = 1;
	strcpy(cfg.blocks[0].path, kernel);
	cfg.blocks[0].read_only = true;
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), 0, "%s", err);
}

Test(config, burst_without_rate)
{
	cfg.serial.burst_bytes = 10;
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "serial.burst=10: needs serial.rate");
}

Test(config, serial_file_needs_path)
{
	cfg.serial.out = VMM_SERIAL_OUT_FILE;
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "serial.out=file: needs serial.path");
}

Test(config, set_string_bounds)
{
	char small[4];

	cr_assert_eq(vmm_config_set_string(small, sizeof(small), "abc"), 0);
	cr_assert_str_eq(small, "abc");
	cr_assert_eq(vmm_config_set_string(small, sizeof(small), "abcd"), -ENAMETOOLONG);
}

/* vmm_new()'s variant keeps the kernel's descriptor: the file it checked. */
Test(config, check_hands_over_the_kernel_it_opened)
{
	struct stat want, got;
	int fd = -1;

	cr_assert_eq(vmm__config_check(&cfg, err, sizeof(err), &fd), 0, "%s", err);
	cr_assert_geq(fd, 0);
	cr_assert_eq(stat(kernel, &want), 0);
	cr_assert_eq(fstat(fd, &got), 0);
	cr_assert_eq(got.st_ino, want.st_ino);
	cr_assert_eq(got.st_dev, want.st_dev);
	cr_assert_eq(close(fd), 0);
}

/* A later check failing leaves the kernel's descriptor to the caller. */
Test(config, check_failing_after_the_kernel_still_hands_it_over)
{
	int fd = -1;

	cfg.nblocks = 1;
	strcpy(cfg.blocks[0].path, "/nonexistent/disk.img");
	cr_assert_eq(vmm__config_check(&cfg, err, sizeof(err), &fd), -ENOENT);
	cr_assert(strstr(err, "block[0].path=/nonexistent/disk.img"), "%s", err);
	cr_assert_geq(fd, 0);
	cr_assert_eq(close(fd), 0);
}

/* A kernel that fails its check leaves nothing open. */
Test(config, check_of_a_missing_kernel_opens_nothing)
{
	int fd = -1;

	strcpy(cfg.kernel_path, "/nonexistent/vmlinux");
	cr_assert_eq(vmm__config_check(&cfg, err, sizeof(err), &fd), -ENOENT);
	cr_assert_eq(fd, -1);
}
