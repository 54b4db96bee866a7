// SPDX-License-Identifier: MIT
// Build-time generator: compiles every thread kind's filter in both modes
// with libseccomp (../src/seccomp_compile.c) and writes them, with the
// syscall name table of the SIGSYS report, as C data that libvmm includes
// (../src/seccomp_programs.c).  Why: compiling four filters with
// libseccomp at start-up took about 2.5 ms on a quiet host before the
// guest could run, and kept libseccomp in cvmm's process (docs/seccomp.md,
// "Compiled at build time").
//
// Usage: vmm-seccomp-gen OUTPUT.inc
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <seccomp.h>

#include "../src/seccomp_internal.h"
#include "../src/seccomp_programs.h"

static const struct {
	enum vmm_seccomp_mode mode;
	const char *name;
} sets[VMM__SC_SETS] = {
	[VMM__SC_SET_KILL] = { VMM_SECCOMP_KILL, "kill" },
	[VMM__SC_SET_LOG] = { VMM_SECCOMP_LOG, "log" },
};

static bool kind_has_kick(enum vmm__seccomp_thread kind)
{
	size_t n;
	const struct vmm__sc_rule *r = vmm__seccomp_kind_rules(kind, &n);

	for (size_t i = 0; i < n; i++)
		if (r[i].check == VMM__SC_SIGNAL && r[i].value == VMM__SC_SIG_KICK)
			return true;
	return false;
}

/* "kill_event_loop": the C names of one program's arrays. */
static void program_prefix(char *buf, size_t len, enum vmm__sc_set set,
			   enum vmm__seccomp_thread kind)
{
	snprintf(buf, len, "%s_%s", sets[set].name, vmm__seccomp_thread_kind_name(kind));
	for (char *c = buf; *c; c++)
		if (*c == '-')
			*c = '_';
}

static bool is_jeq_k(const struct sock_filter *f)
{
	return BPF_CLASS(f->code) == BPF_JMP && BPF_OP(f->code) == BPF_JEQ &&
	       BPF_SRC(f->code) == BPF_K;
}

/* One placeholder's slots; every one must be a jump comparing with it. */
static int emit_slots(FILE *out, const char *prefix, const char *what, uint32_t value,
		      const struct sock_filter *p, size_t len, size_t *n)
{
	*n = 0;
	fprintf(out, "static const uint16_t %s_%s_at[] = {", prefix, what);
	for (size_t i = 0; i < len; i++) {
		if (p[i].k != value)
			continue;
		if (!is_jeq_k(&p[i])) {
			fprintf(stderr, "seccomp-gen: %s: %s placeholder in instruction %zu, "
				"which is not a JEQ\n", prefix, what, i);
			return -1;
		}
		fprintf(out, " %zu,", i);
		(*n)++;
	}
	/* An empty list still needs an element in C. */
	fprintf(out, "%s };\n", *n ? "" : " 0");
	return 0;
}

static int emit_program(FILE *out, enum vmm__sc_set set, enum vmm__seccomp_thread kind,
			size_t counts[3])
{
	char prefix[64], err[256];
	struct sock_filter *p;
	size_t len;

	program_prefix(prefix, sizeof(prefix), set, kind);
	if (vmm__seccomp_compile(kind, sets[set].mode, VMM__SC_PID_PLACEHOLDER,
				 VMM__SC_KICK_PLACEHOLDER, &p, &len, err, sizeof(err))) {
		fprintf(stderr, "seccomp-gen: %s\n", err);
		return -1;
	}
	fprintf(out, "static const struct sock_filter %s_insns[%zu] = {\n", prefix, len);
	for (size_t i = 0; i < len; i++)
		fprintf(out, "\t{ 0x%04x, %u, %u, 0x%08x },\n", p[i].code, p[i].jt, p[i].jf,
			p[i].k);
	fprintf(out, "};\n");
	counts[0] = len;
	if (emit_slots(out, prefix, "pid", VMM__SC_PID_PLACEHOLDER, p, len, &counts[1]) ||
	    emit_slots(out, prefix, "kick", VMM__SC_KICK_PLACEHOLDER, p, len, &counts[2])) {
		free(p);
		return -1;
	}
	free(p);
	/* Every filter lets a thread re-raise its fatal signals at the
	 * process, and the kinds that kick do so at it too. */
	if (len > UINT16_MAX || counts[1] == 0 || (counts[2] != 0) != kind_has_kick(kind)) {
		fprintf(stderr, "seccomp-gen: %s: %zu instructions, %zu pid and %zu kick "
			"comparisons: not what the rules ask for\n", prefix, len, counts[1],
			counts[2]);
		return -1;
	}
	return 0;
}

static int emit_programs(FILE *out)
{
	size_t counts[VMM__SC_SETS][VMM__SECCOMP_KINDS][3];

	for (int s = 0; s < VMM__SC_SETS; s++)
		for (int k = 0; k < VMM__SECCOMP_KINDS; k++)
			if (emit_program(out, s, k, counts[s][k]))
				return -1;
	fprintf(out, "\nconst struct vmm__sc_program "
		"vmm__sc_programs[VMM__SC_SETS][VMM__SECCOMP_KINDS] = {\n");
	for (int s = 0; s < VMM__SC_SETS; s++) {
		fprintf(out, "\t{\n");
		for (int k = 0; k < VMM__SECCOMP_KINDS; k++) {
			char prefix[64];

			program_prefix(prefix, sizeof(prefix), s, k);
			fprintf(out, "\t\t{ %s_insns, %zu, %s_pid_at, %zu, %s_kick_at, %zu },\n",
				prefix, counts[s][k][0], prefix, counts[s][k][1], prefix,
				counts[s][k][2]);
		}
		fprintf(out, "\t},\n");
	}
	fprintf(out, "};\n");
	return 0;
}

static int emit_names(FILE *out)
{
	fprintf(out, "\nconst char vmm__sc_syscall_names[VMM__SC_NAMES][VMM__SC_NAME_LEN] = {\n");
	for (int nr = 0; nr < VMM__SC_NAMES; nr++) {
		char name[VMM__SC_NAME_LEN];
		int r = vmm__seccomp_name_of(nr, name, sizeof(name));

		if (r == -ENOENT)
			continue;
		/* Printed into a C string: letters, digits, underscores only. */
		if (r || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name)) {
			fprintf(stderr, "seccomp-gen: syscall %d: name too long or unexpected "
				"(\"%s\")\n", nr, r ? "" : name);
			return -1;
		}
		fprintf(out, "\t[%d] = \"%s\",\n", nr, name);
	}
	fprintf(out, "};\n");
	return 0;
}

int main(int argc, char **argv)
{
	const struct scmp_version *v = seccomp_version();
	FILE *out;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: vmm-seccomp-gen OUTPUT.inc\n");
		return 2;
	}
	out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	fprintf(out, "/* Generated by vmm/gen/seccomp_gen.c with libseccomp %u.%u.%u from\n"
		" * vmm/src/seccomp_filters.c.  Do not edit. */\n\n", v->major, v->minor, v->micro);
	r = emit_programs(out) || emit_names(out);
	if (fclose(out) != 0 && r == 0) {
		perror(argv[1]);
		r = -1;
	}
	if (r) {
		remove(argv[1]);
		return 1;
	}
	return 0;
}
