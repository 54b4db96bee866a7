// SPDX-License-Identifier: MIT
// The per-thread seccomp filters (seccomp.h, docs/seccomp.md).  Each case
// forks a child, which points its stderr at a pipe, installs one kind's
// filter and makes calls; the parent judges how the child ended and what
// it wrote.  Only the child is ever filtered, so the test process itself
// (and a sanitizer's runtime in it) keeps every call.
//
// Allowed calls are made with arguments that fail harmlessly (a pipe is
// not a KVM fd, -1 is not an fd): the point is that the filter lets them
// reach the kernel, so the child sees the kernel's errno instead of dying.
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "seccomp.h"
#include "seccomp_internal.h"
#include "snap_memory.h"
#include "vmm_internal.h"

struct ending {
	int status;
	char err[1024];
};

/* Filled before each fork: what a probe may use after the filter. */
static int pipe_fd = -1;
static pid_t parent_pid;

static void read_all(int fd, char *buf, size_t len)
{
	size_t used = 0;
	ssize_t n;

	while (used + 1 < len && (n = read(fd, buf + used, len - used - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
}

/* The child ends with the raw call: a sanitizer's _exit() path and its
 * thread teardown make calls (sigaltstack) that no filter allows, and
 * cvmm's threads never carry a sanitizer runtime. */
static void quit(int code)
{
	syscall(SYS_exit_group, code);
}

/*
 * Child: no core file, stderr into the pipe, the thread named (when name
 * is set), kind's filter in mode, then probe(); its return value is the
 * exit code.  Exit code 99: the install failed (its message on stderr).
 */
static void run(enum vmm__seccomp_thread kind, enum vmm_seccomp_mode mode, const char *name,
		int (*probe)(void), struct ending *e)
{
	int out[2], dummy[2];
	pid_t pid;

	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(dummy, O_CLOEXEC), 0);
	pipe_fd = dummy[0];
	parent_pid = getpid();
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		char err[256];

		setrlimit(RLIMIT_CORE, &no_core);
		dup2(out[1], STDERR_FILENO);
		if (name)
			vmm__seccomp_name_thread(name);
		if (vmm__seccomp_install(kind, mode, err, sizeof(err))) {
			dprintf(STDERR_FILENO, "%s\n", err);
			quit(99);
		}
		quit(probe());
	}
	close(out[1]);
	read_all(out[0], e->err, sizeof(e->err));
	close(out[0]);
	close(dummy[0]);
	close(dummy[1]);
	cr_assert_eq(waitpid(pid, &e->status, 0), pid);
}

static void expect_survives(enum vmm__seccomp_thread kind, int (*probe)(void), const char *what)
{
	struct ending e;

	run(kind, VMM_SECCOMP_KILL, NULL, probe, &e);
	cr_expect(WIFEXITED(e.status) && WEXITSTATUS(e.status) == 0,
		  "%s filter, %s: expected to pass, status 0x%x, stderr '%s'",
		  vmm__seccomp_thread_kind_name(kind), what, e.status, e.err);
	cr_expect_str_empty(e.err, "%s filter, %s: stderr '%s'",
			    vmm__seccomp_thread_kind_name(kind), what, e.err);
}

/* Killed by SIGSYS after exactly the report line for nr. */
static void expect_killed(enum vmm__seccomp_thread kind, const char *name, int (*probe)(void),
			  long nr, const char *call)
{
	const char *thread = name ? name : vmm__seccomp_thread_kind_name(kind);
	char want[160];
	struct ending e;

	snprintf(want, sizeof(want),
		 "cvmm: seccomp: thread %s made forbidden syscall %ld (%s); stopping\n", thread,
		 nr, call);
	run(kind, VMM_SECCOMP_KILL, name, probe, &e);
	cr_expect(WIFSIGNALED(e.status) && WTERMSIG(e.status) == SIGSYS,
		  "%s filter, %s: expected death by SIGSYS, status 0x%x, stderr '%s'", thread,
		  call, e.status, e.err);
	cr_expect_str_eq(e.err, want);
}

/* ---- calls each filter must let through ---- */

static int ok_if(long r, int want_errno)
{
	if (want_errno == 0)
		return r < 0;
	return !(r < 0 && errno == want_errno);
}

static int kvm_run_ioctl(void) { return ok_if(ioctl(pipe_fd, KVM_RUN, 0), ENOTTY); }
static int kvm_get_regs_ioctl(void)
{
	struct kvm_regs regs;

	return ok_if(ioctl(pipe_fd, KVM_GET_REGS, &regs), ENOTTY);
}
static int irq_line_ioctl(void)
{
	struct kvm_irq_level l = { 0 };

	return ok_if(ioctl(pipe_fd, KVM_IRQ_LINE, &l), ENOTTY);
}
static int get_clock_ioctl(void)
{
	struct kvm_clock_data c;

	return ok_if(ioctl(pipe_fd, KVM_GET_CLOCK, &c), ENOTTY);
}
static int stdout_write(void) { return ok_if(write(STDOUT_FILENO, "", 0), 0); }
static int stderr_write(void) { return ok_if(write(STDERR_FILENO, "", 0), 0); }
static int poll_nothing(void) { return ok_if(poll(NULL, 0, 0), 0); }
static int close_bad_fd(void) { return ok_if(close(-1), EBADF); }
static int epoll_ctl_bad_fd(void) { return ok_if(epoll_ctl(-1, EPOLL_CTL_DEL, 0, NULL), EBADF); }
static int uring_enter_bad_fd(void)
{
	return ok_if(syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0), EBADF);
}
static int sigtimedwait_zero(void)
{
	const struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	return ok_if(sigtimedwait(&set, NULL, &zero), EAGAIN);
}
static int mmap_rw_and_unmap(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p, 4096, PROT_READ))
		return 1;
	return munmap(p, 4096) != 0;
}
static int malloc_free(void)
{
	/* Large enough for its own mapping, so free() unmaps it. */
	char *p = malloc(1 << 20);

	if (!p)
		return 1;
	memset(p, 1, 1 << 20);
	free(p);
	return 0;
}
static int unix_socket(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	return fd < 0 || close(fd) != 0;
}
static int accept_bad_fd(void) { return ok_if(accept4(-1, NULL, NULL, 0), EBADF); }
static int timerfd_op(void) { return ok_if(syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0), 0); }
static int unlink_missing(void) { return ok_if(unlink("/nonexistent-cvmm/x"), ENOENT); }
static int tcgets_pipe(void)
{
	struct termios t;

	return ok_if(tcgetattr(pipe_fd, &t), ENOTTY);
}
static int pwrite_bad_fd(void) { return ok_if(pwrite(-1, "", 1, 0), EBADF); }
/* A short io_uring transfer finished during a guest's reset: preadv,
 * pwritev and fdatasync (libvirtio-blk's file backend). */
