// SPDX-License-Identifier: MIT
// libFuzzer target for the 16550A model: random register accesses (any
// offset and width, sized or byte-wide), host pushes, TX drains and batch
// flushes with an output that randomly pushes back or fails, modem line
// changes, budget clock moves and save/restore, with the output batch on
// or off.  After each step: FIFO bounds, IIR consistent with IER, LSR and
// the pending sources, the line matching IIR, the batch's invariants and
// the fast-path caches matching the registers.
#include <string.h>

#include <superio/serial.h>

#include "fuzz_input.h"
#include "fuzz_rig.h"

static int out_mode; /* 0 take all, 1 take one, 2 -EAGAIN, 3 -EIO */

static ssize_t out_fn(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	FUZZ_CHECK(len > 0 && len <= SUPERIO_SERIAL_FIFO_SIZE);
	switch (out_mode) {
	case 0: return (ssize_t)len;
	case 1: return 1;
	case 2: return -11; /* EAGAIN */
	default: return -5; /* EIO */
	}
}

static const struct superio_serial_ops ops = {
	.version = SUPERIO_SERIAL_OPS_VERSION, .write = out_fn,
};

/* The reference priority encoder, written independently of the model's. */
static uint8_t expected_id(const struct superio_serial *s)
{
	unsigned int trig[4] = { 1, 4, 8, 14 };
	unsigned int t = (s->fcr & 1) ? trig[s->fcr >> 6] : 1;

	if ((s->ier & 0x04) && (s->lsr & 0x1e))
		return 0x06;
	if ((s->ier & 0x01) && s->rx.len)
		return s->rx.len >= t ? 0x04 : 0x0c;
	if ((s->ier & 0x02) && s->thre_pending)
		return 0x02;
	if ((s->ier & 0x08) && (s->msr_delta & 0x0f))
		return 0x00;
	return 0x01;
}

static void check_caches(const struct superio_serial *s, uint8_t lsr)
{
	bool dlab = s->lcr & 0x80;
	uint8_t lines = s->modem_in;

	if (s->mcr & 0x10)
		lines = (uint8_t)(((s->mcr & 2) ? 0x10 : 0) | ((s->mcr & 1) ? 0x20 : 0) |
				  ((s->mcr & 4) ? 0x40 : 0) | ((s->mcr & 8) ? 0x80 : 0));
	FUZZ_CHECK(s->rdside & 0x04);
	FUZZ_CHECK(!!(s->rdside & 0x01) == (!dlab && s->rx.len));
	FUZZ_CHECK(!!(s->rdside & 0x20) == !!(s->lsr & 0x1e));
	FUZZ_CHECK(!!(s->rdside & 0x40) == !!s->msr_delta);
	FUZZ_CHECK(!(s->rdside & 0x9a));
	if (!(s->rdside & 0x01))
		FUZZ_CHECK(s->rdval[0] == (dlab ? s->dll : 0));
	FUZZ_CHECK(s->rdval[1] == (dlab ? s->dlm : s->ier));
	FUZZ_CHECK(s->rdval[3] == s->lcr && s->rdval[4] == s->mcr && s->rdval[7] == s->scr);
	FUZZ_CHECK(s->rdval[5] == lsr); /* lsr is worked out apart from the model */
	if (!(s->rdside & 0x40))
		FUZZ_CHECK(s->rdval[6] == lines);
	/* The THR fast paths: exactly when a THR byte changes nothing but the output. */
	bool thr_ok = s->tx_direct && !dlab && !s->tx.len && !(s->mcr & 0x10) &&
		      s->thre_pending && (!(s->ier & 2) || s->line);
	FUZZ_CHECK(!!s->thr_batch == (thr_ok && s->cfg.tx_batch && (s->fcr & 1)));
	FUZZ_CHECK(!!s->thr_direct == (thr_ok && !(s->cfg.tx_batch && (s->fcr & 1))));
	FUZZ_CHECK(!s->thr_batch || s->thr_batch == SUPERIO_SERIAL_FIFO_SIZE - 1);
}

/*
 * LSR from the latched error bits and the FIFO lengths (PC16550D table 6:
 * DR while RX holds data, THRE and TEMT together while TX is empty),
 * independently of the model's cache.
 */
static uint8_t expected_lsr(const struct superio_serial *s)
{
	return (uint8_t)((s->lsr & 0x1e) | (s->rx.len ? 0x01 : 0) | (s->tx.len ? 0 : 0x60));
}

