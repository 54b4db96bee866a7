// SPDX-License-Identifier: MIT
// Dispatch: batch order, the bounded ready list, and changes made by
// callbacks while a batch is dispatched (removal drops pending events, fd
// numbers reused inside a batch get no stale event: event-manager #41).
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

#define N 5

static struct evmgr_loop *loop;
static struct evmgr_watcher w[N];
static int fds[N];
static int order[64];
static int norder;
static int hits[N];

static void record_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	int idx = (int)(self - w);

	(void)l;
	cr_assert_neq(revents, 0);
	hits[idx]++;
	if (norder < 64)
		order[norder++] = idx;
}

static void add_all(evmgr_watcher_fn fn, uint32_t events)
{
	for (int i = 0; i < N; i++) {
		evmgr_watcher_init(&w[i], fds[i], events, fn, NULL);
		cr_assert_eq(evmgr_watcher_add(loop, &w[i]), 0);
	}
}

static void signal_fd(int i)
{
	cr_assert_eq(evmgr_eventfd_signal(fds[i]), 0);
}

static void open_loop(uint32_t ready_capacity)
{
	struct evmgr_loop_config c = { .ready_capacity = ready_capacity };

	cr_assert_eq(evmgr_loop_new(&loop, &c), 0);
}

static void setup(void)
{
	open_loop(0);
	for (int i = 0; i < N; i++) {
		fds[i] = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
		cr_assert_geq(fds[i], 0);
		hits[i] = 0;
	}
	norder = 0;
}

static void teardown(void)
{
	for (int i = 0; i < N; i++) {
		if (evmgr_watcher_active(&w[i]))
			cr_assert_eq(evmgr_watcher_remove(loop, &w[i]), 0);
		close(fds[i]);
	}
	evmgr_loop_free(loop);
}

TestSuite(dispatch, .init = setup, .fini = teardown);

Test(dispatch, follows_kernel_readiness_order)
{
	static const int seq[N] = { 3, 1, 4, 0, 2 };

	add_all(record_cb, EVMGR_EV_IN);
	for (int i = 0; i < N; i++)
		signal_fd(seq[i]);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), N);
	cr_assert_eq(norder, N);
	for (int i = 0; i < N; i++)
		cr_assert_eq(order[i], seq[i], "position %d: got %d, want %d", i, order[i], seq[i]);
}

Test(dispatch, each_ready_watcher_once_per_batch)
{
	add_all(record_cb, EVMGR_EV_IN);
	for (int i = 0; i < N; i++)
		signal_fd(i);
	/* Level-triggered and never drained: ready again at once, yet each
	 * watcher is called once per batch. */
	cr_assert_eq(evmgr_loop_run_once(loop, 0), N);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), N);
	for (int i = 0; i < N; i++)
		cr_assert_eq(hits[i], 2);
}

Test(dispatch, timeout_without_events_returns_zero)
{
	add_all(record_cb, EVMGR_EV_IN);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 1), 0);
	cr_assert_eq(norder, 0);
}

Test(dispatch, rejects_timeout_below_minus_one)
{
	cr_assert_eq(evmgr_loop_run_once(loop, -2), -EINVAL);
}

Test(dispatch, rejects_null_loop)
{
	cr_assert_eq(evmgr_loop_run_once(NULL, 0), -EINVAL);
	cr_assert_eq(evmgr_loop_run(NULL), -EINVAL);
}

static uint32_t seen_revents;

static void revents_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	(void)l;
	(void)self;
	seen_revents = revents;
}