static int short_transfer_calls(void)
{
	char b[1];
	struct iovec v = { b, 1 };

	return ok_if(preadv(-1, &v, 1, 0), EBADF) || ok_if(pwritev(-1, &v, 1, 0), EBADF) ||
	       ok_if(fdatasync(-1), EBADF);
}
static int open_dev_null(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	return fd < 0 || close(fd) != 0;
}
static int random_bytes(void)
{
	char b[8];

	return syscall(SYS_getrandom, b, sizeof(b), 0) != (long)sizeof(b);
}
/* What snapshot/create does to compare its two paths. */
static int same_file_check(void) { return vmm__snap_same_file("/dev/null", "/dev/zero"); }
static int rename_missing(void) { return ok_if(rename("/nonexistent-cvmm/a", "/nonexistent-cvmm/b"), ENOENT); }
static int short_sleep(void)
{
	const struct timespec t = { 0, 1000 };

	return nanosleep(&t, NULL) != 0;
}
/* The kick signal, blocked first, stays pending: nothing is delivered. */
static int kick_self(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return 1;
	return syscall(SYS_tgkill, getpid(), gettid(), SIGRTMIN + 1) != 0;
}

struct probe {
	int (*fn)(void);
	const char *what;
};

#define P(fn) { fn, #fn }

Test(seccomp, vcpu_filter_allows_what_a_vcpu_thread_does)
{
	static const struct probe p[] = {
		P(kvm_run_ioctl), P(kvm_get_regs_ioctl), P(irq_line_ioctl), P(stdout_write),
		P(stderr_write), P(poll_nothing), P(close_bad_fd), P(epoll_ctl_bad_fd),
		P(uring_enter_bad_fd), P(sigtimedwait_zero), P(mmap_rw_and_unmap),
		P(malloc_free), P(short_transfer_calls),
	};

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		expect_survives(VMM__SECCOMP_VCPU, p[i].fn, p[i].what);
}

