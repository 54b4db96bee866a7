/* SPDX-License-Identifier: MIT */
/*
 * Loop lifetime: the epoll instance (epoll(7)), its ready list allocated
 * once at creation, and the internal eventfd that stop requests and remote
 * calls write to wake the loop thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "loop_internal.h"

/* The public event bits are the epoll values, passed through unchanged. */
_Static_assert(EVMGR_EV_IN == EPOLLIN, "EVMGR_EV_IN");
_Static_assert(EVMGR_EV_PRI == EPOLLPRI, "EVMGR_EV_PRI");
_Static_assert(EVMGR_EV_OUT == EPOLLOUT, "EVMGR_EV_OUT");
_Static_assert(EVMGR_EV_ERR == EPOLLERR, "EVMGR_EV_ERR");
_Static_assert(EVMGR_EV_HUP == EPOLLHUP, "EVMGR_EV_HUP");
_Static_assert(EVMGR_EV_RDHUP == EPOLLRDHUP, "EVMGR_EV_RDHUP");
_Static_assert(EVMGR_EV_ONESHOT == EPOLLONESHOT, "EVMGR_EV_ONESHOT");
_Static_assert(EVMGR_EV_ET == (uint32_t)EPOLLET, "EVMGR_EV_ET");

static void wake_cb(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	uint64_t v;

	(void)revents;
	/* Read before reopening the window so that a request queued after the
	 * read always writes the fd again. */
	while (read(w->fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	evmgr__remote_rearm(&loop->remote);
	loop->woken = true;
}

static int config_capacity(uint32_t asked, uint32_t dflt, uint32_t max, uint32_t *out)
{
	if (asked > max)
		return -EINVAL;
	*out = asked ? asked : dflt;
	return 0;
}

static int loop_open_fds(struct evmgr_loop *loop)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &loop->wake };

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		return -errno;
	loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->wakefd < 0)
		return -errno;
	evmgr_watcher_init(&loop->wake, loop->wakefd, EVMGR_EV_IN, wake_cb, NULL);
	loop->wake.loop = loop;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ev) < 0)
		return -errno;
	return 0;
}

static void loop_release(struct evmgr_loop *loop)
{
	if (loop->epfd >= 0)
		close(loop->epfd);
	if (loop->wakefd >= 0)
		close(loop->wakefd);
	free(loop->ready);
	free(loop);
}

int evmgr_loop_new(struct evmgr_loop **out, const struct evmgr_loop_config *cfg)
{
	struct evmgr_loop_config dflt = { 0 };
	uint32_t ready_cap, post_cap;
	struct evmgr_loop *loop;
	int r;

	if (!out)
		return -EINVAL;
	if (!cfg)
		cfg = &dflt;
	if (config_capacity(cfg->ready_capacity, EVMGR_DEFAULT_READY_CAPACITY,
			    EVMGR_MAX_READY_CAPACITY, &ready_cap) ||
	    config_capacity(cfg->post_capacity, EVMGR_DEFAULT_POST_CAPACITY,
			    EVMGR_MAX_POST_CAPACITY, &post_cap))
		return -EINVAL;
	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return -ENOMEM;
	loop->epfd = loop->wakefd = -1;
	loop->capacity = ready_cap;
	atomic_init(&loop->stop, false);
	loop->ready = calloc(ready_cap, sizeof(*loop->ready));
	if (!loop->ready) {
		loop_release(loop);
		return -ENOMEM;
	}
	r = loop_open_fds(loop);
	if (r == 0) {
		r = evmgr__remote_init(&loop->remote, post_cap);
		if (r == 0) {
			*out = loop;
			return 0;
		}
	}
	loop_release(loop);
	return r;
}

void evmgr_loop_free(struct evmgr_loop *loop)
{
	struct evmgr_watcher *w, *next;

	if (!loop)
		return;
	/* The caller owns the watchers and their fds: only detach them, so that
	 * a later evmgr_watcher_remove() or evmgr_timer_close() sees them idle. */
	for (w = loop->watchers; w; w = next) {
		next = w->next;
		w->loop = NULL;
		w->prev = w->next = NULL;
		w->slot = -1;
	}
	evmgr__remote_destroy(&loop->remote);
	loop_release(loop);
}

uint32_t evmgr_loop_watcher_count(const struct evmgr_loop *loop)
{
	return loop->nwatchers;
}

uint32_t evmgr_loop_ready_capacity(const struct evmgr_loop *loop)
{
	return loop->capacity;
}

int evmgr_loop_fd(const struct evmgr_loop *loop)
{
	return loop->epfd;
}

void evmgr__loop_wake(struct evmgr_loop *loop)
{
	uint64_t one = 1;

	/* Only EAGAIN can fail here (counter near 2^64), and then the loop is
	 * already woken, so the result needs no handling. */
	while (write(loop->wakefd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}
