// SPDX-License-Identifier: MIT
// MC146818A register interface on the PC's ports 0x70/0x71 (datasheet,
// "Address map" and "Registers").  Port 0x70 selects one of 128 bytes and
// carries the NMI-disable bit 7, which is not part of the index.  Time
// registers are computed from the guest time on each read, or frozen in
// RAM while SET holds the clock for the guest to program it.
#include <errno.h>
#include <string.h>

#include "cmos_internal.h"

static bool is_time_reg(unsigned int idx)
{
	switch (idx) {
	case SUPERIO_CMOS_SECONDS:
	case SUPERIO_CMOS_MINUTES:
	case SUPERIO_CMOS_HOURS:
	case SUPERIO_CMOS_DAY_OF_WEEK:
	case SUPERIO_CMOS_DAY_OF_MONTH:
	case SUPERIO_CMOS_MONTH:
	case SUPERIO_CMOS_YEAR:
	case SUPERIO_CMOS_CENTURY:
		return true;
	default:
		return false;
	}
}

static bool set_held(const struct superio_cmos *c)
{
	return (c->ram[SUPERIO_CMOS_REG_B] & SUPERIO_CMOS_B_SET) != 0;
}

static uint8_t read_time_reg(const struct superio_cmos *c, unsigned int idx, uint64_t t)
{
	uint8_t regs[SUPERIO_CMOS_RAM_SIZE];

	if (set_held(c))
		return c->ram[idx];
	superio__cmos_fill_time(c, superio__cmos_guest_sec(c, t), regs);
	return regs[idx];
}

/* Register C: flags with IRQF, all cleared by the read (datasheet, register C). */
static uint8_t read_reg_c(struct superio_cmos *c)
{
	uint8_t v = c->ram[SUPERIO_CMOS_REG_C];

	if (v & c->ram[SUPERIO_CMOS_REG_B] & C_FLAGS)
		v |= SUPERIO_CMOS_C_IRQF;
	c->ram[SUPERIO_CMOS_REG_C] = 0;
	return v;
}

static uint8_t read_reg(struct superio_cmos *c, unsigned int idx, uint64_t t)
{
	if (is_time_reg(idx))
		return read_time_reg(c, idx, t);
	switch (idx) {
	case SUPERIO_CMOS_REG_A:
		return (uint8_t)(c->ram[idx] | (superio__cmos_uip(c, t) ? SUPERIO_CMOS_A_UIP : 0));
	case SUPERIO_CMOS_REG_C:
		return read_reg_c(c);
	case SUPERIO_CMOS_REG_D:
		return SUPERIO_CMOS_D_VRT;
	default:
		return c->ram[idx];
	}
}

/* A single time field written while the clock runs: the clock jumps to it. */
static void write_time_reg(struct superio_cmos *c, unsigned int idx, uint8_t v, uint64_t t)
{
	uint8_t regs[SUPERIO_CMOS_RAM_SIZE];

	if (set_held(c)) {
		c->ram[idx] = v;
		return;
	}
	superio__cmos_fill_time(c, superio__cmos_guest_sec(c, t), regs);
	regs[idx] = v;
	superio__cmos_set_time(c, t, superio__cmos_parse_time(c, regs));
}

/*
 * DV = 11x holds the divider in reset: the clock stops.  Leaving reset
 * starts a new phase whose first update is half a second later.
 */
static void write_reg_a(struct superio_cmos *c, uint8_t v, uint64_t t)
{
	bool was = superio__cmos_running(c);
	int64_t secs = superio__cmos_guest_sec(c, t);

	c->ram[SUPERIO_CMOS_REG_A] = (uint8_t)(v & ~SUPERIO_CMOS_A_UIP);
	if (was && !superio__cmos_running(c)) {
		c->frozen_s = secs;
	} else if (!was && superio__cmos_running(c)) {
		c->phase_ns = (t + (uint64_t)DIVIDER_RESTART_NS) % (uint64_t)NS_PER_S;
		superio__cmos_set_time(c, t, c->frozen_s);
	}
}

/*
 * Raising SET freezes a copy of the time for the guest to edit and clears
 * UIE (datasheet, register B); dropping it loads the edited time.
 */
static void write_reg_b(struct superio_cmos *c, uint8_t v, uint64_t t)
{
	bool was = set_held(c), now = (v & SUPERIO_CMOS_B_SET) != 0;

	if (!was && now) {
		superio__cmos_fill_time(c, superio__cmos_guest_sec(c, t), c->ram);
		v &= (uint8_t)~SUPERIO_CMOS_B_UIE;
	}
	c->ram[SUPERIO_CMOS_REG_B] = v;
	if (was && !now)
		superio__cmos_set_time(c, t, superio__cmos_parse_time(c, c->ram));
}