Test(seccomp, event_loop_filter_allows_what_the_loop_does)
{
	static const struct probe p[] = {
		P(irq_line_ioctl), P(stdout_write), P(unix_socket), P(accept_bad_fd),
		P(timerfd_op), P(unlink_missing), P(tcgets_pipe), P(pwrite_bad_fd),
		P(uring_enter_bad_fd), P(kick_self), P(mmap_rw_and_unmap), P(malloc_free),
	};

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		expect_survives(VMM__SECCOMP_EVENT_LOOP, p[i].fn, p[i].what);
}

Test(seccomp, api_filter_allows_what_the_api_thread_does)
{
	static const struct probe p[] = {
		P(get_clock_ioctl), P(kvm_get_regs_ioctl), P(irq_line_ioctl), P(accept_bad_fd),
		P(poll_nothing), P(open_dev_null), P(random_bytes), P(rename_missing),
		P(unlink_missing), P(pwrite_bad_fd), P(kick_self), P(malloc_free),
		P(same_file_check),
	};

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		expect_survives(VMM__SECCOMP_API, p[i].fn, p[i].what);
}

Test(seccomp, dump_filter_allows_what_the_dump_thread_does)
{
	static const struct probe p[] = {
		P(stderr_write), P(sigtimedwait_zero), P(short_sleep), P(kick_self),
		P(malloc_free),
	};

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		expect_survives(VMM__SECCOMP_DUMP, p[i].fn, p[i].what);
}

/* ---- calls each filter must stop ---- */

static int raw_fork(void) { return (int)syscall(SYS_fork) >= 0; }
static int create_vm_ioctl(void) { return ioctl(pipe_fd, KVM_CREATE_VM, 0) != 0; }
static int exec_mmap(void)
{
	return syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0) != -1;
}
static int exec_mprotect(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED || syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_EXEC) == 0;
}
static int inet_socket(void) { return syscall(SYS_socket, AF_INET, SOCK_STREAM, 0) >= 0; }
static int unix_socket_raw(void) { return syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0) >= 0; }
static int open_raw(void)
{
	return syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY) >= 0;
}
static int stdout_write_raw(void) { return syscall(SYS_write, STDOUT_FILENO, "", 0) != 0; }
static int epoll_wait_raw(void) { return syscall(SYS_epoll_wait, -1, NULL, 1, 0) != 0; }
static int kill_parent(void) { return syscall(SYS_tgkill, parent_pid, parent_pid, 0) != 0; }
/* A pid no process has: if the filter let this through, it would fail. */
static int signal_elsewhere(void) { return syscall(SYS_tgkill, 0x3ffffff0, 0x3ffffff0, SIGSYS) == 0; }
static int ptrace_me(void) { return syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0) == 0; }
static int getppid_raw(void) { return syscall(SYS_getppid) == parent_pid; }

struct forbidden {
	int (*fn)(void);
	long nr;
	const char *name;
};

static void expect_all_killed(enum vmm__seccomp_thread kind, const struct forbidden *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_killed(kind, NULL, f[i].fn, f[i].nr, f[i].name);
}

#define F(fn, name) { fn, SYS_##name, #name }

Test(seccomp, vcpu_filter_kills_a_forbidden_call_with_one_line)
{
	expect_killed(VMM__SECCOMP_VCPU, "vcpu0", raw_fork, SYS_fork, "fork");
}

Test(seccomp, vcpu_filter_kills_what_a_vcpu_thread_never_does)
{
	static const struct forbidden f[] = {
		F(create_vm_ioctl, ioctl), F(exec_mmap, mmap), F(exec_mprotect, mprotect),
		F(unix_socket_raw, socket), F(open_raw, openat), F(signal_elsewhere, tgkill),
		F(getppid_raw, getppid),
	};

	expect_all_killed(VMM__SECCOMP_VCPU, f, sizeof(f) / sizeof(f[0]));
}

