// SPDX-License-Identifier: MIT
// The host side of the 16550A: power-on state, RX pushes with back-pressure
// and overrun, TX FIFO draining to the output callback, and the metrics.
// Bytes are never lost silently: every drop is counted and reported.
#include <errno.h>
#include <string.h>

#include "serial_internal.h"

/* Power-on values: PC16550D table 9 (the divisor is undefined there; 9600 baud). */
static void power_on(struct superio_serial *s)
{
	superio__fifo_clear(&s->rx);
	superio__fifo_clear(&s->tx);
	s->ier = 0;
	s->fcr = 0;
	s->lcr = 0;
	s->mcr = 0;
	s->lsr = 0;
	s->scr = 0;
	s->dll = 12;
	s->dlm = 0;
	s->msr_delta = 0;
	s->thre_pending = 0;
	s->tokens = s->cfg.budget_burst;
	s->budget_ns = s->cfg.budget_bytes_per_sec ? s->cfg.clock.fn(s->cfg.clock.ctx) : 0;
	superio__serial_sync(s);
}

int superio_serial_init(struct superio_serial *s, const struct superio_serial_config *cfg)
{
	if (!s || !cfg)
		return -EINVAL;
	if (cfg->ops && cfg->ops->version != SUPERIO_SERIAL_OPS_VERSION)
		return -EINVAL;
	if (cfg->budget_bytes_per_sec && !cfg->clock.fn)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	if (s->cfg.budget_bytes_per_sec && !s->cfg.budget_burst)
		s->cfg.budget_burst = s->cfg.budget_bytes_per_sec;
	s->modem_in = SUPERIO_SERIAL_MODEM_CTS | SUPERIO_SERIAL_MODEM_DSR |
		      SUPERIO_SERIAL_MODEM_DCD;
	/* Fixed with the configuration, so THR writes test one byte, not three pointers. */
	s->tx_direct = s->cfg.ops && s->cfg.ops->write && !s->cfg.budget_bytes_per_sec;
	power_on(s);
	return 0;
}

/* Bytes the guest wrote before the reset were sent: the host gets them first. */
void superio_serial_reset(struct superio_serial *s)
{
	superio__serial_tx_discard(s);
	power_on(s);
}

void superio__serial_event(struct superio_serial *s, enum superio_serial_event ev,
			   uint64_t arg)
{
	if (s->cfg.ops && s->cfg.ops->event)
		s->cfg.ops->event(s->cfg.ops_ctx, ev, arg);
}

size_t superio_serial_rx_space(const struct superio_serial *s)
{
	if (s->mcr & MCR_LOOP)
		return 0;
	return superio__serial_fifo_cap(s) - s->rx.len;
}

/* Appends n bytes that fit (n <= free room) as at most two copies around the wrap. */
static void fifo_put(struct superio__fifo *f, const uint8_t *buf, size_t n)
{
	size_t tail = (f->head + f->len) % SUPERIO_SERIAL_FIFO_SIZE;
	size_t first = SUPERIO_SERIAL_FIFO_SIZE - tail;

	if (first > n)
		first = n;
	memcpy(&f->buf[tail], buf, first);
	if (n > first)
		memcpy(f->buf, buf + first, n - first);
	f->len = (uint8_t)(f->len + n);
}

size_t superio_serial_rx_push(struct superio_serial *s, const uint8_t *buf, size_t len)
{
	size_t n, space;
	bool flushed;

	if (!buf || len == 0 || (s->mcr & MCR_LOOP))
		return 0;
	flushed = s->out_len != 0;
	superio__serial_flush_batch(s);
	space = superio_serial_rx_space(s);
	n = len < space ? len : space;
	fifo_put(&s->rx, buf, n);
	s->metrics.rx_bytes += n;
	if (n < len) {
		s->lsr |= LSR_OE;
		s->metrics.rx_overruns += len - n;
		superio__serial_event(s, SUPERIO_SERIAL_EV_RX_OVERRUN, len - n);
	} else if (!flushed && n) {
		/* Only DR, RBR's side effect and the RX source moved. */
		if (!(s->lcr & LCR_DLAB))
			s->rdside |= 1u << SUPERIO_SERIAL_RBR;
		s->rdval[SUPERIO_SERIAL_LSR] |= LSR_DR;
		superio__serial_relevel(s);
		return n;
	}
	superio__serial_sync(s);
	return n;
}

static bool transient(ssize_t r)
{
	return r == -EAGAIN || r == -EWOULDBLOCK || r == -EINTR;
}

/*
 * In loopback the transmitter feeds the receiver; the line output idles.
 * An overrun (PC16550D, LSR bit 1) loses the new character in FIFO mode,
 * but in 16450 mode the new one replaces the unread one in RBR.
 */
