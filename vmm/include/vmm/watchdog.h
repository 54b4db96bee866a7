/* SPDX-License-Identifier: MIT */
/*
 * Two ways a guest can wedge a VMM that waits for it, detected so that
 * cvmm ends instead of hanging:
 *
 * - a kernel panic printed on the console: the console byte stream is
 *   scanned for "Kernel panic - not syncing" (split across writes is fine);
 *   the rest of that line is kept as the reason;
 * - a vCPU stuck with interrupts disabled: periodic samples of RFLAGS.IF,
 *   the halt state, RIP and the exit counter.  When, for the whole window,
 *   IF stayed clear, the vCPU made no exit to the VMM, and it either stayed
 *   halted or never moved from one RIP (`cli; hlt`, `cli; jmp .`), nothing
 *   can wake it.  A vCPU that runs code with interrupts off is not stuck:
 *   on kvm-pvm Linux spends a minute like that before its console is up.
 */
#ifndef VMM_WATCHDOG_H
#define VMM_WATCHDOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMM_PANIC_LINE_MAX 160u

struct vmm_panic_scanner {
	size_t matched;			/* bytes of the marker matched so far */
	bool found;
	bool line_done;			/* the panic line's end has been seen */
	char line[VMM_PANIC_LINE_MAX];	/* marker + rest of the line */
	size_t line_len;
};

void vmm_panic_scanner_init(struct vmm_panic_scanner *s);

/* Feeds console output; returns true once the marker has been seen. */
bool vmm_panic_scanner_feed(struct vmm_panic_scanner *s, const uint8_t *buf,
			    size_t len);

/* One observation of a vCPU, taken at time now_ms. */
struct vmm_stuck_sample {
	uint64_t now_ms;
	uint64_t exits;		/* exits to userspace so far */
	bool irq_enabled;	/* RFLAGS.IF */
	bool halted;		/* KVM_MP_STATE_HALTED */
	uint64_t rip;
};

struct vmm_stuck_detector {
	uint32_t window_ms;	/* 0 disables detection */
	bool armed;		/* a window is open */
	uint64_t since_ms;	/* start of the current window */
	uint64_t exits_at_start;
	uint64_t rip_at_start;
	bool halted_at_start;
};

void vmm_stuck_init(struct vmm_stuck_detector *d, uint32_t window_ms);

/* Adds a sample; returns true when the vCPU is stuck. */
bool vmm_stuck_feed(struct vmm_stuck_detector *d,
		    const struct vmm_stuck_sample *sample);

#endif