Test(seccomp, event_loop_filter_kills_what_the_loop_never_does)
{
	static const struct forbidden f[] = {
		F(raw_fork, fork), F(kvm_run_ioctl, ioctl), F(inet_socket, socket),
		F(exec_mmap, mmap), F(open_raw, openat), F(kill_parent, tgkill),
		F(ptrace_me, ptrace),
	};

	expect_all_killed(VMM__SECCOMP_EVENT_LOOP, f, sizeof(f) / sizeof(f[0]));
}

Test(seccomp, api_filter_kills_what_the_api_thread_never_does)
{
	static const struct forbidden f[] = {
		F(raw_fork, fork), F(kvm_run_ioctl, ioctl), F(unix_socket_raw, socket),
		F(epoll_wait_raw, epoll_wait), F(exec_mprotect, mprotect),
		F(signal_elsewhere, tgkill),
	};

	expect_all_killed(VMM__SECCOMP_API, f, sizeof(f) / sizeof(f[0]));
}

Test(seccomp, dump_filter_kills_what_the_dump_thread_never_does)
{
	static const struct forbidden f[] = {
		F(raw_fork, fork), F(stdout_write_raw, write), F(kvm_get_regs_ioctl, ioctl),
		F(open_raw, openat), F(unix_socket_raw, socket), F(exec_mmap, mmap),
	};

	expect_all_killed(VMM__SECCOMP_DUMP, f, sizeof(f) / sizeof(f[0]));
}

/* A thread made after the filter inherits it, and no filter allows clone
 * or clone3: each thread installs its filter after making its own. */
static void *nothing(void *arg)
{
	return arg;
}

static int make_thread(void)
{
	pthread_t t;

	return pthread_create(&t, NULL, nothing, NULL) == 0;
}

/* fork-like, so that a filter that let it through fails this test
 * instead of corrupting it. */
static int raw_clone(void)
{
	long r = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);

	if (r == 0)
		quit(0);
	return 1;
}

Test(seccomp, no_thread_can_be_created_under_a_filter)
{
	struct ending e;

	expect_killed(VMM__SECCOMP_EVENT_LOOP, NULL, raw_clone, SYS_clone, "clone");
	/* pthread_create() blocks every signal around clone3: the kernel
	 * then kills at once, and no handler can write the line (the
	 * kernel log keeps the record, docs/seccomp.md). */
	run(VMM__SECCOMP_EVENT_LOOP, VMM_SECCOMP_KILL, NULL, make_thread, &e);
	cr_expect(WIFSIGNALED(e.status) && WTERMSIG(e.status) == SIGSYS, "status 0x%x",
		  e.status);
	cr_expect_str_empty(e.err);
}

/* A foreign ABI has no rules at all: killed outright, no line.  (i386
 * calls through int 0x80 take the same path where the kernel has IA32
 * emulation; this host's may not.) */
static int x32_call(void) { return syscall(0x40000000 | SYS_getpid) >= 0; }

Test(seccomp, foreign_abi_calls_kill_the_process)
{
	struct ending e;

	run(VMM__SECCOMP_VCPU, VMM_SECCOMP_KILL, NULL, x32_call, &e);
	cr_expect(WIFSIGNALED(e.status) && WTERMSIG(e.status) == SIGSYS, "status 0x%x",
		  e.status);
	cr_expect_str_empty(e.err);
}

/* Per thread: a filter installed by one thread leaves the others alone.
 * The thread ends with the raw call (see quit()); the kernel still wakes
 * pthread_join() as its tid is cleared. */
static int confine_result = -1;

static void *confine_me(void *arg)
{
	char err[256];

	(void)arg;
	confine_result = vmm__seccomp_install(VMM__SECCOMP_DUMP, VMM_SECCOMP_KILL, err,
					      sizeof(err));
	syscall(SYS_exit, 0);
	return NULL;
}

static int other_thread_confined(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, confine_me, NULL) || pthread_join(t, NULL) ||
	    confine_result != 0)
		return 1;
	return open_dev_null();	/* the dump filter would kill this */
}

Test(seccomp, a_filter_confines_its_own_thread_only)
{
	struct ending e;

	run(VMM__SECCOMP_VCPU, VMM_SECCOMP_OFF, NULL, other_thread_confined, &e);
	cr_expect(WIFEXITED(e.status) && WEXITSTATUS(e.status) == 0, "status 0x%x, '%s'",
		  e.status, e.err);
}

