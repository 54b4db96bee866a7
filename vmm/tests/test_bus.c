// SPDX-License-Identifier: MIT
// PIO/MMIO bus: overlap rejection, dispatch with offsets, unclaimed
// addresses, and the per-device lock.
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>

#include <vmm/bus.h>

struct fake {
	uint64_t last_base, last_off;
	uint32_t last_size;
	uint8_t reg[16];
	int in_flight;		/* >1 would mean two accesses at once */
	int max_in_flight;
	uint64_t count;
};

static void fake_read(void *ctx, uint64_t base, uint64_t off, uint8_t *d, uint32_t size)
{
	struct fake *f = ctx;

	f->last_base = base;
	f->last_off = off;
	f->last_size = size;
	for (uint32_t i = 0; i < size; i++)
		d[i] = f->reg[(off + i) % 16];
}

static void fake_write(void *ctx, uint64_t base, uint64_t off, const uint8_t *d,
		       uint32_t size)
{
	struct fake *f = ctx;

	f->in_flight++;
	if (f->in_flight > f->max_in_flight)
		f->max_in_flight = f->in_flight;
	f->last_base = base;
	f->last_off = off;
	f->last_size = size;
	for (uint32_t i = 0; i < size; i++)
		f->reg[(off + i) % 16] = d[i];
	f->count++;
	f->in_flight--;
}

static const struct vmm_bus_ops fake_ops = { fake_read, fake_write };
static struct vmm_bus *bus;
static struct fake fa, fb;
static struct vmm_bus_device da, db;

static void setup(void)
{
	memset(&fa, 0, sizeof(fa));
	memset(&fb, 0, sizeof(fb));
	cr_assert_eq(vmm_bus_new("test", &bus), 0);
	cr_assert_eq(vmm_bus_device_init(&da, "a", &fake_ops, &fa), 0);
	cr_assert_eq(vmm_bus_device_init(&db, "b", &fake_ops, &fb), 0);
}

static void teardown(void)
{
	vmm_bus_free(bus);
	vmm_bus_device_destroy(&da);
	vmm_bus_device_destroy(&db);
}

TestSuite(bus, .init = setup, .fini = teardown);

Test(bus, overlap_rejected_on_both_sides)
{
	cr_assert_eq(vmm_bus_insert(bus, &da, 0x100, 0x10), 0);
	cr_assert_eq(vmm_bus_insert(bus, &db, 0x10f, 1), -EEXIST);
	cr_assert_eq(vmm_bus_insert(bus, &db, 0xf0, 0x11), -EEXIST);
	cr_assert_eq(vmm_bus_insert(bus, &db, 0xf0, 0x100), -EEXIST);
	cr_assert_eq(vmm_bus_insert(bus, &db, 0x104, 2), -EEXIST);
	cr_assert_eq(vmm_bus_insert(bus, &db, 0xf0, 0x10), 0);
	cr_assert_eq(vmm_bus_insert(bus, &db, 0x110, 0x10), 0);
}

Test(bus, rejects_empty_and_wrapping_ranges)
{
	cr_assert_eq(vmm_bus_insert(bus, &da, 0x100, 0), -EINVAL);
	cr_assert_eq(vmm_bus_insert(bus, &da, UINT64_MAX, 2), -EINVAL);
	cr_assert_eq(vmm_bus_insert(bus, &da, UINT64_MAX, 1), 0);
}

Test(bus, full_bus_reports_enospc)
{
	for (unsigned i = 0; i < VMM_BUS_MAX_RANGES; i++)
		cr_assert_eq(vmm_bus_insert(bus, &da, i * 0x10u, 0x10), 0);
	cr_assert_eq(vmm_bus_insert(bus, &da, 0x10000, 1), -ENOSPC);
}

Test(bus, dispatch_passes_base_and_offset)
{
	uint8_t v = 0x5a, r = 0;

	cr_assert_eq(vmm_bus_insert(bus, &da, 0x60, 1), 0);
	cr_assert_eq(vmm_bus_insert(bus, &da, 0x64, 1), 0);
	cr_assert_eq(vmm_bus_write(bus, 0x64, &v, 1), 0);
	cr_assert_eq(fa.last_base, 0x64);
	cr_assert_eq(fa.last_off, 0);
	cr_assert_eq(vmm_bus_read(bus, 0x60, &r, 1), 0);
	cr_assert_eq(fa.last_base, 0x60);
	cr_assert_eq(r, 0x5a);
}

