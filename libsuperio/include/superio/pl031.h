/* SPDX-License-Identifier: MIT */
/*
 * An ARM PrimeCell PL031 real time clock (ARM DDI 0224): a 32-bit seconds
 * counter, a match register with a masked, latched match interrupt, and the
 * PrimeCell identification registers.  The counter is an offset from the
 * injected clock, so it advances with host time and costs nothing between
 * accesses.  The host time of the next match is exposed so that a VMM can
 * arm a timer and call superio_pl031_update() when it fires.
 */
#ifndef SUPERIO_PL031_H
#define SUPERIO_PL031_H

#include <stdint.h>

#include <superio/irq.h>

/* Register offsets (ARM DDI 0224 3.2); every register is 32 bits wide. */
#define SUPERIO_PL031_DR   0x000u	/* data (counter), RO */
#define SUPERIO_PL031_MR   0x004u	/* match */
#define SUPERIO_PL031_LR   0x008u	/* load */
#define SUPERIO_PL031_CR   0x00cu	/* control: bit 0 start */
#define SUPERIO_PL031_IMSC 0x010u	/* interrupt mask set/clear */
#define SUPERIO_PL031_RIS  0x014u	/* raw interrupt status, RO */
#define SUPERIO_PL031_MIS  0x018u	/* masked interrupt status, RO */
#define SUPERIO_PL031_ICR  0x01cu	/* interrupt clear, WO */
#define SUPERIO_PL031_PERIPHID0 0xfe0u	/* ..0xfec */
#define SUPERIO_PL031_PCELLID0	0xff0u	/* ..0xffc */
#define SUPERIO_PL031_SIZE 0x1000u	/* the MMIO window */

struct superio_pl031_config {
	struct superio_irq irq;
	struct superio_clock clock;	/* required */
};

/* Caller-allocated device.  Fields are private: use the functions. */
struct superio_pl031 {
	struct superio_pl031_config cfg;
	uint64_t load_ns;	/* clock time when the counter held load_value */
	uint32_t load_value;
	uint32_t mr;
	uint8_t cr, imsc, ris, line;
	uint64_t match_ns;	/* clock time of the next match, or SUPERIO_NO_DEADLINE */
	uint64_t seen_ns;	/* latest clock time observed, to notice backward steps */
	uint64_t matches;	/* metrics: match events */
};

/*
 * The counter is saved as its value at save time; restore resumes it from
 * the restoring host's clock, so a migrated guest sees no jump.
 */
#define SUPERIO_PL031_STATE_VERSION 1u
struct superio_pl031_state {
	uint32_t version;
	uint32_t counter, mr;
	uint8_t cr, imsc, ris;
};

/* Starts the counter at the clock's Unix time.  -EINVAL without a clock. */
SUPERIO_WUR int superio_pl031_init(struct superio_pl031 *r,
				   const struct superio_pl031_config *cfg);
void superio_pl031_reset(struct superio_pl031 *r);

/* Register access: 4-byte aligned offsets in 0..0xfff, size 4. */
SUPERIO_WUR int superio_pl031_read(struct superio_pl031 *r, uint64_t offset,
				   unsigned int size, uint32_t *value);
SUPERIO_WUR int superio_pl031_write(struct superio_pl031 *r, uint64_t offset,
				    unsigned int size, uint32_t value);

/* Latches a match that is due; call when the timer for next_deadline fires. */
void superio_pl031_update(struct superio_pl031 *r);
/*
 * Clock time at which the next match is due while it can raise the line
 * (IMSC set and RIS clear), or SUPERIO_NO_DEADLINE.  Query it again after
 * every access and update.
 */
uint64_t superio_pl031_next_deadline(const struct superio_pl031 *r);
bool superio_pl031_irq_level(const struct superio_pl031 *r);
uint32_t superio_pl031_counter(const struct superio_pl031 *r);

void superio_pl031_save(const struct superio_pl031 *r, struct superio_pl031_state *out);
SUPERIO_WUR int superio_pl031_restore(struct superio_pl031 *r,
				      const struct superio_pl031_state *st);

#endif
