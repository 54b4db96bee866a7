// SPDX-License-Identifier: MIT
// Loop statistics: batches, watcher callbacks and remote calls are each
// counted once, a timeout is a batch with nothing run, and the internal
// wake-up that carries a remote call is not a watcher callback.
#include <criterion/criterion.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

static struct evmgr_loop *loop;
static struct evmgr_watcher w;
static int fd;

static void drain_cb(struct evmgr_loop *l, struct evmgr_watcher *self, uint32_t revents)
{
	uint64_t v;

	(void)l;
	(void)revents;
	cr_assert_eq(evmgr_eventfd_read(self->fd, &v), 0);
}

static void remote_fn(struct evmgr_loop *l, void *arg)
{
	(void)l;
	(*(int *)arg)++;
}

static void setup(void)
{
	cr_assert_eq(evmgr_loop_new(&loop, NULL), 0);
	fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	cr_assert_geq(fd, 0);
	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, drain_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), 0);
}

static void teardown(void)
{
	evmgr_loop_free(loop);
	close(fd);
}

TestSuite(stats, .init = setup, .fini = teardown);

Test(stats, new_loop_counts_nothing)
{
	struct evmgr_loop_stats st;

	evmgr_loop_get_stats(loop, &st);
	cr_assert_eq(st.batches, 0);
	cr_assert_eq(st.events, 0);
	cr_assert_eq(st.remote_calls, 0);
}

Test(stats, timeout_is_a_batch_without_events)
{
	struct evmgr_loop_stats st;

	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	evmgr_loop_get_stats(loop, &st);
	cr_assert_eq(st.batches, 1);
	cr_assert_eq(st.events, 0);
}

Test(stats, each_callback_counted_once)
{
	struct evmgr_loop_stats st;

	cr_assert_eq(evmgr_eventfd_signal(fd), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 1000), 1);
	cr_assert_eq(evmgr_eventfd_signal(fd), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 1000), 1);
	evmgr_loop_get_stats(loop, &st);
	cr_assert_eq(st.batches, 2);
	cr_assert_eq(st.events, 2);
	cr_assert_eq(st.remote_calls, 0);
}

Test(stats, remote_call_counted_apart_from_callbacks)
{
	struct evmgr_loop_stats st;
	int ran = 0;

	cr_assert_eq(evmgr_remote_post(loop, remote_fn, &ran), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 1000), 1);
	cr_assert_eq(ran, 1);
	evmgr_loop_get_stats(loop, &st);
	cr_assert_eq(st.events, 0, "the wake-up fd is internal");
	cr_assert_eq(st.remote_calls, 1);
}
