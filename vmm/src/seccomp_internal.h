/* SPDX-License-Identifier: MIT */
/*
 * What the seccomp files share (seccomp.h is the interface): the rule
 * tables of seccomp_filters.c, which seccomp_compile.c turns into programs
 * at build time; the loader of seccomp_install.c; and the report of
 * seccomp_report.c, which says which thread made which forbidden call.
 */
#ifndef VMM_SECCOMP_INTERNAL_H
#define VMM_SECCOMP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>

#include "seccomp.h"

/* How a rule looks at the call's arguments. */
enum vmm__sc_check {
	VMM__SC_ANY,		/* any arguments */
	VMM__SC_EQ,		/* argument arg, low 32 bits, == value */
	VMM__SC_CLEAR,		/* argument arg has none of the bits of value */
	VMM__SC_SIGNAL,		/* tgkill to a thread of this process, signal value */
};

/* The kick signal (vmm_internal.h), known only at run time. */
#define VMM__SC_SIG_KICK 0u

struct vmm__sc_rule {
	int nr;			/* SCMP_SYS(name) */
	enum vmm__sc_check check;
	unsigned int arg;	/* argument index, 0..5 */
	uint64_t value;
};

/* Rules every thread gets. */
const struct vmm__sc_rule *vmm__seccomp_base_rules(size_t *n);
/* Rules of one kind on top of the base; NULL for an unknown kind. */
const struct vmm__sc_rule *vmm__seccomp_kind_rules(enum vmm__seccomp_thread kind, size_t *n);

/*
 * Build time and tests only (libseccomp): kind's filter for mode
 * (VMM_SECCOMP_KILL or _LOG), with tgkill() allowed at pid and the kick
 * signal kick.  *out is malloc()ed, *len instructions.  Returns 0, or
 * -errno with one line in err.
 */
int vmm__seccomp_compile(enum vmm__seccomp_thread kind, enum vmm_seccomp_mode mode,
			 uint32_t pid, uint32_t kick, struct sock_filter **out, size_t *len,
			 char *err, size_t errlen);

/* Build time and tests only: libseccomp's name of x86_64 syscall nr into
 * buf.  Returns 0, -ENOENT for a number it does not know, or
 * -ENAMETOOLONG. */
int vmm__seccomp_name_of(int nr, char *buf, size_t len);

/*
 * The build-time program of kind for mode with pid and kick put in: what
 * vmm__seccomp_install() loads.  *out is malloc()ed, *len instructions.
 * Returns 0, -EINVAL for an unknown kind or a mode without a filter, or
 * -ENOMEM.
 */
int vmm__seccomp_program(enum vmm__seccomp_thread kind, enum vmm_seccomp_mode mode,
			 uint32_t pid, uint32_t kick, struct sock_filter **out, size_t *len);

/* Longest thread name kept, as for a Linux task name. */
#define VMM__SC_NAME_MAX 15u

/* Installs the process-wide SIGSYS handler of the report before the first
 * kill-mode filter.  Idempotent. */
int vmm__seccomp_report_prepare(void);

/* The calling thread's report name ("" when vmm__seccomp_name_thread()
 * was not called). */
const char *vmm__seccomp_thread_name(void);

/* The name of syscall nr (the build-time table), or "?". */
const char *vmm__seccomp_syscall_name(long nr);

/*
 * "cvmm: seccomp: thread T made forbidden syscall N (NAME); stopping\n"
 * into buf without allocating or locking (the SIGSYS handler uses it).
 * Truncates to len - 1 bytes, always NUL-terminated when len > 0; returns
 * the length written.
 */
size_t vmm__seccomp_format_report(char *buf, size_t len, const char *thread, long nr,
				  const char *name);

#endif
