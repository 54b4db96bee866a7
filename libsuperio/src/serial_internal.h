/* SPDX-License-Identifier: MIT */
/*
 * 16550A register bits (PC16550D datasheet, tables 2-9) and the helpers the
 * serial source files share.
 */
#ifndef SUPERIO_SERIAL_INTERNAL_H
#define SUPERIO_SERIAL_INTERNAL_H

#include <superio/serial.h>

#define IER_RDI	 0x01u
#define IER_THRI 0x02u
#define IER_RLSI 0x04u
#define IER_MSI	 0x08u
#define IER_MASK 0x0fu

#define IIR_NO_INT 0x01u
#define IIR_MSI	   0x00u
#define IIR_THRI   0x02u
#define IIR_RDI	   0x04u
#define IIR_RLSI   0x06u
#define IIR_CTI	   0x0cu
#define IIR_FIFO   0xc0u

#define FCR_ENABLE   0x01u
#define FCR_CLEAR_RX 0x02u
#define FCR_CLEAR_TX 0x04u
#define FCR_DMA	     0x08u
#define FCR_TRIGGER  0xc0u
#define FCR_STORED   (FCR_ENABLE | FCR_DMA | FCR_TRIGGER)

#define LCR_DLAB 0x80u

#define MCR_DTR	 0x01u
#define MCR_RTS	 0x02u
#define MCR_OUT1 0x04u
#define MCR_OUT2 0x08u
#define MCR_LOOP 0x10u
#define MCR_MASK 0x1fu

#define LSR_DR	  0x01u
#define LSR_OE	  0x02u
#define LSR_PE	  0x04u
#define LSR_FE	  0x08u
#define LSR_BI	  0x10u
#define LSR_THRE  0x20u
#define LSR_TEMT  0x40u
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

/*
 * Output batch size: one less than the TX FIFO, so that when the output
 * refuses a full batch, the batch and the THR byte that found it full
 * both fit in the FIFO and nothing the guest wrote is lost.
 */
#define SERIAL_BATCH (SUPERIO_SERIAL_FIFO_SIZE - 1u)

#define MSR_DCTS  0x01u
#define MSR_DDSR  0x02u
#define MSR_TERI  0x04u
#define MSR_DDCD  0x08u
#define MSR_DELTAS 0x0fu
#define MSR_LINES 0xf0u

/*
 * FIFO rings: fixed storage, so memory stays bounded whatever the guest or
 * the host does (callers check the length before pushing).  Inline because
 * every THR write and RBR read goes through them.
 */
static inline void superio__fifo_clear(struct superio__fifo *f)
{
	f->head = 0;
	f->len = 0;
}

static inline void superio__fifo_push(struct superio__fifo *f, uint8_t byte)
{
	if (f->len >= SUPERIO_SERIAL_FIFO_SIZE)
		return;
	f->buf[(f->head + f->len) % SUPERIO_SERIAL_FIFO_SIZE] = byte;
	f->len++;
}

static inline uint8_t superio__fifo_pop(struct superio__fifo *f)
{
	uint8_t byte;

	if (f->len == 0)
		return 0;
	byte = f->buf[f->head];
	f->head = (uint8_t)((f->head + 1u) % SUPERIO_SERIAL_FIFO_SIZE);
	f->len--;
	return byte;
}

static inline uint8_t superio__fifo_peek(const struct superio__fifo *f, unsigned int i)
{
	return f->buf[(f->head + i) % SUPERIO_SERIAL_FIFO_SIZE];
}

/* Capacity of each FIFO in the current mode (1 in 16450 mode). */
static inline unsigned int superio__serial_fifo_cap(const struct superio_serial *s)
{
	return (s->fcr & FCR_ENABLE) ? SUPERIO_SERIAL_FIFO_SIZE : 1u;
}

/*
 * Interrupt identification (PC16550D table 4), inline because every access
 * ends with it.  Priority: line status > received data / character timeout
 * > THR empty > modem status; IIR bits 7:6 follow FCR bit 0.
 */
static inline unsigned int superio__serial_rx_trigger(const struct superio_serial *s)
{
	static const uint8_t levels[4] = { 1, 4, 8, 14 };

	if (!(s->fcr & FCR_ENABLE))
		return 1;
	return levels[(s->fcr & FCR_TRIGGER) >> 6];
}

/*
 * Data below the trigger level is reported as a character timeout.  The
 * host pushes a whole burst at once, so the line is idle as soon as the
 * push returns: the timeout that real hardware signals four character times
 * later is due immediately.  Reading RBR restarts it, which again expires
 * at once while data remains.
 */
static inline uint8_t superio__serial_rx_source(const struct superio_serial *s)
{
	if (s->rx.len == 0)
		return IIR_NO_INT;
	if (s->rx.len >= superio__serial_rx_trigger(s))
		return IIR_RDI;
	return IIR_CTI;
}

/* Interrupt identification as the guest would read it now. */
static inline uint8_t superio__serial_iir(const struct superio_serial *s)
{
	uint8_t fifo = (s->fcr & FCR_ENABLE) ? IIR_FIFO : 0;
	uint8_t id = IIR_NO_INT;

	if ((s->ier & IER_RLSI) && (s->lsr & LSR_ERRORS))
		id = IIR_RLSI;
	else if ((s->ier & IER_RDI) && s->rx.len)
		id = superio__serial_rx_source(s);
	else if ((s->ier & IER_THRI) && s->thre_pending)
		id = IIR_THRI;
	else if ((s->ier & IER_MSI) && (s->msr_delta & MSR_DELTAS))
		id = IIR_MSI;
	return (uint8_t)(fifo | id);
}

