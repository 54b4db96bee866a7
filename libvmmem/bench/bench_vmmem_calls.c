// SPDX-License-Identifier: MIT
// libvmmem's side of the comparison with vm-memory run by
// tests/bench/callgrind-compare.sh: the layout and address pattern of
// bench_vmmem.c, every access one library call, and rust/src/bin/calls.rs
// doing the same through non-inlined calls into vm-memory.
// Usage: bench-vmmem-calls               wall time, all workloads
//        bench-vmmem-calls cg NAME OPS   one run of cg_vmmem_NAME, for
//                                        callgrind --toggle-collect
#include <stdlib.h>
#include <string.h>

#include <cvmm_bench.h>
#include <vmmem/vmmem.h>

#define MIB (1ull << 20)
#define LOW_SPLIT (32 * MIB)

static uint64_t sunk;

static uint64_t addr(uint64_t i)
{
	return (i * 4096 + (i & 63) * 8) % LOW_SPLIT;
}

#define CG __attribute__((noinline))
CG void cg_vmmem_translate(struct vmmem_map *m, uint64_t n);
CG void cg_vmmem_translate_local(struct vmmem_map *m, uint64_t n);
CG void cg_vmmem_load_u16(struct vmmem_map *m, uint64_t n);
CG void cg_vmmem_store_u16(struct vmmem_map *m, uint64_t n);
CG void cg_vmmem_load_u64(struct vmmem_map *m, uint64_t n);
CG void cg_vmmem_store_u64(struct vmmem_map *m, uint64_t n);

/* Switches between the two low regions on every access. */
void cg_vmmem_translate(struct vmmem_map *m, uint64_t n)
{
	void *hva;

	for (uint64_t i = 0; i < n; i++) {
		if (vmmem_translate(m, addr(i) + (i & 1) * LOW_SPLIT, 8, &hva))
			abort();
		sunk += (uintptr_t)hva;
	}
}

void cg_vmmem_translate_local(struct vmmem_map *m, uint64_t n)
{
	void *hva;

	for (uint64_t i = 0; i < n; i++) {
		if (vmmem_translate(m, addr(i), 8, &hva))
			abort();
		sunk += (uintptr_t)hva;
	}
}

/* The scalar workloads, one load and one store per width. */
#define SCALAR_WORKLOADS(bits)							\
	void cg_vmmem_load_u##bits(struct vmmem_map *m, uint64_t n)		\
	{									\
		uint##bits##_t v;						\
										\
		for (uint64_t i = 0; i < n; i++) {				\
			if (vmmem_load_u##bits(m, addr(i), &v))			\
				abort();					\
			sunk += v;						\
		}								\
	}									\
	void cg_vmmem_store_u##bits(struct vmmem_map *m, uint64_t n)		\
	{									\
		for (uint64_t i = 0; i < n; i++)				\
			if (vmmem_store_u##bits(m, addr(i), (uint##bits##_t)i))	\
				abort();					\
	}
SCALAR_WORKLOADS(16)
SCALAR_WORKLOADS(64)

static void add(struct vmmem_map *map, uint64_t gpa, uint64_t size)
{
	struct vmmem_region_desc d = { .gpa = gpa, .size = size,
				       .backing = VMMEM_BACKING_ANON };

	if (vmmem_map_add_region(map, &d))
		abort();
}

#define ADAPT(name) \
	static void run_##name(void *m, uint64_t n) { cg_vmmem_##name(m, n); }
ADAPT(translate)
ADAPT(translate_local)
ADAPT(load_u16)
ADAPT(store_u16)
ADAPT(load_u64)
ADAPT(store_u64)
#define W(name) { #name, run_##name }

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		cvmm_bench_fn fn;
	} w[] = {
		W(translate), W(translate_local), W(load_u16), W(store_u16),
		W(load_u64), W(store_u64),
	};
	struct vmmem_map *m;
	bool cg = argc == 4 && !strcmp(argv[1], "cg");

	if (vmmem_map_new(&m))
		return 1;
	/* Two adjacent 32 MiB regions (a split KVM slot) and RAM above 4 GiB. */
	add(m, 0, LOW_SPLIT);
	add(m, LOW_SPLIT, LOW_SPLIT);
	add(m, 4096 * MIB, 64 * MIB);
	for (uint64_t a = 0; a < 2 * LOW_SPLIT; a += 4096)
		if (vmmem_store_u8(m, a, 0))
			return 1;
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		char name[64];

		if (cg && !strcmp(argv[2], w[i].name))
			w[i].fn(m, strtoull(argv[3], NULL, 0));
		snprintf(name, sizeof(name), "vmmem_%s", w[i].name);
		if (argc == 1)
			cvmm_bench_run(name, w[i].fn, m, 1000000, 15);
	}
	vmmem_map_free(m);
	return argc == 1 || cg ? 0 : 2;
}
