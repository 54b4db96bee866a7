// SPDX-License-Identifier: MIT
// 16550A register file (PC16550D section 8): byte-wide registers at
// offsets 0..7, with DLAB (LCR bit 7) switching offsets 0 and 1 to the
// divisor latch.  The byte-wide entry points serve the hot accesses from
// caches (reads without a side effect, RBR with more data behind, THR into
// the output batch, SCR writes), none of which can change an interrupt
// source; every other access flushes the batch, goes through the general
// path and ends with superio__serial_sync(), which drives the line and
// refreshes the caches.
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

/* Reading LSR clears the latched error bits, which may end an RLSI. */
static uint8_t read_lsr(struct superio_serial *s)
{
	uint8_t lsr = superio__serial_lsr(s);

	s->lsr &= (uint8_t)~LSR_ERRORS;
	return lsr;
}

static uint8_t read_msr(struct superio_serial *s)
{
	uint8_t msr = (uint8_t)(superio__serial_lines(s) | s->msr_delta);

	s->msr_delta = 0;
	return msr;
}

/* The general read path; the caller syncs afterwards. */
static uint8_t read_reg(struct superio_serial *s, unsigned int reg)
{
	bool dlab = (s->lcr & LCR_DLAB) != 0;

	switch (reg) {
	case SUPERIO_SERIAL_RBR:
		if (dlab)
			return s->dll;
		return read_rbr(s);
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

/* The general write path; the caller syncs afterwards. */
static void write_reg(struct superio_serial *s, unsigned int reg, uint8_t v)
{
	bool dlab = (s->lcr & LCR_DLAB) != 0;

	switch (reg) {
	case SUPERIO_SERIAL_THR:
		if (dlab)
			s->dll = v;
		else
			superio__serial_thr_write(s, v);
		return;
	case SUPERIO_SERIAL_IER:
		if (dlab)
			s->dlm = v;
		else
			write_ier(s, v);
		return;
	case SUPERIO_SERIAL_FCR:
		write_fcr(s, v);
		return;
	case SUPERIO_SERIAL_MCR:
		write_mcr(s, v);
		return;
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
}

/* Everything the read fast paths do not serve. */
static __attribute__((noinline)) uint8_t read_slow(struct superio_serial *s, unsigned int reg)
{
	uint8_t v;

	superio__serial_flush_batch(s);
	v = read_reg(s, reg);
	superio__serial_sync(s);
	return v;
}

/* Moves the line after a fast path; a tail call, so the fast paths need no frame. */
static __attribute__((noinline)) void line_to(struct superio_serial *s, uint8_t level)
{
	superio__serial_set_line(s, level);
}

/*
 * The last RBR byte (rdside says DLAB is clear and data is there): DR goes,
 * RBR's read becomes side-effect free, the RX source goes, and the host
 * may push again.
 */
static __attribute__((noinline)) uint8_t read_rbr_last(struct superio_serial *s)
{
	uint8_t byte = superio__fifo_pop(&s->rx);

	s->rdside &= (uint8_t)~(1u << SUPERIO_SERIAL_RBR);
	s->rdval[SUPERIO_SERIAL_LSR] &= (uint8_t)~LSR_DR;
	if (s->cfg.ops && s->cfg.ops->rx_drained)
		s->cfg.ops->rx_drained(s->cfg.ops_ctx);
	superio__serial_relevel(s);
	return byte;
}

/*
 * An IIR read that reports THRE (with no batched output) acknowledges it,
 * which can only lower the line and stop the THR fast paths (they need
 * THRE pending).  Nothing else cached depends on THRE.  Out of line and
 * reached by a tail call, so read8 needs no stack frame.
 */
static __attribute__((noinline)) uint8_t iir_ack_thre(struct superio_serial *s, uint8_t iir)
{
	s->thre_pending = 0;
	s->thr_batch = 0;
	s->thr_direct = 0;
	if (!superio__serial_pending(s))
		superio__serial_set_line(s, 0);
	return iir;
}

/*
 * rdside has a bit set for each offset whose read changes state (RBR with
 * data, LSR with a latched error, MSR with deltas) or is not cached (IIR);
 * every other offset reads rdval, which sync keeps current.  RBR with more
 * data behind the byte stays fast: the RX source stays pending and DR
 * stays set, so neither the line nor a cached value moves, and the host is
 * not due an rx_drained call.
 */
uint8_t superio_serial_read8(struct superio_serial *s, unsigned int offset)
{
	offset &= SUPERIO_SERIAL_NR_REGS - 1u;
	if (__builtin_expect(!((s->rdside >> offset) & 1u), 1))
		return s->rdval[offset];
	if (offset == SUPERIO_SERIAL_RBR) {
		uint8_t n = s->rx.len;

		/* superio__fifo_pop() spelt out: gcc then needs no register copies. */
		if (__builtin_expect(n > 1, 1)) {
			uint8_t h = s->rx.head;

			s->rx.len = (uint8_t)(n - 1u);
			s->rx.head = (uint8_t)((h + 1u) % SUPERIO_SERIAL_FIFO_SIZE);
			return s->rx.buf[h];
		}
		return read_rbr_last(s);
	}
	if (offset == SUPERIO_SERIAL_IIR && !s->out_len) {
		uint8_t iir = superio__serial_iir(s);

		if ((iir & 0x0fu) != IIR_THRI)
			return iir;
		return iir_ack_thre(s, iir);
	}
	return read_slow(s, offset);
}

static __attribute__((noinline)) void write_slow(struct superio_serial *s, unsigned int reg,
						 uint8_t v)
{
	superio__serial_flush_batch(s);
	write_reg(s, reg, v);
	superio__serial_sync(s);
}

/*
 * A THR byte found the batch full: out the batch goes, and when the output
 * took all of it nothing else changed, so the byte starts the next batch.
 * Otherwise the refused bytes are queued and the byte takes the general path.
 */
static __attribute__((noinline)) void batch_full(struct superio_serial *s, uint8_t byte)
{
	/* thr_batch != 0 implies a write op (tx_direct): offer the whole batch. */
	ssize_t r = s->cfg.ops->write(s->cfg.ops_ctx, s->out, SERIAL_BATCH);

	if (__builtin_expect(r == SERIAL_BATCH, 1)) {
		s->metrics.tx_bytes += SERIAL_BATCH;
		s->out[0] = byte;
		s->out_len = 1;
		return;
	}
	/* Anything else: the general handling of the answer, then the byte's slow path. */
	superio__serial_flush_result(s, r);
	superio__serial_sync(s);
	write_slow(s, SUPERIO_SERIAL_THR, byte);
}

/*
 * A THR byte with batching off, offered alone.  Taken, it changed nothing
 * cached (thr_direct's condition); refused, it is queued and the rest of
 * the device follows through sync.
 */
static __attribute__((noinline)) void thr_direct(struct superio_serial *s, uint8_t byte)
{
	ssize_t r = s->cfg.ops->write(s->cfg.ops_ctx, &byte, 1);

	if (__builtin_expect(r > 0, 1)) { /* taken (a claim of more is clamped to 1) */
		s->metrics.tx_bytes++;
		return;
	}
	superio__serial_thr_refused(s, byte, r);
	superio__serial_sync(s);
}

/*
 * IER with DLAB clear and nothing batched: the THRE re-raise of write_ier(),
 * then the line and the THR modes, the only cached things IER moves.  thr_base
 * holds the rest of their conditions.
 */
static void write_ier_fast(struct superio_serial *s, uint8_t v)
{
	uint8_t level;

	write_ier(s, v);
	s->rdval[SUPERIO_SERIAL_IER] = s->ier;
	level = superio__serial_pending(s) ? 1 : 0;
	superio__serial_thr_modes(s, level);
	if (level != s->line)
		line_to(s, level);
}

/*
 * thr_batch is the batch's size when a THR write changes nothing but the
 * batch (the FIFO stays empty, THRE stays pending and the line stays where
 * it is: THRI off, or the line already high), else 0; see
 * superio__serial_sync().  So one comparison admits a byte, and a byte
 * that finds the batch full flushes it.  SCR, LCR keeping DLAB and MCR
 * outside loopback are plain storage; IER is served here too.  Those three
 * only with nothing batched, since every guest write other than THR and
 * SCR flushes the batch first.
 */
void superio_serial_write8(struct superio_serial *s, unsigned int offset, uint8_t value)
{
	if (__builtin_expect(offset == SUPERIO_SERIAL_THR, 1)) {
		uint8_t n = s->out_len;

		/* In this order gcc needs no register copies (9 instructions). */
		if (__builtin_expect(n < s->thr_batch, 1)) {
			s->out_len = (uint8_t)(n + 1u);
			s->out[n] = value;
			return;
		}
		if (s->thr_batch) {
			batch_full(s, value);
			return;
		}
		if (s->thr_direct) {
			thr_direct(s, value);
			return;
		}
	}
	offset &= SUPERIO_SERIAL_NR_REGS - 1u;
	switch (offset) {
	case SUPERIO_SERIAL_SCR:
		s->scr = value;
		s->rdval[SUPERIO_SERIAL_SCR] = value;
		return;
	case SUPERIO_SERIAL_IER:
		if (s->out_len || (s->lcr & LCR_DLAB))
			break;
		write_ier_fast(s, value);
		return;
	case SUPERIO_SERIAL_LCR:
		if (s->out_len || ((s->lcr ^ value) & LCR_DLAB))
			break;
		s->lcr = value;
		s->rdval[SUPERIO_SERIAL_LCR] = value;
		return;
	case SUPERIO_SERIAL_MCR:
		if (s->out_len || ((s->mcr | value) & MCR_LOOP))
			break;
		s->mcr = value & MCR_MASK;
		s->rdval[SUPERIO_SERIAL_MCR] = s->mcr;
		return;
	default:
		break;
	}
	write_slow(s, offset, value);
}

int superio_serial_read(struct superio_serial *s, uint64_t offset, unsigned int size,
			uint32_t *value)
{
	if (!value)
		return -EINVAL;
	if (!s || size != 1 || offset >= SUPERIO_SERIAL_NR_REGS) {
		*value = size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1u;
		return -EINVAL;
	}
	*value = superio_serial_read8(s, (unsigned int)offset);
	return 0;
}

int superio_serial_write(struct superio_serial *s, uint64_t offset, unsigned int size,
			 uint32_t value)
{
	if (!s || size != 1 || offset >= SUPERIO_SERIAL_NR_REGS)
		return -EINVAL;
	superio_serial_write8(s, (unsigned int)offset, (uint8_t)value);
	return 0;
}