/* ---- modes ---- */

static int seccomp_state(void) { return prctl(PR_GET_SECCOMP, 0, 0, 0, 0); }
static int nnp_state(void) { return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); }
static int log_mode_state(void)
{
	/* Forbidden under kill; let through (and logged) here. */
	if (syscall(SYS_getppid) != parent_pid)
		return 10;
	return seccomp_state() * 2 + nnp_state();	/* 2 = SECCOMP_MODE_FILTER */
}

Test(seccomp, log_mode_lets_forbidden_calls_through_with_no_new_privs)
{
	struct ending e;

	run(VMM__SECCOMP_VCPU, VMM_SECCOMP_LOG, NULL, log_mode_state, &e);
	cr_expect(WIFEXITED(e.status) && WEXITSTATUS(e.status) == 2 * 2 + 1,
		  "status 0x%x, '%s'", e.status, e.err);
	cr_expect_str_empty(e.err);
	/* The same call under kill: the line and SIGSYS. */
	expect_killed(VMM__SECCOMP_VCPU, NULL, getppid_raw, SYS_getppid, "getppid");
}

static int off_mode_state(void)
{
	return seccomp_state() * 2 + nnp_state() + (syscall(SYS_getppid) != parent_pid) * 10;
}

Test(seccomp, off_mode_installs_nothing)
{
	for (int k = 0; k < VMM__SECCOMP_KINDS; k++) {
		struct ending e;

		run((enum vmm__seccomp_thread)k, VMM_SECCOMP_OFF, NULL, off_mode_state, &e);
		cr_expect(WIFEXITED(e.status) && WEXITSTATUS(e.status) == 0,
			  "kind %d: status 0x%x, '%s'", k, e.status, e.err);
	}
}

Test(seccomp, unknown_kind_or_mode_is_refused_before_anything)
{
	char err[128] = "";

	cr_expect_eq(vmm__seccomp_install(VMM__SECCOMP_KINDS, VMM_SECCOMP_KILL, err,
					  sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "unknown thread kind"), "%s", err);
	cr_expect_eq(vmm__seccomp_install(VMM__SECCOMP_VCPU, (enum vmm_seccomp_mode)7, err,
					  sizeof(err)), -EINVAL);
	cr_expect_eq(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0, "the test process got a filter");
}

/* ---- the build-time programs (seccomp_programs.h) ---- */

/* The program vmm__seccomp_install() would load for pid and kick is the
 * one libseccomp compiles for them, instruction for instruction. */
static void expect_program_is_libseccomps(enum vmm__seccomp_thread kind,
					  enum vmm_seccomp_mode mode, uint32_t pid, uint32_t kick)
{
	struct sock_filter *built, *compiled;
	size_t built_len, compiled_len;
	char err[256] = "";

	cr_assert_eq(vmm__seccomp_program(kind, mode, pid, kick, &built, &built_len), 0);
	cr_assert_eq(vmm__seccomp_compile(kind, mode, pid, kick, &compiled, &compiled_len, err,
					  sizeof(err)), 0, "%s", err);
	cr_expect_eq(built_len, compiled_len, "kind %d mode %d: %zu instructions, libseccomp %zu",
		     kind, mode, built_len, compiled_len);
	for (size_t i = 0; i < built_len && i < compiled_len; i++)
		cr_expect(memcmp(&built[i], &compiled[i], sizeof(built[i])) == 0,
			  "kind %d mode %d pid %u kick %u: instruction %zu is "
			  "{0x%x,%u,%u,0x%x}, libseccomp's {0x%x,%u,%u,0x%x}", kind, mode, pid,
			  kick, i, built[i].code, built[i].jt, built[i].jf, built[i].k,
			  compiled[i].code, compiled[i].jt, compiled[i].jf, compiled[i].k);
	free(built);
	free(compiled);
}

Test(seccomp, build_time_programs_are_what_libseccomp_compiles_for_this_process)
{
	for (int k = 0; k < VMM__SECCOMP_KINDS; k++) {
		expect_program_is_libseccomps(k, VMM_SECCOMP_KILL, (uint32_t)getpid(),
					      (uint32_t)VMM_KICK_SIGNAL);
		expect_program_is_libseccomps(k, VMM_SECCOMP_LOG, (uint32_t)getpid(),
					      (uint32_t)VMM_KICK_SIGNAL);
	}
}

