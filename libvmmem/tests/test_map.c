// SPDX-License-Identifier: MIT
// Building maps: region validation, ordering, overlap rejection, backings.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

static struct vmmem_map *map;

static void setup(void)
{
	cr_assert_eq(vmmem_map_new(&map), 0);
}

static void teardown(void)
{
	vmmem_map_free(map);
}

TestSuite(map, .init = setup, .fini = teardown);

/* Huge pages the kernel could still hand out: the free pool plus the
 * surplus it may allocate (/proc/meminfo, vm.nr_overcommit_hugepages). */
static uint64_t hugepages_available(void)
{
	unsigned long long free_pages = 0, overcommit = 0, surplus = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Free: %llu", &free_pages);
		sscanf(line, "HugePages_Surp: %llu", &surplus);
	}
	fclose(f);
	f = fopen("/proc/sys/vm/nr_overcommit_hugepages", "r");
	if (f) {
		if (fscanf(f, "%llu", &overcommit) != 1)
			overcommit = 0;
		fclose(f);
	}
	return free_pages + (overcommit > surplus ? overcommit - surplus : 0);
}

Test(map, regions_are_kept_sorted_by_gpa)
{
	struct vmmem_region_info info;

	cr_assert_eq(vmmem_test_add(map, 0x100000, 0x1000, 0), 0);
	cr_assert_eq(vmmem_test_add(map, 0x0, 0x1000, 0), 0);
	cr_assert_eq(vmmem_test_add(map, 0x8000, 0x1000, 0), 0);
	cr_assert_eq(vmmem_map_region_count(map), 3);
	cr_assert_eq(vmmem_map_region_info(map, 0, &info), 0);
	cr_assert_eq(info.gpa, 0x0);
	cr_assert_eq(vmmem_map_region_info(map, 1, &info), 0);
	cr_assert_eq(info.gpa, 0x8000);
	cr_assert_eq(vmmem_map_region_info(map, 2, &info), 0);
	cr_assert_eq(info.gpa, 0x100000);
}

Test(map, total_size_sums_regions)
{
	cr_assert_eq(vmmem_test_add(map, 0x0, 0x3000, 0), 0);
	cr_assert_eq(vmmem_test_add(map, 0x100000, 0x1000, 0), 0);
	cr_assert_eq(vmmem_map_total_size(map), 0x4000);
}

Test(map, adjacent_regions_are_allowed)
{
	cr_assert_eq(vmmem_test_add(map, 0x0, 0x1000, 0), 0);
	cr_assert_eq(vmmem_test_add(map, 0x1000, 0x1000, 0), 0);
}

Test(map, overlap_with_the_next_region_is_rejected)
{
	cr_assert_eq(vmmem_test_add(map, 0x10000, 0x2000, 0), 0);
	cr_assert_eq(vmmem_test_add(map, 0xf000, 0x2000, 0), -EINVAL);
}

Test(map, overlap_with_the_previous_region_is_rejected)
{
	cr_assert_eq(vmmem_test_add(map, 0x10000, 0x2000, 0), 0);
	cr_assert_eq(vmmem_test_add(map, 0x11000, 0x2000, 0), -EINVAL);
}

Test(map, same_start_is_rejected)
{
	cr_assert_eq(vmmem_test_add(map, 0x10000, 0x1000, 0), 0);
	cr_assert_eq(vmmem_test_add(map, 0x10000, 0x1000, 0), -EINVAL);
	cr_assert_eq(vmmem_map_region_count(map), 1);
}

Test(map, enclosing_region_is_rejected)
{
	cr_assert_eq(vmmem_test_add(map, 0x10000, 0x1000, 0), 0);
	cr_assert_eq(vmmem_test_add(map, 0x0, 0x100000, 0), -EINVAL);
}

Test(map, zero_size_is_rejected)
{
	cr_assert_eq(vmmem_test_add(map, 0, 0, 0), -EINVAL);
}

Test(map, unaligned_gpa_or_size_is_rejected)
{
	cr_assert_eq(vmmem_test_add(map, 0x10, 0x1000, 0), -EINVAL);
	cr_assert_eq(vmmem_test_add(map, 0x0, 0x1001, 0), -EINVAL);
}

Test(map, region_wrapping_2_64_is_rejected)
{
	cr_assert_eq(vmmem_test_add(map, 0xfffffffffffff000ull, 0x2000, 0), -EINVAL);
}

Test(map, region_ending_exactly_at_2_64_is_allowed)
{
	cr_assert_eq(vmmem_test_add(map, 0xfffffffffffff000ull, 0x1000, 0), 0);
	/* and a region below it does not make the overlap check wrap */
	cr_assert_eq(vmmem_test_add(map, 0xffffffffffffe000ull, 0x1000, 0), 0);
	cr_assert_eq(vmmem_test_add(map, 0xffffffffffffe000ull, 0x2000, 0), -EINVAL);
}

