// SPDX-License-Identifier: MIT
// Watcher registration: argument checks and the lifetime rules of
// <evmgr/loop.h> (add, modify, remove, active, loop free).
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <evmgr/evmgr.h>

static struct evmgr_loop *loop;
static int calls;

static void setup(void)
{
	cr_assert_eq(evmgr_loop_new(&loop, NULL), 0);
	calls = 0;
}

static void teardown(void)
{
	evmgr_loop_free(loop);
}

TestSuite(watcher, .init = setup, .fini = teardown);

static void count_cb(struct evmgr_loop *l, struct evmgr_watcher *w, uint32_t revents)
{
	(void)l;
	(void)w;
	(void)revents;
	calls++;
}

static int new_efd(uint32_t init)
{
	int fd = evmgr_eventfd_new(init, EVMGR_EFD_NONBLOCK);

	cr_assert_geq(fd, 0);
	return fd;
}

Test(watcher, add_rejects_negative_fd)
{
	struct evmgr_watcher w;

	evmgr_watcher_init(&w, -1, EVMGR_EV_IN, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), -EINVAL);
	cr_assert_not(evmgr_watcher_active(&w));
}

Test(watcher, add_rejects_null_callback)
{
	struct evmgr_watcher w;
	int fd = new_efd(0);

	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, NULL, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), -EINVAL);
	close(fd);
}

Test(watcher, add_rejects_unknown_bits)
{
	struct evmgr_watcher w;
	int fd = new_efd(0);

	evmgr_watcher_init(&w, fd, EVMGR_EV_IN | 0x100u, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), -EINVAL);
	close(fd);
}

Test(watcher, add_rejects_mode_bits_without_event)
{
	struct evmgr_watcher w;
	int fd = new_efd(0);

	evmgr_watcher_init(&w, fd, EVMGR_EV_ET | EVMGR_EV_ONESHOT, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), -EINVAL);
	close(fd);
}

Test(watcher, hangup_only_watcher_is_accepted)
{
	struct evmgr_watcher w;
	int p[2];

	cr_assert_eq(pipe(p), 0);
	evmgr_watcher_init(&w, p[1], EVMGR_EV_HUP, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), 0);
	/* A pipe's write end is writable, but only OUT would report that. */
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 0);
	/* Closing the reader raises ERR on the writer, reported unasked. */
	close(p[0]);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(evmgr_watcher_remove(loop, &w), 0);
	close(p[1]);
}

Test(watcher, add_twice_is_eexist)
{
	struct evmgr_watcher w;
	int fd = new_efd(0);

	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), 0);
	cr_assert_eq(evmgr_watcher_add(loop, &w), -EEXIST);
	cr_assert_eq(evmgr_loop_watcher_count(loop), 1);
	cr_assert_eq(evmgr_watcher_remove(loop, &w), 0);
	close(fd);
}

Test(watcher, same_fd_in_two_watchers_is_eexist)
{
	struct evmgr_watcher a, b;
	int fd = new_efd(0);

	evmgr_watcher_init(&a, fd, EVMGR_EV_IN, count_cb, NULL);
	evmgr_watcher_init(&b, fd, EVMGR_EV_OUT, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &a), 0);
	cr_assert_eq(evmgr_watcher_add(loop, &b), -EEXIST);
	cr_assert_not(evmgr_watcher_active(&b));
	cr_assert_eq(evmgr_watcher_remove(loop, &a), 0);
	close(fd);
}

Test(watcher, regular_file_is_eperm)
{
	struct evmgr_watcher w;
	char path[] = "/tmp/evmgr-test-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	unlink(path);
	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), -EPERM);
	close(fd);
}

Test(watcher, dev_null_is_eperm)
{
	struct evmgr_watcher w;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	cr_assert_geq(fd, 0);
	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), -EPERM);
	cr_assert_eq(evmgr_loop_watcher_count(loop), 0);
	close(fd);
}

Test(watcher, closed_fd_is_ebadf)
{
	struct evmgr_watcher w;
	int fd = new_efd(0);

	close(fd);
	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), -EBADF);
}

Test(watcher, remove_unregistered_is_enoent)
{
	struct evmgr_watcher w;

	evmgr_watcher_init(&w, 0, EVMGR_EV_IN, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_remove(loop, &w), -ENOENT);
}

Test(watcher, remove_from_other_loop_is_enoent)
{
	struct evmgr_loop *other;
	struct evmgr_watcher w;
	int fd = new_efd(0);

	cr_assert_eq(evmgr_loop_new(&other, NULL), 0);
	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(other, &w), 0);
	cr_assert_eq(evmgr_watcher_remove(loop, &w), -ENOENT);
	cr_assert_eq(evmgr_watcher_modify(loop, &w, EVMGR_EV_OUT), -ENOENT);
	cr_assert_eq(evmgr_watcher_remove(other, &w), 0);
	evmgr_loop_free(other);
	close(fd);
}

