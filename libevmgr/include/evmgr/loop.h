/* SPDX-License-Identifier: MIT */
/*
 * The event loop: an epoll instance plus caller-owned I/O watchers, in the
 * style of libuv's uv_poll_t and rust-vmm's event-manager.
 *
 * A watcher is a struct the caller allocates and keeps alive while it is
 * registered: an fd, an event mask, a callback and user data.  The loop never
 * allocates after evmgr_loop_new(): the ready list (the array epoll_wait()
 * fills) has a fixed capacity chosen at creation, and registration data lives
 * in the watchers themselves.
 *
 * Callbacks may add, modify or remove any watcher while a batch of events is
 * being dispatched, their own included, and may free a watcher's memory once
 * it is removed.  Removing a watcher drops its not-yet-dispatched event from
 * the current batch, so that when its fd number is closed and reused within
 * the same batch, the new owner never receives the old owner's event (the
 * problem described in rust-vmm event-manager issue #41).
 *
 * Threads: every function here must be called on the loop thread (the one
 * running evmgr_loop_run*()), or while no thread runs the loop, except
 * evmgr_loop_stop(), which any thread may call.  Other threads use
 * <evmgr/remote.h> to get work done on the loop thread.
 */
#ifndef EVMGR_LOOP_H
#define EVMGR_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#ifndef EVMGR_WUR
#define EVMGR_WUR __attribute__((warn_unused_result))
#endif

/*
 * Event bits, equal to the epoll(7) EPOLL* values so that a mask can be
 * passed through unchanged.  EVMGR_EV_ERR and EVMGR_EV_HUP are always
 * reported, whether asked for or not.
 */
#define EVMGR_EV_IN      0x001u      /* readable */
#define EVMGR_EV_PRI     0x002u      /* exceptional condition (urgent data) */
#define EVMGR_EV_OUT     0x004u      /* writable */
#define EVMGR_EV_ERR     0x008u      /* error condition (reported only) */
#define EVMGR_EV_HUP     0x010u      /* hang-up (reported only) */
#define EVMGR_EV_RDHUP   0x2000u     /* peer closed its writing half */
#define EVMGR_EV_ONESHOT (1u << 30)  /* disarm after one event; re-enable with modify */
#define EVMGR_EV_ET      (1u << 31)  /* edge-triggered instead of level-triggered */

/* Ready-list capacity used when the configuration leaves it at 0. */
#define EVMGR_DEFAULT_READY_CAPACITY 64u
/* Largest ready-list capacity accepted (bounds the one allocation). */
#define EVMGR_MAX_READY_CAPACITY 65536u
/* Fire-and-forget remote-call slots used when the configuration leaves it at 0. */
#define EVMGR_DEFAULT_POST_CAPACITY 256u
/* Largest number of fire-and-forget slots accepted. */
#define EVMGR_MAX_POST_CAPACITY 65536u

struct evmgr_loop;
struct evmgr_watcher;

/*
 * Called on the loop thread with the events that occurred (EVMGR_EV_* bits,
 * limited to the watcher's current mask plus ERR/HUP; never 0).
 */
typedef void (*evmgr_watcher_fn)(struct evmgr_loop *loop, struct evmgr_watcher *w,
				 uint32_t revents);

/*
 * A caller-owned I/O watcher.  Initialise it with evmgr_watcher_init(); the
 * fields other than `data` belong to the library while the watcher is
 * registered and must not be written by the caller.
 */
struct evmgr_watcher {
	void *data;			/* free for the caller */
	int fd;				/* watched fd; fixed while registered */
	uint32_t events;		/* current EVMGR_EV_* mask */
	evmgr_watcher_fn fn;		/* callback */
	struct evmgr_loop *loop;	/* non-NULL while registered */
	int32_t slot;			/* index of its pending event in the batch, or -1 */
	struct evmgr_watcher *prev;	/* the loop's list of registered watchers, */
	struct evmgr_watcher *next;	/* walked only by evmgr_loop_free() */
};

/* Loop creation parameters; zero-initialise and set what you need. */
struct evmgr_loop_config {
	/* Most events taken from the kernel per iteration; 0 selects
	 * EVMGR_DEFAULT_READY_CAPACITY.  Events beyond it stay queued in the
	 * kernel for the next iteration (epoll rotates level-triggered fds, so
	 * none starves). */
	uint32_t ready_capacity;
	/* Fire-and-forget remote calls that may wait at once; 0 selects
	 * EVMGR_DEFAULT_POST_CAPACITY. */
	uint32_t post_capacity;
};

/*
 * Creates a loop.  cfg may be NULL for the defaults.
 * -EINVAL: a capacity above its maximum; -ENOMEM; -errno from
 * epoll_create1()/eventfd().
 */
EVMGR_WUR int evmgr_loop_new(struct evmgr_loop **out, const struct evmgr_loop_config *cfg);

/*
 * Frees the loop and closes its epoll and wake-up fds.  Watchers still
 * registered are detached (their fds are left open; they belong to the
 * caller).  Threads blocked in evmgr_remote_call() on this loop get
 * -ECANCELED; queued fire-and-forget calls are dropped without running.
 * NULL is a no-op.  Must not be called from a callback or while another
 * thread may still start a remote call on this loop.
 */
