// SPDX-License-Identifier: MIT
// 16550A modem lines (PC16550D 8.6, 8.8): the MSR inputs, wired to the MCR
// outputs in loopback, and the delta bits that feed the modem-status
// interrupt.  The IIR priority encoder and the line driver are inline in
// serial_internal.h, since every register access ends with them.
#include "serial_internal.h"

/* In loopback the modem inputs are wired to the MCR outputs (datasheet 8.6). */
uint8_t superio__serial_lines(const struct superio_serial *s)
{
	uint8_t m = s->mcr;

	if (!(m & MCR_LOOP))
		return s->modem_in;
	return (uint8_t)(((m & MCR_RTS) ? SUPERIO_SERIAL_MODEM_CTS : 0) |
			 ((m & MCR_DTR) ? SUPERIO_SERIAL_MODEM_DSR : 0) |
			 ((m & MCR_OUT1) ? SUPERIO_SERIAL_MODEM_RI : 0) |
			 ((m & MCR_OUT2) ? SUPERIO_SERIAL_MODEM_DCD : 0));
}

/* Delta bits latch changes; TERI only on the trailing edge of RI. */
void superio__serial_line_deltas(struct superio_serial *s, uint8_t old)
{
	uint8_t now = superio__serial_lines(s);
	uint8_t changed = (uint8_t)(old ^ now);

	if (changed & SUPERIO_SERIAL_MODEM_CTS)
		s->msr_delta |= MSR_DCTS;
	if (changed & SUPERIO_SERIAL_MODEM_DSR)
		s->msr_delta |= MSR_DDSR;
	if ((old & SUPERIO_SERIAL_MODEM_RI) && !(now & SUPERIO_SERIAL_MODEM_RI))
		s->msr_delta |= MSR_TERI;
	if (changed & SUPERIO_SERIAL_MODEM_DCD)
		s->msr_delta |= MSR_DDCD;
}

bool superio_serial_irq_level(const struct superio_serial *s)
{
	return s->line != 0;
}

/*
 * The caches the byte-wide fast paths read.  None of the fast paths changes
 * an input of these (serial_regs.c), so they stay exact until the next
 * slow path ends here again.
 */
void superio__serial_sync(struct superio_serial *s)
{
	bool dlab = (s->lcr & LCR_DLAB) != 0;
	uint8_t lsr = superio__serial_lsr(s);
	uint8_t side = 1u << SUPERIO_SERIAL_IIR; /* computed on every read */

	superio__serial_update_irq(s);
	s->rdval[SUPERIO_SERIAL_RBR] = dlab ? s->dll : 0; /* RBR reads 0 when empty */
	s->rdval[SUPERIO_SERIAL_IER] = dlab ? s->dlm : s->ier;
	s->rdval[SUPERIO_SERIAL_IIR] = 0;
	s->rdval[SUPERIO_SERIAL_LCR] = s->lcr;
	s->rdval[SUPERIO_SERIAL_MCR] = s->mcr;
	s->rdval[SUPERIO_SERIAL_LSR] = lsr;
	s->rdval[SUPERIO_SERIAL_MSR] = (uint8_t)(superio__serial_lines(s) | s->msr_delta);
	s->rdval[SUPERIO_SERIAL_SCR] = s->scr;
	if (!dlab && s->rx.len)
		side |= 1u << SUPERIO_SERIAL_RBR;
	if (lsr & LSR_ERRORS)
		side |= 1u << SUPERIO_SERIAL_LSR;
	if (s->msr_delta)
		side |= 1u << SUPERIO_SERIAL_MSR;
	s->rdside = side;
	/* A batched THR byte must leave THRE pending and the line where it is. */
	s->thr_base = THR_SLOW;
	if (s->tx_direct && !dlab && s->tx.len == 0 && !(s->mcr & MCR_LOOP))
		s->thr_base = s->cfg.tx_batch && (s->fcr & FCR_ENABLE) ? THR_BATCH : THR_DIRECT;
	superio__serial_thr_modes(s, s->line);
}
