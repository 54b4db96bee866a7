/* SPDX-License-Identifier: MIT */
/*
 * eventfd(2) helpers: an 8-byte counter read and written whole.  A write of
 * 2^64-1 is rejected by the kernel (EINVAL) because the counter's maximum is
 * 2^64-2; we refuse it before the syscall for a clearer contract.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <evmgr/eventfd.h>

int evmgr_eventfd_new(uint32_t initval, uint32_t flags)
{
	int efd_flags = EFD_CLOEXEC;
	int fd;

	if (flags & ~(EVMGR_EFD_NONBLOCK | EVMGR_EFD_SEMAPHORE))
		return -EINVAL;
	if (flags & EVMGR_EFD_NONBLOCK)
		efd_flags |= EFD_NONBLOCK;
	if (flags & EVMGR_EFD_SEMAPHORE)
		efd_flags |= EFD_SEMAPHORE;
	fd = eventfd(initval, efd_flags);
	return fd < 0 ? -errno : fd;
}

int evmgr_eventfd_write(int fd, uint64_t value)
{
	ssize_t n;

	if (value == UINT64_MAX)
		return -EINVAL;
	do {
		n = write(fd, &value, sizeof(value));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(value) ? 0 : -EIO;
}

int evmgr_eventfd_read(int fd, uint64_t *value)
{
	uint64_t v;
	ssize_t n;

	if (!value)
		return -EINVAL;
	do {
		n = read(fd, &v, sizeof(v));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != (ssize_t)sizeof(v))
		return -EIO;
	*value = v;
	return 0;
}

int evmgr_eventfd_signal(int fd)
{
	return evmgr_eventfd_write(fd, 1);
}

/* Whether a read would not block right now. */
static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	/* poll() silently skips negative fds. */
	if (fd < 0)
		return -EBADF;
	do {
		n = poll(&p, 1, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (p.revents & POLLNVAL)
		return -EBADF;
	return n > 0 && (p.revents & POLLIN);
}

int evmgr_eventfd_drain(int fd, uint64_t *value)
{
	uint64_t total = 0, v;
	int r;

	while ((r = readable(fd)) > 0) {
		r = evmgr_eventfd_read(fd, &v);
		if (r < 0 && r != -EAGAIN)
			return r;
		if (r == 0)
			total += v;
	}
	if (r < 0)
		return r;
	if (value)
		*value = total;
	return 0;
}
