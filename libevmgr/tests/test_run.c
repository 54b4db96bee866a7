// SPDX-License-Identifier: MIT
// Run-until-stopped: evmgr_loop_stop() from the loop thread, from another
// thread, before the loop starts, and from a signal handler.
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

static struct evmgr_loop *loop;

static void setup(void)
{
	cr_assert_eq(evmgr_loop_new(&loop, NULL), 0);
}

static void teardown(void)
{
	evmgr_loop_free(loop);
}

TestSuite(run, .init = setup, .fini = teardown);

Test(run, stop_before_run_returns_at_once)
{
	cr_assert_not(evmgr_loop_stop_requested(loop));
	evmgr_loop_stop(loop);
	cr_assert(evmgr_loop_stop_requested(loop));
	cr_assert_eq(evmgr_loop_run(loop), 0);
	cr_assert_not(evmgr_loop_stop_requested(loop), "stop was not consumed");
}

static void *stopper(void *arg)
{
	/* No timing assumption: whether the stop lands before or during the
	 * wait, run() must return. */
	evmgr_loop_stop(arg);
	return NULL;
}

Test(run, stop_from_another_thread_wakes_the_loop)
{
	pthread_t t;

	cr_assert_eq(pthread_create(&t, NULL, stopper, loop), 0);
	cr_assert_eq(evmgr_loop_run(loop), 0);
	pthread_join(t, NULL);
}

static int stop_cb_hits, other_hits;

static void stop_cb(struct evmgr_loop *l, struct evmgr_watcher *w, uint32_t revents)
{
	(void)revents;
	stop_cb_hits++;
	cr_assert_eq(evmgr_eventfd_drain(w->fd, NULL), 0);
	evmgr_loop_stop(l);
}

static void other_cb(struct evmgr_loop *l, struct evmgr_watcher *w, uint32_t revents)
{
	(void)l;
	(void)revents;
	other_hits++;
	cr_assert_eq(evmgr_eventfd_drain(w->fd, NULL), 0);
}

Test(run, stop_from_callback_finishes_the_batch)
{
	struct evmgr_watcher a, b;
	int fa = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK), fb = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);

	evmgr_watcher_init(&a, fa, EVMGR_EV_IN, stop_cb, NULL);
	evmgr_watcher_init(&b, fb, EVMGR_EV_IN, other_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &a), 0);
	cr_assert_eq(evmgr_watcher_add(loop, &b), 0);
	cr_assert_eq(evmgr_eventfd_signal(fa), 0);
	cr_assert_eq(evmgr_eventfd_signal(fb), 0);
	cr_assert_eq(evmgr_loop_run(loop), 0);
	cr_assert_eq(stop_cb_hits, 1);
	cr_assert_eq(other_hits, 1, "the rest of the batch was not dispatched");
	cr_assert_eq(evmgr_watcher_remove(loop, &a), 0);
	cr_assert_eq(evmgr_watcher_remove(loop, &b), 0);
	close(fa);
	close(fb);
}

struct second_stop {
	struct evmgr_loop *loop;
	int fd;
};

static void *signal_then_stop(void *arg)
{
	struct second_stop *s = arg;
	uint64_t v;

	/* Block until the loop thread has run once more (it writes fd).  A
	 * failed read still stops the loop, so the test cannot hang. */
	int r = evmgr_eventfd_read(s->fd, &v);

	evmgr_loop_stop(s->loop);
	return r == 0 ? NULL : (void *)1;
}

static void poke_cb(struct evmgr_loop *l, struct evmgr_watcher *w, uint32_t revents)
{
	(void)l;
	(void)revents;
	cr_assert_eq(evmgr_eventfd_drain(w->fd, NULL), 0);
	cr_assert_eq(evmgr_eventfd_signal(*(int *)w->data), 0);
}

Test(run, a_consumed_stop_does_not_stop_the_next_run)
{
	struct second_stop s = { .loop = loop };
	struct evmgr_watcher poke;
	pthread_t t;
	void *res;
	int pfd = evmgr_eventfd_new(1, EVMGR_EFD_NONBLOCK);

	s.fd = evmgr_eventfd_new(0, 0);
	cr_assert_geq(s.fd, 0);
	evmgr_loop_stop(loop);
	cr_assert_eq(evmgr_loop_run(loop), 0);
	/* The second run must keep going until the thread stops it, which it
	 * only does after the loop has dispatched poke: so poke is proof that
	 * the old stop was not reused. */
	evmgr_watcher_init(&poke, pfd, EVMGR_EV_IN, poke_cb, &s.fd);
	cr_assert_eq(evmgr_watcher_add(loop, &poke), 0);
	cr_assert_eq(pthread_create(&t, NULL, signal_then_stop, &s), 0);
	cr_assert_eq(evmgr_loop_run(loop), 0);
	pthread_join(t, &res);
	cr_assert_null(res);
	cr_assert_eq(evmgr_watcher_remove(loop, &poke), 0);
	close(pfd);
	close(s.fd);
}

static struct evmgr_loop *handler_loop;

static void on_alarm(int sig)
{
	(void)sig;
	evmgr_loop_stop(handler_loop);
}

Test(run, stop_is_async_signal_safe)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	handler_loop = loop;
	sigemptyset(&sa.sa_mask);
	cr_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
	cr_assert_eq(raise(SIGALRM), 0);
	cr_assert_eq(evmgr_loop_run(loop), 0);
}

Test(run, stop_wakeup_is_not_counted_as_a_callback)
{
	evmgr_loop_stop(loop);
	/* The stop's wake-up is a loop-internal event: not a callback. */
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
}
