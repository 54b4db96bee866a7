// SPDX-License-Identifier: MIT
// "No allocation on the dispatch path": this executable replaces the
// process's malloc family with counting wrappers around glibc's own
// allocator (__libc_malloc & co.), then dispatches watcher events,
// removals, timer expirations, signals, posts and blocking calls from
// another thread, and requires the count to stay at zero.  It is not built
// with sanitizers, whose runtimes own malloc themselves.
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t align, size_t size);
void __libc_free(void *p);
int posix_memalign(void **out, size_t align, size_t size);

static atomic_bool counting;
static atomic_ulong allocations;

static void note(void)
{
	if (atomic_load_explicit(&counting, memory_order_relaxed))
		atomic_fetch_add(&allocations, 1);
}

void *malloc(size_t size)
{
	note();
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	note();
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	note();
	return __libc_realloc(p, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	note();
	return __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	note();
	*out = __libc_memalign(align, size);
	return *out ? 0 : ENOMEM;
}

void free(void *p)
{
	__libc_free(p);
}

#define ROUNDS 200

static struct evmgr_loop *loop;
static struct evmgr_watcher w[4];
static struct evmgr_timer timer;
static struct evmgr_signal sigsrc;
static int fds[4];
static unsigned long events, ticks, sigs, remote_runs, posts_run;

static void drain_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	(void)revents;
	events++;
	if (evmgr_eventfd_drain(self->fd, NULL) != 0)
		abort();
	/* Churn registrations from inside the batch. */
	if (self == &w[0]) {
		evmgr_watcher_remove(l, &w[1]);
		if (evmgr_watcher_add(l, &w[1]) || evmgr_watcher_modify(l, &w[2], EVMGR_EV_IN))
			abort();
	}
}

static void tick_cb(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	(void)t;
	(void)data;
	ticks += expirations;
}

static void sig_cb(struct evmgr_signal *s, const struct signalfd_siginfo *info, void *data)
{
	(void)s;
	(void)info;
	(void)data;
	sigs++;
}

static void remote_fn(struct evmgr_loop *l, void *arg)
{
	(void)l;
	(void)arg;
	remote_runs++;
}

static void post_fn(struct evmgr_loop *l, void *arg)
{
	(void)l;
	(void)arg;
	posts_run++;
}

static void *caller(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++)
		if (evmgr_remote_call(loop, remote_fn, NULL) != 0)
			return (void *)1;
	return NULL;
}

Test(noalloc, dispatch_path_never_allocates)
{
	sigset_t set;
	pthread_t t;
	void *res;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	cr_assert_eq(evmgr_signal_block(&set, NULL), 0);
	cr_assert_eq(evmgr_loop_new(&loop, NULL), 0);
	for (int i = 0; i < 4; i++) {
		fds[i] = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
		evmgr_watcher_init(&w[i], fds[i], EVMGR_EV_IN, drain_cb, NULL);
		cr_assert_eq(evmgr_watcher_add(loop, &w[i]), 0);
	}
	cr_assert_eq(evmgr_timer_open(loop, &timer, CLOCK_MONOTONIC, tick_cb, NULL), 0);
	cr_assert_eq(evmgr_timer_arm(&timer, 1, 50000), 0);
	cr_assert_eq(evmgr_signal_open(loop, &sigsrc, &set, sig_cb, NULL), 0);
	/* Thread creation allocates its stack: do it before counting, and let
	 * the thread's calls queue up against the loop. */
	cr_assert_eq(pthread_create(&t, NULL, caller, NULL), 0);

	atomic_store(&counting, true);
	while (remote_runs < ROUNDS || ticks < 10 || sigs < 3) {
		for (int i = 0; i < 4; i++)
			if (evmgr_eventfd_signal(fds[i]))
				abort();
		if (sigs < 3 && raise(SIGUSR1))
			abort();
		if (evmgr_remote_post(loop, post_fn, NULL) != 0)
			abort();
		if (evmgr_loop_run_once(loop, 10) < 0)
			abort();
	}
	atomic_store(&counting, false);

	pthread_join(t, &res);
	cr_assert_null(res);
	cr_assert_eq(atomic_load(&allocations), 0, "%lu allocations while dispatching",
		     atomic_load(&allocations));
	cr_assert_gt(events, 0);
	cr_assert_gt(posts_run, 0);
	evmgr_signal_close(&sigsrc);
	evmgr_timer_close(&timer);
	for (int i = 0; i < 4; i++) {
		evmgr_watcher_remove(loop, &w[i]);
		close(fds[i]);
	}
	evmgr_loop_free(loop);
}

Test(noalloc, the_counter_sees_allocations)
{
	void *p;

	/* Guards the test above against a wrapper that is not in effect. */
	atomic_store(&counting, true);
	p = malloc(32);
	atomic_store(&counting, false);
	free(p);
	cr_assert_eq(atomic_load(&allocations), 1);
}