Test(bus, wide_access_inside_range)
{
	uint8_t w[4] = { 1, 2, 3, 4 }, r[4];

	cr_assert_eq(vmm_bus_insert(bus, &da, 0xd0000000, 0x200), 0);
	cr_assert_eq(vmm_bus_write(bus, 0xd0000004, w, 4), 0);
	cr_assert_eq(fa.last_off, 4);
	cr_assert_eq(fa.last_size, 4);
	cr_assert_eq(vmm_bus_read(bus, 0xd0000004, r, 4), 0);
	cr_assert_arr_eq(r, w, 4);
}

Test(bus, access_straddling_range_end_is_unclaimed)
{
	uint8_t r[4];

	cr_assert_eq(vmm_bus_insert(bus, &da, 0x3f8, 8), 0);
	cr_assert_eq(vmm_bus_read(bus, 0x3fe, r, 4), -ENOENT);
	cr_assert_eq(r[0], 0xff);
	cr_assert_eq(fa.last_size, 0, "device must not see the access");
}

Test(bus, unclaimed_read_is_all_ones)
{
	uint8_t r[2] = { 0, 0 };

	cr_assert_eq(vmm_bus_read(bus, 0x1234, r, 2), -ENOENT);
	cr_assert_eq(r[0], 0xff);
	cr_assert_eq(r[1], 0xff);
	cr_assert_eq(vmm_bus_write(bus, 0x1234, r, 2), -ENOENT);
}

Test(bus, bad_sizes_rejected)
{
	uint8_t r[16];

	cr_assert_eq(vmm_bus_insert(bus, &da, 0, 0x100), 0);
	cr_assert_eq(vmm_bus_read(bus, 0, r, 0), -EINVAL);
	cr_assert_eq(vmm_bus_read(bus, 0, r, 9), -EINVAL);
	cr_assert_eq(vmm_bus_write(bus, 0, r, 16), -EINVAL);
}

Test(bus, find_returns_owner)
{
	cr_assert_eq(vmm_bus_insert(bus, &db, 0x70, 2), 0);
	cr_assert_eq(vmm_bus_find(bus, 0x71), &db);
	cr_assert_null(vmm_bus_find(bus, 0x72));
}

Test(bus, lookup_among_many_ranges)
{
	/* insert out of order; every range must still be found */
	for (unsigned i = 0; i < 32; i++) {
		unsigned k = (i * 7) % 32;
		cr_assert_eq(vmm_bus_insert(bus, k % 2 ? &db : &da, 0x1000u * k, 0x10), 0);
	}
	for (unsigned k = 0; k < 32; k++) {
		cr_assert_eq(vmm_bus_find(bus, 0x1000u * k + 0xf), k % 2 ? &db : &da);
		cr_assert_null(vmm_bus_find(bus, 0x1000u * k + 0x10));
	}
}

struct hammer { struct vmm_bus *bus; uint64_t addr; };

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	uint8_t v = 1;

	for (int i = 0; i < 20000; i++)
		if (vmm_bus_write(h->bus, h->addr, &v, 1))
			return (void *)1;
	return NULL;
}

Test(bus, one_device_never_sees_two_accesses_at_once)
{
	pthread_t t[4];
	struct hammer h[4];

	cr_assert_eq(vmm_bus_insert(bus, &da, 0x60, 1), 0);
	cr_assert_eq(vmm_bus_insert(bus, &da, 0x64, 1), 0);
	for (int i = 0; i < 4; i++) {
		h[i] = (struct hammer){ bus, i % 2 ? 0x60 : 0x64 };
		pthread_create(&t[i], NULL, hammer_thread, &h[i]);
	}
	for (int i = 0; i < 4; i++) {
		void *ret;

		pthread_join(t[i], &ret);
		cr_assert_null(ret);
	}
	cr_assert_eq(fa.max_in_flight, 1);
	cr_assert_eq(fa.count, 80000);
	cr_assert_eq(da.accesses, 80000);
}
