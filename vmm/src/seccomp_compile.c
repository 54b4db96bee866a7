// SPDX-License-Identifier: MIT
// libseccomp compiles one thread kind's allowlist (seccomp_filters.c) into
// a classic-BPF program.  This runs at build time, in the generator that
// writes the programs libvmm loads (vmm/gen/seccomp_gen.c), and in the
// test that checks them against a fresh compile; libvmm itself does not
// link libseccomp (docs/seccomp.md, "Compiled at build time").
//
// The filter: anything not allowed traps (kill mode) or is logged by the
// kernel and let through (log mode); a call from a foreign ABI (x32, or
// i386 through int 0x80) kills the process outright, since no rule was
// written for those.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <seccomp.h>

#include "seccomp_internal.h"

/* The kernel reads ioctl requests, fds and signal numbers as 32-bit ints:
 * compare those bits only, so that a sign-extended value cannot slip by. */
#define LOW32 0xffffffffull

static int add_rule(scmp_filter_ctx ctx, const struct vmm__sc_rule *r, uint32_t pid,
		    uint32_t kick)
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
		sig = r->value == VMM__SC_SIG_KICK ? kick : r->value;
		c[n++] = SCMP_CMP64(0, SCMP_CMP_MASKED_EQ, LOW32, pid);
		c[n++] = SCMP_CMP64(r->arg, SCMP_CMP_MASKED_EQ, LOW32, sig);
		break;
	}
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, r->nr, n, c);
}

static int add_rules(scmp_filter_ctx ctx, const struct vmm__sc_rule *rules, size_t n,
		     uint32_t pid, uint32_t kick, int *bad)
{
	for (size_t i = 0; i < n; i++) {
		int r = add_rule(ctx, &rules[i], pid, kick);

		if (r) {
			*bad = rules[i].nr;
			return r;
		}
	}
	return 0;
}

/* libseccomp 2.5 exports a program only to a file descriptor. */
static int export_program(scmp_filter_ctx ctx, struct sock_filter **out, size_t *len)
{
	int fd = memfd_create("cvmm-seccomp", MFD_CLOEXEC);
	off_t size;
	int r = 0;

	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(ctx, fd);
	size = r ? 0 : lseek(fd, 0, SEEK_END);
	if (r == 0 && (size <= 0 || size % (off_t)sizeof(**out)))
		r = -EPROTO;
	if (r == 0 && !(*out = malloc((size_t)size)))
		r = -ENOMEM;
	if (r == 0 && pread(fd, *out, (size_t)size, 0) != size) {
		free(*out);
		r = -EIO;
	}
	close(fd);
	if (r == 0)
		*len = (size_t)size / sizeof(**out);
	return r;
}

int vmm__seccomp_compile(enum vmm__seccomp_thread kind, enum vmm_seccomp_mode mode,
			 uint32_t pid, uint32_t kick, struct sock_filter **out, size_t *len,
			 char *err, size_t errlen)
{
	const char *what = vmm__seccomp_thread_kind_name(kind);
	const struct vmm__sc_rule *rules;
	scmp_filter_ctx ctx;
	int r, bad = -1;
	size_t n;

	if (!what || (mode != VMM_SECCOMP_KILL && mode != VMM_SECCOMP_LOG)) {
		snprintf(err, errlen, "seccomp: no filter for kind %d in mode %d", (int)kind,
			 (int)mode);
		return -EINVAL;
	}
	ctx = seccomp_init(mode == VMM_SECCOMP_KILL ? SCMP_ACT_TRAP : SCMP_ACT_LOG);
	if (!ctx) {
		snprintf(err, errlen, "seccomp: %s filter: libseccomp cannot create it", what);
		return -ENOMEM;
	}
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	rules = vmm__seccomp_base_rules(&n);
	if (r == 0)
		r = add_rules(ctx, rules, n, pid, kick, &bad);
	rules = vmm__seccomp_kind_rules(kind, &n);
	if (r == 0)
		r = add_rules(ctx, rules, n, pid, kick, &bad);
	if (r)
		snprintf(err, errlen, "seccomp: %s filter: rule for syscall %d: %s", what, bad,
			 strerror(-r));
	else if ((r = export_program(ctx, out, len)) != 0)
		snprintf(err, errlen, "seccomp: %s filter: cannot export it: %s", what,
			 strerror(-r));
	seccomp_release(ctx);
	return r;
}

int vmm__seccomp_name_of(int nr, char *buf, size_t len)
{
	char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
	int r = s ? 0 : -ENOENT;

	if (s && (size_t)snprintf(buf, len, "%s", s) >= len)
		r = -ENAMETOOLONG;
	free(s);
	return r;
}
