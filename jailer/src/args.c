// SPDX-License-Identifier: MIT
// cvmm-jailer's command-line parser (jailer/README.md, "Options"). Pure: it
// checks syntax and the rules that need no file system (id charset and
// length, uid/gid 0 without --allow-root, cgroup and rlimit keys, file
// names); jail_validate() checks the paths afterwards.
#include "args.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cg_names[JAIL_CG_COUNT] = { "cpu.max", "memory.max", "pids.max" };
static const char *const cg_ctrl[JAIL_CG_COUNT] = { "cpu", "memory", "pids" };
static const char *const rl_names[JAIL_RL_COUNT] = { "nofile", "fsize" };

const char *jail_cgroup_key_name(enum jail_cgroup_key k)
{
	return k < JAIL_CG_COUNT ? cg_names[k] : "?";
}

const char *jail_cgroup_key_controller(enum jail_cgroup_key k)
{
	return k < JAIL_CG_COUNT ? cg_ctrl[k] : "?";
}

const char *jail_rlimit_key_name(enum jail_rlimit_key k)
{
	return k < JAIL_RL_COUNT ? rl_names[k] : "?";
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Decimal only: no sign, no spaces, no base prefixes, fits in max. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > JAIL_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

/* A name directly inside the jail root: no '/', not "." or "..", and not
 * one of the names the jail layout reserves. */
static bool valid_dest(const char *d)
{
	return d[0] && !strchr(d, '/') && strcmp(d, ".") && strcmp(d, "..") &&
	       strcmp(d, "dev") && strcmp(d, "run") && strlen(d) <= 255;
}

/* Splits "KEY=VALUE" in place and finds KEY in names[]: its index, -1 for
 * an unknown key, -2 without '='. *val points after the '='. */
static int split_key(char *v, const char *const *names, int count, const char **val)
{
	char *eq = strchr(v, '=');

	if (!eq)
		return -2;
	*eq = '\0';
	*val = eq + 1;
	for (int k = 0; k < count; k++)
		if (!strcmp(v, names[k]))
			return k;
	return -1;
}

static int opt_cgroup(struct jail_args *a, char *v, char *err, size_t len)
{
	const char *val = NULL;
	int k = split_key(v, cg_names, JAIL_CG_COUNT, &val);
	size_t n;

	if (k == -2)
		return fail(err, len, "--cgroup %s: expected KEY=VALUE", v);
	if (k < 0)
		return fail(err, len, "--cgroup %s: unknown key (allowed: cpu.max, memory.max, pids.max)",
			    v);
	n = strlen(val);
	if (n == 0 || n > JAIL_CGROUP_VALUE_MAX || strpbrk(val, "\n\r"))
		return fail(err, len, "--cgroup %s: value must be 1..%d characters on one line",
			    v, JAIL_CGROUP_VALUE_MAX);
	a->cgroup[k] = val;
	return 0;
}

static int opt_rlimit(struct jail_args *a, char *v, char *err, size_t len)
{
	const char *val = NULL;
	int k = split_key(v, rl_names, JAIL_RL_COUNT, &val);

	if (k == -2)
		return fail(err, len, "--resource-limit %s: expected nofile=N or fsize=N", v);
	if (k < 0)
		return fail(err, len, "--resource-limit %s: unknown resource (allowed: nofile, fsize)",
			    v);
	if (parse_u64(val, UINT64_MAX - 1, &a->rlimit[k]))
		return fail(err, len, "--resource-limit %s=%s: not a decimal number", v, val);
	a->have_rlimit[k] = true;
	return 0;
}

static int opt_file(struct jail_args *a, char *v, char *err, size_t len)
{
	char *colon = strrchr(v, ':');
	const char *dest;

	if (a->nfiles == JAIL_FILES_MAX)
		return fail(err, len, "--file: at most %d files", JAIL_FILES_MAX);
	if (colon)
		*colon = '\0';
	if (!v[0])
		return fail(err, len, "--file: empty source path");
	dest = colon ? colon + 1 : strrchr(v, '/') ? strrchr(v, '/') + 1 : v;
	if (!valid_dest(dest))
		return fail(err, len, "--file %s: bad name in the jail '%s' (a plain file name, not dev or run)",
			    v, dest);
	for (size_t i = 0; i < a->nfiles; i++)
		if (!strcmp(a->files[i].dest, dest))
			return fail(err, len, "--file %s: name '%s' given twice", v, dest);
	a->files[a->nfiles++] = (struct jail_file){ .src = v, .dest = dest };
	return 0;
}

/* uid_t and gid_t are both unsigned int on Linux. */
static int opt_id_num(const char *name, const char *v, unsigned *out, bool *have, char *err,
		      size_t len)
{
	uint64_t n;

	/* (uid_t)-1 means "unchanged" to setresuid(): never a real id. */
	if (parse_u64(v, UINT32_MAX - 1, &n))
		return fail(err, len, "%s %s: not a decimal id below 4294967295", name, v);
	*out = (unsigned)n;
	*have = true;
	return 0;
}

enum opt { O_ID, O_EXEC, O_UID, O_GID, O_BASE, O_CGROUP, O_RLIMIT, O_NETNS, O_NEWNETNS,
	   O_FILE, O_ALLOWROOT, O_DAEMONIZE, O_HELP, O_VERSION };

static const struct { const char *name; enum opt o; bool value; } opts[] = {
	{ "id", O_ID, true }, { "exec-file", O_EXEC, true }, { "uid", O_UID, true },
	{ "gid", O_GID, true }, { "chroot-base-dir", O_BASE, true }, { "cgroup", O_CGROUP, true },
	{ "resource-limit", O_RLIMIT, true }, { "netns", O_NETNS, true },
	{ "new-netns", O_NEWNETNS, false }, { "file", O_FILE, true },
	{ "allow-root", O_ALLOWROOT, false }, { "daemonize", O_DAEMONIZE, false },
	{ "help", O_HELP, false }, { "version", O_VERSION, false },
};

static int apply(struct jail_args *a, enum opt o, char *v, char *err, size_t len)
{
	switch (o) {
	case O_ID:
		if (!valid_id(v))
			return fail(err, len, "--id '%s': 1..%d characters of A-Z a-z 0-9 and '-'",
				    v, JAIL_ID_MAX);
		a->id = v;
		return 0;
	case O_EXEC: a->exec_file = v; return 0;
	case O_UID: return opt_id_num("--uid", v, &a->uid, &a->have_uid, err, len);
	case O_GID: return opt_id_num("--gid", v, &a->gid, &a->have_gid, err, len);
	case O_BASE:
		if (v[0] != '/')
			return fail(err, len, "--chroot-base-dir %s: must be an absolute path", v);
		a->base_dir = v;
		return 0;
	case O_CGROUP: return opt_cgroup(a, v, err, len);
	case O_RLIMIT: return opt_rlimit(a, v, err, len);
	case O_NETNS: a->netns = v; return 0;
	case O_NEWNETNS: a->new_netns = true; return 0;
	case O_FILE: return opt_file(a, v, err, len);
	case O_ALLOWROOT: a->allow_root = true; return 0;
	case O_DAEMONIZE: a->daemonize = true; return 0;
	case O_HELP: a->help = true; return 0;
	case O_VERSION: a->version = true; return 0;
	}
	return -EINVAL;
}

/* Finds the option at argv[*i] ("--name" or "--name=value") and applies it. */
static int one_option(struct jail_args *a, int argc, char **argv, int *i, char *err, size_t len)
{
	char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);

	for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		if (strlen(opts[k].name) != n || strncmp(arg, opts[k].name, n))
			continue;
		if (!opts[k].value) {
			if (eq)
				return fail(err, len, "--%s takes no value", opts[k].name);
			return apply(a, opts[k].o, NULL, err, len);
		}
		if (eq)
			return apply(a, opts[k].o, eq + 1, err, len);
		if (*i + 1 >= argc)
			return fail(err, len, "--%s needs a value", opts[k].name);
		return apply(a, opts[k].o, argv[++*i], err, len);
	}
	return fail(err, len, "unknown option '%s' (see --help)", argv[*i]);
}

static int check_required(const struct jail_args *a, char *err, size_t len)
{
	if (a->help || a->version)
		return 0;
	if (!a->id)
		return fail(err, len, "missing --id");
	if (!a->exec_file)
		return fail(err, len, "missing --exec-file");
	if (!a->have_uid || !a->have_gid)
		return fail(err, len, "missing --uid or --gid");
	if ((a->uid == 0 || a->gid == 0) && !a->allow_root)
		return fail(err, len, "--uid/--gid 0 would run cvmm as root: refused without --allow-root");
	if (a->netns && a->new_netns)
		return fail(err, len, "--netns and --new-netns exclude each other");
	return 0;
}

int jail_args_parse(int argc, char **argv, struct jail_args *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->base_dir = JAIL_DEFAULT_BASE;
	err[0] = '\0';
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			a->exec_argv = argv + i + 1;
			a->exec_argc = argc - i - 1;
			break;
		}
		if (strncmp(argv[i], "--", 2))
			return fail(err, errlen, "unexpected argument '%s' (cvmm's arguments go after --)",
				    argv[i]);
		if (one_option(a, argc, argv, &i, err, errlen))
			return -EINVAL;
	}
	return check_required(a, err, errlen);
}
