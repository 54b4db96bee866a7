// SPDX-License-Identifier: MIT
// ns per dispatched event.  Three views of the same path:
//  - batch: 64 always-ready (level-triggered) eventfds, so one epoll_wait()
//    feeds 64 callbacks: the loop's own per-event overhead, syscall amortised;
//  - single: one event per iteration, signalled and drained by the
//    callback: what a lone ioeventfd notification costs end to end;
//  - raw-epoll-single: the same work with bare epoll_wait/read/write, the
//    floor the loop is measured against.
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cvmm_bench.h>
#include <evmgr/evmgr.h>

#define BATCH 64

static uint64_t dispatched;

static void count_cb(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	dispatched++;
}

static void drain_cb(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	uint64_t v;

	(void)loop;
	(void)revents;
	if (evmgr_eventfd_read(w->fd, &v) == 0)
		dispatched++;
}

static void bench_batch(void *ctx, uint64_t ops)
{
	struct evmgr_loop *loop = ctx;

	dispatched = 0;
	while (dispatched < ops)
		if (evmgr_loop_run_once(loop, 0) <= 0)
			abort();
}

struct single {
	struct evmgr_loop *loop;
	int fd;
};

static void bench_single(void *ctx, uint64_t ops)
{
	struct single *s = ctx;

	dispatched = 0;
	for (uint64_t i = 0; i < ops; i++)
		if (evmgr_eventfd_signal(s->fd) || evmgr_loop_run_once(s->loop, 0) != 1)
			abort();
}

struct raw {
	int epfd, fd;
};

static void bench_raw(void *ctx, uint64_t ops)
{
	struct raw *r = ctx;
	struct epoll_event ev[BATCH];
	uint64_t one = 1, v;

	for (uint64_t i = 0; i < ops; i++) {
		if (write(r->fd, &one, sizeof(one)) != sizeof(one) ||
		    epoll_wait(r->epfd, ev, BATCH, 0) != 1 ||
		    read(r->fd, &v, sizeof(v)) != sizeof(v))
			abort();
	}
}

static struct evmgr_loop *new_loop(void)
{
	struct evmgr_loop *loop;
	struct evmgr_loop_config c = { .ready_capacity = BATCH };

	if (evmgr_loop_new(&loop, &c))
		abort();
	return loop;
}

int main(void)
{
	struct evmgr_watcher w[BATCH], one;
	struct evmgr_loop *loop = new_loop();
	struct single s = { .loop = new_loop() };
	struct epoll_event ev = { .events = EPOLLIN };
	struct raw r;

	for (int i = 0; i < BATCH; i++) {
		evmgr_watcher_init(&w[i], evmgr_eventfd_new(1, EVMGR_EFD_NONBLOCK), EVMGR_EV_IN,
				   count_cb, NULL);
		if (w[i].fd < 0 || evmgr_watcher_add(loop, &w[i]))
			abort();
	}
	cvmm_bench_run("evmgr-dispatch-batch64", bench_batch, loop, 64 * 4096, 15);

	s.fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	evmgr_watcher_init(&one, s.fd, EVMGR_EV_IN, drain_cb, NULL);
	if (s.fd < 0 || evmgr_watcher_add(s.loop, &one))
		abort();
	cvmm_bench_run("evmgr-dispatch-single", bench_single, &s, 50000, 15);

	r.epfd = epoll_create1(EPOLL_CLOEXEC);
	r.fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	if (r.epfd < 0 || r.fd < 0 || epoll_ctl(r.epfd, EPOLL_CTL_ADD, r.fd, &ev))
		abort();
	cvmm_bench_run("raw-epoll-single", bench_raw, &r, 50000, 15);

	for (int i = 0; i < BATCH; i++) {
		evmgr_watcher_remove(loop, &w[i]);
		close(w[i].fd);
	}
	evmgr_watcher_remove(s.loop, &one);
	close(s.fd);
	close(r.fd);
	close(r.epfd);
	evmgr_loop_free(loop);
	evmgr_loop_free(s.loop);
	return 0;
}
