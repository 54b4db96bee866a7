/* SPDX-License-Identifier: MIT */
/*
 * What the seccomp files share (seccomp.h is the interface): the rule
 * tables of seccomp_filters.c, read by seccomp_install.c, and the report
 * of seccomp_report.c, which says which thread made which forbidden call.
 */
#ifndef VMM_SECCOMP_INTERNAL_H
#define VMM_SECCOMP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

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

/* Longest thread name kept, as for a Linux task name. */
#define VMM__SC_NAME_MAX 15u

/*
 * Prepares the report before the first kill-mode filter: the syscall name
 * table (libseccomp's names, resolved now because nothing may allocate in
 * a signal handler) and the process-wide SIGSYS handler.  Idempotent.
 */
int vmm__seccomp_report_prepare(void);

/* The calling thread's report name ("" when vmm__seccomp_name_thread()
 * was not called). */
const char *vmm__seccomp_thread_name(void);

/* The prepared name of syscall nr, or "?" (also before preparation). */
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
