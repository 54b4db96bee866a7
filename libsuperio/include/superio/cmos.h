/* SPDX-License-Identifier: MIT */
/*
 * A Motorola MC146818A real time clock with CMOS RAM, as on PC ports
 * 0x70 (index, bit 7 = NMI disable) and 0x71 (data) (MC146818A datasheet).
 *
 * Modelled: seconds..year and century (0x32) in BCD or binary, 12/24 hour
 * mode, status registers A-D, update-in-progress (the 244 us before each
 * update), the SET bit freezing updates, divider reset, periodic, alarm
 * (with don't-care values 0xC0..0xFF) and update-ended interrupts with
 * IRQF, register C read-to-clear, and the remaining 114 bytes of NVRAM.
 * Time is an offset from the injected clock: nothing runs between accesses,
 * and the clock time of the next interrupt is exposed for a VMM timer.
 * Not modelled: daylight-saving (DSE is stored, ignored), square wave pin.
 */
#ifndef SUPERIO_CMOS_H
#define SUPERIO_CMOS_H

#include <stdint.h>

#include <superio/irq.h>

/* Offsets within the two-port window at 0x70. */
#define SUPERIO_CMOS_INDEX 0u	/* port 0x70, write only */
#define SUPERIO_CMOS_DATA  1u	/* port 0x71 */
#define SUPERIO_CMOS_WINDOW 2u
#define SUPERIO_CMOS_NMI_DISABLE 0x80u /* bit 7 of the index port */

/* Register indices. */
#define SUPERIO_CMOS_SECONDS	   0x00u
#define SUPERIO_CMOS_SECONDS_ALARM 0x01u
#define SUPERIO_CMOS_MINUTES	   0x02u
#define SUPERIO_CMOS_MINUTES_ALARM 0x03u
#define SUPERIO_CMOS_HOURS	   0x04u
#define SUPERIO_CMOS_HOURS_ALARM   0x05u
#define SUPERIO_CMOS_DAY_OF_WEEK   0x06u
#define SUPERIO_CMOS_DAY_OF_MONTH  0x07u
#define SUPERIO_CMOS_MONTH	   0x08u
#define SUPERIO_CMOS_YEAR	   0x09u
#define SUPERIO_CMOS_REG_A	   0x0au
#define SUPERIO_CMOS_REG_B	   0x0bu
#define SUPERIO_CMOS_REG_C	   0x0cu
#define SUPERIO_CMOS_REG_D	   0x0du
#define SUPERIO_CMOS_CENTURY	   0x32u
#define SUPERIO_CMOS_RAM_SIZE	   128u

/* Register A/B/C/D bits. */
#define SUPERIO_CMOS_A_UIP  0x80u
#define SUPERIO_CMOS_B_SET  0x80u
#define SUPERIO_CMOS_B_PIE  0x40u
#define SUPERIO_CMOS_B_AIE  0x20u
#define SUPERIO_CMOS_B_UIE  0x10u
#define SUPERIO_CMOS_B_SQWE 0x08u
#define SUPERIO_CMOS_B_DM   0x04u	/* 1 = binary, 0 = BCD */
#define SUPERIO_CMOS_B_24H  0x02u
#define SUPERIO_CMOS_B_DSE  0x01u
#define SUPERIO_CMOS_C_IRQF 0x80u
#define SUPERIO_CMOS_C_PF   0x40u
#define SUPERIO_CMOS_C_AF   0x20u
#define SUPERIO_CMOS_C_UF   0x10u
#define SUPERIO_CMOS_D_VRT  0x80u

typedef void (*superio_cmos_nmi_fn)(void *ctx, bool disabled);

struct superio_cmos_config {
	struct superio_irq irq;		/* IRQ 8 */
	struct superio_clock clock;	/* required */
	/* Called when the guest changes the NMI-disable bit; may be NULL. */
	superio_cmos_nmi_fn nmi;
	void *nmi_ctx;
};

struct superio_cmos_metrics {
	uint64_t periodic, alarm, update; /* flags latched */
	uint64_t irqs_raised;
};

/* Caller-allocated device.  Fields are private: use the functions. */
struct superio_cmos {
	struct superio_cmos_config cfg;
	struct superio_cmos_metrics metrics;
	uint8_t ram[SUPERIO_CMOS_RAM_SIZE]; /* time registers hold the frozen copy while SET */
	uint8_t index, nmi_disabled, line;
	int64_t offset_s;	/* guest seconds = offset_s + host seconds since phase */
	int64_t frozen_s;	/* guest seconds while the divider is held in reset */
	uint64_t phase_ns;	/* host time of an update boundary, modulo 1 s */
	uint64_t last_ns;	/* events are latched up to this clock time */
};

/*
 * The time is saved as guest seconds since the Unix epoch; restore resumes
 * it from the restoring host's clock.  The registers' four year digits
 * repeat every 10000 years, so save stores the time within
 * 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z, which is all restore takes:
 * a clock the guest let run past 9999 (or a host clock stepped back past
 * year 0) comes back showing the same registers, though
 * superio_cmos_time() then reports the wrapped value.
 */
#define SUPERIO_CMOS_STATE_VERSION 1u
struct superio_cmos_state {
	uint32_t version;
	uint8_t ram[SUPERIO_CMOS_RAM_SIZE];
	uint8_t index, nmi_disabled;
	int64_t guest_seconds;
	uint32_t subsecond_ns;	/* time since the last update, < 1e9 */
};

/*
 * Starts with the clock's time (UTC), BCD, 24-hour mode, register A 0x26,
 * B 0x02, D VRT, NVRAM zeroed.  -EINVAL without a clock.
 */
SUPERIO_WUR int superio_cmos_init(struct superio_cmos *c,
				  const struct superio_cmos_config *cfg);
void superio_cmos_reset(struct superio_cmos *c);

/* Register access: offsets 0 (index) and 1 (data), size 1. */
SUPERIO_WUR int superio_cmos_read(struct superio_cmos *c, uint64_t offset,
				  unsigned int size, uint32_t *value);
SUPERIO_WUR int superio_cmos_write(struct superio_cmos *c, uint64_t offset,
				   unsigned int size, uint32_t value);

/* Latches due periodic/alarm/update flags; call when the timer fires. */
void superio_cmos_update(struct superio_cmos *c);
/*
 * Clock time of the next event that can raise the line (an enabled
 * interrupt source), or SUPERIO_NO_DEADLINE.  Query after every access.
 */
uint64_t superio_cmos_next_deadline(const struct superio_cmos *c);
bool superio_cmos_irq_level(const struct superio_cmos *c);
bool superio_cmos_nmi_disabled(const struct superio_cmos *c);

/* Host access to NVRAM (e.g. firmware settings); index 0x0e..0x7f except 0x32. */
SUPERIO_WUR int superio_cmos_nvram_read(const struct superio_cmos *c, unsigned int index,
					uint8_t *out);
SUPERIO_WUR int superio_cmos_nvram_write(struct superio_cmos *c, unsigned int index,
					 uint8_t value);
/* Guest time in seconds since the Unix epoch (what the registers show). */
int64_t superio_cmos_time(const struct superio_cmos *c);
void superio_cmos_get_metrics(const struct superio_cmos *c, struct superio_cmos_metrics *out);

void superio_cmos_save(const struct superio_cmos *c, struct superio_cmos_state *out);
SUPERIO_WUR int superio_cmos_restore(struct superio_cmos *c,
				     const struct superio_cmos_state *st);

#endif