/* Every comparison with the pid and the kick signal is patched, whatever
 * their values: the lowest and highest pid, the first and last
 * real-time signal. */
Test(seccomp, build_time_programs_take_any_pid_and_kick_signal)
{
	static const uint32_t pids[] = { 1, 4194304 };
	static const uint32_t kicks[] = { 34, 64 };

	for (int k = 0; k < VMM__SECCOMP_KINDS; k++)
		for (size_t p = 0; p < 2; p++)
			for (size_t s = 0; s < 2; s++)
				expect_program_is_libseccomps(k, VMM_SECCOMP_KILL, pids[p],
							      kicks[s]);
}

Test(seccomp, build_time_program_refuses_unknown_kind_and_filterless_modes)
{
	struct sock_filter *f = NULL;
	size_t len = 0;

	cr_expect_eq(vmm__seccomp_program(VMM__SECCOMP_KINDS, VMM_SECCOMP_KILL, 1, 34, &f, &len),
		     -EINVAL);
	cr_expect_eq(vmm__seccomp_program(VMM__SECCOMP_VCPU, VMM_SECCOMP_OFF, 1, 34, &f, &len),
		     -EINVAL);
	cr_expect_eq(vmm__seccomp_program(VMM__SECCOMP_VCPU, (enum vmm_seccomp_mode)7, 1, 34, &f,
					  &len), -EINVAL);
	cr_expect_null(f);
	cr_expect_eq(len, 0u);
}

Test(seccomp, build_time_syscall_names_are_libseccomps)
{
	for (int nr = 0; nr < 512; nr++) {
		char name[32];

		if (vmm__seccomp_name_of(nr, name, sizeof(name)) == 0)
			cr_expect_str_eq(vmm__seccomp_syscall_name(nr), name, "syscall %d", nr);
		else
			cr_expect_str_eq(vmm__seccomp_syscall_name(nr), "?", "syscall %d", nr);
	}
}

/* ---- the report ---- */

Test(seccomp, report_line_format)
{
	char buf[160];
	size_t n = vmm__seccomp_format_report(buf, sizeof(buf), "vcpu0", 57, "fork");

	cr_expect_str_eq(buf, "cvmm: seccomp: thread vcpu0 made forbidden syscall 57 (fork); "
			      "stopping\n");
	cr_expect_eq(n, strlen(buf));
	vmm__seccomp_format_report(buf, sizeof(buf), "", -1, NULL);
	cr_expect_str_eq(buf, "cvmm: seccomp: thread ? made forbidden syscall -1 (?); stopping\n");
}

Test(seccomp, report_line_truncates_to_the_buffer)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	cr_expect_eq(vmm__seccomp_format_report(buf, sizeof(buf), "api", 1, "write"), 15u);
	cr_expect_str_eq(buf, "cvmm: seccomp: ");
	cr_expect_eq(vmm__seccomp_format_report(buf, 0, "api", 1, "write"), 0u);
}

Test(seccomp, syscall_names_come_from_the_build_time_table)
{
	cr_expect_str_eq(vmm__seccomp_syscall_name(SYS_fork), "fork");
	cr_expect_str_eq(vmm__seccomp_syscall_name(SYS_ioctl), "ioctl");
	cr_expect_str_eq(vmm__seccomp_syscall_name(SYS_io_uring_enter), "io_uring_enter");
	cr_expect_str_eq(vmm__seccomp_syscall_name(-1), "?");
	cr_expect_str_eq(vmm__seccomp_syscall_name(400), "?");	/* a hole in x86_64's table */
	cr_expect_str_eq(vmm__seccomp_syscall_name(1 << 20), "?");
}

Test(seccomp, thread_names_are_kept_short_and_per_thread)
{
	vmm__seccomp_name_thread("vcpu-with-a-very-long-name");
	cr_expect_eq(strlen(vmm__seccomp_thread_name()), VMM__SC_NAME_MAX);
	vmm__seccomp_name_thread("vcpu7");
	cr_expect_str_eq(vmm__seccomp_thread_name(), "vcpu7");
	expect_killed(VMM__SECCOMP_VCPU, "vcpu3", raw_fork, SYS_fork, "fork");
	cr_expect_str_eq(vmm__seccomp_thread_name(), "vcpu7");
}

