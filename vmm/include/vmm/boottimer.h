/* SPDX-License-Identifier: MIT */
/*
 * The boot timer: guests write milestones to port 0x80 (the POST code
 * port; the guest kit writes one at its first instruction, on entering C
 * and when its tests are done).  Each write is logged with the time since
 * the VMM's main() started (the first thing cvmm does is read the clock),
 * the same measurement Firecracker's and Cloud
 * Hypervisor's boot timers give, so figures are comparable.
 */
#ifndef VMM_BOOTTIMER_H
#define VMM_BOOTTIMER_H

#include <stdint.h>
#include <stdio.h>

#include <vmm/config.h>

#define VMM_BOOT_TIMER_PORT 0x80u
#define VMM_BOOT_TIMER_MAX_MARKS 32u

struct vmm_boot_mark {
	uint8_t value;
	uint64_t ns_since_start;
};

struct vmm_boot_timer {
	uint64_t start_ns;	/* CLOCK_MONOTONIC when main() started */
	FILE *log;		/* NULL: record only */
	uint32_t count;		/* marks seen (recorded up to the max) */
	struct vmm_boot_mark marks[VMM_BOOT_TIMER_MAX_MARKS];
};

uint64_t vmm_monotonic_ns(void);

void vmm_boot_timer_init(struct vmm_boot_timer *t, uint64_t start_ns, FILE *log);

/* Records a port 0x80 write observed at now_ns and logs one line:
 * "cvmm: boot-timer: 0x<v> at <s>.<us> s". */
void vmm_boot_timer_mark(struct vmm_boot_timer *t, uint8_t value,
			 uint64_t now_ns);

/*
 * Logs the end of one of the VMM's own start-up phases (kvm-setup,
 * memory-setup, ..., vcpus-ready) on the same clock, so a slow start can
 * be split between the host's KVM calls and the rest:
 * "cvmm: boot-timer: phase <name> done at <s>.<us> s".
 */
void vmm_boot_timer_phase(FILE *log, uint64_t start_ns, const char *phase,
			  uint64_t now_ns);

#endif
