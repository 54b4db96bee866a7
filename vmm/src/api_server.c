// SPDX-License-Identifier: MIT
// The control API socket and its serving thread (api_server.h,
// docs/api.md "Socket").
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <vmm/boottimer.h>

#include "api_server.h"
#include "seccomp.h"
#include "thread.h"

/* For calls whose result changes nothing here (warn_unused_result). */
#define IGNORE_RESULT(call) do { if (call) { } } while (0)

/* How long a reply may wait for a client that does not read. */
#define SEND_TIMEOUT_MS 1000

static int bind_new(int fd, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int r;

	if (lstat(path, &st) == 0) {
		snprintf(err, errlen, "api socket %s: already exists; remove it or "
			 "choose another path", path);
		return -EEXIST;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* The socket file gets 0600 from its creation on: no window in which
	 * another user could connect.  Startup is single-threaded here. */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (r)
		snprintf(err, errlen, "api socket %s: %s", path,
			 r == -EADDRINUSE ? "already exists" : strerror(-r));
	return r;
}

int vmm__api_server_open(struct vmm__api_server *s, const char *path,
			 struct vmm__api_ctl *ctl, char *err, size_t errlen)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->ctl = ctl;
	s->listen_fd = s->stop_fd = -1;
	for (unsigned i = 0; i < VMM__API_MAX_CONNS; i++)
		s->conns[i].fd = -1;
	if (strlen(path) == 0 || strlen(path) >= sizeof(s->path))
		return vmm__json_fail(err, errlen, -ENAMETOOLONG, "api socket '%.*s': needs 1..%u bytes",
				      vmm__utf8_clip(path, 40), path, VMM_API_SOCK_MAX);
	strcpy(s->path, path);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->listen_fd < 0 || s->stop_fd < 0) {
		r = -errno;
		snprintf(err, errlen, "api socket %s: %s", path, strerror(-r));
	} else if ((r = bind_new(s->listen_fd, path, err, errlen)) == 0 &&
		   listen(s->listen_fd, 16) != 0) {
		r = -errno;
		snprintf(err, errlen, "api socket %s: listen: %s", path, strerror(-r));
		unlink(path);
	}
	if (r) {
		if (s->listen_fd >= 0)
			close(s->listen_fd);
		if (s->stop_fd >= 0)
			close(s->stop_fd);
		s->listen_fd = s->stop_fd = -1;
	}
	return r;
}

static void conn_close(struct vmm__api_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static bool send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN && poll(&p, 1, SEND_TIMEOUT_MS) == 1) {
			continue;
		} else {
			return false;
		}
	}
	return true;
}

static bool send_reply(struct vmm__api_conn *c, const struct vmm__api_reply *rep,
		       bool close_after)
{
	size_t cap = rep->body_len + 256;
	char *out = malloc(cap);
	ssize_t n;
	bool ok;

	if (!out)
		return false;
	n = vmm__http_format_response(out, cap, rep->status, rep->body, rep->body_len,
				      close_after);
	ok = n > 0 && send_all(c->fd, out, (size_t)n);
	free(out);
	return ok;
}

static void reject(struct vmm__api_conn *c, const struct vmm__http_error *e)
{
	struct vmm__api_reply rep;

	vmm__api_fault(&rep, e->status, e->reason);
	IGNORE_RESULT(send_reply(c, &rep, true));
	free(rep.body);
	conn_close(c);
}

/* stop_fd fired: the VM thread is closing (it stays readable, nobody
 * reads it). */
