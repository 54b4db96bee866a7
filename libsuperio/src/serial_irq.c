// SPDX-License-Identifier: MIT
// 16550A interrupt identification (PC16550D table 4): one priority encoder
// computed from the live state, and the one function that drives the line.
// Priority: line status > received data / character timeout > THR empty >
// modem status.  The IIR FIFO bits 7:6 follow FCR bit 0, which is how
// Linux's autoconfig tells a 16550A from a 16450.
#include "serial_internal.h"

static const uint8_t trigger_levels[4] = { 1, 4, 8, 14 };

static unsigned int rx_trigger(const struct superio_serial *s)
{
	if (!(s->fcr & FCR_ENABLE))
		return 1;
	return trigger_levels[(s->fcr & FCR_TRIGGER) >> 6];
}

/*
 * Data below the trigger level is reported as a character timeout.  The
 * host pushes a whole burst at once, so the line is idle as soon as the
 * push returns: the timeout that real hardware signals four character times
 * later is due immediately.  Reading RBR restarts it, which again expires
 * at once while data remains.
 */
static uint8_t rx_source(const struct superio_serial *s)
{
	if (s->rx.len == 0)
		return IIR_NO_INT;
	if (s->rx.len >= rx_trigger(s))
		return IIR_RDI;
	return IIR_CTI;
}

uint8_t superio__serial_iir(const struct superio_serial *s)
{
	uint8_t fifo = (s->fcr & FCR_ENABLE) ? IIR_FIFO : 0;
	uint8_t id = IIR_NO_INT;

	if ((s->ier & IER_RLSI) && (s->lsr & LSR_ERRORS))
		id = IIR_RLSI;
	else if ((s->ier & IER_RDI) && s->rx.len)
		id = rx_source(s);
	else if ((s->ier & IER_THRI) && s->thre_pending)
		id = IIR_THRI;
	else if ((s->ier & IER_MSI) && (s->msr_delta & MSR_DELTAS))
		id = IIR_MSI;
	return (uint8_t)(fifo | id);
}

void superio__serial_update_irq(struct superio_serial *s)
{
	uint8_t level = (superio__serial_iir(s) & IIR_NO_INT) ? 0 : 1;

	if (level == s->line)
		return;
	s->line = level;
	if (level)
		s->metrics.irqs_raised++;
	if (s->cfg.irq.fn)
		s->cfg.irq.fn(s->cfg.irq.ctx, level != 0);
}

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