static void loop_back(struct superio_serial *s)
{
	while (s->tx.len) {
		uint8_t byte = superio__fifo_pop(&s->tx);

		if (s->rx.len < superio__serial_fifo_cap(s)) {
			superio__fifo_push(&s->rx, byte);
			s->metrics.loopback_bytes++;
			continue;
		}
		if (!(s->fcr & FCR_ENABLE)) {
			s->rx.buf[s->rx.head] = byte; /* rx.len is 1 */
			s->metrics.loopback_bytes++;
		}
		s->lsr |= LSR_OE;
		s->metrics.rx_overruns++;
		superio__serial_event(s, SUPERIO_SERIAL_EV_RX_OVERRUN, 1);
	}
}

/* Offers the FIFO's contiguous runs until the output pushes back. */
static void drain(struct superio_serial *s)
{
	const struct superio_serial_ops *ops = s->cfg.ops;

	if (s->mcr & MCR_LOOP)
		loop_back(s);
	while (s->tx.len) {
		size_t run = SUPERIO_SERIAL_FIFO_SIZE - s->tx.head;
		ssize_t r;

		if (run > s->tx.len)
			run = s->tx.len;
		r = (ops && ops->write) ? ops->write(s->cfg.ops_ctx, &s->tx.buf[s->tx.head], run)
				       : (ssize_t)run;
		if (r < 0 && !transient(r)) {
			/* A dead output must not wedge the guest (vm-superio#23). */
			s->metrics.tx_error_drops += s->tx.len;
			superio__serial_event(s, SUPERIO_SERIAL_EV_TX_ERROR_DROP, s->tx.len);
			superio__fifo_clear(&s->tx);
			break;
		}
		if (r <= 0)
			break;
		if ((size_t)r > run)
			r = (ssize_t)run; /* a callback claiming more than offered */
		s->tx.head = (uint8_t)((s->tx.head + (size_t)r) % SUPERIO_SERIAL_FIFO_SIZE);
		s->tx.len = (uint8_t)(s->tx.len - (size_t)r);
		s->metrics.tx_bytes += (uint64_t)r;
		if ((size_t)r < run)
			break;
	}
	if (s->tx.len == 0)
		s->tx.head = 0;
}

/*
 * Before reset or restore replaces the TX FIFO: one more offer of the batch
 * and the queued bytes, then what the output did not take is dropped and
 * counted.  In loopback nothing waits in the FIFO but a restored state's
 * bytes, which belong to no output: those are counted too.
 */
void superio__serial_tx_discard(struct superio_serial *s)
{
	superio__serial_flush_batch(s);
	if (!(s->mcr & MCR_LOOP))
		drain(s);
	if (s->tx.len == 0)
		return;
	s->metrics.tx_reset_drops += s->tx.len;
	superio__serial_event(s, SUPERIO_SERIAL_EV_TX_RESET_DROP, s->tx.len);
	superio__fifo_clear(&s->tx);
}

/* THR becoming empty is what raises THRE: only on the non-empty -> empty edge. */
static void drain_and_flag(struct superio_serial *s)
{
	bool had = s->tx.len != 0;

	drain(s);
	if (had && s->tx.len == 0)
		s->thre_pending = 1;
}

/* The general THR path: budget, FIFO, then an offer of everything queued. */
static __attribute__((noinline)) void tx_byte(struct superio_serial *s, uint8_t byte)
{
	s->thre_pending = 0;
	if (s->cfg.budget_bytes_per_sec && !(s->mcr & MCR_LOOP) &&
	    !superio__serial_budget_take(s)) {
		s->metrics.tx_budget_drops++;
		superio__serial_event(s, SUPERIO_SERIAL_EV_TX_BUDGET_DROP, 1);
		s->thre_pending = s->tx.len == 0;
		return;
	}
	if (s->tx.len >= superio__serial_fifo_cap(s)) {
		/* Hardware overwrites; we keep what is queued and count the loss. */
		s->metrics.tx_full_drops++;
		superio__serial_event(s, SUPERIO_SERIAL_EV_TX_FULL_DROP, 1);
	} else {
		superio__fifo_push(&s->tx, byte);
	}
	drain_and_flag(s);
}

/*
 * Whether a THR byte may join the output batch: the FIFO is empty (so the
 * batch stays ahead of anything queued), FIFOs are on (so whatever
 * ops->write refuses fits the TX FIFO), and nothing else wants the byte
 * (loopback, the budget).
 */
static bool batch_ok(const struct superio_serial *s)
{
	return s->cfg.tx_batch && s->tx_direct && s->tx.len == 0 && (s->fcr & FCR_ENABLE) &&
	       !(s->mcr & MCR_LOOP);
}

