// SPDX-License-Identifier: MIT
/*
 * C entry of every kit program, reached from the PVH boot stub in long mode:
 * x87/SSE enable (before any program may use SSE), console, exception vectors, timing, interrupt controllers, then gk_main()
 * and the summary.  Milestone 0x02 marks "entered C" on port 0x80.
 */
#include "gk.h"

void gk_start(void);

void gk_start(void)
{
	gk_outb(0x80, GK_MS_C);
	gk_fpu_init();
	gk_console_init();
	gk_idt_init();
	gk_printf("GK-BOOT program=%s cmdline=\"%s\"\n", gk_program_name,
		  gk_cmdline());
	gk_tsc_calibrate();
	gk_lapic_init();
	gk_ioapic_init();
	gk_main();
	gk_finish();
}
