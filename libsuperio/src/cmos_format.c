// SPDX-License-Identifier: MIT
// MC146818A register formats: register B's DM bit selects binary or BCD and
// its 24/12 bit the hour format (12-hour keeps PM in bit 7).  Decoding takes
// any byte a guest may write and says when it is malformed, so the clock is
// never built from an out-of-range field.
#include "cmos_internal.h"

#define CENTURY_DEFAULT 20u

static bool binary(const struct superio_cmos *c)
{
	return (c->ram[SUPERIO_CMOS_REG_B] & SUPERIO_CMOS_B_DM) != 0;
}

uint8_t superio__cmos_encode(const struct superio_cmos *c, unsigned int v)
{
	v %= 100;
	return (uint8_t)(binary(c) ? v : ((v / 10) << 4) | (v % 10));
}

unsigned int superio__cmos_decode(const struct superio_cmos *c, uint8_t r)
{
	if (binary(c))
		return r;
	if ((r & 0x0f) > 9 || (r >> 4) > 9)
		return 0xff;
	return (unsigned int)((r >> 4) * 10 + (r & 0x0f));
}

uint8_t superio__cmos_encode_hour(const struct superio_cmos *c, unsigned int h)
{
	unsigned int h12 = h % 12 ? h % 12 : 12;

	if (c->ram[SUPERIO_CMOS_REG_B] & SUPERIO_CMOS_B_24H)
		return superio__cmos_encode(c, h);
	return (uint8_t)(superio__cmos_encode(c, h12) | (h >= 12 ? 0x80 : 0));
}

unsigned int superio__cmos_decode_hour(const struct superio_cmos *c, uint8_t r)
{
	unsigned int h;

	if (c->ram[SUPERIO_CMOS_REG_B] & SUPERIO_CMOS_B_24H)
		return superio__cmos_decode(c, r);
	h = superio__cmos_decode(c, (uint8_t)(r & 0x7f));
	if (h < 1 || h > 12)
		return 0xff;
	return h % 12 + ((r & 0x80) ? 12u : 0u);
}

void superio__cmos_fill_time(const struct superio_cmos *c, int64_t secs, uint8_t *regs)
{
	struct superio__rtc_time t;
	int64_t y;

	superio__rtc_from_seconds(secs, &t);
	/* Four BCD digits are all there is: they wrap, both ways. */
	y = t.year - superio__floor_div(t.year, 10000) * 10000;
	regs[SUPERIO_CMOS_SECONDS] = superio__cmos_encode(c, t.sec);
	regs[SUPERIO_CMOS_MINUTES] = superio__cmos_encode(c, t.min);
	regs[SUPERIO_CMOS_HOURS] = superio__cmos_encode_hour(c, t.hour);
	regs[SUPERIO_CMOS_DAY_OF_WEEK] = superio__cmos_encode(c, t.wday);
	regs[SUPERIO_CMOS_DAY_OF_MONTH] = superio__cmos_encode(c, t.mday);
	regs[SUPERIO_CMOS_MONTH] = superio__cmos_encode(c, t.mon);
	regs[SUPERIO_CMOS_YEAR] = superio__cmos_encode(c, (unsigned int)(y % 100));
	regs[SUPERIO_CMOS_CENTURY] = superio__cmos_encode(c, (unsigned int)(y / 100));
}

static unsigned int clamp(unsigned int v, unsigned int lo, unsigned int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static unsigned int days_in_month(int64_t year, unsigned int mon)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return days[mon - 1] + (mon == 2 && leap ? 1u : 0u);
}

/*
 * Real hardware counts on from whatever was written; a model built on a
 * seconds count cannot represent "minute 75", so malformed fields clamp to
 * the nearest valid value.  The weekday register is derived from the date.
 */
int64_t superio__cmos_parse_time(const struct superio_cmos *c, const uint8_t *regs)
{
	struct superio__rtc_time t;
	unsigned int year = superio__cmos_decode(c, regs[SUPERIO_CMOS_YEAR]) % 100;
	unsigned int century = superio__cmos_decode(c, regs[SUPERIO_CMOS_CENTURY]);

	if (century > 99)
		century = CENTURY_DEFAULT;
	t.year = century * 100 + year;
	t.mon = clamp(superio__cmos_decode(c, regs[SUPERIO_CMOS_MONTH]), 1, 12);
	t.mday = clamp(superio__cmos_decode(c, regs[SUPERIO_CMOS_DAY_OF_MONTH]), 1,
		       days_in_month(t.year, t.mon));
	t.hour = clamp(superio__cmos_decode_hour(c, regs[SUPERIO_CMOS_HOURS]), 0, 23);
	t.min = clamp(superio__cmos_decode(c, regs[SUPERIO_CMOS_MINUTES]), 0, 59);
	t.sec = clamp(superio__cmos_decode(c, regs[SUPERIO_CMOS_SECONDS]), 0, 59);
	t.wday = 1;
	return superio__rtc_to_seconds(&t);
}
