// SPDX-License-Identifier: MIT
/*
 * bench-boot: the time from the guest's first instruction (TSC read by the
 * boot stub) to the GK-SUMMARY line, measured inside the guest.  The time
 * before the first instruction (VMM start-up) is measured from outside
 * through the port 0x80 milestones or by the host runner's wall clock.
 */
#include "gk.h"

const char gk_program_name[] = "bench-boot";

void gk_main(void)
{
	uint64_t ns = gk_tsc_to_ns(gk_rdtsc() - gk_boot_tsc);

	gk_report("bench.boot", GK_PASS,
		  "name=boot-to-summary ops=1 ns_per_op=%lu", ns);
}
