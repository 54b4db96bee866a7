/* SPDX-License-Identifier: MIT */
/*
 * The Unix-socket helpers of the hybrid host side: the CONNECT line
 * grammar, and the "<uds_path>_<port>" naming of guest connections.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mux.h"

static int parse(const char *s, uint32_t *port)
{
	return vsock__uds_parse_connect(s, strlen(s), port);
}

Test(uds, connect_line_accepted)
{
	uint32_t port = 1;

	cr_assert_eq(parse("CONNECT 52\n", &port), 0);
	cr_assert_eq(port, 52u);
	cr_assert_eq(parse("CONNECT 0\n", &port), 0);
	cr_assert_eq(port, 0u);
	cr_assert_eq(parse("CONNECT 4294967295\n", &port), 0);
	cr_assert_eq(port, UINT32_MAX);
}

Test(uds, connect_line_refused)
{
	static const char *const bad[] = {
		"", "\n", "CONNECT\n", "CONNECT \n", "CONNECT 52", "connect 52\n",
		"CONNECT  52\n", "CONNECT -1\n", "CONNECT +5\n", "CONNECT 052\n",
		"CONNECT 4294967296\n", "CONNECT 99999999999\n", "CONNECT 5 2\n",
		"CONNECT 52\r\n", "CONNECT 0x10\n", "XCONNECT 52\n",
	};
	uint32_t port = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse(bad[i], &port), -EBADMSG, "accepted \"%s\"", bad[i]);
	cr_assert_eq(port, 7u, "port untouched on refusal");
}

Test(uds, connect_goes_to_path_underscore_port)
{
	char dir[] = "/tmp/vsock-uds-XXXXXX", path[64], name[80];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd, fd;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v.sock", dir);
	snprintf(name, sizeof(name), "%s_1234", path);
	memcpy(sa.sun_path, name, strlen(name) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(lfd, 1), 0);
	fd = vsock__uds_connect(path, 1234);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_lt(vsock__uds_connect(path, 1235), 0, "no listener there");
	close(lfd);
	unlink(name);
	rmdir(dir);
}

Test(uds, listen_refuses_existing_path_and_long_names)
{
	char dir[] = "/tmp/vsock-uds-XXXXXX", path[64], big[200];
	int fd;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v.sock", dir);
	fd = vsock__uds_listen(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(vsock__uds_listen(path), -EADDRINUSE);
	close(fd);
	unlink(path);
	rmdir(dir);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	cr_assert_eq(vsock__uds_listen(big), -ENAMETOOLONG);
}
