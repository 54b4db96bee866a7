// SPDX-License-Identifier: MIT
// The jail's init, PID 1 of its new PID namespace (pid_namespaces(7)): it
// enters fresh mount, IPC, UTS (and optionally network) namespaces, makes
// the jail directory its root with pivot_root(2), sets the rlimits, closes
// every inherited fd, drops to uid:gid without capabilities, then forks cvmm
// as PID 2 and waits for it. cvmm is not PID 1 because the kernel ignores
// default-action signals that PID 1 sends itself (abort() would turn into
// SIGSEGV, SIGTERM from a user in the namespace would do nothing); as PID 2
// it dies of what kills it, and init hands its wait status to the jailer
// over status_fd. Init and PID 2 write an error line, if any, to the
// jailer's report pipe (close-on-exec: the exec of cvmm closes the last
// copy), not to stderr, which is /dev/null under --daemonize.
#include "jail.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STATUS_FD 3
#define REPORT_FD 4

/* Where this process's error line goes: the report pipe, wherever it is. */
static int report_fd = -1;

__attribute__((noreturn))
static void init_fail(const char *msg, int code)
{
	jail__error_fd(report_fd, msg);
	_exit(code);
}

static int enter_namespaces(const struct jail_args *a, int netns_fd, char *err)
{
	int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | (a->new_netns ? CLONE_NEWNET : 0);

	if (unshare(flags))
		return jail__fail(err, "unshare (mount, IPC, UTS%s namespaces): %s",
				  a->new_netns ? ", network" : "", strerror(errno));
	if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET))
		return jail__fail(err, "--netns %s: setns: %s", a->netns, strerror(errno));
	if (sethostname(a->id, strlen(a->id)))
		return jail__fail(err, "sethostname: %s", strerror(errno));
	return 0;
}

static int enter_root(const char *root, char *err)
{
	/* Private first: nothing done below may propagate back to the host,
	 * and pivot_root refuses shared mounts. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return jail__fail(err, "making mounts private: %s", strerror(errno));
	/* pivot_root needs the new root to be a mount point. */
	if (mount(root, root, NULL, MS_BIND, NULL))
		return jail__fail(err, "bind-mounting %s: %s", root, strerror(errno));
	if (chdir(root))
		return jail__fail(err, "chdir %s: %s", root, strerror(errno));
	/* pivot_root(".", "."): the old root ends up stacked on the new one,
	 * and is detached right away without a put_old directory. */
	if (syscall(SYS_pivot_root, ".", "."))
		return jail__fail(err, "pivot_root into %s: %s", root, strerror(errno));
	if (umount2(".", MNT_DETACH))
		return jail__fail(err, "detaching the old root: %s", strerror(errno));
	if (chdir("/"))
		return jail__fail(err, "chdir /: %s", strerror(errno));
	/* No setuid/file-capability gains from anything in the jail. */
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_NOSUID, NULL))
		return jail__fail(err, "remounting the jail nosuid: %s", strerror(errno));
	return 0;
}

static int set_rlimits(const struct jail_args *a, char *err)
{
	static const int res[JAIL_RL_COUNT] = { RLIMIT_NOFILE, RLIMIT_FSIZE };

	for (int k = 0; k < JAIL_RL_COUNT; k++) {
		struct rlimit rl = { a->rlimit[k], a->rlimit[k] };

		if (a->have_rlimit[k] && setrlimit(res[k], &rl))
			return jail__fail(err, "--resource-limit %s=%llu: %s",
					  jail_rlimit_key_name(k), (unsigned long long)a->rlimit[k], strerror(errno));
	}
	return 0;
}

/* Keeps 0, 1, 2, the status pipe (at STATUS_FD) and the report pipe (at
 * REPORT_FD, still close-on-exec); closes the rest, whatever the caller of
 * the jailer left open. Both are copied above REPORT_FD first, so that
 * neither move can overwrite the other. */
static int close_fds(int status_fd, char *err)
{
	int s = fcntl(status_fd, F_DUPFD_CLOEXEC, REPORT_FD + 1);
	int r = fcntl(report_fd, F_DUPFD_CLOEXEC, REPORT_FD + 1);

	if (s < 0 || r < 0)
		return jail__fail(err, "fcntl F_DUPFD: %s", strerror(errno));
	report_fd = r;
	if (dup2(s, STATUS_FD) < 0 || dup3(r, REPORT_FD, O_CLOEXEC) < 0)
		return jail__fail(err, "dup2: %s", strerror(errno));
	report_fd = REPORT_FD;
	if (syscall(SYS_close_range, REPORT_FD + 1, ~0U, 0))
		return jail__fail(err, "close_range: %s", strerror(errno));
	return 0;
}

static int setup(const struct jail_args *a, const struct jail_dir *d, int status_fd,
		 int netns_fd, char *err)
{
	int r;

	/* The fds are moved before the rlimits: F_DUPFD above REPORT_FD
	 * would fail under a small nofile limit. */
	if ((r = enter_namespaces(a, netns_fd, err)) || (r = enter_root(d->root, err)) ||
	    (r = close_fds(status_fd, err)) || (r = set_rlimits(a, err)) ||
	    (r = jail__drop_privileges(a->uid, a->gid, err)))
		return r;
	return 0;
}

__attribute__((noreturn))
static void exec_cvmm(const struct jail_args *a, const struct jail_dir *d,
		      const sigset_t *old_mask)
{
	static char path[300];
	static char *only[2];
	char err[JAIL_ERR_MAX];
	char *const envp[] = { NULL };
	char **args = only;

	snprintf(path, sizeof(path), "/%s", d->exec_name);
	close(STATUS_FD);
	sigprocmask(SIG_SETMASK, old_mask, NULL);
	/* argv[0] is the jail path. After "--" the slot before exec_argv
	 * holds the "--" itself, in main()'s argv, and is reused for it. */
	if (a->exec_argv)
		args = (char **)a->exec_argv - 1;
	args[0] = path;
	/* An empty environment: nothing of the caller's leaks into the jail. */
	execve(path, args, envp);
	snprintf(err, sizeof(err), "exec %s in the jail: %s", path, strerror(errno));
	init_fail(err, JAIL_EXIT_NOEXEC);
}

void jail__init_main(const struct jail_args *a, const struct jail_dir *d, int go_fd,
		     int status_fd, int rep_fd, int netns_fd, const sigset_t *old_mask)
{
	char err[JAIL_ERR_MAX], go;
	pid_t pid;
	int st;

	report_fd = rep_fd;
	/* The jailer puts us into the cgroup before it sends the go byte. */
	if (read(go_fd, &go, 1) != 1)
		_exit(JAIL_EXIT_FAILURE);
	close(go_fd);
	if (setup(a, d, status_fd, netns_fd, err))
		init_fail(err, JAIL_EXIT_FAILURE);
	pid = fork();
	if (pid < 0) {
		snprintf(err, sizeof(err), "fork in the jail: %s", strerror(errno));
		init_fail(err, JAIL_EXIT_FAILURE);
	}
	if (pid == 0)
		exec_cvmm(a, d, old_mask);
	/* Now only cvmm holds the report pipe, until its exec succeeds. */
	close(REPORT_FD);
	st = jail__wait_forwarding(pid);
	if (write(STATUS_FD, &st, sizeof(st)) != (ssize_t)sizeof(st))
		_exit(JAIL_EXIT_FAILURE);
	_exit(0);
}
