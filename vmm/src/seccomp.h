/* SPDX-License-Identifier: MIT */
/*
 * Per-thread seccomp filters (docs/seccomp.md).  Every cvmm thread that can
 * be reached by a guest or an API client, once set up, confines itself
 * to the system calls its kind of work needs: vCPU threads, the event-loop
 * thread, the control API thread and the state-dump thread each have an
 * allowlist of their own, with ioctl request numbers, socket families,
 * memory protections and signal targets checked where it matters.
 *
 * A filter applies to the calling thread and to threads it creates later,
 * so each thread installs its own, after it has created its children.
 *
 * --seccomp=kill (the default): a forbidden call is not made; the thread
 * writes one line to stderr, "cvmm: seccomp: thread NAME made forbidden
 * syscall NR (NAME); stopping", and the process dies of SIGSYS.
 * --seccomp=log: the kernel logs the call and lets it through.
 * --seccomp=off: nothing is installed.
 */
#ifndef VMM_SECCOMP_H
#define VMM_SECCOMP_H

#include <stddef.h>

#include <vmm/config.h>

enum vmm__seccomp_thread {
	VMM__SECCOMP_VCPU,		/* runs KVM_RUN and the exits on the buses */
	VMM__SECCOMP_EVENT_LOOP,	/* vmm_run()'s thread: devices, timers, teardown */
	VMM__SECCOMP_API,		/* the control API: socket, pause, snapshots, metrics */
	VMM__SECCOMP_DUMP,		/* the state dump on its signal */
	VMM__SECCOMP_KINDS
};

/* "vcpu", "event-loop", "api", "dump"; NULL for anything else. */
const char *vmm__seccomp_thread_kind_name(enum vmm__seccomp_thread kind);

/*
 * Names the calling thread in the report line (at most 15 characters are
 * kept), e.g. "vcpu0".  Without it the kind's name is used.  Per thread.
 */
void vmm__seccomp_name_thread(const char *name);

/*
 * Installs kind's filter on the calling thread in mode, with
 * no_new_privs; VMM_SECCOMP_OFF installs nothing.  Call it once per thread,
 * after the thread has created every thread it will create.
 * Returns 0, or -EINVAL for an unknown kind or mode, or libseccomp's or
 * the kernel's -errno, with one line in err.
 */
__attribute__((warn_unused_result))
int vmm__seccomp_install(enum vmm__seccomp_thread kind, enum vmm_seccomp_mode mode,
			 char *err, size_t errlen);

#endif
