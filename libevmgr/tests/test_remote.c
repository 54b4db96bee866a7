// SPDX-License-Identifier: MIT
// Remote calls (<evmgr/remote.h>): blocking calls and posts from other
// threads run on the loop thread, in order, with a bounded post ring, and
// blocked callers are released when the loop is freed.
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

static struct evmgr_loop *loop;
static pthread_t loop_thread;

static void open_loop(uint32_t post_capacity)
{
	struct evmgr_loop_config c = { .post_capacity = post_capacity };

	cr_assert_eq(evmgr_loop_new(&loop, &c), 0);
	loop_thread = pthread_self();
}

static void setup(void)
{
	open_loop(0);
}

static void teardown(void)
{
	evmgr_loop_free(loop);
}

TestSuite(remote, .init = setup, .fini = teardown);

/* ---- 8 threads at once ---- */

#define THREADS 8
#define PER_THREAD 2000

static unsigned long plain_calls, plain_posts;	/* loop thread only: no atomics */
static atomic_int wrong_thread;

static void check_thread(void)
{
	if (!pthread_equal(pthread_self(), loop_thread))
		atomic_fetch_add(&wrong_thread, 1);
}

static void maybe_stop(struct evmgr_loop *l)
{
	if (plain_calls == THREADS * PER_THREAD && plain_posts == THREADS * PER_THREAD)
		evmgr_loop_stop(l);
}

static void count_call(struct evmgr_loop *l, void *arg)
{
	(void)arg;
	check_thread();
	plain_calls++;
	maybe_stop(l);
}

static void count_post(struct evmgr_loop *l, void *arg)
{
	(void)arg;
	check_thread();
	plain_posts++;
	maybe_stop(l);
}

static void *hammer(void *arg)
{
	long failures = 0;

	(void)arg;
	for (int i = 0; i < PER_THREAD; i++) {
		int r;

		if (evmgr_remote_call(loop, count_call, NULL) != 0)
			failures++;
		while ((r = evmgr_remote_post(loop, count_post, NULL)) == -ENOSPC)
			sched_yield();
		if (r != 0)
			failures++;
	}
	return (void *)failures;
}

Test(remote, eight_threads_call_and_post_at_once)
{
	pthread_t t[THREADS];

	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, hammer, NULL), 0);
	cr_assert_eq(evmgr_loop_run(loop), 0);
	for (int i = 0; i < THREADS; i++) {
		void *failures;

		pthread_join(t[i], &failures);
		cr_assert_null(failures, "thread %d saw %ld failures", i, (long)failures);
	}
	cr_assert_eq(plain_calls, THREADS * PER_THREAD);
	cr_assert_eq(plain_posts, THREADS * PER_THREAD);
	cr_assert_eq(atomic_load(&wrong_thread), 0, "a remote function ran off the loop thread");
}

/* ---- blocking call semantics ---- */

static int seen_value;

static void store_value(struct evmgr_loop *l, void *arg)
{
	(void)l;
	check_thread();
	seen_value = *(int *)arg;
}

static void stop_fn(struct evmgr_loop *l, void *arg)
{
	(void)arg;
	evmgr_loop_stop(l);
}

static void *call_then_stop(void *arg)
{
	static int value = 42;

	(void)arg;
	if (evmgr_remote_call(loop, store_value, &value) != 0)
		return (void *)1;
	/* The call returned, so its effect must already be visible here. */
	if (seen_value != 42)
		return (void *)2;
	if (evmgr_remote_post(loop, stop_fn, NULL) != 0)
		return (void *)3;
	return NULL;
}

Test(remote, call_returns_after_running_on_loop_thread)
{
	pthread_t t;
	void *res;

	cr_assert_eq(pthread_create(&t, NULL, call_then_stop, NULL), 0);
	cr_assert_eq(evmgr_loop_run(loop), 0);
	pthread_join(t, &res);
	cr_assert_null(res, "caller check %ld failed", (long)res);
	cr_assert_eq(atomic_load(&wrong_thread), 0);
}

static int inline_ran;

static void set_inline(struct evmgr_loop *l, void *arg)
{
	(void)l;
	(void)arg;
	inline_ran = 1;
}

static int inline_result = -1, inline_seen = -1;

static void call_from_callback(struct evmgr_loop *l, struct evmgr_watcher *w, uint32_t revents)
{
	(void)revents;
	cr_assert_eq(evmgr_eventfd_drain(w->fd, NULL), 0);
	inline_result = evmgr_remote_call(l, set_inline, NULL);
	inline_seen = inline_ran;
}

