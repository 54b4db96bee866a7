// SPDX-License-Identifier: MIT
// Initrd placement: highest page-aligned address below initrd_addr_max,
// in backed RAM above 1 MiB, clear of the kernel.
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <loader/initrd.h>
#include <loader/layout.h>

#include "fixtures.h"

static struct loader_kernel kern(uint64_t start, uint64_t end, uint32_t max)
{
	struct loader_kernel k = { .load_addr = start, .load_end = end,
				   .initrd_addr_max = max };
	return k;
}

Test(initrd, goes_to_the_top_of_low_ram)
{
	struct vmmem_map *m = fx_map(0x8000000, 0);
	struct loader_kernel k = kern(0x1000000, 0x2000000, 0x7fffffff);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x123456, 0, &k, &a), 0);
	cr_assert_eq(a, (0x8000000 - 0x123456) & ~0xfffull);
	cr_assert_leq(a + 0x123456, 0x8000000);
	vmmem_map_free(m);
}

Test(initrd, stays_below_initrd_addr_max)
{
	struct vmmem_map *m = fx_map(0x8000000, 0);
	struct loader_kernel k = kern(0x1000000, 0x2000000, 0x3ffffff);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x100000, 0, &k, &a), 0);
	cr_assert_eq(a, 0x4000000 - 0x100000);
	vmmem_map_free(m);
}

Test(initrd, never_above_4g_with_32_bit_max)
{
	struct vmmem_map *m = fx_map(0x8000000, 0x10000000);
	struct loader_kernel k = kern(0x1000000, 0x2000000, 0x7fffffff);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x100000, 0, &k, &a), 0);
	cr_assert_lt(a, 0x8000000);
	cr_assert_eq(loader_initrd_place(m, 0x100000, UINT64_MAX, &k, &a), 0);
	cr_assert_eq(a, 0x110000000ull - 0x100000);
	vmmem_map_free(m);
}

Test(initrd, dodges_the_kernel)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	struct loader_kernel k = kern(0x1000000, 0x3c00000, 0x7fffffff);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x800000, 0, &k, &a), 0);
	cr_assert_eq(a, 0x1000000 - 0x800000);
	cr_assert_geq(a, LOADER_HIMEM_START);
	vmmem_map_free(m);
}

Test(initrd, never_below_1mib)
{
	struct vmmem_map *m = fx_map(0x400000, 0);
	struct loader_kernel k = kern(0x100000, 0x380000, 0x7fffffff);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x100000, 0, &k, &a), -ENOSPC);
	vmmem_map_free(m);
}

Test(initrd, rejects_an_initrd_larger_than_ram)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x4000000, 0x7fffffff, NULL, &a), -ENOSPC);
	vmmem_map_free(m);
}

Test(initrd, rejects_zero_size)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0, 0x7fffffff, NULL, &a), -EINVAL);
	vmmem_map_free(m);
}

Test(initrd, needs_a_limit)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	uint64_t a;

	cr_assert_eq(loader_initrd_place(m, 0x1000, 0, NULL, &a), -EINVAL);
	vmmem_map_free(m);
}

Test(initrd, load_copies_the_bytes)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	struct loader_kernel k = kern(0x1000000, 0x2000000, 0x7fffffff);
	struct loader_initrd rd;
	uint8_t data[5000], got[5000];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	cr_assert_eq(loader_initrd_load(m, data, sizeof(data), 0, &k, &rd), 0);
	cr_assert_eq(rd.size, sizeof(data));
	cr_assert_eq(rd.addr % 4096, 0);
	cr_assert_eq(vmmem_read(m, rd.addr, got, sizeof(got)), 0);
	cr_assert_arr_eq(got, data, sizeof(data));
	vmmem_map_free(m);
}

/* 5000 bytes that differ from their neighbours, to compare against. */
static void pattern(uint8_t *data, size_t size, uint8_t seed)
{
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 7 + seed);
}

static void assert_loaded(struct vmmem_map *m, const struct loader_initrd *rd,
			  const uint8_t *want, size_t size)
{
	uint8_t got[5000];

	cr_assert_eq(rd->size, size);
	cr_assert_eq(rd->addr % 4096, 0);
	cr_assert_eq(vmmem_read(m, rd->addr, got, size), 0);
	cr_assert_arr_eq(got, want, size);
}

