// SPDX-License-Identifier: MIT
// RTC microbenchmarks with the production clock (CLOCK_REALTIME): PL031
// counter reads, and CMOS time register reads through the index/data port
// pair (each port access counted), the CMOS next-deadline query a VMM
// makes after each access, i8042 status polls, and the clock
// itself as a baseline.
#include <cvmm_bench.h>

#include <superio/cmos.h>
#include <superio/i8042.h>
#include <superio/pl031.h>

static uint64_t sink;

static uint64_t realtime(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void must(int rc)
{
	if (rc)
		abort();
}

static void pl031_reads(void *ctx, uint64_t n)
{
	struct superio_pl031 *r = ctx;
	uint32_t v = 0;

	for (uint64_t i = 0; i < n; i++) {
		must(superio_pl031_read(r, (i & 1) ? SUPERIO_PL031_DR : SUPERIO_PL031_MIS, 4, &v));
		sink += v;
	}
}

/* rtc-cmos reads: select index, read data; n counts port accesses. */
static void cmos_reads(void *ctx, uint64_t n)
{
	static const uint8_t regs[] = { 0x00, 0x0a, 0x02, 0x04, 0x07, 0x08, 0x09, 0x0b };
	struct superio_cmos *c = ctx;
	uint32_t v = 0;

	for (uint64_t i = 0; i < n / 2; i++) {
		must(superio_cmos_write(c, 0, 1, regs[i % sizeof(regs)]));
		must(superio_cmos_read(c, 1, 1, &v));
		sink += v;
	}
}

/* What a VMM does after each CMOS access: ask for the next deadline (all sources on). */
static void cmos_deadline(void *ctx, uint64_t n)
{
	struct superio_cmos *c = ctx;

	for (uint64_t i = 0; i < n; i++)
		sink += superio_cmos_next_deadline(c);
}

static void i8042_status(void *ctx, uint64_t n)
{
	struct superio_i8042 *k = ctx;
	uint32_t v = 0;

	for (uint64_t i = 0; i < n; i++) {
		must(superio_i8042_read(k, 4, 1, &v));
		sink += v;
	}
}

/* Baseline: the injected clock alone, which every RTC access calls once. */
static void clock_calls(void *ctx, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		sink += realtime(ctx);
}

int main(void)
{
	struct superio_pl031 r;
	struct superio_pl031_config pcfg = { .clock = { realtime, NULL } };
	struct superio_cmos c;
	struct superio_cmos_config ccfg = { .clock = { realtime, NULL } };
	struct superio_i8042 k;
	struct superio_i8042_config kcfg = { 0 };

	must(superio_pl031_init(&r, &pcfg));
	must(superio_cmos_init(&c, &ccfg));
	must(superio_i8042_init(&k, &kcfg));
	cvmm_bench_run("superio-pl031-read-per-access", pl031_reads, &r, 1000000, 15);
	cvmm_bench_run("superio-cmos-read-per-access", cmos_reads, &c, 1000000, 15);
	must(superio_cmos_write(&c, 0, 1, SUPERIO_CMOS_HOURS_ALARM));
	must(superio_cmos_write(&c, 1, 1, 0xc0)); /* any hour, at minute :30 */
	must(superio_cmos_write(&c, 0, 1, SUPERIO_CMOS_MINUTES_ALARM));
	must(superio_cmos_write(&c, 1, 1, 0x30));
	must(superio_cmos_write(&c, 0, 1, SUPERIO_CMOS_REG_B));
	must(superio_cmos_write(&c, 1, 1, 0x72)); /* PIE, AIE, UIE, 24 h */
	cvmm_bench_run("superio-cmos-next-deadline-per-call", cmos_deadline, &c, 1000000, 15);
	cvmm_bench_run("superio-i8042-status-per-access", i8042_status, &k, 1000000, 15);
	cvmm_bench_run("superio-clock-realtime-per-call", clock_calls, NULL, 1000000, 15);
	return sink == 0;
}
