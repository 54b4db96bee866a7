/* SPDX-License-Identifier: MIT */
/*
 * MC146818A internals shared by the CMOS source files: calendar arithmetic,
 * register encoding (BCD/binary, 12/24 h), and event timing on the
 * injected clock.
 */
#ifndef SUPERIO_CMOS_INTERNAL_H
#define SUPERIO_CMOS_INTERNAL_H

#include <superio/cmos.h>

#define NS_PER_S 1000000000ll
#define SECS_PER_DAY 86400ll
/* The divider chain's time base: 32.768 kHz (register A DV = 010). */
#define TICKS_PER_S 32768ll
/* UIP rises this long before each update (datasheet, "Update cycle"). */
#define UIP_NS 244000ll
/* After the divider leaves reset the first update comes half a second later. */
#define DIVIDER_RESTART_NS 500000000ll
#define A_DV_MASK 0x70u
#define A_RATE_MASK 0x0fu
#define A_POWER_ON 0x26u	/* 32.768 kHz, 1024 Hz periodic rate */
#define B_POWER_ON SUPERIO_CMOS_B_24H
#define C_FLAGS (SUPERIO_CMOS_C_PF | SUPERIO_CMOS_C_AF | SUPERIO_CMOS_C_UF)

struct superio__rtc_time {
	int64_t year;
	unsigned int mon;	/* 1..12 */
	unsigned int mday;	/* 1..31 */
	unsigned int hour, min, sec;
	unsigned int wday;	/* 1..7, Sunday = 1 */
};

/* Signed floor division; b > 0. */
int64_t superio__floor_div(int64_t a, int64_t b);

/* Calendar (proleptic Gregorian, UTC, no leap seconds). */
void superio__rtc_from_seconds(int64_t secs, struct superio__rtc_time *out);
int64_t superio__rtc_to_seconds(const struct superio__rtc_time *t);

/* Register encoding in the format register B selects. */
uint8_t superio__cmos_encode(const struct superio_cmos *c, unsigned int v);
/* Decodes a register, or returns a value above 99 for a malformed one. */
unsigned int superio__cmos_decode(const struct superio_cmos *c, uint8_t r);
uint8_t superio__cmos_encode_hour(const struct superio_cmos *c, unsigned int h);
/* 24-hour value, or a value above 23 for a malformed register. */
unsigned int superio__cmos_decode_hour(const struct superio_cmos *c, uint8_t r);
/* Fills the time registers of regs[] (indexed like ram) from guest seconds. */
void superio__cmos_fill_time(const struct superio_cmos *c, int64_t secs, uint8_t *regs);
/* Guest seconds from the time registers in regs[]; malformed fields are clamped. */
int64_t superio__cmos_parse_time(const struct superio_cmos *c, const uint8_t *regs);

/* Timing. */
bool superio__cmos_running(const struct superio_cmos *c);
int64_t superio__cmos_host_sec(const struct superio_cmos *c, uint64_t t);
int64_t superio__cmos_guest_sec(const struct superio_cmos *c, uint64_t t);
/* Sets the guest time at clock time t, keeping the update phase. */
void superio__cmos_set_time(struct superio_cmos *c, uint64_t t, int64_t secs);
/* Latches the flags due in (last_ns, t]. */
void superio__cmos_process(struct superio_cmos *c, uint64_t t);
uint64_t superio__cmos_next_event(const struct superio_cmos *c);
bool superio__cmos_uip(const struct superio_cmos *c, uint64_t t);
void superio__cmos_update_irq(struct superio_cmos *c);
/* Drives the line to its level even when unchanged (restore). */
void superio__cmos_redrive_irq(struct superio_cmos *c);
uint64_t superio__cmos_now(const struct superio_cmos *c);

#endif
