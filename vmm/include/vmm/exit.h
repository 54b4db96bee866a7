/* SPDX-License-Identifier: MIT */
/*
 * Why a VM stopped, and the process exit code cvmm maps each reason to.
 * Every shutdown path has its own code so that scripts can tell a guest
 * that reset itself from one that panicked, hung, or was interrupted.
 * The table is documented in cvmm.md; changing a value is a breaking change.
 */
#ifndef VMM_EXIT_H
#define VMM_EXIT_H

enum vmm_stop_reason {
	VMM_STOP_RESET,		/* guest reset: i8042 0xFE or a KVM reset event */
	VMM_STOP_POWEROFF,	/* ACPI S5 sleep or a KVM shutdown system event */
	VMM_STOP_TRIPLE_FAULT,	/* KVM_EXIT_SHUTDOWN */
	VMM_STOP_SIGNAL,	/* SIGINT/SIGTERM/SIGHUP to the VMM */
	VMM_STOP_GUEST_PANIC,	/* "Kernel panic - not syncing" on the console */
	VMM_STOP_STUCK,		/* a vCPU with interrupts off made no progress */
	VMM_STOP_INTERNAL,	/* KVM or VMM failure after the guest started */
};

enum vmm_exit_code {
	VMM_EXIT_RESET = 0,
	VMM_EXIT_SETUP = 1,	/* bad configuration or host input, nothing ran */
	VMM_EXIT_USAGE = 2,	/* command-line syntax */
	VMM_EXIT_POWEROFF = 3,
	VMM_EXIT_TRIPLE_FAULT = 4,
	VMM_EXIT_GUEST_PANIC = 5,
	VMM_EXIT_STUCK = 6,
	VMM_EXIT_INTERNAL = 7,
	/* A signal ends the VMM with 128 + the signal number, as a shell
	 * reports a process killed by it (130 for SIGINT, 143 for SIGTERM). */
	VMM_EXIT_SIGNAL_BASE = 128,
};

/* The exit code for a reason; signo is used for VMM_STOP_SIGNAL only. */
int vmm_exit_code(enum vmm_stop_reason reason, int signo);

/* A short lower-case name: "reset", "poweroff", "triple-fault", ... */
const char *vmm_stop_reason_name(enum vmm_stop_reason reason);

#endif
