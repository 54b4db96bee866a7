/* SPDX-License-Identifier: MIT */
/*
 * Signals on signalfd(2): the fd only receives signals blocked in the
 * thread that reads it (and process-directed ones blocked everywhere), so
 * opening refuses a set that is not blocked where the loop runs.  One
 * siginfo is read per batch: the callback may close and free the source,
 * and the fd stays readable while more signals wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <evmgr/signal.h>

static void signal_cb(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct evmgr_signal *s = w->data;
	struct signalfd_siginfo info;
	ssize_t n;

	(void)loop;
	(void)revents;
	do {
		n = read(w->fd, &info, sizeof(info));
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(info))
		return;
	s->fn(s, &info, s->data);
}

static bool set_usable(const sigset_t *set)
{
	return !sigisemptyset(set) && !sigismember(set, SIGKILL) && !sigismember(set, SIGSTOP);
}

/* Whether every signal of set is blocked in the calling thread. */
static bool set_blocked(const sigset_t *set)
{
	sigset_t cur;

	if (pthread_sigmask(SIG_BLOCK, NULL, &cur) != 0)
		return false;
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(set, sig) == 1 && sigismember(&cur, sig) != 1)
			return false;
	return true;
}

int evmgr_signal_block(const sigset_t *set, sigset_t *old)
{
	int e;

	if (!set || !set_usable(set))
		return -EINVAL;
	e = pthread_sigmask(SIG_BLOCK, set, old);
	return -e;
}

int evmgr_signal_open(struct evmgr_loop *loop, struct evmgr_signal *s, const sigset_t *set,
		      evmgr_signal_fn fn, void *data)
{
	int fd, r;

	if (!loop || !s || !set || !fn || !set_usable(set) || !set_blocked(set))
		return -EINVAL;
	fd = signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	*s = (struct evmgr_signal){ .fn = fn, .data = data, .set = *set };
	evmgr_watcher_init(&s->w, fd, EVMGR_EV_IN, signal_cb, s);
	r = evmgr_watcher_add(loop, &s->w);
	if (r < 0) {
		close(fd);
		s->w.fd = -1;
		return r;
	}
	s->open = true;
	return 0;
}

void evmgr_signal_close(struct evmgr_signal *s)
{
	if (!s || !s->open)
		return;
	if (s->w.loop)
		evmgr_watcher_remove(s->w.loop, &s->w);
	close(s->w.fd);
	s->w.fd = -1;
	s->open = false;
}

int evmgr_signal_fd(const struct evmgr_signal *s)
{
	return s && s->open ? s->w.fd : -1;
}
