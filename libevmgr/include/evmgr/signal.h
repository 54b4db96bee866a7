/* SPDX-License-Identifier: MIT */
/*
 * Signals over signalfd(2) (vmm-sys-util's signal helpers, attached to a
 * loop): signals such as SIGINT and SIGTERM are read as data on the loop
 * thread instead of interrupting arbitrary code in a handler.
 *
 * signalfd only sees signals that are blocked: block them with
 * evmgr_signal_block() in the main thread before creating any other thread
 * (threads inherit the mask), or a thread with the signal unblocked will
 * take it by the default action.  Loop-thread only.
 */
#ifndef EVMGR_SIGNAL_H
#define EVMGR_SIGNAL_H

#include <signal.h>
#include <sys/signalfd.h>

#include <evmgr/loop.h>

struct evmgr_signal;

/* Called on the loop thread once per delivered signal, with its siginfo. */
typedef void (*evmgr_signal_fn)(struct evmgr_signal *s, const struct signalfd_siginfo *info,
				void *data);

/* Caller-owned signal source; the fields belong to the library between open and close. */
struct evmgr_signal {
	struct evmgr_watcher w;
	evmgr_signal_fn fn;
	void *data;
	sigset_t set;
	bool open;		/* between a successful open and close */
};

/*
 * Adds the signals of set to the calling thread's blocked mask (call it
 * before spawning threads).  old, if not NULL, receives the previous mask.
 * -EINVAL for an empty set or one holding SIGKILL/SIGSTOP; -errno from
 * pthread_sigmask().
 */
EVMGR_WUR int evmgr_signal_block(const sigset_t *set, sigset_t *old);

/*
 * Creates a signalfd for set and registers it with the loop.  s may be
 * uninitialised memory but must not be open already.
 * -EINVAL: empty set, NULL callback, or a signal of set that is not
 * blocked in the calling thread (it would never reach the fd);
 * -errno from signalfd() or epoll_ctl().  On failure nothing stays open.
 */
EVMGR_WUR int evmgr_signal_open(struct evmgr_loop *loop, struct evmgr_signal *s,
				const sigset_t *set, evmgr_signal_fn fn, void *data);

/*
 * Unregisters the source and closes its fd; the signals stay blocked.  Safe
 * from the source's own callback.  A source that is not open is left alone.
 */
void evmgr_signal_close(struct evmgr_signal *s);

/* The signalfd, or -1 when the source is not open. */
int evmgr_signal_fd(const struct evmgr_signal *s);

#endif
