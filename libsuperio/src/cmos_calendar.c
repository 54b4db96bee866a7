// SPDX-License-Identifier: MIT
// Calendar arithmetic for the MC146818A model: seconds since the Unix epoch
// to and from year/month/day/hour/minute/second/weekday, proleptic
// Gregorian, by counting 400-year cycles of 146097 days from 0000-03-01
// (putting February last makes the leap day the end of a cycle year).
#include "cmos_internal.h"

#define DAYS_PER_ERA 146097ll		/* 400 Gregorian years */
#define EPOCH_FROM_0000_03_01 719468ll	/* days from 0000-03-01 to 1970-01-01 */

int64_t superio__floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && (a < 0))
		q--;
	return q;
}

/* Day of the March-based year -> month (1..12) and day of month. */
static void month_day(int64_t doy, unsigned int *mon, unsigned int *mday)
{
	int64_t mp = (5 * doy + 2) / 153; /* 0 = March ... 11 = February */

	*mday = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	*mon = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
}

void superio__rtc_from_seconds(int64_t secs, struct superio__rtc_time *out)
{
	int64_t days = superio__floor_div(secs, SECS_PER_DAY);
	int64_t sod = secs - days * SECS_PER_DAY;
	int64_t z = days + EPOCH_FROM_0000_03_01;
	int64_t era = superio__floor_div(z, DAYS_PER_ERA);
	int64_t doe = z - era * DAYS_PER_ERA;			/* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);	/* 0..365 */

	month_day(doy, &out->mon, &out->mday);
	out->year = yoe + era * 400 + (out->mon <= 2 ? 1 : 0);
	out->hour = (unsigned int)(sod / 3600);
	out->min = (unsigned int)(sod / 60 % 60);
	out->sec = (unsigned int)(sod % 60);
	/* 1970-01-01 was a Thursday (5 when Sunday is 1). */
	out->wday = (unsigned int)((days % 7 + 7 + 4) % 7 + 1);
}

int64_t superio__rtc_to_seconds(const struct superio__rtc_time *t)
{
	int64_t y = t->year - (t->mon <= 2 ? 1 : 0);
	int64_t era = superio__floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = t->mon > 2 ? t->mon - 3 : t->mon + 9;
	int64_t doy = (153 * mp + 2) / 5 + t->mday - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * DAYS_PER_ERA + doe - EPOCH_FROM_0000_03_01;

	return days * SECS_PER_DAY + t->hour * 3600 + t->min * 60 + t->sec;
}