Test(map, unknown_flags_are_rejected)
{
	cr_assert_eq(vmmem_test_add(map, 0, 0x1000, 1u << 30), -EINVAL);
}

Test(map, unknown_backing_is_rejected)
{
	struct vmmem_region_desc d = { .gpa = 0, .size = 0x1000,
				       .backing = (enum vmmem_backing)42 };

	cr_assert_eq(vmmem_map_add_region(map, &d), -EINVAL);
}

Test(map, too_many_regions_are_rejected)
{
	for (uint64_t i = 0; i < VMMEM_MAX_REGIONS; i++)
		cr_assert_eq(vmmem_test_add(map, i * 0x2000, 0x1000, 0), 0);
	cr_assert_eq(vmmem_test_add(map, 0x1000000, 0x1000, 0), -EINVAL);
}

Test(map, region_info_past_the_end_is_rejected)
{
	struct vmmem_region_info info;

	cr_assert_eq(vmmem_test_add(map, 0, 0x1000, 0), 0);
	cr_assert_eq(vmmem_map_region_info(map, 1, &info), -EINVAL);
}

static int count_until_second(void *ctx, const struct vmmem_region_info *r)
{
	int *seen = ctx;

	(void)r;
	return ++*seen == 2 ? 77 : 0;
}

Test(map, for_each_region_stops_at_first_nonzero)
{
	int seen = 0;

	for (uint64_t i = 0; i < 4; i++)
		cr_assert_eq(vmmem_test_add(map, i * 0x2000, 0x1000, 0), 0);
	cr_assert_eq(vmmem_map_for_each_region(map, count_until_second, &seen), 77);
	cr_assert_eq(seen, 2);
}

Test(map, anonymous_region_has_no_fd)
{
	struct vmmem_region_info info;

	cr_assert_eq(vmmem_test_add(map, 0, 0x1000, 0), 0);
	cr_assert_eq(vmmem_map_region_info(map, 0, &info), 0);
	cr_assert_eq(info.fd, -1);
	cr_assert_not_null(info.hva);
}

Test(map, memfd_region_is_shared_through_its_fd)
{
	struct vmmem_region_desc d = { .gpa = 0x1000, .size = 0x2000,
				       .backing = VMMEM_BACKING_MEMFD };
	struct vmmem_region_info info;
	uint32_t v = 0;

	cr_assert_eq(vmmem_map_add_region(map, &d), 0);
	cr_assert_eq(vmmem_map_region_info(map, 0, &info), 0);
	cr_assert_geq(info.fd, 0);
	cr_assert_eq(vmmem_store_u32(map, 0x1004, 0xabcd1234), 0);
	/* Another mapping of the same fd (another process, later) sees it. */
	cr_assert_eq(pread(info.fd, &v, sizeof(v), 4), (ssize_t)sizeof(v));
	cr_assert_eq(v, 0xabcd1234);
}

static int scratch_file(size_t size)
{
	char path[] = "/tmp/vmmem-test-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	unlink(path);
	cr_assert_eq(ftruncate(fd, (off_t)size), 0);
	return fd;
}

Test(map, file_region_round_trips_through_the_file)
{
	int fd = scratch_file(0x3000);
	struct vmmem_region_desc d = { .gpa = 0, .size = 0x2000,
				       .backing = VMMEM_BACKING_FILE, .fd = fd,
				       .fd_offset = 0x1000 };
	char buf[5] = { 0 };

	cr_assert_eq(pwrite(fd, "seed", 4, 0x1000), 4);
	cr_assert_eq(vmmem_map_add_region(map, &d), 0);
	close(fd); /* the map keeps its own descriptor */
	cr_assert_eq(vmmem_read(map, 0, buf, 4), 0);
	cr_assert_str_eq(buf, "seed");
	cr_assert_eq(vmmem_write(map, 0x10, "data", 4), 0);

	struct vmmem_region_info info;
	cr_assert_eq(vmmem_map_region_info(map, 0, &info), 0);
	cr_assert_eq(pread(info.fd, buf, 4, 0x1010), 4);
	cr_assert_str_eq(buf, "data");
}

Test(map, file_region_past_end_of_file_is_rejected)
{
	int fd = scratch_file(0x1000);
	struct vmmem_region_desc d = { .gpa = 0, .size = 0x2000,
				       .backing = VMMEM_BACKING_FILE, .fd = fd };

	/* Mapping it would SIGBUS the host on the first guest access. */
	cr_assert_eq(vmmem_map_add_region(map, &d), -EINVAL);
	close(fd);
}

