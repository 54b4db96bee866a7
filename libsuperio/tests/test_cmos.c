// SPDX-License-Identifier: MIT
// MC146818A time and date registers: BCD and binary, 12/24-hour, the
// weekday and century, rollovers, SET, single-field writes, divider reset,
// UIP, the NMI bit of port 0x70, NVRAM, and Linux rtc-cmos's sequences.
#include <time.h>

#include "harness.h"

#define S 1000000000ull
/* 2024-02-29 13:45:30 UTC, a Thursday */
#define T_LEAP 1709214330ull
/* 1999-12-31 23:59:59 UTC */
#define T_Y2K 946684799ull

static struct superio_cmos rtc;
static struct line irq;
static struct fake_clock clk;
static unsigned int nmi_calls;
static bool nmi_state;

static void on_nmi(void *ctx, bool disabled)
{
	(void)ctx;
	nmi_calls++;
	nmi_state = disabled;
}

static void start_at(uint64_t ns)
{
	struct superio_cmos_config cfg = {
		.irq = { line_fn, &irq }, .clock = { clock_fn, &clk }, .nmi = on_nmi,
	};

	memset(&irq, 0, sizeof(irq));
	nmi_calls = 0;
	clk.ns = ns;
	cr_assert_eq(superio_cmos_init(&rtc, &cfg), 0);
}

static void setup(void)
{
	start_at(T_LEAP * S + 100000000ull);
}

TestSuite(cmos, .init = setup);

static uint8_t rd(uint8_t idx)
{
	uint32_t v = 0;

	cr_assert_eq(superio_cmos_write(&rtc, 0, 1, idx), 0);
	cr_assert_eq(superio_cmos_read(&rtc, 1, 1, &v), 0);
	return (uint8_t)v;
}

static void wr(uint8_t idx, uint8_t v)
{
	cr_assert_eq(superio_cmos_write(&rtc, 0, 1, idx), 0);
	cr_assert_eq(superio_cmos_write(&rtc, 1, 1, v), 0);
}

Test(cmos, power_on_registers)
{
	cr_assert_eq(rd(0x0a), 0x26);
	cr_assert_eq(rd(0x0b), 0x02);
	cr_assert_eq(rd(0x0c), 0x00);
	cr_assert_eq(rd(0x0d), 0x80);
}

Test(cmos, time_in_bcd_24h)
{
	cr_assert_eq(rd(0x00), 0x30);
	cr_assert_eq(rd(0x02), 0x45);
	cr_assert_eq(rd(0x04), 0x13);
	cr_assert_eq(rd(0x07), 0x29);
	cr_assert_eq(rd(0x08), 0x02);
	cr_assert_eq(rd(0x09), 0x24);
	cr_assert_eq(rd(0x32), 0x20);
}

Test(cmos, day_of_week_sunday_is_one)
{
	cr_assert_eq(rd(0x06), 5, "Thursday");
}

Test(cmos, binary_mode)
{
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_DM);
	cr_assert_eq(rd(0x00), 30);
	cr_assert_eq(rd(0x04), 13);
	cr_assert_eq(rd(0x09), 24);
	cr_assert_eq(rd(0x32), 20);
}

