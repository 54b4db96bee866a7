// SPDX-License-Identifier: MIT
// Format detection and the format-independent load entry points.
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <loader/kernel.h>

#include "fixtures.h"

Test(kernel, detects_elf)
{
	uint8_t *img = fx_elf();

	cr_assert_eq(loader_kernel_detect(img, FX_ELF_SIZE), LOADER_FORMAT_ELF);
	free(img);
}

Test(kernel, detects_bzimage)
{
	uint8_t *img = fx_bzimage();

	cr_assert_eq(loader_kernel_detect(img, FX_BZ_SIZE), LOADER_FORMAT_BZIMAGE);
	free(img);
}

Test(kernel, short_or_foreign_data_is_unknown)
{
	uint8_t junk[0x300] = { 0x7f, 'E', 'L' };

	cr_assert_eq(loader_kernel_detect(junk, 3), LOADER_FORMAT_UNKNOWN);
	cr_assert_eq(loader_kernel_detect(junk, sizeof(junk)), LOADER_FORMAT_UNKNOWN);
	cr_assert_eq(loader_kernel_detect(NULL, 100), LOADER_FORMAT_UNKNOWN);
}

Test(kernel, load_dispatches_on_format)
{
	struct vmmem_map *map = fx_map(0x4000000, 0);
	uint8_t *elf = fx_elf(), *bz = fx_bzimage();
	struct loader_kernel k;

	cr_assert_eq(loader_kernel_load(map, elf, FX_ELF_SIZE, NULL, &k), 0);
	cr_assert_eq(k.format, LOADER_FORMAT_ELF);
	cr_assert_eq(loader_kernel_load(map, bz, FX_BZ_SIZE, NULL, &k), 0);
	cr_assert_eq(k.format, LOADER_FORMAT_BZIMAGE);
	free(elf);
	free(bz);
	vmmem_map_free(map);
}

Test(kernel, load_rejects_unknown_format)
{
	struct vmmem_map *map = fx_map(0x100000, 0);
	uint8_t junk[64] = { 0 };
	struct loader_kernel k;

	cr_assert_eq(loader_kernel_load(map, junk, sizeof(junk), NULL, &k), -ENOEXEC);
	vmmem_map_free(map);
}

Test(kernel, load_file_reads_the_image)
{
	struct vmmem_map *map = fx_map(0x4000000, 0);
	uint8_t *img = fx_elf();
	int fd = fx_temp_file(img, FX_ELF_SIZE);
	struct loader_kernel k;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	cr_assert_eq(loader_kernel_load_file(map, path, NULL, &k), 0);
	cr_assert_eq(k.entry, FX_ENTRY);
	close(fd);
	free(img);
	vmmem_map_free(map);
}

Test(kernel, load_file_reports_missing_and_empty_files)
{
	struct vmmem_map *map = fx_map(0x100000, 0);
	struct loader_kernel k;

	cr_assert_eq(loader_kernel_load_file(map, "/nonexistent/vmlinux", NULL, &k), -ENOENT);
	cr_assert_eq(loader_kernel_load_file(map, "/dev/null", NULL, &k), -EINVAL);
	cr_assert_eq(loader_kernel_load_file(map, "/tmp", NULL, &k), -EINVAL);
	vmmem_map_free(map);
}

/* loader_kernel_load_fd(): the caller's file, which it keeps open with its
 * offset where it was. */
Test(kernel, load_fd_reads_the_image_and_leaves_the_fd_alone)
{
	struct vmmem_map *map = fx_map(0x4000000, 0);
	uint8_t *img = fx_elf();
	int fd = fx_temp_file(img, FX_ELF_SIZE);
	struct loader_kernel k;

	cr_assert_eq(lseek(fd, 7, SEEK_SET), 7);
	cr_assert_eq(loader_kernel_load_fd(map, fd, NULL, &k), 0);
	cr_assert_eq(k.entry, FX_ENTRY);
	cr_assert_eq(lseek(fd, 0, SEEK_CUR), 7, "offset moved");
	cr_assert_eq(close(fd), 0, "fd was closed");
	free(img);
	vmmem_map_free(map);
}

Test(kernel, load_fd_refuses_bad_fds_and_non_files)
{
	struct vmmem_map *map = fx_map(0x100000, 0);
	struct loader_kernel k;
	int fd;

	cr_assert_eq(loader_kernel_load_fd(map, -1, NULL, &k), -EBADF);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(loader_kernel_load_fd(map, fd, NULL, &k), -EINVAL);
	close(fd);
	fd = open("/tmp", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(loader_kernel_load_fd(map, fd, NULL, &k), -EINVAL);
	close(fd);
	vmmem_map_free(map);
}

Test(kernel, load_fd_of_an_empty_file_is_not_a_kernel)
{
	struct vmmem_map *map = fx_map(0x100000, 0);
	int fd = fx_temp_file("", 0);
	struct loader_kernel k;

	cr_assert_eq(loader_kernel_load_fd(map, fd, NULL, &k), -ENOEXEC);
	close(fd);
	vmmem_map_free(map);
}

/* The option reaches the ELF loader through the format dispatch. */
Test(kernel, memory_zeroed_reaches_the_elf_loader)
{
	struct vmmem_map *map = fx_map(0x4000000, 0);
	const struct loader_kernel_opts opts = { .memory_zeroed = true };
	uint8_t *elf = fx_elf();
	struct loader_kernel k;
	uint8_t b = 0;

	cr_assert_eq(vmmem_fill(map, FX_SEG0_PADDR, 0xee, FX_SEG0_MEMSZ), 0);
	cr_assert_eq(loader_kernel_load(map, elf, FX_ELF_SIZE, &opts, &k), 0);
	cr_assert_eq(vmmem_load_u8(map, FX_SEG0_PADDR + FX_SEG0_MEMSZ - 1, &b), 0);
	cr_assert_eq(b, 0xee, "the .bss was written");
	cr_assert_eq(loader_kernel_load(map, elf, FX_ELF_SIZE, NULL, &k), 0);
	cr_assert_eq(vmmem_load_u8(map, FX_SEG0_PADDR + FX_SEG0_MEMSZ - 1, &b), 0);
	cr_assert_eq(b, 0, "without the option the .bss is zero-filled");
	free(elf);
	vmmem_map_free(map);
}
