/* SPDX-License-Identifier: MIT */
/*
 * Internal interfaces of cvmm-jailer between its units: path validation,
 * the jail directory, the cgroup, the namespaced init, the supervisor, the
 * daemon and where error lines go. Every fallible function returns 0 or
 * -errno and leaves one error line in err.
 */
#ifndef JAIL_JAIL_H
#define JAIL_JAIL_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "args.h"

#define JAIL_ERR_MAX 512
/* Exit codes of the jailer itself (jailer/README.md, "Exit codes"). */
#define JAIL_EXIT_FAILURE 125   /* bad input or a setup step failed */
#define JAIL_EXIT_NOEXEC 126    /* the jailed binary could not be executed */

struct jail_restore {          /* a hard link's original owner */
	char name[256];
	uid_t uid;
	gid_t gid;
};

struct jail_dir {
	char exec_name[256];       /* basename of --exec-file */
	char root[PATH_MAX];       /* <base>/<exec_name>/<id>/root */
	/* Directories this run made, outermost first; removed in reverse. */
	char made[4][PATH_MAX];
	int nmade;
	bool root_made;            /* the root itself is ours to remove */
	bool populated;            /* entries inside root may exist */
	struct jail_restore restore[JAIL_FILES_MAX];
	int nrestore;
};

struct jail_cgroup {
	char parent[PATH_MAX];     /* <cgroup2>/cvmm-jailer */
	char leaf[PATH_MAX];       /* <cgroup2>/cvmm-jailer/<id> */
	bool parent_made, leaf_made;
};

/* validate.c: the paths the command line names. *netns_fd is -1 or an fd
 * on the --netns namespace file. */
int jail__validate(const struct jail_args *a, int *netns_fd, char *err);
/* 1 when the ELF file at fd asks for a program interpreter, 0 if it is
 * static, -errno when it is no ELF executable at all. */
int jail__elf_has_interp(int fd);

/* jaildir.c */
int jail__dir_create(const struct jail_args *a, struct jail_dir *d, char *err);
int jail__dir_populate(const struct jail_args *a, struct jail_dir *d, char *err);
/* Removes what jail__dir_create/populate made; returns 0 when all went. */
int jail__dir_remove(struct jail_dir *d, char *err);
/* True when cvmm's arguments ask for a tap device (needs /dev/net/tun). */
bool jail__wants_tun(const struct jail_args *a);

/* cgroup.c: only used when the command line has --cgroup keys. */
bool jail__cgroup_wanted(const struct jail_args *a);
int jail__cgroup_find(char *mnt, size_t len, char *err);
int jail__cgroup_create(const struct jail_args *a, struct jail_cgroup *cg, char *err);
int jail__cgroup_add(const struct jail_cgroup *cg, pid_t pid, char *err);
int jail__cgroup_remove(struct jail_cgroup *cg, char *err);

/* privs.c: drops every capability and switches to uid/gid. */
int jail__drop_privileges(uid_t uid, gid_t gid, char *err);

/* init.c: runs as PID 1 of the new PID namespace; never returns. Its error
 * lines, and the exec failure of cvmm, go to report_fd (close-on-exec). */
__attribute__((noreturn))
void jail__init_main(const struct jail_args *a, const struct jail_dir *d, int go_fd,
		     int status_fd, int report_fd, int netns_fd, const sigset_t *old_mask);

/* supervise.c: the signals forwarded to the jailed process. */
void jail__forward_set(sigset_t *set);
/* Waits for child, forwarding user-sent signals in the set to it. Returns
 * its wait status. */
int jail__wait_forwarding(pid_t child);
/* The jailer's exit code for a wait status (README.md, "Exit codes"). */
int jail__exit_code(int wstatus);

/* daemon.c: forks; the foreground never returns from it (it prints the
 * daemon's pid or the setup's error lines and exits). Returns 0 in the
 * daemon: new session, cwd /, stdio on /dev/null, no fds but netns_fd (if
 * >= 0) and the pipe that takes its error lines to the foreground. */
int jail__daemonize(int netns_fd, char *err);

/* report.c: error lines, "cvmm-jailer: error: MSG". jail__error writes
 * to stderr, to the foreground of a daemon, or, once released, to syslog. */
void jail__error(const char *msg);
void jail__error_fd(int fd, const char *msg);
void jail__report_to_foreground(int fd);
/* Copies the jail's report pipe to where jail__error writes, until every
 * writer has closed it; true when there was a line (setup or exec failed). */
bool jail__relay(int from);
/* cvmm runs: a daemon's foreground may exit; later lines go to syslog. */
void jail__report_release(void);
/* A released daemon logs its exit code, since no one can wait for it. */
void jail__report_exit(const char *id, int code);

/* snprintf for paths: an empty string and -ENAMETOOLONG when too long. */
__attribute__((format(printf, 3, 4)))
int jail__path(char *out, size_t len, const char *fmt, ...);

__attribute__((format(printf, 2, 3)))
int jail__fail(char *err, const char *fmt, ...);

#endif
