// SPDX-License-Identifier: MIT
// Remote calls between two threads: the round trip of a blocking
// evmgr_remote_call() of an empty function to a loop parked in
// epoll_wait(), the per-request cost of fire-and-forget posts, and as the
// floor a bare eventfd ping-pong between the same two threads.
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <cvmm_bench.h>
#include <evmgr/evmgr.h>

static void empty_fn(struct evmgr_loop *loop, void *arg)
{
	(void)loop;
	(void)arg;
}

static void *loop_thread(void *arg)
{
	return evmgr_loop_run(arg) == 0 ? NULL : arg;
}

static void bench_call(void *ctx, uint64_t ops)
{
	for (uint64_t i = 0; i < ops; i++)
		if (evmgr_remote_call(ctx, empty_fn, NULL))
			abort();
}

static void bench_post(void *ctx, uint64_t ops)
{
	for (uint64_t i = 0; i < ops; i++) {
		int r;

		while ((r = evmgr_remote_post(ctx, empty_fn, NULL)) == -ENOSPC)
			sched_yield();
		if (r)
			abort();
	}
	/* Posts are FIFO before later calls: this waits for them all. */
	if (evmgr_remote_call(ctx, empty_fn, NULL))
		abort();
}

struct pingpong {
	int ping, pong;
};

static void *ponger(void *arg)
{
	struct pingpong *p = arg;
	uint64_t v;

	for (;;) {
		if (evmgr_eventfd_read(p->ping, &v))
			abort();
		if (v == 2) /* quit */
			return NULL;
		if (evmgr_eventfd_signal(p->pong))
			abort();
	}
}

static void bench_pingpong(void *ctx, uint64_t ops)
{
	struct pingpong *p = ctx;
	uint64_t v;

	for (uint64_t i = 0; i < ops; i++)
		if (evmgr_eventfd_signal(p->ping) || evmgr_eventfd_read(p->pong, &v))
			abort();
}

int main(void)
{
	struct evmgr_loop_config c = { .post_capacity = 1024 };
	struct pingpong p = { evmgr_eventfd_new(0, 0), evmgr_eventfd_new(0, 0) };
	struct evmgr_loop *loop;
	pthread_t t;

	if (evmgr_loop_new(&loop, &c) || pthread_create(&t, NULL, loop_thread, loop))
		abort();
	cvmm_bench_run("evmgr-remote-call-roundtrip", bench_call, loop, 20000, 15);
	cvmm_bench_run("evmgr-remote-post", bench_post, loop, 100000, 15);
	evmgr_loop_stop(loop);
	pthread_join(t, NULL);
	evmgr_loop_free(loop);

	if (p.ping < 0 || p.pong < 0 || pthread_create(&t, NULL, ponger, &p))
		abort();
	cvmm_bench_run("raw-eventfd-pingpong", bench_pingpong, &p, 20000, 15);
	if (evmgr_eventfd_write(p.ping, 2))
		abort();
	pthread_join(t, NULL);
	close(p.ping);
	close(p.pong);
	return 0;
}