Test(initrd, load_file_reads_the_file)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	struct loader_kernel k = kern(0x1000000, 0x2000000, 0x7fffffff);
	char path[] = "/tmp/loader-initrd-XXXXXX";
	int fd = mkstemp(path);
	struct loader_initrd rd;
	uint8_t data[5000];

	pattern(data, sizeof(data), 1);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	close(fd);
	cr_assert_eq(loader_initrd_load_file(m, path, 0, &k, &rd), 0);
	assert_loaded(m, &rd, data, sizeof(data));
	unlink(path);
	vmmem_map_free(m);
}

Test(initrd, load_file_refuses_missing_empty_and_non_files)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	char path[] = "/tmp/loader-initrd-XXXXXX";
	int fd = mkstemp(path);
	struct loader_initrd rd;

	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(loader_initrd_load_file(m, "/nonexistent/initrd", 0, NULL, &rd), -ENOENT);
	cr_assert_eq(loader_initrd_load_file(m, path, 0x7fffffff, NULL, &rd), -EINVAL,
		     "an empty file");
	cr_assert_eq(loader_initrd_load_file(m, "/tmp", 0x7fffffff, NULL, &rd), -EINVAL);
	cr_assert_eq(loader_initrd_load_file(m, NULL, 0x7fffffff, NULL, &rd), -EINVAL);
	unlink(path);
	vmmem_map_free(m);
}

/* loader_initrd_load_fd(): the caller's file, kept open, offset untouched. */
Test(initrd, load_fd_reads_the_file_and_leaves_the_fd_alone)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	struct loader_kernel k = kern(0x1000000, 0x2000000, 0x7fffffff);
	struct loader_initrd rd;
	uint8_t data[5000];
	int fd;

	pattern(data, sizeof(data), 2);
	fd = fx_temp_file(data, sizeof(data));
	cr_assert_eq(lseek(fd, 9, SEEK_SET), 9);
	cr_assert_eq(loader_initrd_load_fd(m, fd, 0, &k, &rd), 0);
	assert_loaded(m, &rd, data, sizeof(data));
	cr_assert_eq(lseek(fd, 0, SEEK_CUR), 9, "offset moved");
	cr_assert_eq(close(fd), 0, "fd was closed");
	vmmem_map_free(m);
}

/* What the descriptor holds is loaded, whatever the path names by then. */
Test(initrd, load_fd_loads_the_file_it_holds_after_the_path_is_replaced)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	char path[] = "/tmp/loader-initrd-XXXXXX", other[] = "/tmp/loader-initrd-XXXXXX";
	int fd = mkstemp(path), ofd = mkstemp(other);
	struct loader_initrd rd;
	uint8_t data[5000], swapped[5000];

	pattern(data, sizeof(data), 3);
	pattern(swapped, sizeof(swapped), 4);
	cr_assert(fd >= 0 && ofd >= 0);
	cr_assert_eq(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	cr_assert_eq(write(ofd, swapped, sizeof(swapped)), (ssize_t)sizeof(swapped));
	close(ofd);
	cr_assert_eq(rename(other, path), 0);
	cr_assert_eq(loader_initrd_load_fd(m, fd, 0x7fffffff, NULL, &rd), 0);
	assert_loaded(m, &rd, data, sizeof(data));
	close(fd);
	unlink(path);
	vmmem_map_free(m);
}

Test(initrd, load_fd_refuses_bad_fds_empty_and_non_files)
{
	struct vmmem_map *m = fx_map(0x4000000, 0);
	struct loader_initrd rd;
	int fd;

	cr_assert_eq(loader_initrd_load_fd(m, -1, 0x7fffffff, NULL, &rd), -EBADF);
	fd = fx_temp_file("", 0);
	cr_assert_eq(loader_initrd_load_fd(m, fd, 0x7fffffff, NULL, &rd), -EINVAL,
		     "an empty file");
	close(fd);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(loader_initrd_load_fd(m, fd, 0x7fffffff, NULL, &rd), -EINVAL);
	close(fd);
	fd = open("/tmp", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(loader_initrd_load_fd(m, fd, 0x7fffffff, NULL, &rd), -EINVAL);
	close(fd);
	vmmem_map_free(m);
}
