// SPDX-License-Identifier: MIT
// Where cvmm-jailer's error lines go. Until cvmm runs they reach the person
// who started the jailer: on stderr, or with --daemonize through a pipe to
// the foreground process, which prints them (daemon.c). The jail's init and
// the process that execs cvmm cannot print themselves (a daemon's stderr is
// /dev/null): they write their line to a close-on-exec report pipe, and the
// jailer relays it. Once cvmm runs, a daemon has no one to tell: its later
// lines (clean-up failures) and its exit code go to syslog(3), LOG_DAEMON,
// with its pid, the one the foreground printed.
#include "jail.h"

#include <errno.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

/* The fd error lines go to; -1 once a daemon has let its foreground go. */
static int sink = STDERR_FILENO;
static bool to_foreground;

void jail__error_fd(int fd, const char *msg)
{
	char line[JAIL_ERR_MAX + 32];
	int n = snprintf(line, sizeof(line), "cvmm-jailer: error: %s\n", msg);

	/* One write, so that lines from several processes do not interleave. */
	if (n > 0)
		(void)!write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void jail__error(const char *msg)
{
	if (sink >= 0)
		jail__error_fd(sink, msg);
	else
		syslog(LOG_ERR, "error: %s", msg);
}

void jail__report_to_foreground(int fd)
{
	sink = fd;
	to_foreground = true;
}

bool jail__relay(int from)
{
	char buf[1024];
	bool any = false;
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		any = true;
		if (sink >= 0)
			(void)!write(sink, buf, (size_t)n);
	}
	return any;
}

void jail__report_release(void)
{
	if (!to_foreground)
		return;
	/* "cvmm runs": the foreground prints our pid and exits 0 (daemon.c). */
	(void)!write(sink, "", 1);
	close(sink);
	sink = -1;
	to_foreground = false;
	openlog("cvmm-jailer", LOG_PID, LOG_DAEMON);
}

void jail__report_exit(const char *id, int code)
{
	if (sink < 0)
		syslog(code ? LOG_WARNING : LOG_INFO, "jail %s: exit code %d", id, code);
}
