// SPDX-License-Identifier: MIT
// The single place libkvmwrap calls ioctl(): errno becomes a negative return
// value so that every wrapper follows the project's 0/-errno convention.
#include <errno.h>
#include <sys/ioctl.h>

#include "internal.h"

int kvmw__ioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do {
		r = ioctl(fd, req, arg);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

int kvmw__ioctl_val(int fd, unsigned long req, unsigned long arg)
{
	int r;

	do {
		r = ioctl(fd, req, arg);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}
