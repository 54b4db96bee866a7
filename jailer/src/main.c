// SPDX-License-Identifier: MIT
// cvmm-jailer: runs cvmm confined (jailer/README.md). The jailer checks its
// command line and paths, builds the jail directory and the cgroup, starts
// the jail's init in a new PID namespace (init.c), waits for it while
// passing signals on, then removes everything it made, whatever way cvmm
// ended. Its exit code is cvmm's (README.md, "Exit codes"). With
// --daemonize, a daemon does all that from its own session once the jail is
// built, and the foreground returns its pid when cvmm runs (daemon.c).
#include "jail.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jailer/version.h>

static const char usage[] =
"usage: cvmm-jailer --id ID --exec-file PATH --uid N --gid N [options] -- [cvmm arguments]\n"
"  --id ID                  1..64 characters of A-Z a-z 0-9 '-'\n"
"  --exec-file PATH         a statically linked cvmm; copied into the jail\n"
"  --uid N, --gid N         the ids cvmm runs as (0 only with --allow-root)\n"
"  --allow-root             allow --uid 0 / --gid 0 (capabilities are still dropped)\n"
"  --chroot-base-dir DIR    default " JAIL_DEFAULT_BASE "; the jail is\n"
"                           DIR/<exec-file name>/<id>/root\n"
"  --cgroup KEY=VALUE       cgroup v2 limit: cpu.max, memory.max, pids.max (repeatable)\n"
"  --resource-limit R=N     rlimit: nofile=N, fsize=N (repeatable)\n"
"  --netns PATH             join this network namespace\n"
"  --new-netns              a new, empty network namespace\n"
"  --file SRC[:NAME]        put SRC into the jail root as NAME (repeatable)\n"
"  --daemonize              supervise from a new session with stdio on /dev/null;\n"
"                           prints the daemon's pid once cvmm runs\n"
"  --help, --version\n"
"exit codes: cvmm's own; 128+N when cvmm died of signal N; 125 when the jailer\n"
"failed (nothing left behind); 126 when cvmm could not be executed in the jail\n";

struct jail_run {
	struct jail_args a;
	struct jail_dir dir;
	struct jail_cgroup cg;
	int netns_fd;
};

static int build(struct jail_run *j, char *err)
{
	int r;

	if ((r = jail__validate(&j->a, &j->netns_fd, err)) ||
	    (r = jail__dir_create(&j->a, &j->dir, err)) ||
	    (r = jail__dir_populate(&j->a, &j->dir, err)))
		return r;
	if (jail__cgroup_wanted(&j->a))
		return jail__cgroup_create(&j->a, &j->cg, err);
	return 0;
}

/* Removes the jail and the cgroup; reports (not hides) what could not go. */
static int teardown(struct jail_run *j)
{
	char err[JAIL_ERR_MAX];
	int bad = 0;

	if (jail__cgroup_remove(&j->cg, err)) {
		jail__error(err);
		bad = 1;
	}
	if (jail__dir_remove(&j->dir, err)) {
		jail__error(err);
		bad = 1;
	}
	return bad;
}

/* Starts the init in a new PID namespace, with the go, status and report
 * pipes; its pid, or -1 with err. */
static pid_t start_init(struct jail_run *j, int go[2], int status[2], int rep[2],
			const sigset_t *old_mask, char *err)
{
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) || pipe2(status, O_CLOEXEC) || pipe2(rep, O_CLOEXEC))
		return jail__fail(err, "pipe: %s", strerror(errno)), -1;
	/* Only our children enter the new PID namespace; the first is PID 1. */
	if (unshare(CLONE_NEWPID))
		return jail__fail(err, "unshare (PID namespace): %s", strerror(errno)), -1;
	pid = fork();
	if (pid < 0)
		return jail__fail(err, "fork: %s", strerror(errno)), -1;
	if (pid == 0) {
		close(go[1]);
		close(status[0]);
		close(rep[0]);
		jail__init_main(&j->a, &j->dir, go[0], status[1], rep[1], j->netns_fd, old_mask);
	}
	close(go[0]);
	close(status[1]);
	close(rep[1]);
	return pid;
}

/* Starts the init, moves it into the cgroup, lets it go, relays its error
 * line if setup or the exec of cvmm fails, waits for it. Returns the
 * jailer's exit code. */
static int run(struct jail_run *j, const sigset_t *old_mask, char *err)
{
	int go[2], status[2], rep[2], st, cst;
	pid_t pid = start_init(j, go, status, rep, old_mask, err);

	if (pid < 0)
		return -1;
	if (j->cg.leaf_made && jail__cgroup_add(&j->cg, pid, err)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	if (write(go[1], "g", 1) != 1) {
		jail__fail(err, "starting the jail's init: %s", strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(go[1]);
	/* End-of-file and no line: cvmm has been exec'd. */
	if (!jail__relay(rep[0]))
		jail__report_release();
	close(rep[0]);
	st = jail__wait_forwarding(pid);
	/* cvmm's status if init got to report it, else init's own. */
	if (read(status[0], &cst, sizeof(cst)) == (ssize_t)sizeof(cst))
		st = cst;
	close(status[0]);
	return jail__exit_code(st);
}

int main(int argc, char **argv)
{
	static struct jail_run j = { .netns_fd = -1 };
	char err[JAIL_ERR_MAX];
	sigset_t fwd, old;
	int code;

	if (jail_args_parse(argc, argv, &j.a, err, sizeof(err))) {
		jail__error(err);
		return JAIL_EXIT_FAILURE;
	}
	if (j.a.help || j.a.version) {
		fputs(j.a.help ? usage : "cvmm-jailer " JAIL_VERSION_STRING "\n", stdout);
		return 0;
	}
	/* Blocked from here on, so that a signal during setup cannot end the
	 * jailer before it has removed what it made; waited for in run().
	 * SIGPIPE too: a reader that went away (a closed stderr, a daemon's
	 * foreground) makes a write fail, not the jailer die. cvmm gets the
	 * caller's mask back (init.c). */
	jail__forward_set(&fwd);
	sigaddset(&fwd, SIGCHLD);
	sigaddset(&fwd, SIGPIPE);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	if (build(&j, err) || (j.a.daemonize && jail__daemonize(j.netns_fd, err))) {
		jail__error(err);
		teardown(&j);
		return JAIL_EXIT_FAILURE;
	}
	code = run(&j, &old, err);
	if (code < 0) {
		jail__error(err);
		code = JAIL_EXIT_FAILURE;
	}
	if (j.netns_fd >= 0)
		close(j.netns_fd);
	if (teardown(&j) && code == 0)
		code = JAIL_EXIT_FAILURE;
	jail__report_exit(j.a.id, code);
	return code;
}
