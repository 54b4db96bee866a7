// SPDX-License-Identifier: MIT
// The stop-reason → exit-code table documented in docs/cvmm.md.
#include <vmm/exit.h>

int vmm_exit_code(enum vmm_stop_reason reason, int signo)
{
	switch (reason) {
	case VMM_STOP_RESET: return VMM_EXIT_RESET;
	case VMM_STOP_POWEROFF: return VMM_EXIT_POWEROFF;
	case VMM_STOP_TRIPLE_FAULT: return VMM_EXIT_TRIPLE_FAULT;
	case VMM_STOP_SIGNAL:
		/* Keep within the 8 bits a process exit status carries. */
		return signo > 0 && signo < 64 ? VMM_EXIT_SIGNAL_BASE + signo
					       : VMM_EXIT_INTERNAL;
	case VMM_STOP_GUEST_PANIC: return VMM_EXIT_GUEST_PANIC;
	case VMM_STOP_STUCK: return VMM_EXIT_STUCK;
	case VMM_STOP_INTERNAL: return VMM_EXIT_INTERNAL;
	}
	return VMM_EXIT_INTERNAL;
}

const char *vmm_stop_reason_name(enum vmm_stop_reason reason)
{
	switch (reason) {
	case VMM_STOP_RESET: return "reset";
	case VMM_STOP_POWEROFF: return "poweroff";
	case VMM_STOP_TRIPLE_FAULT: return "triple-fault";
	case VMM_STOP_SIGNAL: return "signal";
	case VMM_STOP_GUEST_PANIC: return "guest-panic";
	case VMM_STOP_STUCK: return "stuck-vcpu";
	case VMM_STOP_INTERNAL: return "internal-error";
	}
	return "unknown";
}
