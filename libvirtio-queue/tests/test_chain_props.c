// SPDX-License-Identifier: MIT
// Property-style randomized tests of the chain walker (virtio 1.2 §2.7.5):
// a generator builds random well-formed chains, direct or indirect, and the
// walker must return exactly the generated buffers; then it injects one
// defect of a known kind at a random position and the walker must fail
// with that kind's error, never returning a descriptor past the defect.
// The PRNG is seeded, so a failure is reproducible from its iteration.
#include <errno.h>

#include "harness.h"

#define ROUNDS 3000
#define QSIZE 16u
#define MAXLEN 16u

static struct t_env e;
static uint64_t rng_state;

static void setup(void)
{
	t_setup(&e, QSIZE, 0, T_F_INDIRECT);
	rng_state = 0x9e3779b97f4a7c15ull;
}

static void fini(void) { t_teardown(&e); }

TestSuite(props, .init = setup, .fini = fini);

static uint32_t rnd(uint32_t n)
{
	/* xorshift64*: small, seeded, good enough to spread cases. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32) % n;
}

struct gen {
	unsigned int len;
	bool indirect;
	uint16_t idx[MAXLEN];		/* descriptor index of each element */
	struct virtq_desc d[MAXLEN];	/* what the walker must return */
};

/* Random distinct indices, a readable prefix, buffers inside low RAM. */
static void generate(struct gen *g)
{
	uint16_t perm[QSIZE];
	unsigned int split;

	g->len = 1 + rnd(g->indirect ? MAXLEN : QSIZE - 1);
	split = rnd(g->len + 1);
	for (uint16_t i = 0; i < QSIZE; i++)
		perm[i] = i;
	/* §2.7.5.3.1: an indirect chain starts at the table's first entry;
	 * after that any order is fine. */
	for (unsigned int i = 0; i < g->len; i++) {
		unsigned int j = (g->indirect && i == 0) ? 0 : i + rnd(QSIZE - i);
		uint16_t t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
		g->idx[i] = perm[i];
	}
	for (unsigned int i = 0; i < g->len; i++) {
		bool more = i + 1 < g->len;

		g->d[i] = (struct virtq_desc){
			.addr = T_DATA + rnd(0x10000),
			.len = 1 + rnd(4096),
			.flags = (uint16_t)((i >= split ? VIRTQ_DESC_F_WRITE : 0) |
					    (more ? VIRTQ_DESC_F_NEXT : 0)),
			.next = more ? g->idx[i + 1] : (uint16_t)rnd(QSIZE),
		};
	}
}

static void store_at(uint64_t gpa, const struct virtq_desc *d)
{
	cr_assert_eq(vmmem_store_u64(e.mem, gpa, d->addr), 0);
	cr_assert_eq(vmmem_store_u32(e.mem, gpa + 8, d->len), 0);
	cr_assert_eq(vmmem_store_u16(e.mem, gpa + 12, d->flags), 0);
	cr_assert_eq(vmmem_store_u16(e.mem, gpa + 14, d->next), 0);
}

/* Writes g (and its ring descriptor when indirect); returns the head. */
static uint16_t install(const struct gen *g)
{
	uint64_t base = g->indirect ? T_TABLES : virtq_driver_desc_addr(e.drv);

	for (unsigned int i = 0; i < g->len; i++)
		store_at(base + 16u * g->idx[i], &g->d[i]);
	if (g->indirect) {
		struct virtq_desc ind = { T_TABLES, 16u * QSIZE, VIRTQ_DESC_F_INDIRECT, 0 };

		cr_assert_eq(virtq_driver_write_desc(e.drv, 0, &ind), 0);
		return 0;
	}
	return g->idx[0];
}

