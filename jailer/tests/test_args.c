// SPDX-License-Identifier: MIT
// cvmm-jailer's command-line rules (jailer/README.md, "Options"): one test
// per rule that the parser enforces without the file system.
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "args.h"

#define MAXARGS 32

static struct jail_args a;
static char err[256];
static char store[MAXARGS][128];

/* Parses a NULL-terminated list; copies the strings (the parser splits). */
static int parse(const char *first, ...)
{
	static char *argv[MAXARGS + 1];   /* exec_argv points into it */
	int argc = 0;
	va_list ap;

	argv[argc] = store[argc];
	strcpy(store[argc++], "cvmm-jailer");
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *)) {
		strcpy(store[argc], s);
		argv[argc] = store[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	return jail_args_parse(argc, argv, &a, err, sizeof(err));
}

#define BASE "--id", "vm-1", "--exec-file", "/x/cvmm", "--uid", "1000", "--gid", "1000"

Test(args, minimal_ok_with_defaults)
{
	cr_assert_eq(parse(BASE, NULL), 0, "%s", err);
	cr_assert_str_eq(a.id, "vm-1");
	cr_assert_str_eq(a.exec_file, "/x/cvmm");
	cr_assert_eq(a.uid, 1000);
	cr_assert_eq(a.gid, 1000);
	cr_assert_str_eq(a.base_dir, JAIL_DEFAULT_BASE);
	cr_assert_null(a.exec_argv);
	cr_assert_eq(a.nfiles, 0);
	cr_assert_not(a.daemonize);
}

Test(args, equals_form_and_cvmm_args)
{
	cr_assert_eq(parse("--id=a", "--exec-file=/c", "--uid=5", "--gid=6", "--", "--version",
			   "--help", NULL), 0, "%s", err);
	cr_assert_str_eq(a.id, "a");
	cr_assert_eq(a.exec_argc, 2);
	cr_assert_str_eq(a.exec_argv[0], "--version");
	cr_assert_str_eq(a.exec_argv[1], "--help");
}

Test(args, missing_id)
{
	cr_assert_eq(parse("--exec-file", "/c", "--uid", "1", "--gid", "1", NULL), -EINVAL);
	cr_assert(strstr(err, "--id"), "%s", err);
}

Test(args, missing_exec_file)
{
	cr_assert_eq(parse("--id", "a", "--uid", "1", "--gid", "1", NULL), -EINVAL);
	cr_assert(strstr(err, "--exec-file"), "%s", err);
}

Test(args, missing_uid)
{
	cr_assert_eq(parse("--id", "a", "--exec-file", "/c", "--gid", "1", NULL), -EINVAL);
	cr_assert(strstr(err, "--uid"), "%s", err);
}

Test(args, uid_zero_refused_without_allow_root)
{
	cr_assert_eq(parse("--id", "a", "--exec-file", "/c", "--uid", "0", "--gid", "5", NULL),
		     -EINVAL);
	cr_assert(strstr(err, "--allow-root"), "%s", err);
}

Test(args, gid_zero_refused_without_allow_root)
{
	cr_assert_eq(parse("--id", "a", "--exec-file", "/c", "--uid", "5", "--gid", "0", NULL),
		     -EINVAL);
	cr_assert(strstr(err, "--allow-root"), "%s", err);
}

Test(args, uid_zero_with_allow_root)
{
	cr_assert_eq(parse("--id", "a", "--exec-file", "/c", "--uid", "0", "--gid", "0",
			   "--allow-root", NULL), 0, "%s", err);
	cr_assert(a.allow_root);
}

Test(args, uid_not_decimal)
{
	static const char *bad[] = { "-1", "1x", "", " 1", "0x10", "4294967295", "99999999999" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(parse("--id", "a", "--exec-file", "/c", "--uid", bad[i], "--gid", "1",
				   NULL), -EINVAL, "uid '%s' accepted", bad[i]);
		cr_assert(strstr(err, "--uid"), "%s", err);
	}
}

Test(args, id_charset)
{
	static const char *bad[] = { "", "a_b", "a/b", "..", "a b", "vm.1", "ä" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(parse("--id", bad[i], "--exec-file", "/c", "--uid", "1", "--gid", "1",
				   NULL), -EINVAL, "id '%s' accepted", bad[i]);
		cr_assert(strstr(err, "--id"), "%s", err);
	}
}

Test(args, id_length_64_ok_65_refused)
{
	char id[66];

	memset(id, 'a', 65);
	id[64] = '\0';
	cr_assert_eq(parse("--id", id, "--exec-file", "/c", "--uid", "1", "--gid", "1", NULL), 0);
	id[64] = 'a';
	id[65] = '\0';
	cr_assert_eq(parse("--id", id, "--exec-file", "/c", "--uid", "1", "--gid", "1", NULL),
		     -EINVAL);
}

Test(args, cgroup_keys)
{
	cr_assert_eq(parse(BASE, "--cgroup", "cpu.max=50000 100000", "--cgroup", "memory.max=256M",
			   "--cgroup", "pids.max=16", NULL), 0, "%s", err);
	cr_assert_str_eq(a.cgroup[JAIL_CG_CPU_MAX], "50000 100000");
	cr_assert_str_eq(a.cgroup[JAIL_CG_MEMORY_MAX], "256M");
	cr_assert_str_eq(a.cgroup[JAIL_CG_PIDS_MAX], "16");
}

Test(args, cgroup_unknown_key)
{
	cr_assert_eq(parse(BASE, "--cgroup", "cpuset.cpus=0", NULL), -EINVAL);
	cr_assert(strstr(err, "unknown key"), "%s", err);
	cr_assert_eq(parse(BASE, "--cgroup", "../pids.max=1", NULL), -EINVAL);
}

Test(args, cgroup_value_bad)
{
	cr_assert_eq(parse(BASE, "--cgroup", "pids.max", NULL), -EINVAL);
	cr_assert_eq(parse(BASE, "--cgroup", "pids.max=", NULL), -EINVAL);
	cr_assert_eq(parse(BASE, "--cgroup", "pids.max=1\n2", NULL), -EINVAL);
}

Test(args, rlimits)
{
	cr_assert_eq(parse(BASE, "--resource-limit", "nofile=64", "--resource-limit=fsize=1048576",
			   NULL), 0, "%s", err);
	cr_assert(a.have_rlimit[JAIL_RL_NOFILE]);
	cr_assert_eq(a.rlimit[JAIL_RL_NOFILE], 64);
	cr_assert_eq(a.rlimit[JAIL_RL_FSIZE], 1048576);
}

Test(args, rlimit_unknown_or_bad)
{
	cr_assert_eq(parse(BASE, "--resource-limit", "nproc=5", NULL), -EINVAL);
	cr_assert(strstr(err, "unknown resource"), "%s", err);
	cr_assert_eq(parse(BASE, "--resource-limit", "nofile=-1", NULL), -EINVAL);
	cr_assert_eq(parse(BASE, "--resource-limit", "nofile=many", NULL), -EINVAL);
}

Test(args, netns_and_new_netns_exclusive)
{
	cr_assert_eq(parse(BASE, "--netns", "/run/netns/x", "--new-netns", NULL), -EINVAL);
	cr_assert(strstr(err, "exclude"), "%s", err);
}

Test(args, file_names)
{
	cr_assert_eq(parse(BASE, "--file", "/img/vmlinux", "--file", "/img/d.raw:disk0", NULL), 0,
		     "%s", err);
	cr_assert_eq(a.nfiles, 2);
	cr_assert_str_eq(a.files[0].src, "/img/vmlinux");
	cr_assert_str_eq(a.files[0].dest, "vmlinux");
	cr_assert_str_eq(a.files[1].src, "/img/d.raw");
	cr_assert_str_eq(a.files[1].dest, "disk0");
}

Test(args, file_bad_names)
{
	static const char *bad[] = { "/a:..", "/a:.", "/a:dev", "/a:run", "/a:", "/dir/", ":x" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse(BASE, "--file", bad[i], NULL), -EINVAL, "'%s' accepted", bad[i]);
}

Test(args, file_name_twice)
{
	cr_assert_eq(parse(BASE, "--file", "/a/k", "--file", "/b/k", NULL), -EINVAL);
	cr_assert(strstr(err, "twice"), "%s", err);
}

Test(args, base_dir_must_be_absolute)
{
	cr_assert_eq(parse(BASE, "--chroot-base-dir", "srv/j", NULL), -EINVAL);
	cr_assert_eq(parse(BASE, "--chroot-base-dir", "/srv/j", NULL), 0);
	cr_assert_str_eq(a.base_dir, "/srv/j");
}

Test(args, unknown_option)
{
	cr_assert_eq(parse(BASE, "--daemonise", NULL), -EINVAL);
	cr_assert(strstr(err, "unknown option"), "%s", err);
}

Test(args, positional_before_dashdash)
{
	cr_assert_eq(parse(BASE, "--version-of-cvmm", NULL), -EINVAL);
	cr_assert_eq(parse(BASE, "stray", NULL), -EINVAL);
	cr_assert(strstr(err, "after --"), "%s", err);
}

Test(args, value_missing_and_flag_with_value)
{
	cr_assert_eq(parse(BASE, "--netns", NULL), -EINVAL);
	cr_assert(strstr(err, "needs a value"), "%s", err);
	cr_assert_eq(parse(BASE, "--allow-root=yes", NULL), -EINVAL);
}

Test(args, daemonize_flag)
{
	cr_assert_eq(parse(BASE, "--daemonize", NULL), 0, "%s", err);
	cr_assert(a.daemonize);
}

Test(args, daemonize_takes_no_value)
{
	cr_assert_eq(parse(BASE, "--daemonize=yes", NULL), -EINVAL);
	cr_assert(strstr(err, "--daemonize takes no value"), "%s", err);
}

Test(args, daemonize_with_other_options)
{
	cr_assert_eq(parse("--daemonize", BASE, "--new-netns", "--cgroup", "pids.max=8",
			   "--resource-limit", "nofile=64", "--file", "/img/disk", "--", "--net", NULL),
		     0, "%s", err);
	cr_assert(a.daemonize);
	cr_assert(a.new_netns);
	cr_assert_str_eq(a.cgroup[JAIL_CG_PIDS_MAX], "8");
	cr_assert_eq(a.rlimit[JAIL_RL_NOFILE], 64);
	cr_assert_eq(a.nfiles, 1);
	cr_assert_eq(a.exec_argc, 1);
}

Test(args, daemonize_still_needs_the_required_options)
{
	cr_assert_eq(parse("--daemonize", "--id", "a", "--exec-file", "/c", "--uid", "1", NULL),
		     -EINVAL);
	cr_assert(strstr(err, "--gid"), "%s", err);
	cr_assert_eq(parse("--daemonize", "--id", "a", "--exec-file", "/c", "--uid", "0", "--gid",
			   "1", NULL), -EINVAL);
	cr_assert(strstr(err, "--allow-root"), "%s", err);
}

Test(args, daemonize_after_dashdash_is_cvmms)
{
	cr_assert_eq(parse(BASE, "--", "--daemonize", NULL), 0, "%s", err);
	cr_assert_not(a.daemonize);
	cr_assert_eq(a.exec_argc, 1);
	cr_assert_str_eq(a.exec_argv[0], "--daemonize");
}

Test(args, daemonize_with_help_is_help)
{
	cr_assert_eq(parse("--daemonize", "--help", NULL), 0, "%s", err);
	cr_assert(a.help);
}