/* ---- docs/seccomp.md lists every entry of every table ---- */

#define REQ(r) { r, #r }
static const struct {
	uint64_t req;
	const char *name;
} requests[] = {
	REQ(KVM_RUN), REQ(KVM_GET_REGS), REQ(KVM_SET_REGS), REQ(KVM_GET_SREGS),
	REQ(KVM_GET_MP_STATE), REQ(KVM_GET_VCPU_EVENTS), REQ(KVM_SET_VCPU_EVENTS),
	REQ(KVM_CHECK_EXTENSION), REQ(KVM_GET_XSAVE), REQ(KVM_GET_XSAVE2), REQ(KVM_SET_XSAVE),
	REQ(KVM_IRQ_LINE), REQ(TUNSETOFFLOAD), REQ(KVM_IOEVENTFD), REQ(KVM_IRQFD), REQ(TCGETS),
	REQ(TCSETSF), REQ(KVM_GET_CLOCK), REQ(KVM_SET_CLOCK), REQ(KVM_GET_MSRS),
	REQ(KVM_SET_MSRS), REQ(KVM_GET_SUPPORTED_CPUID), REQ(KVM_GET_FPU), REQ(KVM_GET_XCRS),
	REQ(KVM_GET_DEBUGREGS), REQ(KVM_GET_LAPIC), REQ(KVM_GET_CPUID2), REQ(KVM_GET_TSC_KHZ),
	REQ(KVM_GET_IRQCHIP), REQ(KVM_GET_PIT2),
};

static const char *request_name(uint64_t req)
{
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		if (requests[i].req == req)
			return requests[i].name;
	return NULL;
}

/* The text from the heading to the next heading, in a static buffer. */
static const char *doc_section(const char *doc, const char *heading)
{
	static char sec[16384];
	const char *p = strstr(doc, heading), *end;

	cr_assert(p, "%s: no section '%s'", VMM_SECCOMP_DOC, heading);
	end = strstr(p + strlen(heading), "\n#");
	if (!end)
		end = p + strlen(p);
	cr_assert_lt((size_t)(end - p), sizeof(sec));
	memcpy(sec, p, (size_t)(end - p));
	sec[end - p] = '\0';
	return sec;
}

static void expect_listed(const char *sec, const char *heading, const struct vmm__sc_rule *r,
			  size_t n)
{
	char want[64];

	for (size_t i = 0; i < n; i++) {
		const char *name = vmm__seccomp_syscall_name(r[i].nr);

		snprintf(want, sizeof(want), "`%s`", name);
		cr_expect(strstr(sec, want), "%s lacks %s", heading, want);
		if (r[i].nr != SYS_ioctl)
			continue;
		name = request_name(r[i].value);
		cr_expect(name, "%s: ioctl 0x%llx has no name in this test", heading,
			  (unsigned long long)r[i].value);
		snprintf(want, sizeof(want), "`%s`", name ? name : "?");
		cr_expect(strstr(sec, want), "%s lacks %s", heading, want);
	}
}

Test(seccomp, the_docs_list_every_call_of_every_filter)
{
	static const char *const headings[VMM__SECCOMP_KINDS] = {
		[VMM__SECCOMP_VCPU] = "### vCPU threads",
		[VMM__SECCOMP_EVENT_LOOP] = "### Event loop",
		[VMM__SECCOMP_API] = "### Control API",
		[VMM__SECCOMP_DUMP] = "### State dump",
	};
	static char doc[65536];
	const struct vmm__sc_rule *r;
	FILE *f = fopen(VMM_SECCOMP_DOC, "r");
	size_t n;

	cr_assert(f, "%s: %s", VMM_SECCOMP_DOC, strerror(errno));
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	cr_assert_eq(vmm__seccomp_report_prepare(), 0);
	r = vmm__seccomp_base_rules(&n);
	expect_listed(doc_section(doc, "### Base"), "### Base", r, n);
	for (int k = 0; k < VMM__SECCOMP_KINDS; k++) {
		r = vmm__seccomp_kind_rules((enum vmm__seccomp_thread)k, &n);
		expect_listed(doc_section(doc, headings[k]), headings[k], r, n);
	}
}
