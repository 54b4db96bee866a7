/* SPDX-License-Identifier: MIT */
/*
 * Dispatch: one epoll_wait() fills the fixed ready list, then each event is
 * handed to its watcher in the order the kernel reported it.  While the
 * batch runs, every watcher with an undelivered event records its slot, so
 * that removing it clears the slot and a reused fd number can never receive
 * the event meant for the watcher that held it before (event-manager #41).
 */
#define _GNU_SOURCE
#include <errno.h>

#include "loop_internal.h"

_Thread_local struct evmgr_loop *evmgr__current_loop;

/* Makes every watcher in the batch know where its event waits. */
static void batch_index(struct evmgr_loop *loop, int n)
{
	for (int i = 0; i < n; i++) {
		struct evmgr_watcher *w = loop->ready[i].data.ptr;

		w->slot = i;
	}
}

/* Delivers slot i if its watcher is still registered and still wants it. */
static int batch_deliver(struct evmgr_loop *loop, int i)
{
	struct evmgr_watcher *w = loop->ready[i].data.ptr;
	uint32_t revents;
	bool internal;

	if (!w)
		return 0;
	loop->ready[i].data.ptr = NULL;
	w->slot = -1;
	revents = loop->ready[i].events & (w->events | EVMGR_EV_ERR | EVMGR_EV_HUP);
	if (!revents)
		return 0;
	internal = w == &loop->wake;
	/* The callback may remove and free w: it must be the last use of w. */
	w->fn(loop, w, revents);
	return internal ? 0 : 1;
}

/* Relaxed: the counters are statistics, ordered with nothing else. */
static void stat_add(_Atomic uint64_t *counter, uint64_t n)
{
	atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

int evmgr_loop_run_once(struct evmgr_loop *loop, int timeout_ms)
{
	struct evmgr_loop *outer;
	int n, ran = 0, remote = 0;

	if (!loop)
		return -EINVAL;
	if (loop->dispatching)
		return -EBUSY;
	if (timeout_ms < -1)
		return -EINVAL;
	n = epoll_wait(loop->epfd, loop->ready, (int)loop->capacity, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	outer = evmgr__current_loop;
	evmgr__current_loop = loop;
	loop->dispatching = true;
	loop->woken = false;
	batch_index(loop, n);
	for (int i = 0; i < n; i++)
		ran += batch_deliver(loop, i);
	if (loop->woken)
		remote = evmgr__remote_drain(loop);
	loop->dispatching = false;
	evmgr__current_loop = outer;
	stat_add(&loop->stat_batches, 1);
	stat_add(&loop->stat_events, (uint64_t)ran);
	stat_add(&loop->stat_remote_calls, (uint64_t)remote);
	return ran + remote;
}

void evmgr_loop_get_stats(const struct evmgr_loop *loop,
			  struct evmgr_loop_stats *out)
{
	struct evmgr_loop *l = (struct evmgr_loop *)loop;

	out->batches = atomic_load_explicit(&l->stat_batches, memory_order_relaxed);
	out->events = atomic_load_explicit(&l->stat_events, memory_order_relaxed);
	out->remote_calls = atomic_load_explicit(&l->stat_remote_calls,
						 memory_order_relaxed);
}

int evmgr_loop_run(struct evmgr_loop *loop)
{
	if (!loop)
		return -EINVAL;
	if (loop->dispatching)
		return -EBUSY;
	for (;;) {
		int r;

		if (atomic_exchange(&loop->stop, false))
			return 0;
		r = evmgr_loop_run_once(loop, -1);
		if (r < 0)
			return r;
	}
}

void evmgr_loop_stop(struct evmgr_loop *loop)
{
	atomic_store(&loop->stop, true);
	evmgr__loop_wake(loop);
}

bool evmgr_loop_stop_requested(const struct evmgr_loop *loop)
{
	return atomic_load(&loop->stop);
}
