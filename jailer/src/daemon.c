// SPDX-License-Identifier: MIT
// --daemonize: the jailer splits in two once the jail directory and the
// cgroup are built. The child becomes the supervising daemon: a new session
// (setsid(2), so no terminal's signals or hang-up reach it or the jail), cwd
// /, none of the caller's fds, stdin, stdout and stderr on /dev/null
// (inherited by the jail's init and cvmm). It then does what a foreground
// jailer does (main.c, run()), with its error lines going through a pipe to
// the parent (report.c). The parent, the foreground, reads that pipe. Once
// the daemon knows cvmm has been exec'd (the jail's report pipe closed with
// no line in it), it writes one NUL byte and closes its end: the foreground
// prints the daemon's pid and exits 0. Error lines instead mean setup
// failed: the foreground prints them, waits until the daemon has removed the
// jail and the cgroup, and exits with the daemon's code (125, or 126 when
// cvmm could not be executed).
#include "jail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The foreground's side: relays the daemon's error lines to stderr until
 * end-of-file. One NUL byte and nothing else is the daemon's "cvmm runs"
 * (jail__report_release). Returns the foreground's exit code. */
static int foreground(pid_t daemon, int from)
{
	char buf[1024];
	size_t got = 0;
	bool ok = false;
	ssize_t n;
	int st;

	while ((n = read(from, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
		ok = buf[n - 1] == '\0';
		(void)!write(STDERR_FILENO, buf, strnlen(buf, (size_t)n));
	}
	if (got == 1 && ok) {
		printf("%d\n", (int)daemon);
		return 0;
	}
	/* Setup failed: the daemon removes the jail, then exits. */
	if (waitpid(daemon, &st, 0) != daemon)
		st = JAIL_EXIT_FAILURE << 8;
	if (got <= 1) {
		snprintf(buf, sizeof(buf), "the daemon ended before cvmm ran (%s %d)",
			 WIFSIGNALED(st) ? "signal" : "exit code",
			 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		jail__error(buf);
	}
	st = jail__exit_code(st);
	return st ? st : JAIL_EXIT_FAILURE;
}

/* Closes every fd above 2 but keep[0] and keep[1] (-1: none): the caller's
 * pipes and files must not stay open for the VM's lifetime (a caller that
 * waits for end-of-file on one would wait that long). */
static int close_others(int a, int b, char *err)
{
	int keep[2] = { a < b ? a : b, a < b ? b : a };
	unsigned lo = STDERR_FILENO + 1;

	for (int i = 0; i < 2; i++) {
		if (keep[i] < (int)lo)
			continue;
		if (keep[i] > (int)lo && syscall(SYS_close_range, lo, keep[i] - 1, 0))
			return jail__fail(err, "--daemonize: close_range: %s", strerror(errno));
		lo = (unsigned)keep[i] + 1;
	}
	if (syscall(SYS_close_range, lo, ~0U, 0))
		return jail__fail(err, "--daemonize: close_range: %s", strerror(errno));
	return 0;
}

static int become_daemon(char *err)
{
	int fd;

	if (setsid() < 0)
		return jail__fail(err, "--daemonize: setsid: %s", strerror(errno));
	/* Not to keep the caller's working directory (and its mount) busy. */
	if (chdir("/"))
		return jail__fail(err, "--daemonize: chdir /: %s", strerror(errno));
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return jail__fail(err, "--daemonize: /dev/null: %s", strerror(errno));
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return jail__fail(err, "--daemonize: dup2: %s", strerror(errno));
	close(fd);
	return 0;
}

int jail__daemonize(int netns_fd, char *err)
{
	int p[2], to;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return jail__fail(err, "--daemonize: pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return jail__fail(err, "--daemonize: fork: %s", strerror(errno));
	if (pid > 0) {
		close(p[1]);
		exit(foreground(pid, p[0]));
	}
	close(p[0]);
	/* Above 2, so that become_daemon() cannot overwrite it (when the
	 * caller started us with stdio closed, pipe2 may have returned 0-2). */
	to = p[1];
	if (to <= STDERR_FILENO) {
		to = fcntl(p[1], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
		close(p[1]);
		if (to < 0)
			return jail__fail(err, "--daemonize: fcntl: %s", strerror(errno));
	}
	jail__report_to_foreground(to);
	if (close_others(to, netns_fd, err))
		return -1;
	return become_daemon(err);
}
