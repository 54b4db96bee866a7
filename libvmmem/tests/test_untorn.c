// SPDX-License-Identifier: MIT
// Naturally aligned scalars are single accesses: a concurrent writer (another
// host thread, or a guest vCPU writing the same page) is never seen half
// done.  The writer flips between all-zeros and all-ones; a torn read would
// return a mix.
#include <pthread.h>
#include <stdatomic.h>

#include "helpers.h"

#define FLIPS 200000

struct flipper {
	struct vmmem_map *map;
	uint64_t gpa;
	int width;		/* bytes */
	bool through_host;	/* write like a vCPU would: plain host pointer */
	atomic_bool stop;
};

static void *flip(void *arg)
{
	struct flipper *f = arg;
	void *hva;

	cr_assert_eq(vmmem_translate(f->map, f->gpa, 8, &hva), 0);
	for (uint64_t i = 0; !atomic_load(&f->stop); i++) {
		uint64_t v = (i & 1) ? UINT64_MAX : 0;
		int err = 0;

		if (f->through_host)
			__atomic_store_n((uint64_t *)hva, v, __ATOMIC_RELAXED);
		else if (f->width == 2)
			err = vmmem_store_u16(f->map, f->gpa, (uint16_t)v);
		else if (f->width == 4)
			err = vmmem_store_u32(f->map, f->gpa, (uint32_t)v);
		else
			err = vmmem_store_u64(f->map, f->gpa, v);
		if (err)
			break;
	}
	return NULL;
}

static void check_untorn(int width, bool through_host)
{
	struct flipper f = { .gpa = T_R2 + 0x40, .width = width,
			     .through_host = through_host };
	uint64_t all = width == 8 ? UINT64_MAX : (UINT64_C(1) << (width * 8)) - 1;
	pthread_t t;

	f.map = vmmem_test_layout(0);
	atomic_init(&f.stop, false);
	cr_assert_eq(pthread_create(&t, NULL, flip, &f), 0);
	for (int i = 0; i < FLIPS; i++) {
		uint64_t v = 0;
		uint16_t h;
		uint32_t w;

		if (width == 2) {
			cr_assert_eq(vmmem_load_u16(f.map, f.gpa, &h), 0);
			v = h;
		} else if (width == 4) {
			cr_assert_eq(vmmem_load_u32(f.map, f.gpa, &w), 0);
			v = w;
		} else {
			cr_assert_eq(vmmem_load_u64(f.map, f.gpa, &v), 0);
		}
		if (v != 0 && v != all) {
			atomic_store(&f.stop, true);
			pthread_join(t, NULL);
			cr_assert(false, "torn %d-byte read: %#llx", width, (unsigned long long)v);
		}
	}
	atomic_store(&f.stop, true);
	pthread_join(t, NULL);
	vmmem_map_free(f.map);
}

Test(untorn, u16_against_a_writer_using_the_api)
{
	check_untorn(2, false);
}

Test(untorn, u32_against_a_writer_using_the_api)
{
	check_untorn(4, false);
}

Test(untorn, u64_against_a_writer_using_the_api)
{
	check_untorn(8, false);
}

Test(untorn, u64_against_a_guest_like_writer)
{
	check_untorn(8, true);
}
