// SPDX-License-Identifier: MIT
// Dirty-page tracking: which writes mark pages, harvesting, and concurrent
// writers that must never lose a bit.
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "helpers.h"

#define PG VMMEM_PAGE_SIZE

static struct vmmem_map *map;

static void setup(void)
{
	map = vmmem_test_layout(VMMEM_REGION_DIRTY_LOG);
}

static void teardown(void)
{
	vmmem_map_free(map);
}

TestSuite(dirty, .init = setup, .fini = teardown);

static uint64_t harvest(size_t region)
{
	uint64_t words[1] = { 0 };

	cr_assert_eq(vmmem_dirty_bitmap_words(map, region), 1); /* 16 pages */
	cr_assert_eq(vmmem_dirty_fetch_clear(map, region, words, 1), 0);
	return words[0];
}

Test(dirty, fresh_map_is_clean)
{
	cr_assert_eq(harvest(0), 0);
	cr_assert_eq(vmmem_dirty_test(map, T_R0), 0);
}

Test(dirty, bulk_write_marks_every_page_it_touches)
{
	uint8_t buf[PG + 2] = { 0 };

	cr_assert_eq(vmmem_write(map, 3 * PG - 1, buf, sizeof(buf)), 0);
	cr_assert_eq(harvest(0), (1u << 2) | (1u << 3) | (1u << 4));
}

Test(dirty, reads_do_not_mark)
{
	uint8_t buf[16];
	uint32_t w;
	struct vmmem_slice s;

	cr_assert_eq(vmmem_read(map, PG, buf, sizeof(buf)), 0);
	cr_assert_eq(vmmem_load_u32(map, PG, &w), 0);
	cr_assert_eq(vmmem_get_slice(map, PG, 8, VMMEM_READ, &s), 0);
	cr_assert_eq(harvest(0), 0);
}

Test(dirty, stores_slices_iovecs_and_fill_mark)
{
	struct vmmem_slice s;
	struct iovec iov[1];
	struct vmmem_iovec v;

	vmmem_iovec_init(&v, iov, 1);
	cr_assert_eq(vmmem_store_u16(map, 1 * PG, 1), 0);
	cr_assert_eq(vmmem_store_release_u16(map, 2 * PG, 1), 0);
	cr_assert_eq(vmmem_get_slice(map, 3 * PG, 8, VMMEM_WRITE, &s), 0);
	cr_assert_eq(vmmem_iovec_append(map, &v, 4 * PG, 8, VMMEM_WRITE), 0);
	cr_assert_eq(vmmem_fill(map, 5 * PG, 0, 1), 0);
	cr_assert_eq(harvest(0), 0x3e);
}

Test(dirty, write_across_regions_marks_both)
{
	uint8_t buf[8] = { 0 };

	cr_assert_eq(vmmem_write(map, T_R1 - 4, buf, sizeof(buf)), 0);
	cr_assert_eq(harvest(0), 1u << 15);
	cr_assert_eq(harvest(1), 1u);
}

Test(dirty, fetch_clear_clears)
{
	cr_assert_eq(vmmem_store_u8(map, 7 * PG, 1), 0);
	cr_assert_eq(vmmem_dirty_test(map, 7 * PG + 100), 1);
	cr_assert_eq(harvest(0), 1u << 7);
	cr_assert_eq(harvest(0), 0);
	cr_assert_eq(vmmem_dirty_test(map, 7 * PG), 0);
}

Test(dirty, explicit_mark)
{
	cr_assert_eq(vmmem_dirty_mark(map, T_R2 + PG, 2 * PG), 0);
	cr_assert_eq(harvest(2), 0x6);
	cr_assert_eq(vmmem_dirty_mark(map, T_GAP, 1), -EFAULT);
}

Test(dirty, rejections)
{
	uint64_t w;
	struct vmmem_map *plain;

	cr_assert_eq(vmmem_dirty_fetch_clear(map, 9, &w, 1), -EINVAL);
	cr_assert_eq(vmmem_dirty_fetch_clear(map, 0, &w, 0), -EINVAL);
	cr_assert_eq(vmmem_dirty_test(map, T_GAP), -EFAULT);
	plain = vmmem_test_layout(0);
	cr_assert_eq(vmmem_dirty_test(plain, 0), -ENOTSUP);
	cr_assert_eq(vmmem_dirty_fetch_clear(plain, 0, &w, 1), -ENOTSUP);
	cr_assert_eq(vmmem_dirty_bitmap_words(plain, 0), 0);
	vmmem_map_free(plain);
}

/* Concurrent writers on interleaved pages while a harvester keeps fetching:
 * the union of all harvests must be exactly the pages written. */
#define WRITERS 4
#define BIG_PAGES 4096u

struct writer {
	struct vmmem_map *map;
	unsigned int id;
};

static void *write_pages(void *arg)
{
	struct writer *w = arg;

	for (unsigned int p = w->id; p < BIG_PAGES; p += WRITERS)
		cr_assert_eq(vmmem_store_u8(w->map, (uint64_t)p * PG + w->id, 1), 0);
	return NULL;
}

Test(dirty, concurrent_writers_never_lose_a_bit)
{
	static uint64_t seen[BIG_PAGES / 64], round[BIG_PAGES / 64];
	struct vmmem_map *big;
	struct writer w[WRITERS];
	pthread_t t[WRITERS];

	cr_assert_eq(vmmem_map_new(&big), 0);
	cr_assert_eq(vmmem_test_add(big, 0, (uint64_t)BIG_PAGES * PG,
				    VMMEM_REGION_DIRTY_LOG), 0);
	for (unsigned int i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){ .map = big, .id = i };
		cr_assert_eq(pthread_create(&t[i], NULL, write_pages, &w[i]), 0);
	}
	for (int r = 0; r < 50; r++) {
		cr_assert_eq(vmmem_dirty_fetch_clear(big, 0, round, BIG_PAGES / 64), 0);
		for (size_t i = 0; i < BIG_PAGES / 64; i++)
			seen[i] |= round[i];
	}
	for (unsigned int i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(vmmem_dirty_fetch_clear(big, 0, round, BIG_PAGES / 64), 0);
	for (size_t i = 0; i < BIG_PAGES / 64; i++)
		cr_assert_eq(seen[i] | round[i], UINT64_MAX, "word %zu lost bits", i);
	vmmem_map_free(big);
}
