// SPDX-License-Identifier: MIT
/*
 * bench-serial: N bytes (gk.n=, default 256 KiB) through COM1 the way
 * Linux's console writes them (wait for LSR.THRE, write THR), timed with the
 * TSC.  The bytes go out as a GK-BLOB, so the host also checks they arrived.
 * Each byte costs two port exits, which is what this measures on a VMM.
 */
#include "gk.h"

const char gk_program_name[] = "bench-serial";

void gk_main(void)
{
	const unsigned long n = gk_cmdline_u64("gk.n", 256u * 1024);
	unsigned long stalls = 0;
	uint64_t t0, ns;

	gk_printf("GK-BLOB name=bench.serial-tx len=%lu\n", n);
	t0 = gk_rdtsc();
	for (unsigned long i = 0; i < n; i++) {
		unsigned long line = i / 64, col = i % 64;
		unsigned spins = 0;

		while (!(gk_inb(GK_COM1 + 5) & 0x20) && ++spins < 1000000)
			;
		stalls += spins == 1000000;
		gk_outb(GK_COM1, col == 63 ? '\n' : (uint8_t)('A' + (line + col) % 26));
	}
	ns = gk_tsc_to_ns(gk_rdtsc() - t0);
	gk_check("bench.serial-tx", stalls == 0,
		 "name=serial-tx ops=%lu ns_per_op=%lu stalls=%lu", n,
		 n ? ns / n : 0, stalls);
}