/*
 * Whether any enabled source is pending: the same priority encoder as
 * superio__serial_iir() without working out which source wins.
 */
static inline bool superio__serial_pending(const struct superio_serial *s)
{
	return ((s->ier & IER_RLSI) && (s->lsr & LSR_ERRORS)) ||
	       ((s->ier & IER_RDI) && s->rx.len) ||
	       ((s->ier & IER_THRI) && s->thre_pending) ||
	       ((s->ier & IER_MSI) && (s->msr_delta & MSR_DELTAS));
}

/* Sets the line to level (0 or 1) and tells the interrupt controller. */
static inline void superio__serial_set_line(struct superio_serial *s, uint8_t level)
{
	s->line = level;
	if (level)
		s->metrics.irqs_raised++;
	if (s->cfg.irq.fn)
		s->cfg.irq.fn(s->cfg.irq.ctx, level != 0);
}

/*
 * Drives the line from the current state.  Every path that may change an
 * interrupt source ends here, through superio__serial_sync(); the register
 * fast paths change no interrupt source (serial_regs.c).
 */
static inline void superio__serial_update_irq(struct superio_serial *s)
{
	uint8_t level = superio__serial_pending(s) ? 1 : 0;

	if (level != s->line)
		superio__serial_set_line(s, level);
}

/* thr_base: which THR fast path the configuration and registers allow. */
#define THR_SLOW   0u
#define THR_DIRECT 1u	/* offered straight to ops->write (tx_batch off, or FIFOs off) */
#define THR_BATCH  2u	/* into the output batch */

/*
 * The THR fast paths: a THR write there may change nothing but the output
 * (the FIFO stays empty, THRE stays pending), so THRE must be pending
 * already and the line must stay where it is (THRI off, or already high).
 */
static inline void superio__serial_thr_modes(struct superio_serial *s, uint8_t level)
{
	bool ok = s->thre_pending && (!(s->ier & IER_THRI) || level);

	s->thr_batch = ok && s->thr_base == THR_BATCH ? SERIAL_BATCH : 0;
	s->thr_direct = ok && s->thr_base == THR_DIRECT;
}

/*
 * Drives the line after a path that moved only the RX source or THRE and
 * kept the caches otherwise exact: the THR modes are the one cache that
 * follows the line (see superio__serial_sync()).
 */
static inline void superio__serial_relevel(struct superio_serial *s)
{
	uint8_t level = superio__serial_pending(s) ? 1 : 0;

	if (level == s->line)
		return;
	superio__serial_thr_modes(s, level);
	superio__serial_set_line(s, level);
}

/* LSR as the guest reads it: THRE and TEMT stay together (no shift-register delay). */
static inline uint8_t superio__serial_lsr(const struct superio_serial *s)
{
	return (uint8_t)(s->lsr | (s->rx.len ? LSR_DR : 0) |
			 (s->tx.len ? 0 : LSR_THRE | LSR_TEMT));
}

/*
 * The one function every path that is not a fast path ends with: drives
 * the interrupt line, then recomputes the fast-path caches (rdval, rdside,
 * thr_batch) from the registers and FIFOs.
 */
void superio__serial_sync(struct superio_serial *s);
/*
 * Offers the output batch (out_len > 0) to ops->write; see
 * superio_serial_tx_flush().  True when it took everything, which leaves
 * every cached value as it was.
 */
bool superio__serial_flush(struct superio_serial *s);
/*
 * What ops->write's answer r to an offer of the whole batch does: taken
 * bytes counted, refused ones queued in the TX FIFO (THRE clear), or all
 * dropped and counted on an error.  Empties the batch.
 */
void superio__serial_flush_result(struct superio_serial *s, ssize_t r);

/* Batched output goes out before anything else happens to the device. */
static inline void superio__serial_flush_batch(struct superio_serial *s)
{
	if (__builtin_expect(s->out_len != 0, 0))
		(void)superio__serial_flush(s);
}

/* Offers the batch and TX FIFO once more, then drops and counts the rest (reset, restore). */
void superio__serial_tx_discard(struct superio_serial *s);

/* MSR bits 7:4 as the guest sees them (MCR mirrored in loopback). */
uint8_t superio__serial_lines(const struct superio_serial *s);
/* Records changes of the modem lines from old to now as MSR deltas. */
void superio__serial_line_deltas(struct superio_serial *s, uint8_t old);
/* What ops->write's refusal or error r does to a byte offered from an empty FIFO. */
void superio__serial_thr_refused(struct superio_serial *s, uint8_t byte, ssize_t r);
/* A guest THR write outside the fast path; the caller syncs. */
void superio__serial_thr_write(struct superio_serial *s, uint8_t byte);
/* Whether the output budget admits one more byte now (takes a token). */
bool superio__serial_budget_take(struct superio_serial *s);
void superio__serial_event(struct superio_serial *s, enum superio_serial_event ev,
			   uint64_t arg);

#endif
