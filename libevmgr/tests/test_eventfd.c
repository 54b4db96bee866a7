// SPDX-License-Identifier: MIT
// eventfd helpers (<evmgr/eventfd.h>): counter semantics of eventfd(2),
// flags, and the -errno contract.
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <evmgr/eventfd.h>

static int fd = -1;

static void teardown(void)
{
	if (fd >= 0)
		close(fd);
}

TestSuite(eventfd, .fini = teardown);

Test(eventfd, writes_add_up_and_read_resets)
{
	uint64_t v;

	fd = evmgr_eventfd_new(5, EVMGR_EFD_NONBLOCK);
	cr_assert_geq(fd, 0);
	cr_assert_eq(evmgr_eventfd_write(fd, 10), 0);
	cr_assert_eq(evmgr_eventfd_signal(fd), 0);
	cr_assert_eq(evmgr_eventfd_read(fd, &v), 0);
	cr_assert_eq(v, 16);
	cr_assert_eq(evmgr_eventfd_read(fd, &v), -EAGAIN);
}

Test(eventfd, semaphore_reads_one_at_a_time)
{
	uint64_t v;

	fd = evmgr_eventfd_new(2, EVMGR_EFD_NONBLOCK | EVMGR_EFD_SEMAPHORE);
	cr_assert_geq(fd, 0);
	cr_assert_eq(evmgr_eventfd_read(fd, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(evmgr_eventfd_read(fd, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(evmgr_eventfd_read(fd, &v), -EAGAIN);
}

Test(eventfd, always_close_on_exec_and_nonblock_on_request)
{
	fd = evmgr_eventfd_new(0, 0);
	cr_assert_geq(fd, 0);
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	cr_assert_not(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
	fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	cr_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
}

Test(eventfd, rejects_unknown_flags)
{
	cr_assert_eq(evmgr_eventfd_new(0, 1u << 5), -EINVAL);
}

Test(eventfd, rejects_all_ones_increment)
{
	fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	cr_assert_eq(evmgr_eventfd_write(fd, UINT64_MAX), -EINVAL);
}

Test(eventfd, overflow_on_nonblocking_counter_is_eagain)
{
	uint64_t v;

	fd = evmgr_eventfd_new(0, EVMGR_EFD_NONBLOCK);
	cr_assert_eq(evmgr_eventfd_write(fd, UINT64_MAX - 1), 0);
	cr_assert_eq(evmgr_eventfd_write(fd, 1), -EAGAIN);
	cr_assert_eq(evmgr_eventfd_read(fd, &v), 0);
	cr_assert_eq(v, UINT64_MAX - 1);
}

Test(eventfd, read_needs_a_destination)
{
	fd = evmgr_eventfd_new(1, EVMGR_EFD_NONBLOCK);
	cr_assert_eq(evmgr_eventfd_read(fd, NULL), -EINVAL);
}

Test(eventfd, bad_fd_is_ebadf)
{
	uint64_t v;

	cr_assert_eq(evmgr_eventfd_write(-1, 1), -EBADF);
	cr_assert_eq(evmgr_eventfd_read(-1, &v), -EBADF);
	cr_assert_eq(evmgr_eventfd_drain(-1, &v), -EBADF);
}

Test(eventfd, drain_returns_the_count_and_empties)
{
	uint64_t v = 99;

	fd = evmgr_eventfd_new(7, EVMGR_EFD_NONBLOCK);
	cr_assert_eq(evmgr_eventfd_drain(fd, &v), 0);
	cr_assert_eq(v, 7);
	cr_assert_eq(evmgr_eventfd_drain(fd, &v), 0);
	cr_assert_eq(v, 0);
}

Test(eventfd, drain_never_blocks_on_a_blocking_fd, .timeout = 10)
{
	uint64_t v = 99;

	fd = evmgr_eventfd_new(0, 0);
	cr_assert_eq(evmgr_eventfd_drain(fd, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(evmgr_eventfd_write(fd, 3), 0);
	cr_assert_eq(evmgr_eventfd_drain(fd, NULL), 0);
	cr_assert_eq(evmgr_eventfd_drain(fd, &v), 0);
	cr_assert_eq(v, 0);
}

Test(eventfd, drain_empties_a_semaphore)
{
	uint64_t v;

	fd = evmgr_eventfd_new(4, EVMGR_EFD_SEMAPHORE);
	cr_assert_eq(evmgr_eventfd_drain(fd, &v), 0);
	cr_assert_eq(v, 4);
}