Test(map, file_region_with_unaligned_offset_is_rejected)
{
	int fd = scratch_file(0x3000);
	struct vmmem_region_desc d = { .gpa = 0, .size = 0x1000,
				       .backing = VMMEM_BACKING_FILE, .fd = fd,
				       .fd_offset = 0x10 };

	cr_assert_eq(vmmem_map_add_region(map, &d), -EINVAL);
	close(fd);
}

Test(map, file_region_with_bad_fd_is_rejected)
{
	struct vmmem_region_desc d = { .gpa = 0, .size = 0x1000,
				       .backing = VMMEM_BACKING_FILE, .fd = -1 };

	cr_assert_eq(vmmem_map_add_region(map, &d), -EINVAL);
}

Test(map, hugepage_region_needs_2m_alignment)
{
	cr_assert_eq(vmmem_test_add(map, 0, 0x1000, VMMEM_REGION_HUGEPAGES), -EINVAL);
}

Test(map, free_null_is_a_noop)
{
	vmmem_map_free(NULL);
}

Test(map, hugepage_memfd_region_when_the_host_has_huge_pages)
{
	struct vmmem_region_desc d = { .gpa = 0x200000, .size = 0x200000,
				       .backing = VMMEM_BACKING_MEMFD,
				       .flags = VMMEM_REGION_HUGEPAGES };
	uint64_t q = 0;
	int err = vmmem_map_add_region(map, &d);

	/* Huge pages are a host configuration (vm.nr_hugepages); without a
	 * pool the kernel refuses the mapping and so must we. */
	if (err == -ENOMEM || err == -EINVAL || err == -ENOSYS)
		cr_skip_test("host has no huge pages (error %d)", err);
	cr_assert_eq(err, 0);
	cr_assert_eq(vmmem_store_u64(map, 0x3ffff8, 42), 0);
	cr_assert_eq(vmmem_load_u64(map, 0x3ffff8, &q), 0);
	cr_assert_eq(q, 42);
}

/* Regression: anonymous huge-page regions were mapped MAP_NORESERVE, which
 * takes nothing from the pool, so the mapping succeeded on a host without
 * enough huge pages and the guest's first touch past the pool was SIGBUS. */
Test(map, anonymous_hugepage_region_beyond_the_pool_is_refused_at_map_time)
{
	uint64_t pages = hugepages_available() + 1;
	struct vmmem_region_desc d = { .gpa = 0, .size = pages << 21, /* 2 MiB pages */
				       .backing = VMMEM_BACKING_ANON,
				       .flags = VMMEM_REGION_HUGEPAGES };

	cr_assert_eq(vmmem_map_add_region(map, &d), -ENOMEM);
	cr_assert_eq(vmmem_map_region_count(map), 0);
}

Test(map, private_file_region_reads_the_file_and_keeps_writes_private)
{
	int fd = scratch_file(0x2000);
	struct vmmem_region_desc d = { .gpa = 0, .size = 0x1000,
				       .backing = VMMEM_BACKING_FILE, .fd = fd,
				       .fd_offset = 0x1000, .flags = VMMEM_REGION_PRIVATE };
	char buf[5] = { 0 };
	struct vmmem_region_info info;

	cr_assert_eq(pwrite(fd, "seed", 4, 0x1000), 4);
	cr_assert_eq(vmmem_map_add_region(map, &d), 0);
	cr_assert_eq(vmmem_read(map, 0, buf, 4), 0);
	cr_assert_str_eq(buf, "seed");
	cr_assert_eq(vmmem_write(map, 0, "data", 4), 0);
	cr_assert_eq(vmmem_read(map, 0, buf, 4), 0);
	cr_assert_str_eq(buf, "data");
	/* The file still holds what it held. */
	cr_assert_eq(pread(fd, buf, 4, 0x1000), 4);
	cr_assert_str_eq(buf, "seed");
	cr_assert_eq(vmmem_map_region_info(map, 0, &info), 0);
	cr_assert_eq(info.flags & VMMEM_REGION_PRIVATE, VMMEM_REGION_PRIVATE);
	close(fd);
}

Test(map, private_flag_on_anonymous_or_memfd_region_is_rejected)
{
	cr_assert_eq(vmmem_test_add(map, 0, 0x1000, VMMEM_REGION_PRIVATE), -EINVAL);
	struct vmmem_region_desc d = { .gpa = 0, .size = 0x1000,
				       .backing = VMMEM_BACKING_MEMFD,
				       .flags = VMMEM_REGION_PRIVATE };

	cr_assert_eq(vmmem_map_add_region(map, &d), -EINVAL);
}
