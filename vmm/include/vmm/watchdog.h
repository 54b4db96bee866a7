/* SPDX-License-Identifier: MIT */
/*
 * Two ways a guest can wedge a VMM that waits for it, detected so that
 * cvmm ends instead of hanging:
 *
 * - a kernel panic printed on the console: the console byte stream is
 *   scanned for "Kernel panic - not syncing" (split across writes is fine);
 *   the rest of that line is kept as the reason;
 * - a vCPU stuck with interrupts disabled: periodic samples of RFLAGS.IF
 *   and the exit counter; when IF stayed clear and the vCPU made no exit to
 *   the VMM for the whole window, nothing can wake it (no interrupt can be
 *   delivered and it talks to no device).
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
};

struct vmm_stuck_detector {
	uint32_t window_ms;	/* 0 disables detection */
	bool armed;		/* a window is open */
	uint64_t since_ms;	/* start of the current window */
	uint64_t exits_at_start;
};

void vmm_stuck_init(struct vmm_stuck_detector *d, uint32_t window_ms);

/* Adds a sample; returns true when the vCPU is stuck. */
bool vmm_stuck_feed(struct vmm_stuck_detector *d,
		    const struct vmm_stuck_sample *sample);

#endif
