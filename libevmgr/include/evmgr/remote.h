/* SPDX-License-Identifier: MIT */
/*
 * Remote calls: another thread asks the loop thread to run a function, over
 * the loop's internal eventfd (the pattern of libuv's uv_async_t and of
 * event-manager's remote endpoint).  A VMM's vCPU threads use it to hand
 * device work or a shutdown request to the thread that owns the devices.
 *
 * Two forms:
 *  - evmgr_remote_call() blocks until the function has run on the loop
 *    thread and needs no memory from the loop (its request lives on the
 *    caller's stack), so any number of threads may call at once;
 *  - evmgr_remote_post() returns at once; the request is copied into a ring
 *    whose size is fixed at loop creation, so posting never allocates.
 * Queued functions run on the loop thread after the watcher callbacks of
 * the batch that noticed them: posts in the order they were posted, calls in
 * the order they were made, and the posts of a batch before its calls.
 */
#ifndef EVMGR_REMOTE_H
#define EVMGR_REMOTE_H

#include <evmgr/loop.h>

/* Runs on the loop thread; may use every <evmgr/loop.h> function. */
typedef void (*evmgr_remote_fn)(struct evmgr_loop *loop, void *arg);

/*
 * Runs fn(loop, arg) on the loop thread and waits until it has returned.
 * Called on the loop thread itself (from a callback), fn runs at once, so a
 * callback cannot deadlock on its own loop.  Safe from any thread.
 * Returns 0 once fn has run; -EINVAL for a NULL loop or fn; -ECANCELED when
 * the loop was freed before running it.  The caller blocks for as long as
 * no thread runs the loop, so the thread that runs the loop must not call
 * it outside the loop's callbacks (nobody would ever run the request).
 */
EVMGR_WUR int evmgr_remote_call(struct evmgr_loop *loop, evmgr_remote_fn fn, void *arg);

/*
 * Queues fn(loop, arg) to run on the loop thread and returns without
 * waiting.  From the loop thread it defers fn to the next batch.  Safe from
 * any thread.  -EINVAL for a NULL loop or fn; -ENOSPC when post_capacity
 * calls are already waiting (the caller may retry or fall back to
 * evmgr_remote_call()).
 */
EVMGR_WUR int evmgr_remote_post(struct evmgr_loop *loop, evmgr_remote_fn fn, void *arg);

#endif