/* Pops `head` and walks; returns the result and the descriptors seen. */
static int walk(uint16_t head, struct virtq_desc *seen, unsigned int *n)
{
	struct virtq_chain c;
	struct virtq_desc d;
	int r;

	cr_assert_eq(virtq_driver_push_head(e.drv, head), 0);
	cr_assert_eq(virtq_driver_set_avail_idx(e.drv, virtq_driver_avail_idx(e.drv)), 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	*n = 0;
	while ((r = virtq_chain_next(&c, &d)) == 1) {
		cr_assert_lt(*n, MAXLEN + QSIZE, "the walk must end");
		seen[(*n)++] = d;
	}
	cr_assert_eq(virtq_queue_add_used(&e.q, c.head, 0), 0);
	return r;
}

Test(props, well_formed_chains_come_back_exactly)
{
	for (int round = 0; round < ROUNDS; round++) {
		struct virtq_desc seen[MAXLEN + QSIZE];
		struct gen g = { .indirect = rnd(2) };
		unsigned int n;

		generate(&g);
		cr_assert_eq(walk(install(&g), seen, &n), 0, "round %d", round);
		cr_assert_eq(n, g.len, "round %d", round);
		for (unsigned int i = 0; i < n; i++) {
			cr_assert_eq(seen[i].addr, g.d[i].addr, "round %d desc %u", round, i);
			cr_assert_eq(seen[i].len, g.d[i].len, "round %d desc %u", round, i);
			cr_assert_eq(seen[i].flags, g.d[i].flags, "round %d desc %u", round, i);
		}
	}
}

enum defect { LOOP, NEXT_OOR, ZERO_LEN, HOLE, WRAP, BACKWARDS, NESTED, DEFECTS };

/* Injects defect k at a random element; returns the expected error and
 * the highest number of descriptors the walker may return before it. */
static int inject(struct gen *g, enum defect k, unsigned int *before)
{
	unsigned int at = rnd(g->len);
	struct virtq_desc *d = &g->d[at];

	*before = at;
	switch (k) {
	case LOOP:
		/* The last element points back into the chain. */
		at = g->len - 1;
		*before = g->indirect ? MAXLEN : QSIZE;
		g->d[at].flags |= VIRTQ_DESC_F_NEXT;
		g->d[at].next = g->idx[rnd(g->len)];
		return -EBADMSG;
	case NEXT_OOR:
		d->flags |= VIRTQ_DESC_F_NEXT;
		d->next = (uint16_t)(QSIZE + rnd(0x10000 - QSIZE));
		*before = at + 1;	/* the descriptor itself is fine */
		return -EBADMSG;
	case ZERO_LEN:
		d->len = 0;
		return -EBADMSG;
	case HOLE:
		d->addr = T_HOLE + rnd(0x1000);
		return -EFAULT;
	case WRAP:
		d->addr = UINT64_MAX - rnd(d->len);
		return -EBADMSG;
	case BACKWARDS:
		if (at + 1 >= g->len) {
			/* Need a following element: make the chain longer
			 * would change it, so mark the first one writable
			 * and the second readable when possible. */
			if (g->len < 2)
				return 0;
			at = 0;
		}
		g->d[at].flags |= VIRTQ_DESC_F_WRITE;
		g->d[at + 1].flags &= (uint16_t)~VIRTQ_DESC_F_WRITE;
		*before = at + 1;
		return -EBADMSG;
	case NESTED:
		if (!g->indirect)
			return 0;
		d->flags = VIRTQ_DESC_F_INDIRECT;
		d->addr = T_TABLES + 0x1000;
		d->len = 16;
		return -EBADMSG;
	case DEFECTS:
		break;
	}
	return 0;
}

Test(props, one_defect_gives_its_error_and_nothing_beyond)
{
	int checked = 0;

	for (int round = 0; round < ROUNDS; round++) {
		struct virtq_desc seen[MAXLEN + QSIZE];
		struct gen g = { .indirect = rnd(2) };
		enum defect k = (enum defect)rnd(DEFECTS);
		unsigned int n, before;
		int want;

		generate(&g);
		want = inject(&g, k, &before);
		if (want == 0)
			continue;	/* this defect does not apply to this chain */
		checked++;
		cr_assert_eq(walk(install(&g), seen, &n), want, "round %d defect %d", round, k);
		cr_assert_leq(n, before, "round %d defect %d", round, k);
	}
	cr_expect_gt(checked, ROUNDS / 2);
}
