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

#include <stdatomic.h>
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

/*
 * The same phase lines, kept and written out together: a line written as
 * each phase ends would wake whoever reads the log (a pipe to a script, a
 * terminal) in the middle of the start-up it measures, and nested that
 * cost about as much as a phase.  vmm_boot_phases_done() may be called
 * from several threads at once; vmm_boot_phases_flush() writes what they
 * recorded, in the order they recorded it, in one write, and is called
 * once they are joined.  After it, and past VMM_BOOT_PHASES_MAX phases,
 * each line is written as its phase ends.  phase names must outlive the
 * flush (string literals).
 */
#define VMM_BOOT_PHASES_MAX 16u

struct vmm_boot_phases {
	uint64_t start_ns;	/* CLOCK_MONOTONIC when main() started */
	FILE *log;		/* NULL: record only */
	atomic_uint count;	/* phases recorded (2^31 and up once flushed) */
	struct {
		const char *name;
		uint64_t now_ns;
	} ends[VMM_BOOT_PHASES_MAX];
};

void vmm_boot_phases_init(struct vmm_boot_phases *p, uint64_t start_ns, FILE *log);
void vmm_boot_phases_done(struct vmm_boot_phases *p, const char *phase, uint64_t now_ns);
void vmm_boot_phases_flush(struct vmm_boot_phases *p);

#endif
