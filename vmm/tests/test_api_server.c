// SPDX-License-Identifier: MIT
// The control API socket (docs/api.md "Socket"): created 0600, an existing
// path refused and left alone, requests answered over a real connection
// (keep-alive, pipelining, Connection: close), a malformed request answered
// and the connection closed, the path removed on close.
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api_fake.h"
#include "api_server.h"

static struct api_fake fake;
static struct vmm__api_ctl ctl;
static struct vmm__api_server *srv;
static char dir[] = "/tmp/vmm-test-api-sock-XXXXXX";
static char path[128];
static char err[VMM_ERR_MAX];

static void setup(void)
{
	static struct vmm_config base;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/api.sock", dir);
	vmm_config_init(&base);
	memset(&fake, 0, sizeof(fake));
	vmm__api_ctl_init(&ctl, &fake_ops, &fake, &base);
	srv = calloc(1, sizeof(*srv));
	cr_assert_not_null(srv);
}

static void teardown(void)
{
	vmm__api_server_close(srv);
	free(srv);
	vmm__api_ctl_destroy(&ctl);
	unlink(path);
	rmdir(dir);
}

TestSuite(api_server, .init = setup, .fini = teardown);

static void open_and_start(void)
{
	cr_assert_eq(vmm__api_server_open(srv, path, &ctl, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vmm__api_server_start(srv, VMM_SECCOMP_OFF), 0);
}

static int connect_client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { .tv_sec = 5 };

	cr_assert_geq(fd, 0);
	strcpy(sa.sun_path, path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void send_str(int fd, const char *s)
{
	cr_assert_eq(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Reads until n responses ("HTTP/1.1 " lines) and their bodies or EOF. */
static size_t read_all(int fd, char *buf, size_t len, bool until_eof)
{
	size_t got = 0;

	for (;;) {
		ssize_t n = recv(fd, buf + got, len - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (!until_eof && strstr(buf, "\r\n\r\n") && strrchr(buf, '}'))
			break;
	}
	buf[got] = '\0';
	return got;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

Test(api_server, socket_is_mode_0600)
{
	struct stat st;

	open_and_start();
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
}

Test(api_server, existing_path_refused_and_untouched)
{
	struct stat st;
	int fd = open(path, O_CREAT | O_WRONLY, 0644);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "keep", 4), 4);
	close(fd);
	cr_assert_eq(vmm__api_server_open(srv, path, &ctl, err, sizeof(err)), -EEXIST);
	cr_assert(strstr(err, "already exists"), "%s", err);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 4, "the file was replaced");
	unlink(path);
}

Test(api_server, overlong_path_refused)
{
	char longp[200];

	memset(longp, 'p', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	cr_assert_eq(vmm__api_server_open(srv, longp, &ctl, err, sizeof(err)), -ENAMETOOLONG);
	cr_assert(strstr(err, "needs 1..107 bytes"), "%s", err);
}

Test(api_server, missing_directory_named)
{
	cr_assert_eq(vmm__api_server_open(srv, "/nonexistent-dir/api.sock", &ctl, err,
					  sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "/nonexistent-dir/api.sock"), "%s", err);
}

Test(api_server, get_info_over_the_socket)
{
	char buf[4096];
	int fd;

	open_and_start();
	fd = connect_client();
	send_str(fd, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
	read_all(fd, buf, sizeof(buf), false);
	cr_assert(strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0, "%s", buf);
	cr_assert(strstr(buf, "\"state\":\"Not started\""), "%s", buf);
	close(fd);
}

Test(api_server, keep_alive_and_pipelining)
{
	char buf[8192];
	int fd;

	open_and_start();
	fd = connect_client();
	send_str(fd, "PUT /machine-config HTTP/1.1\r\nContent-Length: 35\r\n\r\n"
		     "{\"vcpu_count\":2,\"mem_size_mib\":256}"
		     "GET /machine-config HTTP/1.1\r\nConnection: close\r\n\r\n");
	read_all(fd, buf, sizeof(buf), true);
	cr_assert_eq(count(buf, "HTTP/1.1 "), 2, "%s", buf);
	cr_assert(strstr(buf, "HTTP/1.1 204 No Content\r\n"), "%s", buf);
	cr_assert(strstr(buf, "\"vcpu_count\":2"), "%s", buf);
	cr_assert(strstr(buf, "Connection: close"), "%s", buf);
	close(fd);
}

Test(api_server, malformed_request_answered_then_closed)
{
	char buf[4096];
	int fd;

	open_and_start();
	fd = connect_client();
	send_str(fd, "PUT /actions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
	read_all(fd, buf, sizeof(buf), true);
	cr_assert(strncmp(buf, "HTTP/1.1 501 ", 13) == 0, "%s", buf);
	cr_assert(strstr(buf, "\"fault_message\""), "%s", buf);
	cr_assert(strstr(buf, "Connection: close"), "%s", buf);
	close(fd);
}

Test(api_server, api_error_keeps_connection)
{
	char buf[8192];
	int fd;

	open_and_start();
	fd = connect_client();
	send_str(fd, "PUT /actions HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"
		     "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
	read_all(fd, buf, sizeof(buf), true);
	cr_assert(strstr(buf, "HTTP/1.1 400 Bad Request"), "%s", buf);
	cr_assert(strstr(buf, "action_type: missing"), "%s", buf);
	cr_assert(strstr(buf, "HTTP/1.1 200 OK"), "%s", buf);
	close(fd);
}

Test(api_server, many_clients_served)
{
	char buf[4096];
	int fds[VMM__API_MAX_CONNS + 2];

	open_and_start();
	for (unsigned i = 0; i < VMM__API_MAX_CONNS + 2; i++)
		fds[i] = connect_client();
	/* The last two wait in the backlog until a slot frees. */
	for (unsigned i = 0; i < VMM__API_MAX_CONNS + 2; i++) {
		send_str(fds[i], "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
		read_all(fds[i], buf, sizeof(buf), true);
		cr_assert(strncmp(buf, "HTTP/1.1 200 OK", 15) == 0, "client %u: %s", i, buf);
		close(fds[i]);
	}
}

Test(api_server, close_removes_the_path)
{
	struct stat st;

	open_and_start();
	vmm__api_server_close(srv);
	cr_assert_neq(lstat(path, &st), 0);
	cr_assert_eq(errno, ENOENT);
}
