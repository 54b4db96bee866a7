// SPDX-License-Identifier: MIT
// Dump/restore of guest memory through a file descriptor.
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static int scratch(void)
{
	char path[] = "/tmp/vmmem-snap-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	unlink(path);
	return fd;
}

static void fill_pattern(struct vmmem_map *map)
{
	cr_assert_eq(vmmem_write(map, T_R0 + 5, "low", 3), 0);
	cr_assert_eq(vmmem_write(map, T_R1 - 2, "span", 4), 0);
	cr_assert_eq(vmmem_store_u64(map, T_R2 + T_RSIZE - 8, 0x0123456789abcdefull), 0);
}

Test(snapshot, dump_restore_round_trip)
{
	struct vmmem_map *a = vmmem_test_layout(0), *b = vmmem_test_layout(0);
	int fd = scratch();
	char buf[4];
	uint64_t q;

	fill_pattern(a);
	cr_assert_eq(vmmem_dump(a, fd), 0);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	cr_assert_eq(vmmem_restore(b, fd), 0);
	cr_assert_eq(vmmem_read(b, T_R0 + 5, buf, 3), 0);
	cr_assert_eq(memcmp(buf, "low", 3), 0);
	cr_assert_eq(vmmem_read(b, T_R1 - 2, buf, 4), 0);
	cr_assert_eq(memcmp(buf, "span", 4), 0);
	cr_assert_eq(vmmem_load_u64(b, T_R2 + T_RSIZE - 8, &q), 0);
	cr_assert_eq(q, 0x0123456789abcdefull);
	close(fd);
	vmmem_map_free(a);
	vmmem_map_free(b);
}

Test(snapshot, restore_into_a_different_layout_is_rejected)
{
	struct vmmem_map *a = vmmem_test_layout(0), *b;
	int fd = scratch();

	cr_assert_eq(vmmem_map_new(&b), 0);
	cr_assert_eq(vmmem_test_add(b, T_R0, T_RSIZE, 0), 0);
	cr_assert_eq(vmmem_test_add(b, T_R1, T_RSIZE, 0), 0);
	cr_assert_eq(vmmem_test_add(b, T_R2 + T_RSIZE, T_RSIZE, 0), 0);
	cr_assert_eq(vmmem_dump(a, fd), 0);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	cr_assert_eq(vmmem_restore(b, fd), -EINVAL);
	close(fd);
	vmmem_map_free(a);
	vmmem_map_free(b);
}

Test(snapshot, truncated_stream_is_rejected)
{
	struct vmmem_map *a = vmmem_test_layout(0);
	int fd = scratch();

	cr_assert_eq(vmmem_dump(a, fd), 0);
	cr_assert_eq(ftruncate(fd, 3 * (off_t)T_RSIZE), 0);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	cr_assert_eq(vmmem_restore(a, fd), -EIO);
	close(fd);
	vmmem_map_free(a);
}

Test(snapshot, bad_magic_is_rejected)
{
	struct vmmem_map *a = vmmem_test_layout(0);
	int fd = scratch();

	cr_assert_eq(vmmem_dump(a, fd), 0);
	cr_assert_eq(pwrite(fd, "X", 1, 0), 1);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	cr_assert_eq(vmmem_restore(a, fd), -EINVAL);
	close(fd);
	vmmem_map_free(a);
}

Test(snapshot, empty_stream_is_rejected)
{
	struct vmmem_map *a = vmmem_test_layout(0);
	int fd = scratch();

	cr_assert_eq(vmmem_restore(a, fd), -EIO);
	close(fd);
	vmmem_map_free(a);
}
