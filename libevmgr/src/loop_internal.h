/* SPDX-License-Identifier: MIT */
/*
 * Private layout of the event loop, shared by the files that implement it:
 * the epoll instance and its fixed ready list, the wake-up eventfd used by
 * evmgr_loop_stop() and remote calls, and the remote-call queues.
 */
#ifndef EVMGR_LOOP_INTERNAL_H
#define EVMGR_LOOP_INTERNAL_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

#include <evmgr/loop.h>
#include <evmgr/remote.h>

/* A blocking remote call; lives on the stack of the thread that waits for it. */
struct evmgr__call {
	evmgr_remote_fn fn;
	void *arg;
	int result;
	sem_t done;
	struct evmgr__call *next;
};

/* A fire-and-forget remote call, copied into the loop's ring. */
struct evmgr__post {
	evmgr_remote_fn fn;
	void *arg;
};

struct evmgr__remote {
	pthread_mutex_t lock;
	/* Ring of posts: head is the next to run, count how many wait. */
	struct evmgr__post *ring;
	uint32_t capacity, head, count;
	/* FIFO of blocking calls. */
	struct evmgr__call *first, *last;
	/* An eventfd write is outstanding; saves a syscall per request. */
	bool wake_pending;
};

struct evmgr_loop {
	int epfd;
	int wakefd;
	struct evmgr_watcher wake;	/* internal: stop and remote requests */
	struct epoll_event *ready;
	uint32_t capacity;
	uint32_t nwatchers;
	struct evmgr_watcher *watchers;	/* registered caller watchers */
	bool dispatching;
	bool woken;			/* the wake fd fired in this batch */
	atomic_bool stop;
	struct evmgr__remote remote;
	/* Written by the loop thread only, read from any (evmgr_loop_get_stats). */
	_Atomic uint64_t stat_batches, stat_events, stat_remote_calls;
};

/* The loop whose callbacks the calling thread is running, if any. */
extern _Thread_local struct evmgr_loop *evmgr__current_loop;

int evmgr__remote_init(struct evmgr__remote *r, uint32_t capacity);
void evmgr__remote_destroy(struct evmgr__remote *r);
/* Reopens the wake-up window; the caller has just drained the wake fd. */
void evmgr__remote_rearm(struct evmgr__remote *r);
/* Runs the requests queued when it is called; returns how many ran. */
int evmgr__remote_drain(struct evmgr_loop *loop);
/* Writes the wake fd (async-signal-safe). */
void evmgr__loop_wake(struct evmgr_loop *loop);

#endif
