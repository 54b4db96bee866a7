// SPDX-License-Identifier: MIT
/*
 * Local APIC and IOAPIC setup for the interrupt-driven tests (Intel SDM
 * vol. 3 ch. 11; 82093AA IOAPIC datasheet).  The LAPIC is used in xAPIC MMIO
 * mode, or through MSRs when the VMM started the CPU in x2APIC mode.  Both
 * legacy PICs are masked so only the IOAPIC delivers.  The LAPIC timer,
 * calibrated against the TSC, wakes gk_wait() from hlt.
 */
#include "gk.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_X2 (1u << 10)
#define APIC_BASE_EN (1u << 11)
#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define LVT_MASKED (1u << 16)
#define TIMER_VECTOR 0xef

#define IOAPIC_BASE 0xfec00000ull
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL 0x10

static uint64_t lapic_base;
static bool x2apic;
static uint64_t timer_ticks_per_ms;
static unsigned ioapic_pins;

static uint32_t lapic_r(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)gk_rdmsr(0x800 + (reg >> 4));
	return gk_mmio_r32(lapic_base + reg);
}

static void lapic_w(uint32_t reg, uint32_t v)
{
	if (x2apic)
		gk_wrmsr(0x800 + (reg >> 4), v);
	else
		gk_mmio_w32(lapic_base + reg, v);
}

void gk_lapic_eoi(void)
{
	lapic_w(LAPIC_EOI, 0);
}

uint32_t gk_lapic_id(void)
{
	uint32_t id = lapic_r(LAPIC_ID);

	return x2apic ? id : id >> 24;
}

volatile unsigned gk_lapic_ticks;

static void timer_tick(void *ctx)
{
	(void)ctx;
	gk_lapic_ticks++;
}

static void lapic_timer_calibrate(void)
{
	uint64_t t0, span;
	uint32_t left;

	if (!gk_tsc_khz)
		return;
	lapic_w(LAPIC_TIMER_DIV, 0x3);	/* divide by 16 */
	lapic_w(LAPIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
	lapic_w(LAPIC_TIMER_INIT, 0xffffffffu);
	t0 = gk_rdtsc();
	span = gk_tsc_khz * 2;	/* 2 ms */
	while (gk_rdtsc() - t0 < span)
		gk_pause();
	left = lapic_r(LAPIC_TIMER_CUR);
	lapic_w(LAPIC_TIMER_INIT, 0);
	timer_ticks_per_ms = (0xffffffffu - left) / 2;
	gk_irq_set(TIMER_VECTOR, timer_tick, NULL);
	lapic_w(LAPIC_LVT_TIMER, TIMER_VECTOR);	/* one-shot, unmasked */
}

void gk_lapic_init(void)
{
	uint64_t base = gk_rdmsr(MSR_APIC_BASE);

	gk_outb(0x21, 0xff);	/* mask both 8259s */
	gk_outb(0xa1, 0xff);
	x2apic = base & APIC_BASE_X2;
	lapic_base = base & ~0xfffull;
	if (!(base & APIC_BASE_EN))
		gk_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
	lapic_w(LAPIC_TPR, 0);
	lapic_w(LAPIC_SVR, 0x100 | 0xff);
	lapic_timer_calibrate();
}

bool gk_lapic_timer_ok(void)
{
	return timer_ticks_per_ms != 0;
}

void gk_lapic_oneshot_us(uint64_t us)
{
	uint64_t ticks = timer_ticks_per_ms * us / 1000;

	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	lapic_w(LAPIC_TIMER_INIT, (uint32_t)ticks);
}

static uint32_t ioapic_r(uint32_t reg)
{
	gk_mmio_w32(IOAPIC_BASE, reg);
	return gk_mmio_r32(IOAPIC_BASE + 0x10);
}

static void ioapic_w(uint32_t reg, uint32_t v)
{
	gk_mmio_w32(IOAPIC_BASE, reg);
	gk_mmio_w32(IOAPIC_BASE + 0x10, v);
}

void gk_ioapic_init(void)
{
	uint32_t ver = ioapic_r(IOAPIC_VER);

	ioapic_pins = ver == 0xffffffffu ? 0 : ((ver >> 16) & 0xff) + 1;
	for (unsigned i = 0; i < ioapic_pins; i++)
		ioapic_w(IOAPIC_REDTBL + 2 * i, LVT_MASKED);
}

unsigned gk_ioapic_pins(void)
{
	return ioapic_pins;
}

int gk_ioapic_route(unsigned gsi, uint8_t vec, bool level)
{
	uint32_t lo = vec;

	if (gsi >= ioapic_pins)
		return -1;
	if (level)
		lo |= 1u << 15;
	ioapic_w(IOAPIC_REDTBL + 2 * gsi + 1, gk_lapic_id() << 24);
	ioapic_w(IOAPIC_REDTBL + 2 * gsi, lo);
	return 0;
}

void gk_ioapic_mask(unsigned gsi, bool masked)
{
	uint32_t lo;

	if (gsi >= ioapic_pins)
		return;
	lo = ioapic_r(IOAPIC_REDTBL + 2 * gsi);
	lo = masked ? lo | LVT_MASKED : lo & ~LVT_MASKED;
	ioapic_w(IOAPIC_REDTBL + 2 * gsi, lo);
}
