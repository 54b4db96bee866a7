/* SPDX-License-Identifier: MIT */
/*
 * Registering caller-owned watchers with the epoll instance (epoll_ctl(2)).
 * The watcher's own address is the epoll user data, so no lookup table is
 * needed and nothing is allocated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>

#include "loop_internal.h"

/* Bits a caller may ask for; ERR and HUP are reported regardless. */
#define EVMGR_EV_ALLOWED (EVMGR_EV_IN | EVMGR_EV_PRI | EVMGR_EV_OUT | EVMGR_EV_ERR | \
			  EVMGR_EV_HUP | EVMGR_EV_RDHUP | EVMGR_EV_ONESHOT | EVMGR_EV_ET)

static bool events_valid(uint32_t events)
{
	return (events & ~EVMGR_EV_ALLOWED) == 0 &&
	       (events & ~(EVMGR_EV_ONESHOT | EVMGR_EV_ET)) != 0;
}

void evmgr_watcher_init(struct evmgr_watcher *w, int fd, uint32_t events,
			evmgr_watcher_fn fn, void *data)
{
	*w = (struct evmgr_watcher){
		.data = data, .fd = fd, .events = events, .fn = fn, .slot = -1,
	};
}

static void list_link(struct evmgr_loop *loop, struct evmgr_watcher *w)
{
	w->prev = NULL;
	w->next = loop->watchers;
	if (w->next)
		w->next->prev = w;
	loop->watchers = w;
	loop->nwatchers++;
}

static void list_unlink(struct evmgr_loop *loop, struct evmgr_watcher *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		loop->watchers = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
	loop->nwatchers--;
}

int evmgr_watcher_add(struct evmgr_loop *loop, struct evmgr_watcher *w)
{
	struct epoll_event ev;

	if (!loop || !w || w->fd < 0 || !w->fn || !events_valid(w->events))
		return -EINVAL;
	if (w->loop)
		return -EEXIST;
	ev.events = w->events;
	ev.data.ptr = w;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0)
		return -errno;
	w->loop = loop;
	w->slot = -1;
	list_link(loop, w);
	return 0;
}

int evmgr_watcher_modify(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (!loop || !w || w->loop != loop)
		return -ENOENT;
	if (!events_valid(events))
		return -EINVAL;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return -errno;
	w->events = events;
	return 0;
}

int evmgr_watcher_remove(struct evmgr_loop *loop, struct evmgr_watcher *w)
{
	if (!loop || !w || w->loop != loop)
		return -ENOENT;
	/* EBADF/ENOENT mean the kernel already dropped the fd (closed before
	 * removal); the watcher must be detached all the same. */
	(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	if (w->slot >= 0)
		loop->ready[w->slot].data.ptr = NULL;
	w->slot = -1;
	w->loop = NULL;
	list_unlink(loop, w);
	return 0;
}

bool evmgr_watcher_active(const struct evmgr_watcher *w)
{
	return w->loop != NULL;
}
