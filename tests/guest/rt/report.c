// SPDX-License-Identifier: MIT
/*
 * Machine-readable results and the end of the VM (issue 7): one line
 * "GK <suite>.<test> PASS|FAIL|SKIP <detail>" per test, a closing
 * "GK-SUMMARY pass=N fail=N skip=N", then the VM is ended by, in order,
 * QEMU's isa-debug-exit (port 0xf4), the i8042 pulse-reset command 0xFE
 * (what cvmm and Linux's reboot=k use) and, last, a triple fault.
 */
#include "gk.h"

#define ISA_DEBUG_EXIT 0xf4
#define I8042_STATUS 0x64
#define I8042_IBF 0x02

static unsigned n_pass, n_fail, n_skip;

static const char *const result_names[] = { "PASS", "FAIL", "SKIP" };

static void vreport(const char *name, enum gk_result r, const char *fmt,
		    va_list ap)
{
	char detail[400];

	gk_vsnprintf(detail, sizeof(detail), fmt, ap);
	for (char *p = detail; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	gk_printf("GK %s %s %s\n", name, result_names[r], detail);
	if (r == GK_PASS)
		n_pass++;
	else if (r == GK_FAIL)
		n_fail++;
	else
		n_skip++;
}

void gk_report(const char *name, enum gk_result r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(name, r, fmt, ap);
	va_end(ap);
}

bool gk_check(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(name, ok ? GK_PASS : GK_FAIL, fmt, ap);
	va_end(ap);
	return ok;
}

unsigned gk_failures(void)
{
	return n_fail;
}

void gk_summary(void)
{
	gk_outb(0x80, GK_MS_DONE);
	gk_printf("GK-SUMMARY pass=%u fail=%u skip=%u\n", n_pass, n_fail,
		  n_skip);
}

void gk_finish(void)
{
	gk_cli();
	gk_summary();
	gk_vm_end(n_fail != 0);
}

void gk_i8042_reset_pulse(void)
{
	/* As Linux reboot=k: up to ten tries, each after the input buffer drains. */
	for (int i = 0; i < 10; i++) {
		for (int spin = 0; spin < 100000; spin++)
			if (!(gk_inb(I8042_STATUS) & I8042_IBF))
				break;
		gk_outb(I8042_STATUS, 0xfe);
		gk_udelay(50);
	}
}

void gk_triple_fault(void)
{
	static const struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} empty_idt = { 0, 0 };

	gk_cli();
	/* No IDT: the #UD cannot be delivered, #DF cannot either: shutdown. */
	__asm__ volatile("lidt %0\n\tud2" : : "m"(empty_idt));
	for (;;)
		__asm__ volatile("hlt");
}

void gk_vm_end(int failed)
{
	gk_outb(ISA_DEBUG_EXIT, failed ? 1 : 0);
	gk_i8042_reset_pulse();
	gk_triple_fault();
}
