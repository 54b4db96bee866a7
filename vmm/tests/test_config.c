// SPDX-License-Identifier: MIT
// Configuration validation: one message per bad field, naming it.
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
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

/* A FIFO is refused before it is opened: opening one would block. */
Test(config, fifo_as_disk_is_refused_unopened)
{
	char dir[] = "/tmp/vmm-test-fifo-XXXXXX", fifo[64];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cfg.nblocks = 1;
	strcpy(cfg.blocks[0].path, fifo);
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "block[0].path=") && strstr(err, ": not a regular file or block device"),
		  "%s", err);
	unlink(fifo);
	rmdir(dir);
}

/* A file holding one sector, made for the test; its path is in path. */
static void make_file(char *path)
{
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 512), 0);
	close(fd);
}

static void assert_same_file(int fd, const char *path, int accmode)
{
	struct stat want, got;
	int fl = fcntl(fd, F_GETFL);

	cr_assert_geq(fd, 0, "%s not kept", path);
	cr_assert_eq(stat(path, &want), 0);
	cr_assert_eq(fstat(fd, &got), 0);
	cr_assert(got.st_ino == want.st_ino && got.st_dev == want.st_dev, "%s", path);
	cr_assert_eq(fl & O_ACCMODE, accmode, "%s", path);
	cr_assert_eq(fl & O_NONBLOCK, 0, "%s left non-blocking", path);
	cr_assert_eq(fcntl(fd, F_GETFD), FD_CLOEXEC, "%s", path);
}

static int open_fds(void)
{
	int n = 0;
	char p[32];

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n += access(p, F_OK) == 0;
	}
	return n;
}

struct input {
	char initramfs[32], disk[32], ro[32];
};

/* cfg with an initramfs, a writable disk and a read-only one. */
static void with_every_file(struct input *in)
{
	strcpy(in->initramfs, "/tmp/vmm-test-initrd-XXXXXX");
	strcpy(in->disk, "/tmp/vmm-test-disk-XXXXXX");
	strcpy(in->ro, "/tmp/vmm-test-ro-XXXXXX");
	make_file(in->initramfs);
	make_file(in->disk);
	make_file(in->ro);
	strcpy(cfg.initramfs_path, in->initramfs);
	cfg.nblocks = 2;
	strcpy(cfg.blocks[0].path, in->disk);
	strcpy(cfg.blocks[1].path, in->ro);
	cfg.blocks[1].read_only = true;
}

static void remove_files(const struct input *in)
{
	unlink(in->initramfs);
	unlink(in->disk);
	unlink(in->ro);
}

/* vmm_new()'s variant keeps every file it checked, in the mode its use needs. */
Test(config, check_hands_over_every_file_it_opened)
{
	struct vmm__input_files f;
	struct input in;

	with_every_file(&in);
	cr_assert_eq(vmm__config_check(&cfg, err, sizeof(err), &f), 0, "%s", err);
	assert_same_file(f.kernel, kernel, O_RDONLY);
	assert_same_file(f.initramfs, in.initramfs, O_RDONLY);
	assert_same_file(f.blocks[0], in.disk, O_RDWR);
	assert_same_file(f.blocks[1], in.ro, O_RDONLY);
	for (uint32_t i = 2; i < VMM_MAX_BLOCKS; i++)
		cr_assert_eq(f.blocks[i], -1);
	vmm__input_files_close(&f);
	remove_files(&in);
}

/* What is kept is the file checked, whatever the path names later. */
Test(config, check_keeps_the_file_it_checked_when_the_path_is_replaced)
{
	char other[] = "/tmp/vmm-test-other-XXXXXX";
	struct vmm__input_files f;
	struct stat checked, got;
	struct input in;

	with_every_file(&in);
	cr_assert_eq(stat(in.disk, &checked), 0);
	cr_assert_eq(vmm__config_check(&cfg, err, sizeof(err), &f), 0, "%s", err);
	make_file(other);
	cr_assert_eq(rename(other, in.disk), 0);
	cr_assert_eq(fstat(f.blocks[0], &got), 0);
	cr_assert_eq(got.st_ino, checked.st_ino);
	vmm__input_files_close(&f);
	remove_files(&in);
}

/* A failing check closes what it had opened before the failure. */
Test(config, check_failing_leaves_nothing_open)
{
	struct vmm__input_files f;
	struct input in;
	int before = open_fds();

	with_every_file(&in);
	strcpy(cfg.blocks[1].path, "/nonexistent/disk.img");
	cr_assert_eq(vmm__config_check(&cfg, err, sizeof(err), &f), -ENOENT);
	cr_assert(strstr(err, "block[1].path=/nonexistent/disk.img"), "%s", err);
	cr_assert(f.kernel == -1 && f.initramfs == -1 && f.blocks[0] == -1 && f.blocks[1] == -1);
	cr_assert_eq(open_fds(), before, "a descriptor leaked");
	remove_files(&in);
}

/* vmm_config_validate() keeps nothing. */
Test(config, validate_closes_every_file_it_checked)
{
	struct input in;
	int before = open_fds();

	with_every_file(&in);
	cr_assert_eq(vmm_config_validate(&cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(open_fds(), before, "a descriptor leaked");
	remove_files(&in);
}

Test(config, input_files_close_closes_and_forgets)
{
	struct vmm__input_files f;
	struct input in;
	int fd;

	with_every_file(&in);
	cr_assert_eq(vmm__config_check(&cfg, err, sizeof(err), &f), 0, "%s", err);
	fd = f.blocks[1];
	vmm__input_files_close(&f);
	cr_assert_eq(fcntl(fd, F_GETFD), -1, "still open");
	cr_assert(f.kernel == -1 && f.initramfs == -1 && f.blocks[0] == -1 && f.blocks[1] == -1);
	vmm__input_files_close(&f);	/* again: nothing to close */
	remove_files(&in);
}

/* A kernel that fails its check leaves nothing open. */
Test(config, check_of_a_missing_kernel_opens_nothing)
{
	struct vmm__input_files f;

	strcpy(cfg.kernel_path, "/nonexistent/vmlinux");
	cr_assert_eq(vmm__config_check(&cfg, err, sizeof(err), &f), -ENOENT);
	cr_assert_eq(f.kernel, -1);
}
