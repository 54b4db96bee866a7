/* SPDX-License-Identifier: MIT */
/*
 * cvmm-jailer's command line: the options jailer/README.md lists, parsed
 * into one plain struct without touching the file system, so that every
 * rejection rule is testable on its own (tests/test_args.c).
 */
#ifndef JAIL_ARGS_H
#define JAIL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define JAIL_ID_MAX 64
#define JAIL_FILES_MAX 32
#define JAIL_CGROUP_VALUE_MAX 64
#define JAIL_DEFAULT_BASE "/srv/cvmm-jailer"

enum jail_cgroup_key { JAIL_CG_CPU_MAX, JAIL_CG_MEMORY_MAX, JAIL_CG_PIDS_MAX, JAIL_CG_COUNT };
enum jail_rlimit_key { JAIL_RL_NOFILE, JAIL_RL_FSIZE, JAIL_RL_COUNT };

struct jail_file {
	const char *src;        /* host path */
	const char *dest;       /* plain name inside the jail root */
};

struct jail_args {
	const char *id;
	const char *exec_file;
	const char *base_dir;
	uid_t uid;
	gid_t gid;
	bool have_uid, have_gid, allow_root, new_netns, help, version;
	bool daemonize;          /* supervise from a new session (daemon.c) */
	const char *netns;
	/* NULL when not given; the value is written verbatim to the file. */
	const char *cgroup[JAIL_CG_COUNT];
	bool have_rlimit[JAIL_RL_COUNT];
	uint64_t rlimit[JAIL_RL_COUNT];
	struct jail_file files[JAIL_FILES_MAX];
	size_t nfiles;
	char *const *exec_argv;  /* the arguments after "--" */
	int exec_argc;
};

/* Parses argv into *a. On a bad command line returns -EINVAL with one
 * human-readable line in err (no trailing newline). argv strings are
 * referenced, not copied, and some are split in place (SRC:DEST). */
int jail_args_parse(int argc, char **argv, struct jail_args *a, char *err, size_t errlen);

const char *jail_cgroup_key_name(enum jail_cgroup_key k);
const char *jail_rlimit_key_name(enum jail_rlimit_key k);
/* The cgroup v2 controller that owns a key ("cpu", "memory", "pids"). */
const char *jail_cgroup_key_controller(enum jail_cgroup_key k);

#endif
