// SPDX-License-Identifier: MIT
// The report of a forbidden system call under --seccomp=kill (seccomp.h).
// The filters' default action is SECCOMP_RET_TRAP (seccomp(2)): the call is
// not made, and the thread that tried it gets SIGSYS with si_code
// SYS_SECCOMP and the call's number in si_syscall.  The handler writes one
// line naming the thread, the number and the call's name, then puts SIGSYS
// back to its default action and sends it to its own thread; the signal,
// blocked while the handler runs, is delivered as the handler returns and
// ends the process (docs/seccomp.md says why not SECCOMP_RET_KILL_PROCESS).
//
// A signal handler may not allocate or take locks, so everything it reads
// is ready before the first filter: the names of all calls in a constant
// table (libseccomp's names, written at build time: seccomp_programs.h),
// and each thread's name in thread-local storage.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_internal.h"
#include "seccomp_programs.h"

/* si_code of a seccomp trap (asm-generic/siginfo.h); glibc's headers lack
 * it, and the kernel's clash with glibc's siginfo_t. */
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

static pthread_once_t prepared = PTHREAD_ONCE_INIT;
static int prepare_result;

/* initial-exec: no lazy allocation on the first access, which the
 * handler may be. */
static __thread char thread_name[VMM__SC_NAME_MAX + 1]
	__attribute__((tls_model("initial-exec")));

void vmm__seccomp_name_thread(const char *name)
{
	snprintf(thread_name, sizeof(thread_name), "%s", name ? name : "");
}

const char *vmm__seccomp_thread_name(void)
{
	return thread_name;
}

const char *vmm__seccomp_syscall_name(long nr)
{
	if (nr < 0 || nr >= VMM__SC_NAMES || !vmm__sc_syscall_names[nr][0])
		return "?";
	return vmm__sc_syscall_names[nr];
}

struct out {
	char *buf;
	size_t len, used;
};

static void put(struct out *o, const char *s)
{
	for (; *s; s++)
		if (o->used + 1 < o->len)
			o->buf[o->used++] = *s;
}

static void put_num(struct out *o, long v)
{
	char digits[24];
	unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
	size_t i = sizeof(digits);

	digits[--i] = '\0';
	do {
		digits[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		digits[--i] = '-';
	put(o, digits + i);
}

size_t vmm__seccomp_format_report(char *buf, size_t len, const char *thread, long nr,
				  const char *name)
{
	struct out o = { buf, len, 0 };

	if (!buf || len == 0)
		return 0;
	put(&o, "cvmm: seccomp: thread ");
	put(&o, thread && thread[0] ? thread : "?");
	put(&o, " made forbidden syscall ");
	put_num(&o, nr);
	put(&o, " (");
	put(&o, name ? name : "?");
	put(&o, "); stopping\n");
	buf[o.used] = '\0';
	return o.used;
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int saved = errno;

	(void)uc;
	if (si->si_code == SYS_SECCOMP) {
		char line[160];
		size_t n = vmm__seccomp_format_report(line, sizeof(line), thread_name,
						      si->si_syscall,
						      vmm__seccomp_syscall_name(si->si_syscall));

		(void)!write(STDERR_FILENO, line, n);
	}
	/* Raw calls: raise() would also mask every signal, one more call
	 * that each filter would have to allow. */
	sigaction(sig, &dfl, NULL);
	syscall(SYS_tgkill, syscall(SYS_getpid), syscall(SYS_gettid), sig);
	errno = saved;
}

static void prepare_once(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	prepare_result = sigaction(SIGSYS, &sa, NULL) ? -errno : 0;
}

int vmm__seccomp_report_prepare(void)
{
	pthread_once(&prepared, prepare_once);
	return prepare_result;
}
