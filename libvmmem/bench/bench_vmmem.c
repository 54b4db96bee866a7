// SPDX-License-Identifier: MIT
// libvmmem microbenchmarks: the costs every device pays per guest access.
// Layout: 64 MiB of low RAM split in two adjacent regions (as after a KVM
// slot split), a gap, and RAM above 4 GiB.
#include <stdlib.h>
#include <string.h>

#include <cvmm_bench.h>
#include <vmmem/vmmem.h>

#define MIB (1ull << 20)
#define LOW_SPLIT (32 * MIB)

struct ctx {
	struct vmmem_map *map;
	uint8_t buf[64 * 1024];
	volatile uint64_t sink;
};

static void add(struct vmmem_map *map, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct vmmem_region_desc d = { .gpa = gpa, .size = size,
				       .backing = VMMEM_BACKING_ANON, .flags = flags };

	if (vmmem_map_add_region(map, &d))
		abort();
}

/* Addresses that stride through pages so lookups and caches do real work. */
static uint64_t addr(uint64_t i)
{
	return (i * 4096 + (i & 63) * 8) % LOW_SPLIT;
}

static void bench_translate(void *p, uint64_t ops)
{
	struct ctx *c = p;
	void *hva;

	for (uint64_t i = 0; i < ops; i++) {
		if (vmmem_translate(c->map, addr(i) + (i & 1) * LOW_SPLIT, 8, &hva))
			abort();
		c->sink += (uintptr_t)hva;
	}
}

/* The same with locality, as a device working on one ring sees it. */
static void bench_translate_local(void *p, uint64_t ops)
{
	struct ctx *c = p;
	void *hva;

	for (uint64_t i = 0; i < ops; i++) {
		if (vmmem_translate(c->map, addr(i), 8, &hva))
			abort();
		c->sink += (uintptr_t)hva;
	}
}

static void bench_load_u16(void *p, uint64_t ops)
{
	struct ctx *c = p;
	uint16_t v;

	for (uint64_t i = 0; i < ops; i++) {
		if (vmmem_load_u16(c->map, addr(i), &v))
			abort();
		c->sink += v;
	}
}

static void bench_store_u16(void *p, uint64_t ops)
{
	struct ctx *c = p;

	for (uint64_t i = 0; i < ops; i++)
		if (vmmem_store_u16(c->map, addr(i), (uint16_t)i))
			abort();
}

static void bench_load_u64(void *p, uint64_t ops)
{
	struct ctx *c = p;
	uint64_t v;

	for (uint64_t i = 0; i < ops; i++) {
		if (vmmem_load_u64(c->map, addr(i), &v))
			abort();
		c->sink += v;
	}
}

static void bench_store_u64(void *p, uint64_t ops)
{
	struct ctx *c = p;

	for (uint64_t i = 0; i < ops; i++)
		if (vmmem_store_u64(c->map, addr(i), i))
			abort();
}

static void bench_read_4k(void *p, uint64_t ops)
{
	struct ctx *c = p;

	for (uint64_t i = 0; i < ops; i++)
		if (vmmem_read(c->map, (i * 4096) % LOW_SPLIT, c->buf, 4096))
			abort();
}

static void bench_write_4k(void *p, uint64_t ops)
{
	struct ctx *c = p;

	for (uint64_t i = 0; i < ops; i++)
		if (vmmem_write(c->map, (i * 4096) % LOW_SPLIT, c->buf, 4096))
			abort();
}

static void bench_read_64k_cross(void *p, uint64_t ops)
{
	struct ctx *c = p;

	for (uint64_t i = 0; i < ops; i++)
		if (vmmem_read(c->map, LOW_SPLIT - 32 * 1024, c->buf, sizeof(c->buf)))
			abort();
}

static void bench_dirty_store(void *p, uint64_t ops)
{
	struct ctx *c = p;

	for (uint64_t i = 0; i < ops; i++)
		if (vmmem_store_u8(c->map, 8 * MIB * 1024 + (i * 4096) % (64 * MIB), 1))
			abort();
}

static void bench_dirty_harvest(void *p, uint64_t ops)
{
	static uint64_t words[64 * MIB / 4096 / 64];
	struct ctx *c = p;

	for (uint64_t i = 0; i < ops; i++)
		if (vmmem_dirty_fetch_clear(c->map, 3, words, sizeof(words) / 8))
			abort();
}

int main(void)
{
	static struct ctx c;

	if (vmmem_map_new(&c.map))
		return 1;
	add(c.map, 0, LOW_SPLIT, 0);
	add(c.map, LOW_SPLIT, LOW_SPLIT, 0);
	add(c.map, 4096 * MIB, 64 * MIB, 0);
	add(c.map, 8 * MIB * 1024, 64 * MIB, VMMEM_REGION_DIRTY_LOG);
	memset(c.buf, 0xa5, sizeof(c.buf));
	/* Touch low RAM once so that page faults stay out of the numbers. */
	for (uint64_t a = 0; a < 2 * LOW_SPLIT; a += 4096)
		if (vmmem_store_u8(c.map, a, 0))
			return 1;

	cvmm_bench_run("vmmem_translate", bench_translate, &c, 1000000, 15);
	cvmm_bench_run("vmmem_translate_local", bench_translate_local, &c, 1000000, 15);
	cvmm_bench_run("vmmem_load_u16_aligned", bench_load_u16, &c, 1000000, 15);
	cvmm_bench_run("vmmem_store_u16_aligned", bench_store_u16, &c, 1000000, 15);
	cvmm_bench_run("vmmem_load_u64_aligned", bench_load_u64, &c, 1000000, 15);
	cvmm_bench_run("vmmem_store_u64_aligned", bench_store_u64, &c, 1000000, 15);
	cvmm_bench_run("vmmem_read_4k", bench_read_4k, &c, 20000, 15);
	cvmm_bench_run("vmmem_write_4k", bench_write_4k, &c, 20000, 15);
	cvmm_bench_run("vmmem_read_64k_cross_region", bench_read_64k_cross, &c, 2000, 15);
	cvmm_bench_run("vmmem_dirty_store_u8", bench_dirty_store, &c, 1000000, 15);
	cvmm_bench_run("vmmem_dirty_harvest_64m", bench_dirty_harvest, &c, 200, 15);
	vmmem_map_free(c.map);
	return 0;
}
