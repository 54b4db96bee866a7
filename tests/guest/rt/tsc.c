// SPDX-License-Identifier: MIT
/*
 * TSC-based timing.  The TSC rate comes from the hypervisor timing leaf
 * 0x40000010 (EAX = TSC kHz) when the VMM offers it, otherwise from 10 ms of
 * the i8254 PIT channel 0 (1.193182 MHz, read back with the latch command),
 * which QEMU microvm and KVM's in-kernel PIT both provide (median of three).  The rate is
 * reported in the boot line so a wrong calibration is visible.
 */
#include "gk.h"

#define PIT_HZ 1193182ull
#define PIT_CH0 0x40
#define PIT_CMD 0x43

uint64_t gk_tsc_khz;

static uint16_t pit_read(void)
{
	uint8_t lo, hi;

	gk_outb(PIT_CMD, 0x00);	/* latch channel 0 */
	lo = gk_inb(PIT_CH0);
	hi = gk_inb(PIT_CH0);
	return (uint16_t)(lo | (hi << 8));
}

static uint64_t khz_from_cpuid(void)
{
	uint32_t r[4];

	gk_cpuid(1, 0, r);
	if (!(r[2] & (1u << 31)))	/* no hypervisor */
		return 0;
	gk_cpuid(0x40000000, 0, r);
	if (r[0] < 0x40000010)
		return 0;
	gk_cpuid(0x40000010, 0, r);
	return r[0];
}

static uint64_t khz_from_pit(void)
{
	const uint16_t span = (uint16_t)(PIT_HZ / 100);	/* 10 ms */
	uint16_t start, now;
	uint64_t t0, t1;

	gk_outb(PIT_CMD, 0x30);	/* channel 0, lo/hi, mode 0 */
	gk_outb(PIT_CH0, 0xff);
	gk_outb(PIT_CH0, 0xff);
	start = pit_read();
	t0 = gk_rdtsc();
	for (unsigned n = 0; n < 200000; n++) {
		now = pit_read();
		if (now > start)	/* wrapped or no PIT */
			return 0;
		if ((uint16_t)(start - now) >= span) {
			t1 = gk_rdtsc();
			return (t1 - t0) * PIT_HZ / ((uint64_t)(start - now) * 1000);
		}
	}
	return 0;
}

/* Median of three 10 ms windows: one preempted vCPU cannot skew it. */
static uint64_t khz_from_pit_median(void)
{
	uint64_t a = khz_from_pit(), b = khz_from_pit(), c = khz_from_pit(), t;

	if (a > b) {
		t = a; a = b; b = t;
	}
	if (b > c) {
		t = b; b = c; c = t;
	}
	return a > b ? a : b;
}

void gk_tsc_calibrate(void)
{
	const char *src = "cpuid-0x40000010";

	gk_tsc_khz = khz_from_cpuid();
	if (!gk_tsc_khz) {
		src = "pit";
		gk_tsc_khz = khz_from_pit_median();
	}
	if (!gk_tsc_khz) {
		src = "assumed";
		gk_tsc_khz = 2000000;
	}
	/* gk.tsc_quiet: a program whose output must be the same on every run
	 * (snap-count) keeps the measured rate out of it. */
	if (!gk_cmdline_get("gk.tsc_quiet", NULL))
		gk_printf("GK-BOOT tsc_khz=%lu source=%s\n", gk_tsc_khz, src);
}

uint64_t gk_tsc_to_ns(uint64_t ticks)
{
	/* Split so ticks * 10^6 cannot overflow for any realistic run. */
	return ticks / gk_tsc_khz * 1000000 +
	       (ticks % gk_tsc_khz) * 1000000 / gk_tsc_khz;
}

uint64_t gk_now_ns(void)
{
	return gk_tsc_to_ns(gk_rdtsc());
}

void gk_udelay(uint64_t us)
{
	uint64_t t0 = gk_rdtsc(), span = gk_tsc_khz * us / 1000;

	while (gk_rdtsc() - t0 < span)
		gk_pause();
}

bool gk_wait(bool (*done)(void *ctx), void *ctx, uint64_t timeout_us)
{
	uint64_t t0 = gk_rdtsc(), span = gk_tsc_khz * timeout_us / 1000;
	bool ok;

	for (;;) {
		gk_cli();
		if ((ok = done(ctx)))
			break;
		if (gk_rdtsc() - t0 >= span)
			break;
		if (gk_lapic_timer_ok()) {
			gk_lapic_oneshot_us(1000);
			/* sti's shadow makes sti;hlt atomic: no lost wake-up. */
			__asm__ volatile("sti\n\thlt" : : : "memory");
		} else {
			gk_sti();
			gk_pause();
		}
	}
	gk_sti();
	return ok;
}

static bool second_call(void *ctx)
{
	return (*(unsigned *)ctx)++ > 0;
}

void gk_nap(void)
{
	unsigned calls = 0;

	gk_wait(second_call, &calls, 1000000);
}