static bool stopping(const struct vmm__api_server *s)
{
	struct pollfd p = { .fd = s->stop_fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* Answers every whole request in the buffer; false once c was closed.
 * Between pipelined requests it looks at stop_fd, so that a full buffer
 * does not keep a stopping process answering. */
static bool serve_buffer(struct vmm__api_server *s, struct vmm__api_conn *c)
{
	for (;;) {
		struct vmm__http_request req;
		struct vmm__http_error e;
		struct vmm__api_reply rep;
		ssize_t n = vmm__http_parse(c->buf, c->len, &req, &e);
		bool ok;

		if (n == 0 || stopping(s))
			return true;
		if (n < 0) {
			reject(c, &e);
			return false;
		}
		vmm__api_handle(s->ctl, &req, &rep);
		ok = send_reply(c, &rep, !req.keep_alive);
		free(rep.body);
		memmove(c->buf, c->buf + n, c->len - (size_t)n);
		c->len -= (size_t)n;
		if (!ok || !req.keep_alive) {
			conn_close(c);
			return false;
		}
	}
}

static void conn_read(struct vmm__api_server *s, struct vmm__api_conn *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	c->last_ns = vmm_monotonic_ns();
	IGNORE_RESULT(serve_buffer(s, c));
}

static struct vmm__api_conn *free_conn(struct vmm__api_server *s)
{
	for (unsigned i = 0; i < VMM__API_MAX_CONNS; i++)
		if (s->conns[i].fd < 0)
			return &s->conns[i];
	return NULL;
}

static void accept_one(struct vmm__api_server *s)
{
	struct vmm__api_conn *c = free_conn(s);
	int fd;

	if (!c)
		return;
	fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	c->fd = fd;
	c->len = 0;
	c->last_ns = vmm_monotonic_ns();
}

/* Drops clients that went quiet in the middle of a request (or idle ones
 * holding a slot), so that one stuck tool cannot take the API away. */
static void expire_idle(struct vmm__api_server *s, uint64_t now)
{
	for (unsigned i = 0; i < VMM__API_MAX_CONNS; i++) {
		struct vmm__api_conn *c = &s->conns[i];

		if (c->fd >= 0 && now - c->last_ns > (uint64_t)VMM__API_IDLE_MS * 1000000u)
			conn_close(c);
	}
}

static void flush_if_due(struct vmm__api_server *s, uint64_t now)
{
	if (s->ctl->metrics_fd < 0)
		return;
	if (s->next_flush_ns == 0)
		s->next_flush_ns = now + (uint64_t)VMM__API_METRICS_PERIOD_MS * 1000000u;
	if (now < s->next_flush_ns)
		return;
	IGNORE_RESULT(vmm__api_flush_metrics(s->ctl));
	s->next_flush_ns = now + (uint64_t)VMM__API_METRICS_PERIOD_MS * 1000000u;
}

static nfds_t build_pollset(struct vmm__api_server *s, struct pollfd *p,
			    struct vmm__api_conn **who)
{
	nfds_t n = 0;

	p[n++] = (struct pollfd){ .fd = s->stop_fd, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = free_conn(s) ? s->listen_fd : -1, .events = POLLIN };
	for (unsigned i = 0; i < VMM__API_MAX_CONNS; i++) {
		if (s->conns[i].fd < 0)
			continue;
		who[n] = &s->conns[i];
		p[n++] = (struct pollfd){ .fd = s->conns[i].fd, .events = POLLIN };
	}
	return n;
}

/* One pass: poll up to timeout_ms, then serve; false once stop_fd fired. */
static bool serve_step(struct vmm__api_server *s, int timeout_ms)
{
	struct pollfd p[VMM__API_MAX_CONNS + 2];
	struct vmm__api_conn *who[VMM__API_MAX_CONNS + 2] = { 0 };
	nfds_t n = build_pollset(s, p, who);
	int ready = poll(p, n, timeout_ms);

	if (ready > 0 && (p[0].revents & POLLIN))
		return false;
	if (ready > 0 && (p[1].revents & POLLIN))
		accept_one(s);
	for (nfds_t i = 2; ready > 0 && i < n; i++)
		if (p[i].revents)
			conn_read(s, who[i]);
	expire_idle(s, vmm_monotonic_ns());
	flush_if_due(s, vmm_monotonic_ns());
	return true;
}

static void *serve(void *arg)
{
	struct vmm__api_server *s = arg;
	char err[VMM_ERR_MAX];

	/* Confined before the first request is read (docs/seccomp.md); a
	 * thread that cannot be confined serves nothing. */
	if (vmm__seccomp_install(VMM__SECCOMP_API, s->seccomp, err, sizeof(err))) {
		fprintf(stderr, "cvmm: error: api thread: %s\n", err);
		return NULL;
	}
	/* One second at most between idle and metrics checks. */
	while (serve_step(s, 1000))
		;
	return NULL;
}

int vmm__api_server_start(struct vmm__api_server *s, enum vmm_seccomp_mode seccomp)
{
	int r;

	s->seccomp = seccomp;
	r = -vmm__thread_start(&s->thread, serve, s);
	s->thread_started = r == 0;
	return r;
}

void vmm__api_server_close(struct vmm__api_server *s)
{
	uint64_t one = 1;

	if (s->thread_started) {
		IGNORE_RESULT(write(s->stop_fd, &one, sizeof(one)));
		pthread_join(s->thread, NULL);
		s->thread_started = false;
	}
	for (unsigned i = 0; i < VMM__API_MAX_CONNS; i++)
		conn_close(&s->conns[i]);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->path);
	}
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	s->listen_fd = s->stop_fd = -1;
}