Test(watcher, modify_unregistered_is_enoent)
{
	struct evmgr_watcher w;

	evmgr_watcher_init(&w, 0, EVMGR_EV_IN, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_modify(loop, &w, EVMGR_EV_IN), -ENOENT);
}

Test(watcher, modify_rejects_bad_bits_and_keeps_mask)
{
	struct evmgr_watcher w;
	int fd = new_efd(0);

	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), 0);
	cr_assert_eq(evmgr_watcher_modify(loop, &w, 1u << 20), -EINVAL);
	cr_assert_eq(w.events, EVMGR_EV_IN);
	cr_assert_eq(evmgr_watcher_remove(loop, &w), 0);
	close(fd);
}

Test(watcher, remove_after_close_still_detaches)
{
	struct evmgr_watcher w;
	int fd = new_efd(1);

	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(loop, &w), 0);
	close(fd);
	cr_assert_eq(evmgr_watcher_remove(loop, &w), 0);
	cr_assert_not(evmgr_watcher_active(&w));
	cr_assert_eq(evmgr_loop_watcher_count(loop), 0);
}

Test(watcher, count_follows_add_and_remove)
{
	struct evmgr_watcher w[3];
	int fd[3];

	for (int i = 0; i < 3; i++) {
		fd[i] = new_efd(0);
		evmgr_watcher_init(&w[i], fd[i], EVMGR_EV_IN, count_cb, NULL);
		cr_assert_eq(evmgr_watcher_add(loop, &w[i]), 0);
	}
	cr_assert_eq(evmgr_loop_watcher_count(loop), 3);
	cr_assert_eq(evmgr_watcher_remove(loop, &w[1]), 0);
	cr_assert_eq(evmgr_loop_watcher_count(loop), 2);
	cr_assert_eq(evmgr_watcher_remove(loop, &w[0]), 0);
	cr_assert_eq(evmgr_watcher_remove(loop, &w[2]), 0);
	cr_assert_eq(evmgr_loop_watcher_count(loop), 0);
	for (int i = 0; i < 3; i++)
		close(fd[i]);
}

Test(watcher, loop_free_detaches_registered_watchers)
{
	struct evmgr_loop *other;
	struct evmgr_watcher w;
	int fd = new_efd(0);

	cr_assert_eq(evmgr_loop_new(&other, NULL), 0);
	evmgr_watcher_init(&w, fd, EVMGR_EV_IN, count_cb, NULL);
	cr_assert_eq(evmgr_watcher_add(other, &w), 0);
	evmgr_loop_free(other);
	cr_assert_not(evmgr_watcher_active(&w));
	/* The fd belongs to the caller and stays open. */
	cr_assert_eq(evmgr_eventfd_signal(fd), 0);
	/* Detached, so it can join another loop. */
	cr_assert_eq(evmgr_watcher_add(loop, &w), 0);
	cr_assert_eq(evmgr_loop_run_once(loop, 0), 1);
	cr_assert_eq(calls, 1);
	cr_assert_eq(evmgr_watcher_remove(loop, &w), 0);
	close(fd);
}

Test(watcher, loop_free_null_is_noop)
{
	evmgr_loop_free(NULL);
}

Test(watcher, loop_new_rejects_oversized_capacities)
{
	struct evmgr_loop *l = NULL;
	struct evmgr_loop_config c = { .ready_capacity = EVMGR_MAX_READY_CAPACITY + 1 };

	cr_assert_eq(evmgr_loop_new(&l, &c), -EINVAL);
	c = (struct evmgr_loop_config){ .post_capacity = EVMGR_MAX_POST_CAPACITY + 1 };
	cr_assert_eq(evmgr_loop_new(&l, &c), -EINVAL);
	cr_assert_null(l);
	cr_assert_eq(evmgr_loop_new(NULL, NULL), -EINVAL);
}

Test(watcher, loop_defaults_and_configured_capacity)
{
	struct evmgr_loop *l;
	struct evmgr_loop_config c = { .ready_capacity = 3 };

	cr_assert_eq(evmgr_loop_ready_capacity(loop), EVMGR_DEFAULT_READY_CAPACITY);
	cr_assert_eq(evmgr_loop_new(&l, &c), 0);
	cr_assert_eq(evmgr_loop_ready_capacity(l), 3);
	cr_assert_geq(evmgr_loop_fd(l), 0);
	evmgr_loop_free(l);
}

Test(watcher, loop_fds_are_close_on_exec)
{
	int flags = fcntl(evmgr_loop_fd(loop), F_GETFD);

	cr_assert_geq(flags, 0);
	cr_assert(flags & FD_CLOEXEC);
}