void evmgr_loop_free(struct evmgr_loop *loop);

/*
 * Waits up to timeout_ms milliseconds (-1: forever, 0: poll) for events and
 * dispatches one batch: at most ready_capacity watcher callbacks, in the
 * order the kernel reported the events, then the remote calls queued so far.
 * Returns the number of events dispatched to watchers plus the number of
 * remote functions run (a timer or signal source whose read finds nothing,
 * e.g. after a re-arm, still counts as dispatched), 0 on timeout or when a
 * signal interrupted the wait, or
 * -EBUSY when called from inside a callback of the same loop, -EINVAL for
 * a NULL loop or a timeout below -1, -errno from epoll_wait().
 */
EVMGR_WUR int evmgr_loop_run_once(struct evmgr_loop *loop, int timeout_ms);

/*
 * Runs batches until evmgr_loop_stop() is called, then returns 0.  A stop
 * requested before entry (e.g. by a vCPU thread racing with start-up) makes
 * it return after at most one batch.  The stop request is consumed: a later
 * call runs again.  -EINVAL for a NULL loop; -EBUSY when called from a
 * callback; -errno from epoll_wait().
 */
EVMGR_WUR int evmgr_loop_run(struct evmgr_loop *loop);

/*
 * Asks evmgr_loop_run() to return after the batch in progress.  Safe from
 * any thread and from signal handlers (an atomic store and an eventfd
 * write); wakes a loop blocked in epoll_wait().
 */
void evmgr_loop_stop(struct evmgr_loop *loop);

/* Whether a stop has been requested and not yet consumed by evmgr_loop_run(). */
bool evmgr_loop_stop_requested(const struct evmgr_loop *loop);

/* Number of registered caller watchers (timers and signal sources included). */
uint32_t evmgr_loop_watcher_count(const struct evmgr_loop *loop);

/* What a loop has done since evmgr_loop_new(), for metrics. */
struct evmgr_loop_stats {
	uint64_t batches;	/* epoll_wait() calls that returned (timeouts included) */
	uint64_t events;	/* watcher callbacks run */
	uint64_t remote_calls;	/* remote functions run */
};

/* Reads the counters; safe from any thread while the loop runs (each
 * counter is exact, the three are not one atomic snapshot). */
void evmgr_loop_get_stats(const struct evmgr_loop *loop,
			  struct evmgr_loop_stats *out);

/* The ready-list capacity in effect. */
uint32_t evmgr_loop_ready_capacity(const struct evmgr_loop *loop);

/*
 * The epoll fd, readable when the loop has work: lets this loop be nested
 * in another poller, which then calls evmgr_loop_run_once(loop, 0).
 */
int evmgr_loop_fd(const struct evmgr_loop *loop);

/*
 * Prepares a watcher for fd with an EVMGR_EV_* mask, a callback and user
 * data.  Registers nothing; the watcher starts detached.
 */
void evmgr_watcher_init(struct evmgr_watcher *w, int fd, uint32_t events,
			evmgr_watcher_fn fn, void *data);

/*
 * Registers a watcher with the loop.
 * -EINVAL: negative fd, NULL callback, unknown event bits, or no event
 *          asked for (ERR/HUP only is allowed: a hang-up watcher);
 * -EEXIST: the watcher is already registered (with any loop);
 * -errno from epoll_ctl(), e.g. -EEXIST when another watcher holds the same
 *          fd, -EPERM for an fd that cannot be polled (a regular file,
 *          /dev/null: e.g. a VMM's stdin when redirected), -EBADF for a
 *          closed fd, -ENOSPC past the kernel's max_user_watches.
 */
EVMGR_WUR int evmgr_watcher_add(struct evmgr_loop *loop, struct evmgr_watcher *w);

/*
 * Changes a registered watcher's event mask (also re-enables an
 * EVMGR_EV_ONESHOT watcher).  An event of this watcher still pending in the
 * current batch is delivered only if it intersects the new mask.
 * -ENOENT: not registered with this loop; -EINVAL: bad bits; -errno from
 * epoll_ctl().
 */
EVMGR_WUR int evmgr_watcher_modify(struct evmgr_loop *loop, struct evmgr_watcher *w,
				   uint32_t events);

/*
 * Unregisters a watcher and drops its pending event from the current batch.
 * Call it before closing the fd.  The watcher's memory may be freed or
 * reused as soon as this returns, even inside its own callback.
 * -ENOENT: not registered with this loop.  If the kernel had already
 * forgotten the fd (it was closed first) the watcher is still detached and
 * 0 is returned.  Not warn-unused-result: once it returns the watcher is
 * detached whatever the result, so cleanup paths may ignore it.
 */
int evmgr_watcher_remove(struct evmgr_loop *loop, struct evmgr_watcher *w);

/* Whether the watcher is registered with a loop. */
bool evmgr_watcher_active(const struct evmgr_watcher *w);

#endif
