// SPDX-License-Identifier: MIT
// Microbenchmarks of the device side of a split virtqueue, mirroring
// rust-vmm virtio-queue's benches: one chain of 128 descriptors and 128
// chains of one descriptor, each direct and indirect (pop + walk every
// descriptor + add_used), and 128 add_used calls.  The driver side only
// stores the avail entry and index, so the numbers are the device's cost.
#include <stdlib.h>

#include <cvmm_bench.h>
#include <virtq/virtq.h>

#define QSIZE	256u
#define RING	0x1000u
#define TABLES	0x100000u
#define DATA	0x200000u
#define REPS	31u

struct env {
	struct vmmem_map *mem;
	struct virtq_driver *drv;
	struct virtq_queue q;
	unsigned int chains;	/* chains per batch */
	unsigned int descs;	/* descriptors per chain */
	uint64_t sink;
};

static void die(const char *what)
{
	fprintf(stderr, "bench: %s failed\n", what);
	exit(1);
}

static void setup(struct env *e, uint64_t features)
{
	struct vmmem_region_desc r = { .gpa = 0, .size = 16u << 20,
				       .backing = VMMEM_BACKING_ANON };

	if (vmmem_map_new(&e->mem) || vmmem_map_add_region(e->mem, &r) ||
	    virtq_driver_new(e->mem, QSIZE, RING, 0, &e->drv) ||
	    virtq_queue_init(&e->q, QSIZE) ||
	    virtq_queue_set_desc_table(&e->q, virtq_driver_desc_addr(e->drv)) ||
	    virtq_queue_set_avail_ring(&e->q, virtq_driver_avail_addr(e->drv)) ||
	    virtq_queue_set_used_ring(&e->q, virtq_driver_used_addr(e->drv)) ||
	    virtq_queue_set_features(&e->q, features) || virtq_queue_set_ready(&e->q, e->mem))
		die("setup");
}

static void teardown(struct env *e)
{
	virtq_driver_free(e->drv);
	vmmem_map_free(e->mem);
}

static void put_desc(struct env *e, uint64_t gpa, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	if (vmmem_store_u64(e->mem, gpa, addr) || vmmem_store_u32(e->mem, gpa + 8, len) ||
	    vmmem_store_u16(e->mem, gpa + 12, flags) || vmmem_store_u16(e->mem, gpa + 14, next))
		die("descriptor");
}

/* Chain c: `descs` descriptors, direct from ring slot c*descs, or one ring
 * descriptor at slot c pointing to a table of `descs` entries. */
static void build(struct env *e, bool indirect)
{
	uint64_t ring = virtq_driver_desc_addr(e->drv);

	for (unsigned int c = 0; c < e->chains; c++) {
		uint64_t base = indirect ? TABLES + 16u * e->descs * c
					 : ring + 16u * e->descs * c;
		uint16_t first = (uint16_t)(indirect ? 0 : c * e->descs);

		for (unsigned int i = 0; i < e->descs; i++) {
			bool more = i + 1 < e->descs;

			put_desc(e, base + 16u * i, DATA + 512u * i, 512,
				 (uint16_t)(VIRTQ_DESC_F_WRITE | (more ? VIRTQ_DESC_F_NEXT : 0)),
				 (uint16_t)(more ? first + i + 1 : 0));
		}
		if (indirect)
			put_desc(e, ring + 16u * c, base, 16u * e->descs,
				 VIRTQ_DESC_F_INDIRECT, 0);
	}
}

static uint16_t head_of(const struct env *e, unsigned int c, bool indirect)
{
	return (uint16_t)(indirect ? c : c * e->descs);
}

static void publish(struct env *e, bool indirect)
{
	for (unsigned int c = 0; c < e->chains; c++)
		if (virtq_driver_push_head(e->drv, head_of(e, c, indirect)))
			die("push");
	if (virtq_driver_set_avail_idx(e->drv, virtq_driver_avail_idx(e->drv)))
		die("publish");
}

/* The device's work for one batch: pop, walk, return. */
static void consume(struct env *e)
{
	struct virtq_chain c;
	struct virtq_desc d;

	while (virtq_queue_pop(&e->q, &c) == 1) {
		while (virtq_chain_next(&c, &d) == 1)
			e->sink += d.len;
		if (virtq_queue_add_used(&e->q, c.head, 0))
			die("add_used");
	}
}

static void run_direct(void *ctx, uint64_t ops)
{
	struct env *e = ctx;

	for (uint64_t i = 0; i < ops; i += e->chains) {
		publish(e, false);
		consume(e);
	}
}

static void run_indirect(void *ctx, uint64_t ops)
{
	struct env *e = ctx;

	for (uint64_t i = 0; i < ops; i += e->chains) {
		publish(e, true);
		consume(e);
	}
}

/* ops counts chains; prints the per-descriptor cost next to it. */
static void bench_chains(const char *name, unsigned int chains, unsigned int descs,
			 bool indirect)
{
	struct env e = { .chains = chains, .descs = descs };
	char dname[96];
	double ns;

	setup(&e, indirect ? UINT64_C(1) << VIRTIO_F_INDIRECT_DESC : 0);
	build(&e, indirect);
	ns = cvmm_bench_run(name, indirect ? run_indirect : run_direct, &e,
			    (uint64_t)chains * (chains == 1 ? 20000u : 200u), REPS);
	snprintf(dname, sizeof(dname), "%s-per-desc", name);
	printf("name=%s ns_per_chain=%.2f ns_per_desc=%.2f\n", dname, ns, ns / descs);
	teardown(&e);
}

/* 128 add_used calls, timed apart from the pops that put heads in flight. */
static void bench_add_used(void)
{
	struct env e = { .chains = 128, .descs = 1 };
	double per_op[REPS];
	struct virtq_chain c;

	setup(&e, 0);
	build(&e, false);
	for (unsigned int r = 0; r < REPS; r++) {
		uint64_t t0, total = 0;

		for (int round = 0; round < 100; round++) {
			uint16_t heads[128];
			unsigned int n = 0;

			publish(&e, false);
			while (virtq_queue_pop(&e.q, &c) == 1)
				heads[n++] = c.head;
			t0 = cvmm_bench_now_ns();
			for (unsigned int i = 0; i < n; i++)
				if (virtq_queue_add_used(&e.q, heads[i], 512))
					die("add_used");
			total += cvmm_bench_now_ns() - t0;
		}
		per_op[r] = (double)total / (100.0 * 128);
	}
	qsort(per_op, REPS, sizeof(per_op[0]), cvmm_bench_cmp);
	printf("name=add_used-128 ops=%u ns_per_op=%.2f reps=%u min_ns_per_op=%.2f\n",
	       100u * 128u, per_op[REPS / 2], REPS, per_op[0]);
	teardown(&e);
}

int main(void)
{
	bench_chains("direct-1x128", 1, 128, false);
	bench_chains("indirect-1x128", 1, 128, true);
	bench_chains("direct-128x1", 128, 1, false);
	bench_chains("indirect-128x1", 128, 1, true);
	bench_add_used();
	return 0;
}
