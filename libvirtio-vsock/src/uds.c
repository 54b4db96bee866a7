/* SPDX-License-Identifier: MIT */
/*
 * Unix-socket plumbing of the hybrid host side (Firecracker's vsock
 * design): the listening socket at <uds_path>, non-blocking connects to
 * "<uds_path>_<port>", and the "CONNECT <port>\n" line a host process
 * sends first.  Every socket is non-blocking and close-on-exec, and sends
 * use MSG_NOSIGNAL so a vanished peer is an -EPIPE, never a SIGPIPE.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mux.h"

static int make_addr(const char *path, struct sockaddr_un *sa)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, n);
	return 0;
}

int vsock__uds_listen(const char *path)
{
	struct sockaddr_un sa;
	int fd, err = make_addr(path, &sa);

	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int vsock__uds_connect(const char *path, uint32_t port)
{
	char name[sizeof(((struct sockaddr_un *)0)->sun_path) + 16];
	struct sockaddr_un sa;
	int fd, err;

	snprintf(name, sizeof(name), "%s_%u", path, port);
	err = make_addr(name, &sa);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A Unix connect completes at once or fails (EAGAIN when the
	 * listener's backlog is full): it never stays in progress. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int vsock__uds_parse_connect(const char *line, size_t len, uint32_t *port)
{
	static const char verb[] = "CONNECT ";
	const size_t vlen = sizeof(verb) - 1;
	uint64_t v = 0;
	size_t i;

	if (len < vlen + 2 || memcmp(line, verb, vlen) || line[len - 1] != '\n')
		return -EBADMSG;
	/* 1..10 digits; a leading zero only for "0" itself. */
	if (len - vlen - 1 > 10 || (line[vlen] == '0' && len - vlen - 1 > 1))
		return -EBADMSG;
	for (i = vlen; i < len - 1; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -EBADMSG;
		v = v * 10u + (uint64_t)(line[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EBADMSG;
	*port = (uint32_t)v;
	return 0;
}

int vsock__uds_send_all(int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	/* Only used for the short OK line on a fresh socket, whose buffer
	 * is empty: a partial send means the peer is not reading at all. */
	return (size_t)n == len ? 0 : -EAGAIN;
}