static void check(const struct superio_serial *s)
{
	struct superio_serial probe = *s;
	unsigned int cap = (s->fcr & 1) ? SUPERIO_SERIAL_FIFO_SIZE : 1;
	uint8_t want_lsr = expected_lsr(s);
	uint32_t iir = 0, lsr = 0;

	FUZZ_CHECK(s->rx.len <= cap && s->tx.len <= cap);
	FUZZ_CHECK(s->rx.head < SUPERIO_SERIAL_FIFO_SIZE && s->tx.head < SUPERIO_SERIAL_FIFO_SIZE);
	FUZZ_CHECK(!(s->ier & 0xf0) && !(s->mcr & 0xe0) && !(s->lsr & ~0x1e));
	FUZZ_CHECK(!s->thre_pending || s->tx.len == 0);
	/* Side-effect-free look at IIR and LSR through a disconnected copy. */
	probe.cfg.irq.fn = NULL;
	probe.cfg.ops = NULL;
	FUZZ_CHECK(superio_serial_read(&probe, 2, 1, &iir) == 0);
	FUZZ_CHECK(superio_serial_read(&probe, 5, 1, &lsr) == 0);
	FUZZ_CHECK((iir & 0x0f) == expected_id(s));
	FUZZ_CHECK((iir & 0xc0) == ((s->fcr & 1) ? 0xc0u : 0u) && !(iir & 0x30));
	/* Served from the cache or worked out, the guest's LSR is the expected one. */
	FUZZ_CHECK(lsr == want_lsr);
	FUZZ_CHECK(line_level == ((iir & 1) == 0) && s->line == line_level);
	/* The output batch: only ahead of an empty TX FIFO, FIFOs on, asked for. */
	FUZZ_CHECK(s->out_len < SUPERIO_SERIAL_FIFO_SIZE);
	FUZZ_CHECK(!s->out_len || (s->tx.len == 0 && (s->fcr & 1) && s->cfg.tx_batch &&
				   !(s->mcr & 0x10) && !(s->lcr & 0x80)));
	FUZZ_CHECK(superio_serial_tx_batched(s) == s->out_len);
	/* The fast-path caches agree with the registers they were taken from. */
	check_caches(s, want_lsr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct superio_serial s;
	struct superio_serial_config cfg = {
		.irq = { line_fn, NULL }, .ops = &ops, .clock = { clock_fn, NULL },
	};
	uint8_t first = fuzz_u8(&in);

	line_level = false;
	now_ns = 1ull << 40;
	out_mode = 0;
	if (first & 1) {
		cfg.budget_bytes_per_sec = 1 + (first >> 1);
		cfg.budget_burst = first & 0x0e;
	}
	cfg.tx_batch = (first & 0x80) != 0;
	FUZZ_CHECK(superio_serial_init(&s, &cfg) == 0);
	while (in.left) {
		uint8_t op = fuzz_u8(&in);
		uint64_t off = fuzz_u8(&in) & 0x0f;
		unsigned int width = fuzz_size(&in);
		uint32_t v = 0;

		switch (op & 7) {
		case 0:
			(void)superio_serial_write(&s, off, width, fuzz_u8(&in));
			break;
		case 1:
			/* Byte-wide, any offset (only its low three bits decode). */
			if (op & 0x80)
				superio_serial_write8(&s, (unsigned int)off, fuzz_u8(&in));
			else
				(void)superio_serial_read8(&s, (unsigned int)off);
			break;
		case 2:
			if (op & 0x80) {
				out_mode = (op >> 3) & 3;
				superio_serial_tx_flush(&s);
				break;
			}
			(void)superio_serial_read(&s, off, width, &v);
			break;
		case 3: {
			uint8_t buf[80];
			size_t n = fuzz_u8(&in) % sizeof(buf);

			memset(buf, (int)op, n);
			FUZZ_CHECK(superio_serial_rx_push(&s, buf, n) <= n);
			break;
		}
		case 4:
			out_mode = (op >> 3) & 3;
			superio_serial_tx_drain(&s);
			break;
		case 5:
			superio_serial_set_modem_inputs(&s, fuzz_u8(&in));
			break;
		case 6:
			now_ns = fuzz_clock_step(&in, now_ns);
			break;
		default: {
			struct superio_serial_state st;

			superio_serial_save(&s, &st);
			fuzz_restore_begin();
			FUZZ_CHECK(superio_serial_restore(&s, &st) == 0);
			fuzz_restore_end();
			break;
		}
		}
		check(&s);
	}
	return 0;
}