Test(cmos, twelve_hour_mode)
{
	static const struct { uint64_t hour; uint8_t bcd; } t[] = {
		{ 0, 0x12 }, { 1, 0x01 }, { 11, 0x11 }, { 12, 0x92 }, { 13, 0x81 }, { 23, 0x91 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		start_at((1709164800ull + t[i].hour * 3600) * S);
		wr(0x0b, 0x00);
		cr_assert_eq(rd(0x04), t[i].bcd, "hour %llu", (unsigned long long)t[i].hour);
	}
}

Test(cmos, twelve_hour_binary_mode)
{
	start_at((1709164800ull + 15 * 3600) * S);
	wr(0x0b, SUPERIO_CMOS_B_DM);
	cr_assert_eq(rd(0x04), 0x80 | 3);
}

Test(cmos, seconds_roll_into_next_century)
{
	start_at(T_Y2K * S);
	cr_assert_eq(rd(0x09), 0x99);
	cr_assert_eq(rd(0x32), 0x19);
	clk.ns += S;
	cr_assert_eq(rd(0x00), 0x00);
	cr_assert_eq(rd(0x02), 0x00);
	cr_assert_eq(rd(0x04), 0x00);
	cr_assert_eq(rd(0x07), 0x01);
	cr_assert_eq(rd(0x08), 0x01);
	cr_assert_eq(rd(0x09), 0x00);
	cr_assert_eq(rd(0x32), 0x20);
	cr_assert_eq(rd(0x06), 7, "2000-01-01 was a Saturday");
}

Test(cmos, leap_day_rolls_to_march)
{
	start_at((1709164800ull + 86399) * S);
	cr_assert_eq(rd(0x07), 0x29);
	clk.ns += S;
	cr_assert_eq(rd(0x07), 0x01);
	cr_assert_eq(rd(0x08), 0x03);
}

Test(cmos, set_freezes_and_loads_time)
{
	wr(0x0b, 0x82);
	clk.ns += 5 * S;
	cr_assert_eq(rd(0x00), 0x30, "updates inhibited while SET");
	wr(0x09, 0x25);
	wr(0x08, 0x12);
	wr(0x07, 0x25);
	wr(0x04, 0x08);
	wr(0x02, 0x00);
	wr(0x00, 0x00);
	wr(0x0b, 0x02);
	cr_assert_eq(superio_cmos_time(&rtc), 1766649600);
	clk.ns += S;
	cr_assert_eq(rd(0x00), 0x01);
	cr_assert_eq(rd(0x06), 5, "2025-12-25 is a Thursday");
}

Test(cmos, raising_set_clears_uie)
{
	wr(0x0b, 0x02 | SUPERIO_CMOS_B_UIE);
	wr(0x0b, 0x82 | SUPERIO_CMOS_B_UIE);
	cr_assert_eq(rd(0x0b), 0x82);
}

Test(cmos, single_field_write_moves_the_clock)
{
	wr(0x02, 0x10);
	cr_assert_eq(rd(0x02), 0x10);
	cr_assert_eq(rd(0x04), 0x13);
	cr_assert_eq(superio_cmos_time(&rtc), (int64_t)T_LEAP - 35 * 60);
}

Test(cmos, malformed_fields_clamp)
{
	wr(0x0b, 0x82);
	wr(0x00, 0x7a); /* not BCD */
	wr(0x08, 0x13); /* month 13 */
	wr(0x07, 0x31);
	wr(0x0b, 0x02);
	cr_assert_eq(rd(0x08), 0x12);
	cr_assert_eq(rd(0x07), 0x31);
	cr_assert_lt(rd(0x00), 0x60);
}

Test(cmos, day_beyond_month_clamps)
{
	wr(0x0b, 0x82);
	wr(0x08, 0x04);
	wr(0x07, 0x31);
	wr(0x0b, 0x02);
	cr_assert_eq(rd(0x07), 0x30);
}

Test(cmos, uip_in_the_last_244us)
{
	clk.ns = (T_LEAP + 1) * S - 244001;
	cr_assert_eq(rd(0x0a) & 0x80, 0);
	clk.ns = (T_LEAP + 1) * S - 244000;
	cr_assert_eq(rd(0x0a) & 0x80, 0x80);
	clk.ns = (T_LEAP + 1) * S;
	cr_assert_eq(rd(0x0a) & 0x80, 0);
}

Test(cmos, no_uip_while_set)
{
	wr(0x0b, 0x82);
	clk.ns = (T_LEAP + 1) * S - 1000;
	cr_assert_eq(rd(0x0a) & 0x80, 0);
}

Test(cmos, uip_is_read_only)
{
	wr(0x0a, 0xa6);
	clk.ns = T_LEAP * S + 500000000ull;
	cr_assert_eq(rd(0x0a), 0x26);
}

Test(cmos, divider_reset_stops_and_restarts_half_second_later)
{
	wr(0x0a, 0x76);
	clk.ns += 10 * S;
	cr_assert_eq(rd(0x00), 0x30);
	wr(0x0a, 0x26);
	clk.ns += 499999999ull;
	cr_assert_eq(rd(0x00), 0x30);
	clk.ns += 1;
	cr_assert_eq(rd(0x00), 0x31);
}

Test(cmos, register_d_reads_vrt_and_ignores_writes)
{
	wr(0x0d, 0x00);
	cr_assert_eq(rd(0x0d), 0x80);
	wr(0x0c, 0xff);
	cr_assert_eq(rd(0x0c), 0x00);
}

Test(cmos, nvram_keeps_bytes)
{
	for (unsigned int i = 0x0e; i < 0x80; i++)
		if (i != 0x32)
			wr((uint8_t)i, (uint8_t)(i ^ 0xa5));
	for (unsigned int i = 0x0e; i < 0x80; i++)
		if (i != 0x32)
			cr_assert_eq(rd((uint8_t)i), (uint8_t)(i ^ 0xa5), "byte %#x", i);
}

Test(cmos, nvram_host_access)
{
	uint8_t v = 0;

	cr_assert_eq(superio_cmos_nvram_write(&rtc, 0x40, 0x99), 0);
	cr_assert_eq(rd(0x40), 0x99);
	cr_assert_eq(superio_cmos_nvram_read(&rtc, 0x40, &v), 0);
	cr_assert_eq(v, 0x99);
	cr_assert_eq(superio_cmos_nvram_write(&rtc, 0x00, 1), -EINVAL);
	cr_assert_eq(superio_cmos_nvram_write(&rtc, 0x32, 1), -EINVAL);
	cr_assert_eq(superio_cmos_nvram_write(&rtc, 0x80, 1), -EINVAL);
	cr_assert_eq(superio_cmos_nvram_read(&rtc, 0x0d, &v), -EINVAL);
}

Test(cmos, nmi_bit_is_not_part_of_the_index)
{
	uint32_t v = 0;

	cr_assert_eq(superio_cmos_write(&rtc, 0, 1, 0x80 | 0x09), 0);
	cr_assert_eq(superio_cmos_read(&rtc, 1, 1, &v), 0);
	cr_assert_eq(v, 0x24);
	cr_assert(superio_cmos_nmi_disabled(&rtc));
	cr_assert_eq(nmi_calls, 1);
	cr_assert(nmi_state);
	cr_assert_eq(superio_cmos_write(&rtc, 0, 1, 0x09), 0);
	cr_assert_not(superio_cmos_nmi_disabled(&rtc));
	cr_assert_eq(nmi_calls, 2);
	cr_assert_eq(superio_cmos_write(&rtc, 0, 1, 0x0a), 0);
	cr_assert_eq(nmi_calls, 2, "only changes are reported");
}

Test(cmos, index_port_reads_float)
{
	uint32_t v = 0;

	cr_assert_eq(superio_cmos_read(&rtc, 0, 1, &v), 0);
	cr_assert_eq(v, 0xff);
}

Test(cmos, bad_accesses_are_rejected)
{
	uint32_t v = 0;

	cr_assert_eq(superio_cmos_read(&rtc, 2, 1, &v), -EINVAL);
	cr_assert_eq(superio_cmos_read(&rtc, 1, 2, &v), -EINVAL);
	cr_assert_eq(v, 0xffff);
	cr_assert_eq(superio_cmos_write(&rtc, 1, 4, 0), -EINVAL);
	cr_assert_eq(rd(0x00), 0x30);
	cr_assert_eq(superio_cmos_init(&rtc, &(struct superio_cmos_config){ 0 }), -EINVAL);
}

/* rtc-cmos cmos_do_probe(): VALID bit 6, 1024 Hz rate, interrupts off, 24-hour check. */
Test(cmos, linux_probe_sequence)
{
	uint8_t ctl;

	cr_assert_eq(rd(0x0d) & 0x40, 0, "RTC_VALID bit 6 must be 0");
	wr(0x0a, 0x20 | 0x06);
	ctl = rd(0x0b);
	ctl &= (uint8_t)~(SUPERIO_CMOS_B_PIE | SUPERIO_CMOS_B_AIE | SUPERIO_CMOS_B_UIE);
	wr(0x0b, ctl);
	(void)rd(0x0c);
	cr_assert(rd(0x0b) & SUPERIO_CMOS_B_24H, "rtc-cmos: only 24-hr supported");
	cr_assert_not(irq.level);
}

/* mc146818_get_time(): seconds, UIP, the rest, UIP again and seconds again. */
Test(cmos, linux_get_time_sequence)
{
	uint8_t sec, min, hour, mday, mon, year, cent, ctl;

	clk.ns = T_LEAP * S + 300000000ull;
	sec = rd(0x00);
	cr_assert_eq(rd(0x0a) & 0x80, 0);
	min = rd(0x02);
	hour = rd(0x04);
	mday = rd(0x07);
	mon = rd(0x08);
	year = rd(0x09);
	cent = rd(0x32);
	ctl = rd(0x0b);
	cr_assert_eq(rd(0x0a) & 0x80, 0);
	cr_assert_eq(rd(0x00), sec);
	cr_assert_eq(ctl & SUPERIO_CMOS_B_DM, 0, "Linux x86 decodes BCD");
	cr_assert_eq(sec, 0x30);
	cr_assert_eq(min, 0x45);
	cr_assert_eq(hour, 0x13);
	cr_assert_eq(mday, 0x29);
	cr_assert_eq(mon, 0x02);
	cr_assert_eq(year, 0x24);
	cr_assert_eq(cent, 0x20);
}

/* mc146818_set_time(): SET, divider reset, fields, restore B then A. */
Test(cmos, linux_set_time_sequence)
{
	uint8_t save_control = rd(0x0b), save_freq = rd(0x0a);

	wr(0x0b, save_control | 0x80);
	wr(0x0a, save_freq | 0x70);
	wr(0x09, 0x30);
	wr(0x08, 0x06);
	wr(0x07, 0x15);
	wr(0x04, 0x12);
	wr(0x02, 0x34);
	wr(0x00, 0x56);
	wr(0x32, 0x20);
	wr(0x0b, save_control);
	wr(0x0a, save_freq);
	cr_assert_eq(superio_cmos_time(&rtc), 1907757296);
	clk.ns += 500000000ull;
	cr_assert_eq(rd(0x00), 0x57, "first update half a second after the divider restarts");
}

Test(cmos, reset_restores_power_on)
{
	wr(0x0b, 0x06 | SUPERIO_CMOS_B_PIE);
	wr(0x40, 0x77);
	superio_cmos_reset(&rtc);
	cr_assert_eq(rd(0x0b), 0x02);
	cr_assert_eq(rd(0x40), 0x00);
	cr_assert_eq(rd(0x00), 0x30);
}

/* Property: the registers agree with the C library's gmtime_r at random instants, 1970-2199. */
Test(cmos, calendar_matches_gmtime)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < 20000; i++) {
		time_t t;
		struct tm tm;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t = (time_t)(x % 7258118400ull); /* up to 2200-01-01 */
		gmtime_r(&t, &tm);
		start_at((uint64_t)t * S);
		wr(0x0b, 0x02 | SUPERIO_CMOS_B_DM);
		cr_assert_eq(rd(0x00), (unsigned int)tm.tm_sec, "t=%lld", (long long)t);
		cr_assert_eq(rd(0x02), (unsigned int)tm.tm_min, "t=%lld", (long long)t);
		cr_assert_eq(rd(0x04), (unsigned int)tm.tm_hour, "t=%lld", (long long)t);
		cr_assert_eq(rd(0x06), (unsigned int)tm.tm_wday + 1, "t=%lld", (long long)t);
		cr_assert_eq(rd(0x07), (unsigned int)tm.tm_mday, "t=%lld", (long long)t);
		cr_assert_eq(rd(0x08), (unsigned int)tm.tm_mon + 1, "t=%lld", (long long)t);
		cr_assert_eq(rd(0x09) + 100u * rd(0x32), (unsigned int)tm.tm_year + 1900,
			     "t=%lld", (long long)t);
	}
}

/* Property: a date written under SET reads back identically, in 12-hour BCD. */
Test(cmos, set_round_trips_in_12_hour_bcd)
{
	static const uint8_t hours[] = { 0x12, 0x01, 0x11, 0x92, 0x81, 0x91 };

	for (size_t i = 0; i < sizeof(hours); i++) {
		wr(0x0b, 0x80);
		wr(0x04, hours[i]);
		wr(0x02, 0x59);
		wr(0x00, 0x07);
		wr(0x07, 0x28);
		wr(0x08, 0x02);
		wr(0x09, 0x99);
		wr(0x32, 0x20);
		wr(0x0b, 0x00);
		cr_assert_eq(rd(0x04), hours[i], "hour register %#x", hours[i]);
		cr_assert_eq(rd(0x02), 0x59);
		cr_assert_eq(rd(0x07), 0x28);
		cr_assert_eq(rd(0x09), 0x99);
	}
}
