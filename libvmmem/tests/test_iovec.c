// SPDX-License-Identifier: MIT
// iovec lists over guest ranges, for zero-copy preadv/pwritev.
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static struct vmmem_map *map;
static struct iovec iov[4];
static struct vmmem_iovec v;

static void setup(void)
{
	map = vmmem_test_layout(0);
	vmmem_iovec_init(&v, iov, 4);
}

static void teardown(void)
{
	vmmem_map_free(map);
}

TestSuite(iovec, .init = setup, .fini = teardown);

Test(iovec, range_in_one_region_is_one_entry)
{
	cr_assert_eq(vmmem_iovec_append(map, &v, T_R2 + 0x200, 0x1000, VMMEM_READ), 0);
	cr_assert_eq(v.count, 1);
	cr_assert_eq(v.bytes, 0x1000);
	cr_assert_eq(iov[0].iov_len, 0x1000);
}

Test(iovec, range_across_adjacent_regions_is_two_entries)
{
	cr_assert_eq(vmmem_iovec_append(map, &v, T_R1 - 0x100, 0x300, VMMEM_READ), 0);
	cr_assert_eq(v.count, 2);
	cr_assert_eq(iov[0].iov_len, 0x100);
	cr_assert_eq(iov[1].iov_len, 0x200);
	cr_assert_eq(v.bytes, 0x300);
}

Test(iovec, host_contiguous_appends_merge)
{
	cr_assert_eq(vmmem_iovec_append(map, &v, T_R2, 0x100, VMMEM_READ), 0);
	cr_assert_eq(vmmem_iovec_append(map, &v, T_R2 + 0x100, 0x100, VMMEM_READ), 0);
	cr_assert_eq(v.count, 1);
	cr_assert_eq(iov[0].iov_len, 0x200);
}

Test(iovec, unbacked_range_faults_and_leaves_the_list_unchanged)
{
	cr_assert_eq(vmmem_iovec_append(map, &v, T_R2, 0x10, VMMEM_READ), 0);
	cr_assert_eq(vmmem_iovec_append(map, &v, T_GAP - 4, 8, VMMEM_WRITE), -EFAULT);
	cr_assert_eq(vmmem_iovec_append(map, &v, 16, UINT64_MAX - 8, VMMEM_WRITE), -EFAULT);
	cr_assert_eq(v.count, 1);
	cr_assert_eq(v.bytes, 0x10);
}

Test(iovec, zero_length_is_rejected)
{
	cr_assert_eq(vmmem_iovec_append(map, &v, T_R2, 0, VMMEM_READ), -EINVAL);
}

Test(iovec, full_list_reports_enospc_and_stays_unchanged)
{
	for (uint64_t i = 0; i < 4; i++)
		cr_assert_eq(vmmem_iovec_append(map, &v, T_R2 + i * 0x20, 0x10, VMMEM_READ), 0);
	cr_assert_eq(vmmem_iovec_append(map, &v, T_R2 + 0x200, 0x10, VMMEM_READ), -ENOSPC);
	cr_assert_eq(v.count, 4);
	cr_assert_eq(v.bytes, 0x40);
}

Test(iovec, preadv_lands_in_guest_memory)
{
	char path[] = "/tmp/vmmem-iov-XXXXXX";
	int fd = mkstemp(path);
	uint8_t data[0x300], back[0x300];

	cr_assert_geq(fd, 0);
	unlink(path);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	cr_assert_eq(pwrite(fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
	cr_assert_eq(vmmem_iovec_append(map, &v, T_R1 - 0x100, 0x300, VMMEM_WRITE), 0);
	cr_assert_eq(preadv(fd, iov, (int)v.count, 0), (ssize_t)sizeof(data));
	cr_assert_eq(vmmem_read(map, T_R1 - 0x100, back, sizeof(back)), 0);
	cr_assert_arr_eq(back, data, sizeof(data));
	close(fd);
}

Test(iovec, full_list_still_accepts_a_range_that_merges)
{
	/* Regression: the capacity check counted a slot for a piece that
	 * merges into the last entry and needs none. */
	for (uint64_t i = 0; i < 4; i++)
		cr_assert_eq(vmmem_iovec_append(map, &v, T_R2 + i * 0x20, 0x10, VMMEM_READ), 0);
	cr_assert_eq(vmmem_iovec_append(map, &v, T_R2 + 0x70, 0x10, VMMEM_READ), 0);
	cr_assert_eq(v.count, 4);
	cr_assert_eq(iov[3].iov_len, 0x20);
	cr_assert_eq(v.bytes, 0x50);
}
