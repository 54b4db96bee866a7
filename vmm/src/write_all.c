// SPDX-License-Identifier: MIT
// Blocking console output over a possibly non-blocking descriptor
// (write_all.h).  The wait polls in 100 ms slices so that a VM stop is
// noticed while stdout's reader is stalled.
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "write_all.h"

ssize_t vmm__write_all(int fd, const void *buf, size_t len, const atomic_bool *stop)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (stop && atomic_load(stop))
				return done ? (ssize_t)done : -EAGAIN;
			(void)poll(&pfd, 1, 100);
			continue;
		}
		if (n < 0)
			return done ? (ssize_t)done : -errno;
		done += (size_t)n;
	}
	return (ssize_t)len;
}
