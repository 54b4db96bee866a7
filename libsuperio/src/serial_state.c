// SPDX-License-Identifier: MIT
// Save/restore of the 16550A's guest-visible state to a plain struct.
// Restore trusts nothing: a state a hardware UART could not be in is
// refused whole, so a corrupt or hostile snapshot cannot break invariants
// the rest of the model relies on (FIFO bounds, reserved bits).
#include <errno.h>
#include <string.h>

#include "serial_internal.h"

void superio_serial_save(const struct superio_serial *s, struct superio_serial_state *out)
{
	*out = (struct superio_serial_state){
		.version = SUPERIO_SERIAL_STATE_VERSION,
		.ier = s->ier, .fcr = s->fcr, .lcr = s->lcr, .mcr = s->mcr,
		.scr = s->scr, .dll = s->dll, .dlm = s->dlm, .lsr = s->lsr,
		.msr_delta = s->msr_delta, .modem_in = s->modem_in,
		.thre_pending = s->thre_pending,
		.rx_len = s->rx.len, .tx_len = s->tx.len,
	};
	for (unsigned int i = 0; i < s->rx.len; i++)
		out->rx[i] = superio__fifo_peek(&s->rx, i);
	for (unsigned int i = 0; i < s->tx.len; i++)
		out->tx[i] = superio__fifo_peek(&s->tx, i);
	/*
	 * Batched output (the FIFO is empty then, and on) is saved as queued TX
	 * bytes, so no output is lost: the restored device offers it on the
	 * next tx_drain().  Hosts flush before saving to avoid that.
	 */
	if (s->out_len) {
		memcpy(out->tx, s->out, s->out_len);
		out->tx_len = s->out_len;
		out->thre_pending = 0;
	}
}

static bool state_valid(const struct superio_serial_state *st)
{
	unsigned int cap = (st->fcr & FCR_ENABLE) ? SUPERIO_SERIAL_FIFO_SIZE : 1u;

	if (st->version != SUPERIO_SERIAL_STATE_VERSION)
		return false;
	if ((st->ier & ~IER_MASK) || (st->fcr & ~FCR_STORED) || (st->mcr & ~MCR_MASK))
		return false;
	if ((st->fcr & ~FCR_ENABLE) && !(st->fcr & FCR_ENABLE))
		return false; /* trigger bits cannot be programmed with FIFOs off */
	if ((st->lsr & ~LSR_ERRORS) || (st->msr_delta & ~MSR_DELTAS) ||
	    (st->modem_in & ~MSR_LINES))
		return false;
	if (st->thre_pending > 1 || (st->thre_pending && st->tx_len))
		return false;
	return st->rx_len <= cap && st->tx_len <= cap;
}

int superio_serial_restore(struct superio_serial *s, const struct superio_serial_state *st)
{
	if (!s || !st || !state_valid(st))
		return -EINVAL;
	superio__serial_tx_discard(s); /* sent, or counted, before the state is replaced */
	s->ier = st->ier;
	s->fcr = st->fcr;
	s->lcr = st->lcr;
	s->mcr = st->mcr;
	s->scr = st->scr;
	s->dll = st->dll;
	s->dlm = st->dlm;
	s->lsr = st->lsr;
	s->msr_delta = st->msr_delta;
	s->modem_in = st->modem_in;
	s->thre_pending = st->thre_pending;
	superio__fifo_clear(&s->rx);
	superio__fifo_clear(&s->tx);
	for (unsigned int i = 0; i < st->rx_len; i++)
		superio__fifo_push(&s->rx, st->rx[i]);
	for (unsigned int i = 0; i < st->tx_len; i++)
		superio__fifo_push(&s->tx, st->tx[i]);
	/*
	 * Re-drive the line to the restored level whatever it was, both ways:
	 * the interrupt controller may be a new one, or hold a level the
	 * restored state no longer has.
	 */
	superio__serial_set_line(s, superio__serial_pending(s) ? 1 : 0);
	superio__serial_sync(s);
	return 0;
}
