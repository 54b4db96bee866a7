// SPDX-License-Identifier: MIT
// 10,000 watchers on one loop: every one dispatched exactly once through a
// ready list much smaller than the set, and mass removal from inside a
// single batch holding all of them.
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

#define COUNT 10000

static struct evmgr_loop *loop;
static struct evmgr_watcher *w;
static int *fds;
static int *hits;

static void raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t need = COUNT + 256;

	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur >= need)
		return;
	if (rl.rlim_max < need)
		rl.rlim_max = need; /* needs CAP_SYS_RESOURCE; reported below if refused */
	rl.rlim_cur = need;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0,
		     "cannot raise RLIMIT_NOFILE to %lu for %d eventfds", (unsigned long)need, COUNT);
}

static void open_loop(uint32_t ready_capacity)
{
	struct evmgr_loop_config c = { .ready_capacity = ready_capacity };

	cr_assert_eq(evmgr_loop_new(&loop, &c), 0);
}

static void setup(void)
{
	raise_fd_limit();
	w = calloc(COUNT, sizeof(*w));
	fds = calloc(COUNT, sizeof(*fds));
	hits = calloc(COUNT, sizeof(*hits));
	cr_assert(w && fds && hits);
	for (int i = 0; i < COUNT; i++) {
		fds[i] = evmgr_eventfd_new(1, EVMGR_EFD_NONBLOCK);
		cr_assert_geq(fds[i], 0, "eventfd %d: %d", i, fds[i]);
	}
}

static void teardown(void)
{
	for (int i = 0; i < COUNT; i++) {
		if (evmgr_watcher_active(&w[i]))
			evmgr_watcher_remove(loop, &w[i]);
		close(fds[i]);
	}
	evmgr_loop_free(loop);
	free(w);
	free(fds);
	free(hits);
}

TestSuite(scale, .init = setup, .fini = teardown);

static void drain_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	uint64_t v;

	(void)l;
	(void)revents;
	hits[self - w]++;
	cr_assert_eq(evmgr_eventfd_read(self->fd, &v), 0);
}

static void add_all(evmgr_watcher_fn fn)
{
	for (int i = 0; i < COUNT; i++) {
		evmgr_watcher_init(&w[i], fds[i], EVMGR_EV_IN, fn, NULL);
		cr_assert_eq(evmgr_watcher_add(loop, &w[i]), 0, "watcher %d", i);
	}
	cr_assert_eq(evmgr_loop_watcher_count(loop), COUNT);
}

Test(scale, ten_thousand_watchers_each_dispatched_once)
{
	int total = 0, batches = 0, r;

	open_loop(64);
	add_all(drain_cb);
	while ((r = evmgr_loop_run_once(loop, 0)) > 0) {
		cr_assert_leq(r, 64);
		total += r;
		batches++;
	}
	cr_assert_eq(r, 0);
	cr_assert_eq(total, COUNT);
	cr_assert_eq(batches, (COUNT + 63) / 64);
	for (int i = 0; i < COUNT; i++)
		cr_assert_eq(hits[i], 1, "watcher %d dispatched %d times", i, hits[i]);
}

static int first = -1;

static void remove_odd_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	drain_cb(l, self, revents);
	if (first >= 0)
		return;
	first = (int)(self - w);
	for (int i = 1; i < COUNT; i += 2)
		if (i != first)
			cr_assert_eq(evmgr_watcher_remove(l, &w[i]), 0);
}

Test(scale, mass_removal_inside_one_full_batch)
{
	int r, expected;

	open_loop(COUNT);
	add_all(remove_odd_cb);
	cr_assert_eq(evmgr_loop_ready_capacity(loop), COUNT);
	r = evmgr_loop_run_once(loop, 0);
	/* The evens, plus the first watcher if it was an odd one. */
	expected = COUNT / 2 + (first % 2);
	cr_assert_eq(r, expected);
	for (int i = 0; i < COUNT; i++) {
		if (i % 2 == 0)
			cr_assert_eq(hits[i], 1, "even watcher %d: %d", i, hits[i]);
		else if (i != first)
			cr_assert_eq(hits[i], 0, "removed watcher %d was dispatched", i);
	}
	cr_assert_eq((int)evmgr_loop_watcher_count(loop), COUNT - COUNT / 2 + (first % 2));
}

Test(scale, remove_all_then_loop_is_idle)
{
	open_loop(0);
	add_all(drain_cb);
	for (int i = 0; i < COUNT; i++)
		cr_assert_eq(evmgr_watcher_remove(loop, &w[i]), 0);
	cr_assert_eq(evmgr_loop_watcher_count(loop), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
}
