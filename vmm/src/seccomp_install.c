// SPDX-License-Identifier: MIT
// Loading one thread's filter: the program compiled at build time for its
// kind and mode (seccomp_programs.h), with this process's id and the kick
// signal put in, goes to the kernel through seccomp(2) after
// no_new_privs, which the kernel requires of a process without
// CAP_SYS_ADMIN.  In kill mode the kernel also logs each trap
// (SECCOMP_FILTER_FLAG_LOG): the one record left when SIGSYS was blocked
// at the call (pthread_create(), raise()), which makes the kernel kill the
// process before the report's handler can run.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/seccomp.h>

#include "seccomp_internal.h"
#include "seccomp_programs.h"
#include "vmm_internal.h"

int vmm__seccomp_program(enum vmm__seccomp_thread kind, enum vmm_seccomp_mode mode,
			 uint32_t pid, uint32_t kick, struct sock_filter **out, size_t *len)
{
	const struct vmm__sc_program *p;
	struct sock_filter *f;

	if ((unsigned)kind >= VMM__SECCOMP_KINDS ||
	    (mode != VMM_SECCOMP_KILL && mode != VMM_SECCOMP_LOG))
		return -EINVAL;
	p = &vmm__sc_programs[mode == VMM_SECCOMP_KILL ? VMM__SC_SET_KILL : VMM__SC_SET_LOG][kind];
	f = malloc(p->len * sizeof(*f));
	if (!f)
		return -ENOMEM;
	memcpy(f, p->insns, p->len * sizeof(*f));
	for (uint16_t i = 0; i < p->n_pid; i++)
		f[p->pid_at[i]].k = pid;
	for (uint16_t i = 0; i < p->n_kick; i++)
		f[p->kick_at[i]].k = kick;
	*out = f;
	*len = p->len;
	return 0;
}

static int load(enum vmm__seccomp_thread kind, enum vmm_seccomp_mode mode)
{
	unsigned int flags = mode == VMM_SECCOMP_KILL ? SECCOMP_FILTER_FLAG_LOG : 0;
	struct sock_fprog prog;
	struct sock_filter *f;
	size_t len;
	int r;

	r = vmm__seccomp_program(kind, mode, (uint32_t)getpid(), (uint32_t)VMM_KICK_SIGNAL, &f,
				 &len);
	if (r)
		return r;
	prog.len = (unsigned short)len;
	prog.filter = f;
	r = 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog))
		r = -errno;
	free(f);
	return r;
}

int vmm__seccomp_install(enum vmm__seccomp_thread kind, enum vmm_seccomp_mode mode,
			 char *err, size_t errlen)
{
	const char *what = vmm__seccomp_thread_kind_name(kind);
	int r;

	if (!what || (mode != VMM_SECCOMP_KILL && mode != VMM_SECCOMP_LOG &&
		      mode != VMM_SECCOMP_OFF)) {
		snprintf(err, errlen, "seccomp: unknown thread kind %d or mode %d", (int)kind,
			 (int)mode);
		return -EINVAL;
	}
	if (mode == VMM_SECCOMP_OFF)
		return 0;
	if (!vmm__seccomp_thread_name()[0])
		vmm__seccomp_name_thread(what);
	/* Other threads also carry the name as their task name: ps -L, and
	 * the comm= of the kernel's log lines in log mode.  The main
	 * thread's name is the process's, which tools look for. */
	if (gettid() != getpid())
		prctl(PR_SET_NAME, vmm__seccomp_thread_name(), 0, 0, 0);
	if (mode == VMM_SECCOMP_KILL && (r = vmm__seccomp_report_prepare()) != 0) {
		snprintf(err, errlen, "seccomp: SIGSYS handler: %s", strerror(-r));
		return r;
	}
	r = load(kind, mode);
	if (r)
		snprintf(err, errlen, "seccomp: %s filter: cannot load it: %s", what,
			 strerror(-r));
	return r;
}