Test(dispatch, reports_exactly_the_asked_events)
{
	struct evmgr_watcher x;

	signal_fd(0);
	evmgr_watcher_init(&x, fds[0], EVMGR_EV_IN, revents_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &x), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(seen_revents, EVMGR_EV_IN);
	cr_assert_eq(evmgr_watcher_modify(loop, &x, EVMGR_EV_IN | EVMGR_EV_OUT), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(seen_revents, EVMGR_EV_IN | EVMGR_EV_OUT);
	cr_assert_eq(evmgr_watcher_remove(loop, &x), 0);
}

Test(dispatch, hangup_is_reported_unasked)
{
	struct evmgr_watcher x;
	int p[2];

	cr_assert_eq(pipe(p), 0);
	evmgr_watcher_init(&x, p[0], EVMGR_EV_PRI, revents_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &x), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	close(p[1]);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(seen_revents, EVMGR_EV_HUP);
	cr_assert_eq(evmgr_watcher_remove(loop, &x), 0);
	close(p[0]);
}

Test(dispatch, oneshot_fires_once_until_modified)
{
	add_all(record_cb, EVMGR_EV_IN | EVMGR_EV_ONESHOT);
	signal_fd(2);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	cr_assert(evmgr_watcher_active(&w[2]));
	cr_assert_eq(evmgr_watcher_modify(loop, &w[2], EVMGR_EV_IN | EVMGR_EV_ONESHOT), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(hits[2], 2);
}

Test(dispatch, edge_triggered_fires_on_new_edges_only)
{
	add_all(record_cb, EVMGR_EV_IN | EVMGR_EV_ET);
	signal_fd(1);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	signal_fd(1);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(hits[1], 2);
}

/* ---- bounded ready list ---- */

Test(dispatch, ready_capacity_bounds_a_batch)
{
	int total = 0;

	evmgr_loop_free(loop);
	open_loop(2);
	add_all(record_cb, EVMGR_EV_IN);
	for (int i = 0; i < N; i++)
		signal_fd(i);
	for (int k = 0; k < 3; k++) {
		int r = evmgr_loop_run_once(loop, 0);

		cr_assert_eq(r, 2, "batch %d dispatched %d events", k, r);
		total += r;
	}
	/* epoll re-queues reported level-triggered fds at the tail, so three
	 * batches of two reach all five watchers: none starves. */
	cr_assert_eq(total, 6);
	for (int i = 0; i < N; i++)
		cr_assert_geq(hits[i], 1, "watcher %d starved", i);
}

Test(dispatch, ready_capacity_one_still_reaches_everyone)
{
	evmgr_loop_free(loop);
	open_loop(1);
	add_all(record_cb, EVMGR_EV_IN);
	for (int i = 0; i < N; i++)
		signal_fd(i);
	for (int k = 0; k < N; k++)
		cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	for (int i = 0; i < N; i++)
		cr_assert_eq(hits[i], 1);
}

/* ---- changes during dispatch ---- */

static int victim = -1;

static void remove_victim_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	record_cb(l, self, revents);
	if (victim >= 0 && evmgr_watcher_active(&w[victim]))
		cr_assert_eq(evmgr_watcher_remove(l, &w[victim]), 0);
}

Test(dispatch, removal_drops_pending_event_of_later_watcher)
{
	add_all(record_cb, EVMGR_EV_IN);
	w[0].fn = remove_victim_cb;
	victim = 3;
	signal_fd(0);
	signal_fd(3);
	signal_fd(4);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 2);
	cr_assert_eq(hits[3], 0);
	cr_assert_eq(hits[4], 1);
	cr_assert_not(evmgr_watcher_active(&w[3]));
}

static void remove_self_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	record_cb(l, self, revents);
	cr_assert_eq(evmgr_watcher_remove(l, self), 0);
}

Test(dispatch, watcher_removes_itself)
{
	add_all(record_cb, EVMGR_EV_IN);
	w[1].fn = remove_self_cb;
	signal_fd(1);
	signal_fd(2);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 2);
	cr_assert_not(evmgr_watcher_active(&w[1]));
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(hits[1], 1);
	cr_assert_eq(hits[2], 2);
}

static void remove_and_free_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	int *count = self->data;

	(void)revents;
	(*count)++;
	cr_assert_eq(evmgr_watcher_remove(l, self), 0);
	/* The sanitizer build catches any later touch of the freed memory. */
	free(self);
}

Test(dispatch, watcher_frees_itself_in_its_callback)
{
	struct evmgr_watcher *heap = malloc(sizeof(*heap));
	int count = 0;

	cr_assert_not_null(heap);
	evmgr_watcher_init(heap, fds[0], EVMGR_EV_IN, remove_and_free_cb, &count);
	cr_assert_eq(evmgr_watcher_add(loop, heap), 0);
	signal_fd(0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(count, 1);
	cr_assert_eq(evmgr_loop_watcher_count(loop), 0);
}

/* event-manager #41: the first callback closes a ready fd and the number is
 * reused at once for a new, idle registration. */
static struct evmgr_watcher reuse_w;
static int reuse_hits, reuse_fd = -1;

static void reuse_hit_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	(void)l;
	(void)self;
	(void)revents;
	reuse_hits++;
}

static void close_and_reuse_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	record_cb(l, self, revents);
	cr_assert_eq(evmgr_eventfd_drain(self->fd, NULL), 0);
	cr_assert_eq(evmgr_watcher_remove(l, &w[3]), 0);
	close(fds[3]);
	reuse_fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	cr_assert_eq(reuse_fd, fds[3], "the kernel did not reuse the fd number");
	fds[3] = -1;
	evmgr_watcher_init(&reuse_w, reuse_fd, EVMGR_EV_IN, reuse_hit_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(l, &reuse_w), 0);
}

Test(dispatch, reused_fd_number_gets_no_stale_event)
{
	add_all(record_cb, EVMGR_EV_IN);
	w[0].fn = close_and_reuse_cb;
	signal_fd(0);
	signal_fd(3);
	reuse_hits = 0;
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(hits[3], 0);
	cr_assert_eq(reuse_hits, 0, "new owner of the fd number got the old event");
	/* The new registration works normally afterwards. */
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	cr_assert_eq(evmgr_eventfd_signal(reuse_fd), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(reuse_hits, 1);
	cr_assert_eq(evmgr_watcher_remove(loop, &reuse_w), 0);
	close(reuse_fd);
	fds[3] = evmgr_eventfd_new(0, 0);
}

/* Same, but the caller recycles the very same watcher struct. */
static void recycle_struct_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	int fd;

	record_cb(l, self, revents);
	cr_assert_eq(evmgr_watcher_remove(l, &w[3]), 0);
	close(fds[3]);
	fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	cr_assert_eq(fd, fds[3]);
	evmgr_watcher_init(&w[3], fd, EVMGR_EV_IN, reuse_hit_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(l, &w[3]), 0);
}

