// SPDX-License-Identifier: MIT
// Guest side of the linux suite's vsock test (tests/linux/run-vsock), run by
// the initramfs /init on Debian's cloud kernel: AF_VSOCK both ways with a
// host peer behind cvmm's virtio-vsock device (virtio 1.2 §5.10).
//
//   guest-vsock HOST_PORT GUEST_PORT TOKEN
//
// 1. listens on GUEST_PORT and prints CVMM-VSOCK-LISTENING;
// 2. connects to the host (CID 2) on HOST_PORT, sends "PING TOKEN\n",
//    prints the line it gets back as CVMM-VSOCK-G2H: <line>;
// 3. accepts one host connection, reads a line, answers "ECHO <line>\n"
//    and prints it as CVMM-VSOCK-H2G: <line>.
// Errors print CVMM-VSOCK-ERROR: <step>: <strerror>.  Built static with the
// host gcc, since the initramfs has no C library.
#include <errno.h>
#include <linux/vm_sockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *step)
{
	printf("CVMM-VSOCK-ERROR: %s: %s\n", step, strerror(errno));
	fflush(stdout);
	return 1;
}

static struct sockaddr_vm addr(unsigned int cid, unsigned int port)
{
	struct sockaddr_vm a;

	memset(&a, 0, sizeof(a));
	a.svm_family = AF_VSOCK;
	a.svm_cid = cid;
	a.svm_port = port;
	return a;
}

/* Reads up to a newline (dropped); the line is NUL-terminated. */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t r = read(fd, buf + n, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return 0;
}

static int write_all(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t w = write(fd, s, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

static int guest_to_host(unsigned int port, const char *token)
{
	struct sockaddr_vm a = addr(VMADDR_CID_HOST, port);
	char line[256], msg[300];
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (fd < 0)
		return fail("socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return fail("connect to host");
	snprintf(msg, sizeof(msg), "PING %s\n", token);
	if (write_all(fd, msg))
		return fail("write to host");
	if (read_line(fd, line, sizeof(line)))
		return fail("read from host");
	printf("CVMM-VSOCK-G2H: %s\n", line);
	fflush(stdout);
	close(fd);
	return 0;
}

static int host_to_guest(int lfd)
{
	char line[256], msg[300];
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		return fail("accept");
	if (read_line(fd, line, sizeof(line)))
		return fail("read from host peer");
	snprintf(msg, sizeof(msg), "ECHO %s\n", line);
	if (write_all(fd, msg))
		return fail("write to host peer");
	printf("CVMM-VSOCK-H2G: %s\n", line);
	fflush(stdout);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_vm a;
	int lfd;

	if (argc != 4) {
		fprintf(stderr, "usage: guest-vsock HOST_PORT GUEST_PORT TOKEN\n");
		return 2;
	}
	a = addr(VMADDR_CID_ANY, (unsigned int)strtoul(argv[2], NULL, 10));
	lfd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (lfd < 0)
		return fail("socket");
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)))
		return fail("bind");
	if (listen(lfd, 1))
		return fail("listen");
	printf("CVMM-VSOCK-LISTENING: %s\n", argv[2]);
	fflush(stdout);
	if (guest_to_host((unsigned int)strtoul(argv[1], NULL, 10), argv[3]))
		return 1;
	return host_to_guest(lfd);
}
