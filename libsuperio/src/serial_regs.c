// SPDX-License-Identifier: MIT
// 16550A register file (PC16550D section 8): byte-wide registers at
// offsets 0..7, with DLAB (LCR bit 7) switching offsets 0 and 1 to the
// divisor latch.  Every mutating path ends with superio__serial_update_irq.
#include <errno.h>

#include "serial_internal.h"

static uint8_t read_rbr(struct superio_serial *s)
{
	uint8_t byte;

	if (s->rx.len == 0)
		return 0;
	byte = superio__fifo_pop(&s->rx);
	if (s->rx.len == 0 && s->cfg.ops && s->cfg.ops->rx_drained)
		s->cfg.ops->rx_drained(s->cfg.ops_ctx);
	return byte;
}

/* Reading IIR acknowledges THRE only when THRE is what it reports. */
static uint8_t read_iir(struct superio_serial *s)
{
	uint8_t iir = superio__serial_iir(s);

	if ((iir & 0x0fu) == IIR_THRI)
		s->thre_pending = 0;
	return iir;
}

/* THRE and TEMT stay together: the model has no shift-register delay. */
static uint8_t read_lsr(struct superio_serial *s)
{
	uint8_t lsr = s->lsr;

	if (s->rx.len)
		lsr |= LSR_DR;
	if (s->tx.len == 0)
		lsr |= LSR_THRE | LSR_TEMT;
	s->lsr &= (uint8_t)~LSR_ERRORS;
	return lsr;
}

static uint8_t read_msr(struct superio_serial *s)
{
	uint8_t msr = (uint8_t)(superio__serial_lines(s) | s->msr_delta);

	s->msr_delta = 0;
	return msr;
}

static uint8_t read_reg(struct superio_serial *s, unsigned int reg)
{
	bool dlab = (s->lcr & LCR_DLAB) != 0;

	switch (reg) {
	case SUPERIO_SERIAL_RBR:
		return dlab ? s->dll : read_rbr(s);
	case SUPERIO_SERIAL_IER:
		return dlab ? s->dlm : s->ier;
	case SUPERIO_SERIAL_IIR:
		return read_iir(s);
	case SUPERIO_SERIAL_LCR:
		return s->lcr;
	case SUPERIO_SERIAL_MCR:
		return s->mcr;
	case SUPERIO_SERIAL_LSR:
		return read_lsr(s);
	case SUPERIO_SERIAL_MSR:
		return read_msr(s);
	default:
		return s->scr;
	}
}

/*
 * Any IER write with THRI set and the transmitter empty re-raises THRE, as
 * a real 16550A does: Linux masks IER around console writes and its startup
 * test checks that THRE comes back (else it falls back to polling).
 */
static void write_ier(struct superio_serial *s, uint8_t v)
{
	s->ier = (uint8_t)(v & IER_MASK);
	if ((s->ier & IER_THRI) && s->tx.len == 0)
		s->thre_pending = 1;
}

/*
 * FCR bit 0 gates the other bits; toggling it clears both FIFOs.  Bits 1
 * and 2 self-clear.  Bit 5 (16750 64-byte mode) is not stored, so IIR bit 5
 * stays 0 and Linux does not mistake the part for a 16750.
 */
static void write_fcr(struct superio_serial *s, uint8_t v)
{
	bool was_on = (s->fcr & FCR_ENABLE) != 0, on = (v & FCR_ENABLE) != 0;
	bool clear_rx = (v & FCR_CLEAR_RX) != 0, clear_tx = (v & FCR_CLEAR_TX) != 0;

	if (was_on != on)
		clear_rx = clear_tx = true;
	s->fcr = on ? (uint8_t)(v & FCR_STORED) : 0;
	if (!on) /* with bit 0 clear the reset bits are not programmed either */
		clear_rx = clear_tx = was_on;
	if (clear_rx && s->rx.len) {
		superio__fifo_clear(&s->rx);
		if (s->cfg.ops && s->cfg.ops->rx_drained)
			s->cfg.ops->rx_drained(s->cfg.ops_ctx);
	}
	if (clear_tx) {
		if (s->tx.len)
			s->thre_pending = 1;
		superio__fifo_clear(&s->tx);
	}
}

static void write_mcr(struct superio_serial *s, uint8_t v)
{
	uint8_t old = superio__serial_lines(s);
	bool was_loop = (s->mcr & MCR_LOOP) != 0;

	s->mcr = (uint8_t)(v & MCR_MASK);
	superio__serial_line_deltas(s, old);
	if (was_loop && !(s->mcr & MCR_LOOP) && s->cfg.ops && s->cfg.ops->rx_drained)
		s->cfg.ops->rx_drained(s->cfg.ops_ctx);
}

static void write_reg(struct superio_serial *s, unsigned int reg, uint8_t v)
{
	bool dlab = (s->lcr & LCR_DLAB) != 0;

	switch (reg) {
	case SUPERIO_SERIAL_THR:
		if (dlab)
			s->dll = v;
		else
			superio__serial_tx_byte(s, v);
		break;
	case SUPERIO_SERIAL_IER:
		if (dlab)
			s->dlm = v;
		else
			write_ier(s, v);
		break;
	case SUPERIO_SERIAL_FCR:
		write_fcr(s, v);
		break;
	case SUPERIO_SERIAL_LCR:
		s->lcr = v;
		break;
	case SUPERIO_SERIAL_MCR:
		write_mcr(s, v);
		break;
	case SUPERIO_SERIAL_LSR:
	case SUPERIO_SERIAL_MSR:
		/* Read-only on a 16550A; writes are factory-test only and ignored. */
		break;
	default:
		s->scr = v;
		break;
	}
}

int superio_serial_read(struct superio_serial *s, uint64_t offset, unsigned int size,
			uint32_t *value)
{
	if (!value)
		return -EINVAL;
	*value = size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1u;
	if (!s || size != 1 || offset >= SUPERIO_SERIAL_NR_REGS)
		return -EINVAL;
	*value = read_reg(s, (unsigned int)offset);
	/* Only RBR, IIR, LSR and MSR reads change state; the rest skip the recompute. */
	if (offset == SUPERIO_SERIAL_RBR || offset == SUPERIO_SERIAL_IIR ||
	    offset == SUPERIO_SERIAL_LSR || offset == SUPERIO_SERIAL_MSR)
		superio__serial_update_irq(s);
	return 0;
}

int superio_serial_write(struct superio_serial *s, uint64_t offset, unsigned int size,
			 uint32_t value)
{
	if (!s || size != 1 || offset >= SUPERIO_SERIAL_NR_REGS)
		return -EINVAL;
	write_reg(s, (unsigned int)offset, (uint8_t)value);
	superio__serial_update_irq(s);
	return 0;
}
