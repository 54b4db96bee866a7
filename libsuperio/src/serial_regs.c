// SPDX-License-Identifier: MIT
// 16550A register file (PC16550D section 8): byte-wide registers at
// offsets 0..7, with DLAB (LCR bit 7) switching offsets 0 and 1 to the
// divisor latch.  Every access that may change an interrupt source ends
// with superio__serial_update_irq; the hot registers of a console (LSR
// polls, THR writes, RBR reads with more data behind) take fast paths that
// skip it only where the level provably cannot change.
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

	if ((iir & 0x0fu) == IIR_THRI) {
		s->thre_pending = 0;
		superio__serial_update_irq(s);
	}
	return iir;
}

/* Reading LSR clears the latched error bits, which may end an RLSI. */
static uint8_t read_lsr(struct superio_serial *s)
{
	uint8_t lsr = superio__serial_lsr(s);

	if (s->lsr & LSR_ERRORS) {
		s->lsr &= (uint8_t)~LSR_ERRORS;
		superio__serial_update_irq(s);
	}
	return lsr;
}

static uint8_t read_msr(struct superio_serial *s)
{
	uint8_t msr = (uint8_t)(superio__serial_lines(s) | s->msr_delta);

	if (s->msr_delta) {
		s->msr_delta = 0;
		superio__serial_update_irq(s);
	}
	return msr;
}

/* Each case that changes an interrupt source re-drives the line itself. */
static uint8_t read_reg(struct superio_serial *s, unsigned int reg)
{
	bool dlab = (s->lcr & LCR_DLAB) != 0;
	uint8_t byte;

	switch (reg) {
	case SUPERIO_SERIAL_RBR:
		if (dlab)
			return s->dll;
		byte = read_rbr(s);
		superio__serial_update_irq(s);
		return byte;
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
			(void)superio__serial_thr_write(s, v);
		return;
	case SUPERIO_SERIAL_IER:
		if (dlab) {
			s->dlm = v;
			return;
		}
		write_ier(s, v);
		break;
	case SUPERIO_SERIAL_FCR:
		write_fcr(s, v);
		break;
	case SUPERIO_SERIAL_MCR:
		write_mcr(s, v);
		break;
	case SUPERIO_SERIAL_LCR:
		/* DLAB only remaps registers; no interrupt source depends on LCR. */
		s->lcr = v;
		return;
	case SUPERIO_SERIAL_LSR:
	case SUPERIO_SERIAL_MSR:
		/* Read-only on a 16550A; writes are factory-test only and ignored. */
		return;
	default:
		s->scr = v;
		return;
	}
	superio__serial_update_irq(s);
}

static __attribute__((noinline)) int read_slow(struct superio_serial *s, uint64_t offset,
					       unsigned int size, uint32_t *value)
{
	if (!value)
		return -EINVAL;
	if (!s || size != 1 || offset >= SUPERIO_SERIAL_NR_REGS) {
		*value = size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1u;
		return -EINVAL;
	}
	*value = read_reg(s, (unsigned int)offset);
	return 0;
}

/*
 * Fast paths, kept free of calls so that they need no stack frame: LSR with
 * no latched error (reading it changes nothing), RBR with more data behind
 * the byte (the RX source stays pending and DR stays set, so the line keeps
 * its level and the host is not told about an empty FIFO), the registers
 * that are plain storage, and IIR and MSR reads that change nothing.  Everything else, and every rejection,
 * goes through read_slow().
 */
int superio_serial_read(struct superio_serial *s, uint64_t offset, unsigned int size,
			uint32_t *value)
{
	if (__builtin_expect(size != 1, 0) || !s || !value)
		return read_slow(s, offset, size, value);
	/* Tested one by one rather than through a jump table: fewer instructions. */
	if (offset == SUPERIO_SERIAL_LSR) {
		if (s->lsr & LSR_ERRORS)
			return read_slow(s, offset, size, value);
		*value = superio__serial_lsr(s);
		return 0;
	}
	if (offset == SUPERIO_SERIAL_RBR) {
		if (s->rx.len <= 1 || (s->lcr & LCR_DLAB))
			return read_slow(s, offset, size, value);
		*value = superio__fifo_pop(&s->rx);
		return 0;
	}
	switch (offset) {
	case SUPERIO_SERIAL_IER:
		*value = (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
		return 0;
	case SUPERIO_SERIAL_LCR:
		*value = s->lcr;
		return 0;
	case SUPERIO_SERIAL_MCR:
		*value = s->mcr;
		return 0;
	case SUPERIO_SERIAL_SCR:
		*value = s->scr;
		return 0;
	case SUPERIO_SERIAL_IIR:
		/* Changes state only when it acknowledges THRE. */
		*value = superio__serial_iir(s);
		if ((*value & 0x0fu) != IIR_THRI)
			return 0;
		return read_slow(s, offset, size, value);
	case SUPERIO_SERIAL_MSR:
		/* Changes state only when it clears deltas; loopback remaps the lines. */
		if (s->msr_delta || (s->mcr & MCR_LOOP))
			return read_slow(s, offset, size, value);
		*value = s->modem_in;
		return 0;
	default:
		return read_slow(s, offset, size, value);
	}
}

static __attribute__((noinline)) int write_slow(struct superio_serial *s, uint64_t offset,
						unsigned int size, uint32_t value)
{
	if (!s || size != 1 || offset >= SUPERIO_SERIAL_NR_REGS)
		return -EINVAL;
	write_reg(s, (unsigned int)offset, (uint8_t)value);
	return 0;
}

/* THR goes straight to the transmitter; LCR and SCR are plain storage. */
int superio_serial_write(struct superio_serial *s, uint64_t offset, unsigned int size,
			 uint32_t value)
{
	if (!s || size != 1)
		return write_slow(s, offset, size, value);
	if (offset == SUPERIO_SERIAL_THR && !(s->lcr & LCR_DLAB))
		return superio__serial_thr_write(s, (uint8_t)value);
	switch (offset) {
	case SUPERIO_SERIAL_LCR:
		s->lcr = (uint8_t)value;
		return 0;
	case SUPERIO_SERIAL_SCR:
		s->scr = (uint8_t)value;
		return 0;
	default:
		return write_slow(s, offset, size, value);
	}
}
