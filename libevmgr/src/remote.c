/* SPDX-License-Identifier: MIT */
/*
 * Remote calls: requests from other threads wait in two queues under one
 * mutex (a fixed ring of fire-and-forget posts and a FIFO of blocking calls
 * whose nodes live on the callers' stacks), and the first request after the
 * loop last looked writes the loop's wake eventfd.  The loop thread runs
 * them after the watcher callbacks of the batch in which the eventfd fired.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>

#include "loop_internal.h"

int evmgr__remote_init(struct evmgr__remote *r, uint32_t capacity)
{
	int e;

	r->ring = calloc(capacity, sizeof(*r->ring));
	if (!r->ring)
		return -ENOMEM;
	e = pthread_mutex_init(&r->lock, NULL);
	if (e) {
		free(r->ring);
		r->ring = NULL;
		return -e;
	}
	r->capacity = capacity;
	return 0;
}

/* Unblocks every caller still waiting: the loop will never run them. */
void evmgr__remote_destroy(struct evmgr__remote *r)
{
	struct evmgr__call *c, *next;

	pthread_mutex_lock(&r->lock);
	c = r->first;
	r->first = r->last = NULL;
	pthread_mutex_unlock(&r->lock);
	for (; c; c = next) {
		next = c->next;
		c->result = -ECANCELED;
		sem_post(&c->done);
	}
	pthread_mutex_destroy(&r->lock);
	free(r->ring);
}

void evmgr__remote_rearm(struct evmgr__remote *r)
{
	pthread_mutex_lock(&r->lock);
	r->wake_pending = false;
	pthread_mutex_unlock(&r->lock);
}

/* Called with the lock held after queueing: whether the fd must be written. */
static bool need_wake(struct evmgr__remote *r)
{
	if (r->wake_pending)
		return false;
	r->wake_pending = true;
	return true;
}

static bool pop_post(struct evmgr__remote *r, struct evmgr__post *out)
{
	bool got = false;

	pthread_mutex_lock(&r->lock);
	if (r->count) {
		*out = r->ring[r->head];
		r->head = (r->head + 1) % r->capacity;
		r->count--;
		got = true;
	}
	pthread_mutex_unlock(&r->lock);
	return got;
}

int evmgr__remote_drain(struct evmgr_loop *loop)
{
	struct evmgr__remote *r = &loop->remote;
	struct evmgr__call *c, *next;
	struct evmgr__post p;
	uint32_t posts;
	int ran = 0;

	/* Take only what is queued now, so that a post made by a posted
	 * function waits for the next batch instead of starving the loop. */
	pthread_mutex_lock(&r->lock);
	posts = r->count;
	c = r->first;
	r->first = r->last = NULL;
	pthread_mutex_unlock(&r->lock);
	while (posts-- && pop_post(r, &p)) {
		p.fn(loop, p.arg);
		ran++;
	}
	for (; c; c = next) {
		/* The waiter may return and drop its stack frame as soon as it
		 * is posted, so read next first. */
		next = c->next;
		c->fn(loop, c->arg);
		c->result = 0;
		sem_post(&c->done);
		ran++;
	}
	return ran;
}

int evmgr_remote_post(struct evmgr_loop *loop, evmgr_remote_fn fn, void *arg)
{
	struct evmgr__remote *r;
	bool wake;

	if (!loop || !fn)
		return -EINVAL;
	r = &loop->remote;
	pthread_mutex_lock(&r->lock);
	if (r->count == r->capacity) {
		pthread_mutex_unlock(&r->lock);
		return -ENOSPC;
	}
	r->ring[(r->head + r->count) % r->capacity] = (struct evmgr__post){ fn, arg };
	r->count++;
	wake = need_wake(r);
	pthread_mutex_unlock(&r->lock);
	if (wake)
		evmgr__loop_wake(loop);
	return 0;
}

static void call_enqueue(struct evmgr_loop *loop, struct evmgr__call *c)
{
	struct evmgr__remote *r = &loop->remote;
	bool wake;

	pthread_mutex_lock(&r->lock);
	if (r->last)
		r->last->next = c;
	else
		r->first = c;
	r->last = c;
	wake = need_wake(r);
	pthread_mutex_unlock(&r->lock);
	if (wake)
		evmgr__loop_wake(loop);
}

int evmgr_remote_call(struct evmgr_loop *loop, evmgr_remote_fn fn, void *arg)
{
	struct evmgr__call c = { .fn = fn, .arg = arg, .result = -ECANCELED };

	if (!loop || !fn)
		return -EINVAL;
	/* On the loop thread nobody else would ever run the request. */
	if (evmgr__current_loop == loop) {
		fn(loop, arg);
		return 0;
	}
	if (sem_init(&c.done, 0, 0) < 0)
		return -errno;
	call_enqueue(loop, &c);
	while (sem_wait(&c.done) < 0 && errno == EINTR)
		;
	sem_destroy(&c.done);
	return c.result;
}