Test(dispatch, recycled_watcher_struct_gets_no_stale_event)
{
	add_all(record_cb, EVMGR_EV_IN);
	w[0].fn = recycle_struct_cb;
	signal_fd(0);
	signal_fd(3);
	reuse_hits = 0;
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(reuse_hits, 0);
	cr_assert_eq(hits[3], 0);
}

static void readd_victim_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	record_cb(l, self, revents);
	cr_assert_eq(evmgr_watcher_remove(l, &w[2]), 0);
	cr_assert_eq(evmgr_watcher_add(l, &w[2]), 0);
}

Test(dispatch, remove_then_readd_in_batch_defers_to_next_batch)
{
	add_all(record_cb, EVMGR_EV_IN);
	w[0].fn = readd_victim_cb;
	signal_fd(0);
	signal_fd(2);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(hits[2], 0);
	w[0].fn = record_cb;
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 2);
	cr_assert_eq(hits[2], 1);
}

static struct evmgr_watcher late;

static void add_late_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	record_cb(l, self, revents);
	if (!evmgr_watcher_active(&late))
		cr_assert_eq(evmgr_watcher_add(l, &late), 0);
}

Test(dispatch, watcher_added_in_batch_runs_next_batch)
{
	int fd = evmgr_eventfd_new(1, EVMGR_EFD_NONBLOCK);

	cr_assert_geq(fd, 0);
	add_all(record_cb, EVMGR_EV_IN);
	w[0].fn = add_late_cb;
	evmgr_watcher_init(&late, fd, EVMGR_EV_IN, reuse_hit_cb, NULL);
	reuse_hits = 0;
	signal_fd(0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(reuse_hits, 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 2);
	cr_assert_eq(reuse_hits, 1);
	cr_assert_eq(evmgr_watcher_remove(loop, &late), 0);
	close(fd);
}

static void narrow_victim_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	record_cb(l, self, revents);
	cr_assert_eq(evmgr_watcher_modify(l, &w[1], EVMGR_EV_PRI), 0);
}

Test(dispatch, modify_in_batch_filters_pending_event)
{
	add_all(record_cb, EVMGR_EV_IN);
	w[0].fn = narrow_victim_cb;
	signal_fd(0);
	signal_fd(1);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(hits[1], 0, "event outside the new mask was delivered");
	/* An eventfd never raises PRI, so it stays quiet. */
	w[0].fn = record_cb;
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(hits[1], 0);
}

static void widen_victim_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	record_cb(l, self, revents);
	cr_assert_eq(evmgr_watcher_modify(l, &w[1], EVMGR_EV_IN | EVMGR_EV_OUT), 0);
}

Test(dispatch, modify_in_batch_keeps_event_inside_new_mask)
{
	add_all(record_cb, EVMGR_EV_IN);
	w[0].fn = widen_victim_cb;
	signal_fd(0);
	signal_fd(1);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 2);
	cr_assert_eq(hits[1], 1);
}

/* ---- re-entrancy ---- */

static int nested_result, nested_run_result;

static void nested_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	record_cb(l, self, revents);
	nested_result = evmgr_loop_run_once(l, 0);
	nested_run_result = evmgr_loop_run(l);
}

Test(dispatch, run_from_callback_is_ebusy)
{
	add_all(record_cb, EVMGR_EV_IN);
	w[0].fn = nested_cb;
	signal_fd(0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(nested_result, -EBUSY);
	cr_assert_eq(nested_run_result, -EBUSY);
}

static struct evmgr_loop *inner;
static int inner_result;

static void run_inner_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	record_cb(l, self, revents);
	inner_result = evmgr_loop_run_once(inner, 0);
}

Test(dispatch, a_callback_may_run_another_loop)
{
	struct evmgr_watcher x;
	int fd = evmgr_eventfd_new(1, EVMGR_EFD_NONBLOCK);

	cr_assert_eq(evmgr_loop_new(&inner, NULL), 0);
	evmgr_watcher_init(&x, fd, EVMGR_EV_IN, reuse_hit_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(inner, &x), 0);
	add_all(record_cb, EVMGR_EV_IN);
	w[0].fn = run_inner_cb;
	signal_fd(0);
	reuse_hits = 0;
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(inner_result, 1);
	cr_assert_eq(reuse_hits, 1);
	cr_assert_eq(evmgr_watcher_remove(inner, &x), 0);
	evmgr_loop_free(inner);
	close(fd);
}