/*
 * Offers the batch.  The TX FIFO is empty here: the batch grows only while
 * it is, and every path that could fill it flushes first.  What the output
 * does not take moves into the FIFO, in order, and the transmitter becomes
 * busy, exactly as if the write op had refused those bytes one by one.
 */
void superio__serial_flush_result(struct superio_serial *s, ssize_t r)
{
	size_t n = s->out_len;

	s->out_len = 0;
	if (r == (ssize_t)n) {
		s->metrics.tx_bytes += n;
		return;
	}
	if (r < 0 && !transient(r)) {
		s->metrics.tx_error_drops += n;
		superio__serial_event(s, SUPERIO_SERIAL_EV_TX_ERROR_DROP, n);
		return;
	}
	if (r < 0)
		r = 0;
	if ((size_t)r > n)
		r = (ssize_t)n; /* a callback claiming more than offered */
	s->metrics.tx_bytes += (uint64_t)r;
	if ((size_t)r < n) {
		fifo_put(&s->tx, s->out + r, n - (size_t)r);
		s->thre_pending = 0;
	}
}

bool superio__serial_flush(struct superio_serial *s)
{
	const struct superio_serial_ops *ops = s->cfg.ops;
	size_t n = s->out_len;
	ssize_t r = (ops && ops->write) ? ops->write(s->cfg.ops_ctx, s->out, n) : (ssize_t)n;

	if (__builtin_expect(r == (ssize_t)n, 1)) {
		s->out_len = 0;
		s->metrics.tx_bytes += n;
		return true;
	}
	superio__serial_flush_result(s, r);
	return s->out_len == 0 && s->tx.len == 0;
}

/* What a write op's refusal or error does to a byte offered from an empty FIFO. */
void superio__serial_thr_refused(struct superio_serial *s, uint8_t byte, ssize_t r)
{
	s->tx.head = 0;
	s->tx.buf[0] = byte;
	s->tx.len = 1;
	s->thre_pending = 0;
	if (r < 0 && !transient(r)) {
		s->metrics.tx_error_drops++;
		superio__serial_event(s, SUPERIO_SERIAL_EV_TX_ERROR_DROP, 1);
		superio__fifo_clear(&s->tx);
		s->thre_pending = 1;
	}
}

/*
 * A guest THR write outside the write8 fast path; the caller syncs.  With
 * the batch allowed, the byte joins it.  Otherwise a console byte into an
 * empty FIFO with the budget off and no loopback is offered straight to
 * ops->write: when it is taken the FIFO went empty -> one byte -> empty,
 * so THRE is pending again.  Anything else (back-pressure, an error, the
 * budget) queues the byte and finishes like the general path.
 */
void superio__serial_thr_write(struct superio_serial *s, uint8_t byte)
{
	ssize_t r;

	if (batch_ok(s) && (s->out_len < SERIAL_BATCH || superio__serial_flush(s))) {
		s->out[s->out_len++] = byte;
		s->thre_pending = 1;
		return;
	}
	if (!s->tx_direct || s->tx.len || (s->mcr & MCR_LOOP)) {
		tx_byte(s, byte); /* also a byte behind a refused batch */
		return;
	}
	r = s->cfg.ops->write(s->cfg.ops_ctx, &byte, 1);
	if (r < 1) {
		superio__serial_thr_refused(s, byte, r);
		return;
	}
	s->metrics.tx_bytes++;
	s->thre_pending = 1;
}

void superio_serial_tx_flush(struct superio_serial *s)
{
	if (s->out_len) {
		(void)superio__serial_flush(s);
		superio__serial_sync(s);
	}
}

size_t superio_serial_tx_batched(const struct superio_serial *s)
{
	return s->out_len;
}

void superio_serial_tx_drain(struct superio_serial *s)
{
	superio__serial_flush_batch(s);
	drain_and_flag(s);
	superio__serial_sync(s);
}

size_t superio_serial_tx_pending(const struct superio_serial *s)
{
	return s->tx.len;
}

void superio_serial_set_modem_inputs(struct superio_serial *s, uint8_t lines)
{
	uint8_t old = superio__serial_lines(s);

	superio__serial_flush_batch(s);
	s->modem_in = (uint8_t)(lines & MSR_LINES);
	superio__serial_line_deltas(s, old);
	superio__serial_sync(s);
}

uint16_t superio_serial_divisor(const struct superio_serial *s)
{
	return (uint16_t)(s->dll | (s->dlm << 8));
}

void superio_serial_get_metrics(const struct superio_serial *s,
				struct superio_serial_metrics *out)
{
	*out = s->metrics;
}
