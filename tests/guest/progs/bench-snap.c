// SPDX-License-Identifier: MIT
/*
 * bench-snap: the guest of the snapshot/restore benchmark
 * (tests/bench/snapshot-bench.py, docs/benchmarks.md "Snapshot and
 * restore").  It dirties gk.touch_mib= MiB of RAM (default 64) from 32 MiB
 * up with a non-zero pattern, so that the memory file holds that much data
 * and the rest of RAM stays zero pages (holes), prints "BENCH-SNAP
 * touched=N", then writes serial bytes without end (or gk.n= bytes), polled
 * as Linux's console does: wait for LSR.THRE, write THR.  The host pauses
 * and snapshots it while bytes flow; after a restore, the first byte that
 * reaches the host marks the guest's first instructions, one loop
 * iteration (two port exits) late at most.
 */
#include "gk.h"

const char gk_program_name[] = "bench-snap";

#define TOUCH_BASE (32ull << 20)

void gk_main(void)
{
	const uint64_t mib = gk_cmdline_u64("gk.touch_mib", 64);
	const uint64_t n = gk_cmdline_u64("gk.n", ~0ull);

	for (uint64_t a = TOUCH_BASE; a < TOUCH_BASE + (mib << 20); a += 8)
		*(volatile uint64_t *)(uintptr_t)a = 0x534e415000000000ull | a;
	gk_printf("BENCH-SNAP touched=%lu\n", (unsigned long)mib);
	for (uint64_t i = 0; i < n; i++) {
		while (!(gk_inb(GK_COM1 + 5) & 0x20))
			gk_pause();
		gk_outb(GK_COM1, i % 64 == 63 ? '\n' : (uint8_t)('a' + i % 26));
	}
}
