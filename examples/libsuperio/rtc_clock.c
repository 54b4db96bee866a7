// SPDX-License-Identifier: MIT
// The two RTC models on the host's real clock, driven the way a VMM drives
// them: read the CMOS date as Linux's rtc-cmos does (BCD, UIP check), arm
// the CMOS periodic interrupt at 2 Hz and sleep until each exposed
// deadline, then set a PL031 match one second ahead and wait for it.
// Finishes by itself in about three seconds.
#include <stdio.h>
#include <time.h>

#include <superio/superio.h>

static uint64_t realtime(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned int raised;
static char cmos_name[] = "cmos", pl031_name[] = "pl031";

static void line(void *ctx, bool level)
{
	printf("  %s: interrupt line %s\n", (const char *)ctx, level ? "raised" : "lowered");
	raised += level;
}

/* What a VMM does with a deadline: a timer at that absolute realtime. */
static void sleep_until(uint64_t deadline)
{
	struct timespec ts = { .tv_sec = (time_t)(deadline / 1000000000u),
			       .tv_nsec = (long)(deadline % 1000000000u) };

	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL))
		;
}

static uint8_t cmos_in(struct superio_cmos *c, uint8_t idx)
{
	uint32_t v = 0;

	if (superio_cmos_write(c, 0, 1, idx) || superio_cmos_read(c, 1, 1, &v))
		return 0xff;
	return (uint8_t)v;
}

static void cmos_out(struct superio_cmos *c, uint8_t idx, uint8_t v)
{
	if (superio_cmos_write(c, 0, 1, idx) || superio_cmos_write(c, 1, 1, v))
		fprintf(stderr, "cmos write refused\n");
}

static void cmos_demo(void)
{
	struct superio_cmos c;
	struct superio_cmos_config cfg = { .irq = { line, cmos_name }, .clock = { realtime, NULL } };
	uint8_t sec;

	if (superio_cmos_init(&c, &cfg))
		return;
	do
		sec = cmos_in(&c, SUPERIO_CMOS_SECONDS);
	while (cmos_in(&c, SUPERIO_CMOS_REG_A) & SUPERIO_CMOS_A_UIP);
	printf("CMOS says %02x%02x-%02x-%02x %02x:%02x:%02x UTC (BCD registers)\n",
	       cmos_in(&c, SUPERIO_CMOS_CENTURY), cmos_in(&c, SUPERIO_CMOS_YEAR),
	       cmos_in(&c, SUPERIO_CMOS_MONTH), cmos_in(&c, SUPERIO_CMOS_DAY_OF_MONTH),
	       cmos_in(&c, SUPERIO_CMOS_HOURS), cmos_in(&c, SUPERIO_CMOS_MINUTES), sec);
	cmos_out(&c, SUPERIO_CMOS_REG_A, 0x2f); /* rate 15: 2 Hz */
	cmos_out(&c, SUPERIO_CMOS_REG_B, SUPERIO_CMOS_B_24H | SUPERIO_CMOS_B_PIE);
	for (int i = 0; i < 3; i++) {
		sleep_until(superio_cmos_next_deadline(&c));
		superio_cmos_update(&c);
		printf("  cmos: register C = %#04x\n", cmos_in(&c, SUPERIO_CMOS_REG_C));
	}
}

static void pl031_demo(void)
{
	struct superio_pl031 r;
	struct superio_pl031_config cfg = { .irq = { line, pl031_name }, .clock = { realtime, NULL } };
	uint32_t now = 0;

	if (superio_pl031_init(&r, &cfg) || superio_pl031_read(&r, SUPERIO_PL031_DR, 4, &now) ||
	    superio_pl031_write(&r, SUPERIO_PL031_MR, 4, now + 1) ||
	    superio_pl031_write(&r, SUPERIO_PL031_IMSC, 4, 1))
		return;
	printf("PL031 counter %u, match set for %u\n", now, now + 1);
	sleep_until(superio_pl031_next_deadline(&r));
	superio_pl031_update(&r);
	if (superio_pl031_write(&r, SUPERIO_PL031_ICR, 4, 1))
		return;
}

int main(void)
{
	printf("libsuperio %s RTC example\n", SUPERIO_VERSION_STRING);
	cmos_demo();
	pl031_demo();
	printf("%u interrupts raised (expected 4)\n", raised);
	return raised == 4 ? 0 : 1;
}