Test(remote, call_on_loop_thread_runs_inline)
{
	struct evmgr_watcher w;
	int fd = evmgr_eventfd_new(1, EVMGR_EFD_NONBLOCK);

	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, call_from_callback, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(inline_result, 0);
	cr_assert_eq(inline_seen, 1, "the call did not run before returning");
	cr_assert_eq(evmgr_watcher_remove(loop, &w), 0);
	close(fd);
}

static int cancel_result = 1;

static void *call_forever(void *arg)
{
	(void)arg;
	cancel_result = evmgr_remote_call(loop, set_inline, NULL);
	return NULL;
}

Test(remote, free_cancels_blocked_callers)
{
	struct pollfd p = { .fd = evmgr_loop_fd(loop), .events = POLLIN };
	pthread_t t;

	cr_assert_eq(pthread_create(&t, NULL, call_forever, NULL), 0);
	/* The epoll fd turns readable once the request has been queued. */
	cr_assert_eq(poll(&p, 1, -1), 1);
	evmgr_loop_free(loop);
	pthread_join(t, NULL);
	cr_assert_eq(cancel_result, -ECANCELED);
	cr_assert_eq(inline_ran, 0, "a cancelled call ran");
	cr_assert_eq(evmgr_loop_new(&loop, NULL), 0);
}

Test(remote, rejects_null_arguments)
{
	cr_assert_eq(evmgr_remote_call(NULL, set_inline, NULL), -EINVAL);
	cr_assert_eq(evmgr_remote_call(loop, NULL, NULL), -EINVAL);
	cr_assert_eq(evmgr_remote_post(NULL, set_inline, NULL), -EINVAL);
	cr_assert_eq(evmgr_remote_post(loop, NULL, NULL), -EINVAL);
}

/* ---- posts ---- */

static int post_order[16];
static int nposts;

static void record_post(struct evmgr_loop *l, void *arg)
{
	(void)l;
	if (nposts < 16)
		post_order[nposts] = (int)(intptr_t)arg;
	nposts++;
}

Test(remote, posts_run_in_order_on_next_batch)
{
	for (intptr_t i = 0; i < 10; i++)
		cr_assert_eq(evmgr_remote_post(loop, record_post, (void *)i), 0);
	cr_assert_eq(nposts, 0, "post ran synchronously");
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 10);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(post_order[i], i);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
}

Test(remote, post_ring_full_is_enospc)
{
	evmgr_loop_free(loop);
	open_loop(4);
	for (intptr_t i = 0; i < 4; i++)
		cr_assert_eq(evmgr_remote_post(loop, record_post, (void *)i), 0);
	cr_assert_eq(evmgr_remote_post(loop, record_post, (void *)99), -ENOSPC);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 4);
	/* Wrapping around the ring keeps the order. */
	for (intptr_t i = 4; i < 8; i++)
		cr_assert_eq(evmgr_remote_post(loop, record_post, (void *)i), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 4);
	cr_assert_eq(nposts, 8);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(post_order[i], i);
}

static int chain_left = 5;

static void repost_self(struct evmgr_loop *l, void *arg)
{
	(void)arg;
	if (--chain_left > 0)
		cr_assert_eq(evmgr_remote_post(l, repost_self, NULL), 0);
}

Test(remote, a_post_made_by_a_post_waits_for_the_next_batch)
{
	cr_assert_eq(evmgr_remote_post(loop, repost_self, NULL), 0);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(evmgr_loop_run_once(loop, 0), 1, "batch %d", i);
	cr_assert_eq(chain_left, 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
}

static void post_from_callback(struct evmgr_loop *l, struct evmgr_watcher *w, uint32_t revents)
{
	(void)revents;
	cr_assert_eq(evmgr_eventfd_drain(w->fd, NULL), 0);
	cr_assert_eq(evmgr_remote_post(l, record_post, (void *)7), 0);
}

Test(remote, post_on_loop_thread_is_deferred)
{
	struct evmgr_watcher w;
	int fd = evmgr_eventfd_new(1, EVMGR_EFD_NONBLOCK);

	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, post_from_callback, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(nposts, 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(nposts, 1);
	cr_assert_eq(post_order[0], 7);
	cr_assert_eq(evmgr_watcher_remove(loop, &w), 0);
	close(fd);
}

Test(remote, free_drops_queued_posts)
{
	cr_assert_eq(evmgr_remote_post(loop, record_post, NULL), 0);
	evmgr_loop_free(loop);
	cr_assert_eq(nposts, 0);
	cr_assert_eq(evmgr_loop_new(&loop, NULL), 0);
}