static void write_reg(struct superio_cmos *c, unsigned int idx, uint8_t v, uint64_t t)
{
	if (is_time_reg(idx)) {
		write_time_reg(c, idx, v, t);
		return;
	}
	switch (idx) {
	case SUPERIO_CMOS_REG_A:
		write_reg_a(c, v, t);
		break;
	case SUPERIO_CMOS_REG_B:
		write_reg_b(c, v, t);
		break;
	case SUPERIO_CMOS_REG_C:
	case SUPERIO_CMOS_REG_D:
		break; /* read-only */
	default:
		c->ram[idx] = v;
		break;
	}
}

static void write_index(struct superio_cmos *c, uint8_t v)
{
	uint8_t nmi = (v & SUPERIO_CMOS_NMI_DISABLE) ? 1 : 0;

	c->index = (uint8_t)(v & ~SUPERIO_CMOS_NMI_DISABLE);
	if (nmi != c->nmi_disabled) {
		c->nmi_disabled = nmi;
		if (c->cfg.nmi)
			c->cfg.nmi(c->cfg.nmi_ctx, nmi != 0);
	}
}

static bool decoded(uint64_t offset, unsigned int size)
{
	return size == 1 && offset < SUPERIO_CMOS_WINDOW;
}

int superio_cmos_read(struct superio_cmos *c, uint64_t offset, unsigned int size,
		      uint32_t *value)
{
	uint64_t t;

	if (!value)
		return -EINVAL;
	*value = size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1u;
	if (!c || !decoded(offset, size))
		return -EINVAL;
	if (offset == SUPERIO_CMOS_INDEX)
		return 0; /* the index port is write-only: the bus floats */
	t = superio__cmos_now(c);
	superio__cmos_process(c, t);
	*value = read_reg(c, c->index, t);
	superio__cmos_update_irq(c);
	return 0;
}

int superio_cmos_write(struct superio_cmos *c, uint64_t offset, unsigned int size,
		       uint32_t value)
{
	uint64_t t;

	if (!c || !decoded(offset, size))
		return -EINVAL;
	if (offset == SUPERIO_CMOS_INDEX) {
		write_index(c, (uint8_t)value);
		return 0;
	}
	t = superio__cmos_now(c);
	superio__cmos_process(c, t);
	write_reg(c, c->index, (uint8_t)value, t);
	superio__cmos_update_irq(c);
	return 0;
}

void superio_cmos_update(struct superio_cmos *c)
{
	superio__cmos_process(c, superio__cmos_now(c));
	superio__cmos_update_irq(c);
}

uint64_t superio_cmos_next_deadline(const struct superio_cmos *c)
{
	return superio__cmos_next_event(c);
}

bool superio_cmos_irq_level(const struct superio_cmos *c)
{
	return c->line != 0;
}

bool superio_cmos_nmi_disabled(const struct superio_cmos *c)
{
	return c->nmi_disabled != 0;
}

static bool nvram_index(unsigned int index)
{
	return index > SUPERIO_CMOS_REG_D && index < SUPERIO_CMOS_RAM_SIZE &&
	       index != SUPERIO_CMOS_CENTURY;
}

int superio_cmos_nvram_read(const struct superio_cmos *c, unsigned int index, uint8_t *out)
{
	if (!c || !out || !nvram_index(index))
		return -EINVAL;
	*out = c->ram[index];
	return 0;
}

int superio_cmos_nvram_write(struct superio_cmos *c, unsigned int index, uint8_t value)
{
	if (!c || !nvram_index(index))
		return -EINVAL;
	c->ram[index] = value;
	return 0;
}

int64_t superio_cmos_time(const struct superio_cmos *c)
{
	if (set_held(c))
		return superio__cmos_parse_time(c, c->ram);
	return superio__cmos_guest_sec(c, superio__cmos_now(c));
}

void superio_cmos_get_metrics(const struct superio_cmos *c, struct superio_cmos_metrics *out)
{
	*out = c->metrics;
}

/* Power-on: host UTC time, BCD, 24-hour, 1024 Hz rate, interrupts off, NVRAM clear. */
static void power_on(struct superio_cmos *c)
{
	uint64_t t = superio__cmos_now(c);

	memset(c->ram, 0, sizeof(c->ram));
	c->ram[SUPERIO_CMOS_REG_A] = A_POWER_ON;
	c->ram[SUPERIO_CMOS_REG_B] = B_POWER_ON;
	c->index = 0;
	c->phase_ns = 0; /* updates on the host's second boundaries */
	superio__cmos_set_time(c, t, (int64_t)(t / (uint64_t)NS_PER_S));
	superio__cmos_update_irq(c);
}

int superio_cmos_init(struct superio_cmos *c, const struct superio_cmos_config *cfg)
{
	if (!c || !cfg || !cfg->clock.fn)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	power_on(c);
	return 0;
}

void superio_cmos_reset(struct superio_cmos *c)
{
	power_on(c);
}
