// SPDX-License-Identifier: MIT
// Building and loading one thread's filter with libseccomp (seccomp.h):
// the base rules and those of the thread's kind allow; anything else traps
// (kill mode, reported by seccomp_report.c) or is logged by the kernel and
// let through (log mode).  A call from a foreign ABI (x32, or i386 through
// int 0x80) kills the process outright: no rule was written for those.
// libseccomp sets no_new_privs before it loads a filter (its default), as
// the kernel requires of a process without CAP_SYS_ADMIN.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <seccomp.h>

#include "seccomp_internal.h"
#include "vmm_internal.h"

static const char *const kind_names[VMM__SECCOMP_KINDS] = {
	[VMM__SECCOMP_VCPU] = "vcpu",
	[VMM__SECCOMP_EVENT_LOOP] = "event-loop",
	[VMM__SECCOMP_API] = "api",
	[VMM__SECCOMP_DUMP] = "dump",
};

const char *vmm__seccomp_thread_kind_name(enum vmm__seccomp_thread kind)
{
	return (unsigned)kind < VMM__SECCOMP_KINDS ? kind_names[kind] : NULL;
}

/* The kernel reads ioctl requests, fds and signal numbers as 32-bit ints:
 * compare those bits only, so that a sign-extended value cannot slip by. */
#define LOW32 0xffffffffull

static int add_rule(scmp_filter_ctx ctx, const struct vmm__sc_rule *r, pid_t pid)
{
	struct scmp_arg_cmp c[2];
	unsigned int n = 0;
	uint64_t sig;

	switch (r->check) {
	case VMM__SC_ANY:
		break;
	case VMM__SC_EQ:
		c[n++] = SCMP_CMP64(r->arg, SCMP_CMP_MASKED_EQ, LOW32, r->value & LOW32);
		break;
	case VMM__SC_CLEAR:
		c[n++] = SCMP_CMP64(r->arg, SCMP_CMP_MASKED_EQ, r->value, 0);
		break;
	case VMM__SC_SIGNAL:
		sig = r->value == VMM__SC_SIG_KICK ? (uint64_t)VMM_KICK_SIGNAL : r->value;
		c[n++] = SCMP_CMP64(0, SCMP_CMP_MASKED_EQ, LOW32, (uint64_t)(uint32_t)pid);
		c[n++] = SCMP_CMP64(r->arg, SCMP_CMP_MASKED_EQ, LOW32, sig);
		break;
	}
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, r->nr, n, c);
}

static int add_rules(scmp_filter_ctx ctx, const struct vmm__sc_rule *rules, size_t n,
		     int *bad)
{
	pid_t pid = getpid();

	for (size_t i = 0; i < n; i++) {
		int r = add_rule(ctx, &rules[i], pid);

		if (r) {
			*bad = rules[i].nr;
			return r;
		}
	}
	return 0;
}

/* Base and kind rules into a fresh filter, then into the kernel. */
static int build_and_load(enum vmm__seccomp_thread kind, enum vmm_seccomp_mode mode,
			  char *err, size_t errlen)
{
	const char *what = vmm__seccomp_thread_kind_name(kind);
	const struct vmm__sc_rule *rules;
	scmp_filter_ctx ctx;
	int r, bad = -1;
	size_t n;

	ctx = seccomp_init(mode == VMM_SECCOMP_KILL ? SCMP_ACT_TRAP : SCMP_ACT_LOG);
	if (!ctx) {
		snprintf(err, errlen, "seccomp: %s filter: cannot create it (out of memory, "
			 "or a kernel without SECCOMP_RET_LOG)", what);
		return -ENOMEM;
	}
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	/* The kernel logs each trap too: the one record left when SIGSYS was
	 * blocked at the call (pthread_create(), raise()), which makes the
	 * kernel kill the process before the handler can report. */
	if (r == 0 && mode == VMM_SECCOMP_KILL)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	rules = vmm__seccomp_base_rules(&n);
	if (r == 0)
		r = add_rules(ctx, rules, n, &bad);
	rules = vmm__seccomp_kind_rules(kind, &n);
	if (r == 0)
		r = add_rules(ctx, rules, n, &bad);
	if (r) {
		snprintf(err, errlen, "seccomp: %s filter: rule for syscall %d: %s", what, bad,
			 strerror(-r));
	} else if ((r = seccomp_load(ctx)) != 0) {
		snprintf(err, errlen, "seccomp: %s filter: cannot load it: %s", what,
			 strerror(-r));
	}
	seccomp_release(ctx);
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
	return build_and_load(kind, mode, err, errlen);
}
