/* SPDX-License-Identifier: MIT */
/*
 * Timers on timerfd(2): the kernel counts expirations in the fd, and a read
 * returns that count and resets it.  timerfd_settime() also resets it, which
 * is what makes a re-arm discard an expiration already in the batch: the
 * read then finds nothing and the callback is skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <evmgr/timer.h>

#define NS_PER_S 1000000000ull

static struct timespec ns_to_timespec(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / NS_PER_S),
				  .tv_nsec = (long)(ns % NS_PER_S) };
}

static uint64_t timespec_to_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * NS_PER_S + (uint64_t)ts->tv_nsec;
}

static void timer_cb(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct evmgr_timer *t = w->data;
	uint64_t expirations;
	ssize_t n;

	(void)loop;
	(void)revents;
	do {
		n = read(w->fd, &expirations, sizeof(expirations));
	} while (n < 0 && errno == EINTR);
	/* EAGAIN: re-armed or disarmed since the kernel reported it. */
	if (n != (ssize_t)sizeof(expirations) || expirations == 0)
		return;
	t->fn(t, expirations, t->data);
}

static bool clock_supported(clockid_t clock)
{
	return clock == CLOCK_MONOTONIC || clock == CLOCK_REALTIME || clock == CLOCK_BOOTTIME;
}

int evmgr_timer_open(struct evmgr_loop *loop, struct evmgr_timer *t, clockid_t clock,
		     evmgr_timer_fn fn, void *data)
{
	int fd, r;

	if (!loop || !t || !fn || !clock_supported(clock))
		return -EINVAL;
	fd = timerfd_create(clock, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	*t = (struct evmgr_timer){ .fn = fn, .data = data, .clock = clock };
	evmgr_watcher_init(&t->w, fd, EVMGR_EV_IN, timer_cb, t);
	r = evmgr_watcher_add(loop, &t->w);
	if (r < 0) {
		close(fd);
		t->w.fd = -1;
		return r;
	}
	t->open = true;
	return 0;
}

void evmgr_timer_close(struct evmgr_timer *t)
{
	if (!t || !t->open)
		return;
	if (t->w.loop)
		evmgr_watcher_remove(t->w.loop, &t->w);
	close(t->w.fd);
	t->w.fd = -1;
	t->open = false;
}

static int timer_set(struct evmgr_timer *t, int flags, uint64_t first_ns, uint64_t interval_ns)
{
	struct itimerspec its;

	if (!t || !t->open)
		return -EBADF;
	/* An all-zero it_value would disarm the timer instead of firing it. */
	if (first_ns == 0)
		first_ns = 1;
	its.it_value = ns_to_timespec(first_ns);
	its.it_interval = ns_to_timespec(interval_ns);
	if (timerfd_settime(t->w.fd, flags, &its, NULL) < 0)
		return -errno;
	return 0;
}

int evmgr_timer_arm(struct evmgr_timer *t, uint64_t initial_ns, uint64_t interval_ns)
{
	return timer_set(t, 0, initial_ns, interval_ns);
}

int evmgr_timer_arm_at(struct evmgr_timer *t, uint64_t deadline_ns, uint64_t interval_ns)
{
	return timer_set(t, TFD_TIMER_ABSTIME, deadline_ns, interval_ns);
}

int evmgr_timer_disarm(struct evmgr_timer *t)
{
	struct itimerspec its = { 0 };

	if (!t || !t->open)
		return -EBADF;
	if (timerfd_settime(t->w.fd, 0, &its, NULL) < 0)
		return -errno;
	return 0;
}

int evmgr_timer_get(const struct evmgr_timer *t, uint64_t *remaining_ns, uint64_t *interval_ns)
{
	struct itimerspec its;

	if (!t || !t->open)
		return -EBADF;
	if (timerfd_gettime(t->w.fd, &its) < 0)
		return -errno;
	if (remaining_ns)
		*remaining_ns = timespec_to_ns(&its.it_value);
	if (interval_ns)
		*interval_ns = timespec_to_ns(&its.it_interval);
	return 0;
}

int evmgr_timer_fd(const struct evmgr_timer *t)
{
	return t && t->open ? t->w.fd : -1;
}
