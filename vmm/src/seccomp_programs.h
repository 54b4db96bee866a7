/* SPDX-License-Identifier: MIT */
/*
 * The filters as classic-BPF programs, compiled at build time by libseccomp
 * (vmm/gen/seccomp_gen.c writes seccomp_programs.c into the build tree;
 * docs/seccomp.md, "Compiled at build time").  Two values exist only at
 * run time: the process id that tgkill() must target and the kick signal
 * (SIGRTMIN + 1).  The generator compiles each program with a placeholder
 * for each, and lists the instructions whose constant the loader replaces.
 */
#ifndef VMM_SECCOMP_PROGRAMS_H
#define VMM_SECCOMP_PROGRAMS_H

#include <stdint.h>

#include <linux/filter.h>

#include "seccomp.h"

/* Placeholders, above every pid (pid_max is at most 2^22) and signal
 * number, so that libseccomp orders its comparisons as for the real ones. */
#define VMM__SC_PID_PLACEHOLDER 0x7ec0f1d0u
#define VMM__SC_KICK_PLACEHOLDER 0x7ec0f1d1u

/* Program sets: kill mode (trap, and the kernel logs it) and log mode. */
enum vmm__sc_set { VMM__SC_SET_KILL, VMM__SC_SET_LOG, VMM__SC_SETS };

struct vmm__sc_program {
	const struct sock_filter *insns;
	uint16_t len;
	/* Indexes of the instructions whose k is the pid / the kick signal. */
	const uint16_t *pid_at;
	uint16_t n_pid;
	const uint16_t *kick_at;
	uint16_t n_kick;
};

extern const struct vmm__sc_program vmm__sc_programs[VMM__SC_SETS][VMM__SECCOMP_KINDS];

/* x86_64 numbers its calls below 512; the x32 ones (bit 30 set) never
 * reach the report: the filters kill them as a foreign ABI. */
#define VMM__SC_NAMES 512
/* The longest x86_64 name has 23 characters. */
#define VMM__SC_NAME_LEN 32

/* libseccomp's name of each call, "" for numbers it does not know. */
extern const char vmm__sc_syscall_names[VMM__SC_NAMES][VMM__SC_NAME_LEN];

#endif
