// SPDX-License-Identifier: MIT
// jail-probe: a static program that cvmm-jailer's tests run in cvmm's place
// to report, from inside the jail, what the jail is made of: ids,
// capabilities (capget, PR_CAPBSET_READ, PR_CAP_AMBIENT), no_new_privs,
// rlimits, open fds, the root directory's entries, host paths, hostname,
// PIDs, device nodes, network interfaces. It reads no /proc: the jail has
// none. Each argument is an action; each report is one key=value line.
//   report          the lines above
//   see=PATH        see:PATH=1 when PATH exists in the jail, else 0
//   rw=PATH         rw:PATH=0 when PATH opens read-write, else the errno
//   dev=PATH        dev:PATH=MAJ:MIN:MODE:UID:GID or absent
//   forks           how many children fork() gives before it fails
//   hold            prints "ready" and waits for stdin to close
//   pause           waits for a signal: SIGUSR1 ends the wait (the probe
//                   goes on and exits 0), others act as usual (for
//                   --daemonize, where stdin is /dev/null)
//   kill, segv      dies of SIGKILL sent to itself / of a real SIGSEGV
//   exit=N          exits with N
//   --anything      ignored (stands for a cvmm option)
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <linux/capability.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static void report_ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("uid=%u,%u,%u\ngid=%u,%u,%u\ngroups=%d\n", r, e, s, gr, ge, gs, getgroups(0, NULL));
	printf("pid=%d\nppid=%d\n", (int)getpid(), (int)getppid());
}

static void report_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	int bnd = 0, amb = 0;

	if (syscall(SYS_capget, &h, d))
		printf("capget=%d\n", errno);
	printf("cap_eff=%08x%08x\ncap_prm=%08x%08x\ncap_inh=%08x%08x\n", d[1].effective,
	       d[0].effective, d[1].permitted, d[0].permitted, d[1].inheritable, d[0].inheritable);
	for (int c = 0; c < 64; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			bnd++;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1)
			amb++;
	}
	printf("cap_bnd_count=%d\ncap_amb_count=%d\n", bnd, amb);
	printf("no_new_privs=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

static void report_limits(void)
{
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	printf("rlimit_nofile=%llu,%llu\n", (unsigned long long)rl.rlim_cur,
	       (unsigned long long)rl.rlim_max);
	getrlimit(RLIMIT_FSIZE, &rl);
	printf("rlimit_fsize=%llu,%llu\n", (unsigned long long)rl.rlim_cur,
	       (unsigned long long)rl.rlim_max);
}

static void report_fds(void)
{
	printf("fds=");
	for (int fd = 0, first = 1; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) >= 0) {
			printf("%s%d", first ? "" : ",", fd);
			first = 0;
		}
	printf("\n");
}

static int cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void report_root(void)
{
	char *names[256];
	int n = 0;
	DIR *d = opendir("/");
	struct dirent *e;

	while (d && (e = readdir(d)) && n < 256)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	if (d)
		closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp);
	printf("root=");
	for (int i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", names[i]);
	printf("\n");
}

static void report_misc(void)
{
	struct utsname u;
	struct if_nameindex *ifs = if_nameindex();

	uname(&u);
	printf("hostname=%s\n", u.nodename);
	printf("netifs=");
	for (struct if_nameindex *i = ifs; i && i->if_index; i++)
		printf("%s%s", i == ifs ? "" : ",", i->if_name);
	printf("\n");
	if (ifs)
		if_freenameindex(ifs);
}

static void dev(const char *path)
{
	struct stat st;

	if (stat(path, &st)) {
		printf("dev:%s=absent\n", path);
		return;
	}
	printf("dev:%s=%s%u:%u:%04o:%u:%u\n", path, S_ISCHR(st.st_mode) ? "" : "notchr:",
	       major(st.st_rdev), minor(st.st_rdev), st.st_mode & 07777, st.st_uid, st.st_gid);
}

/* Children wait on a pipe so that all of them exist at once. */
static void forks(void)
{
	int p[2], n = 0, e = 0;

	if (pipe(p))
		return;
	for (; n < 64; n++) {
		pid_t c = fork();

		if (c == 0) {
			char b;

			close(p[1]);
			(void)!read(p[0], &b, 1);
			_exit(0);
		}
		if (c < 0) {
			e = errno;
			break;
		}
	}
	close(p[1]);
	while (wait(NULL) > 0)
		;
	printf("forks=%d,%s\n", n, e == EAGAIN ? "EAGAIN" : e ? strerror(e) : "none");
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* sigsuspend, not pause(): a SIGUSR1 that comes between the sigaction and
 * the wait is not lost. */
static void wait_usr1(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t usr1, old;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	sigaction(SIGUSR1, &sa, NULL);
	sigdelset(&old, SIGUSR1);
	sigsuspend(&old);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "report")) {
			report_ids();
			report_caps();
			report_limits();
			report_fds();
			report_root();
			report_misc();
		} else if (!strncmp(a, "see=", 4)) {
			printf("see:%s=%d\n", a + 4, access(a + 4, F_OK) == 0);
		} else if (!strncmp(a, "rw=", 3)) {
			int fd = open(a + 3, O_RDWR);

			printf("rw:%s=%d\n", a + 3, fd < 0 ? errno : 0);
			if (fd >= 0)
				close(fd);
		} else if (!strncmp(a, "dev=", 4)) {
			dev(a + 4);
		} else if (!strcmp(a, "forks")) {
			forks();
		} else if (!strcmp(a, "hold")) {
			char b;

			printf("ready\n");
			while (read(0, &b, 1) > 0)
				;
		} else if (!strcmp(a, "pause")) {
			wait_usr1();
		} else if (!strcmp(a, "kill")) {
			kill(getpid(), SIGKILL);
			printf("still-alive-after-SIGKILL\n");
		} else if (!strcmp(a, "segv")) {
			volatile uintptr_t addr = 8;    /* a real fault, not raise() */

			*(volatile int *)addr = 1;
		} else if (!strncmp(a, "exit=", 5)) {
			return atoi(a + 5);
		} else if (!strncmp(a, "--", 2)) {
			continue;       /* cvmm's options, for the jailer to see */
		} else {
			printf("unknown=%s\n", a);
			return 99;
		}
	}
	return 0;
}
