/* SPDX-License-Identifier: MIT */
/*
 * Timers over timerfd(2) (vmm-sys-util's TimerFd, attached to a loop): one
 * fd per timer, so each keeps the kernel's exact expiration count even when
 * the loop falls behind, which a VMM needs to emulate a periodic device
 * clock (e.g. the CMOS RTC's periodic interrupt) without drift.
 *
 * A timer is caller-allocated and owns a timerfd between evmgr_timer_open()
 * and evmgr_timer_close().  Re-arming or disarming resets the expiration
 * count, so an expiration that was pending in the current batch when the
 * timer was re-armed is not delivered.  Loop-thread only.
 */
#ifndef EVMGR_TIMER_H
#define EVMGR_TIMER_H

#include <stdint.h>
#include <time.h>

#include <evmgr/loop.h>

struct evmgr_timer;

/*
 * Called on the loop thread with the number of expirations since the last
 * callback or (re-)arm, always >= 1 (more than 1 when the loop was late).
 */
typedef void (*evmgr_timer_fn)(struct evmgr_timer *t, uint64_t expirations, void *data);

/* Caller-owned timer; the fields belong to the library between open and close. */
struct evmgr_timer {
	struct evmgr_watcher w;
	evmgr_timer_fn fn;
	void *data;
	clockid_t clock;
	bool open;		/* between a successful open and close */
};

/*
 * Creates a disarmed timerfd on clock (CLOCK_MONOTONIC, CLOCK_REALTIME or
 * CLOCK_BOOTTIME) and registers it with the loop.
 * t may be uninitialised memory but must not be open already (its first
 * timerfd and registration would be lost).
 * -EINVAL: other clock or NULL callback; -errno from timerfd_create() or
 * epoll_ctl().  On failure nothing stays open.
 */
EVMGR_WUR int evmgr_timer_open(struct evmgr_loop *loop, struct evmgr_timer *t,
			       clockid_t clock, evmgr_timer_fn fn, void *data);

/*
 * Unregisters the timer and closes its fd; its memory may then be freed.
 * Safe from the timer's own callback.  A timer that is not open is left
 * alone.
 */
void evmgr_timer_close(struct evmgr_timer *t);

/*
 * (Re-)arms the timer to expire after initial_ns nanoseconds (0 is taken as
 * 1 ns: "as soon as possible"), then every interval_ns (0: one-shot).
 * Discards expirations not yet delivered.  -EBADF when not open; -errno
 * from timerfd_settime().
 */
EVMGR_WUR int evmgr_timer_arm(struct evmgr_timer *t, uint64_t initial_ns, uint64_t interval_ns);

/*
 * Like evmgr_timer_arm() with an absolute first deadline on the timer's
 * clock (as clock_gettime() reports it).  A deadline already passed fires
 * at once.  With CLOCK_REALTIME, a settimeofday() that jumps past the
 * deadline fires it too.
 */
EVMGR_WUR int evmgr_timer_arm_at(struct evmgr_timer *t, uint64_t deadline_ns,
				 uint64_t interval_ns);

/* Stops the timer and discards undelivered expirations.  -EBADF when not open. */
EVMGR_WUR int evmgr_timer_disarm(struct evmgr_timer *t);

/*
 * Reads the time left to the next expiration (0 when disarmed) and the
 * interval (0 for one-shot); either pointer may be NULL.  -EBADF when not
 * open.
 */
EVMGR_WUR int evmgr_timer_get(const struct evmgr_timer *t, uint64_t *remaining_ns,
			      uint64_t *interval_ns);

/* The timerfd, or -1 when the timer is not open (for diagnostics; do not read it). */
int evmgr_timer_fd(const struct evmgr_timer *t);

#endif
