/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART (TI/National PC16550D datasheet), as seen by Linux's 8250
 * driver: eight byte-wide registers at offsets 0..7, 64-byte RX and TX
 * FIFOs, FCR-controlled FIFO mode and RX trigger levels, character-timeout
 * reporting, prioritised IIR, loopback with MSR mirroring, and scratch.
 *
 * The host side:
 *  - RX: superio_serial_rx_space() says how many bytes fit;
 *    superio_serial_rx_push() queues bytes; bytes that do not fit set LSR.OE
 *    and are counted as overruns.  ops->rx_drained tells the host when the
 *    guest emptied the FIFO, so it can resume reading its input.
 *  - TX: guest bytes enter the TX FIFO and are offered to ops->write, which
 *    may take fewer (back-pressure: the rest stay queued and THRE stays
 *    clear until the host calls superio_serial_tx_drain()).  A write error
 *    drops the queued bytes (counted) so the guest never waits forever.
 *  - With tx_batch set, THR bytes written while the FIFO is empty collect
 *    in a 64-byte output batch and reach ops->write in runs: when the batch
 *    fills, before any guest access other than the hot ones (THR and SCR
 *    writes, RBR reads, reads that change nothing), before every host call
 *    that changes state, and when the host calls superio_serial_tx_flush().
 *  - An optional output budget (token bucket) drops and counts bytes beyond
 *    budget_bytes_per_sec + budget_burst, so a guest cannot fill the host's
 *    disk through the console.
 */
#ifndef SUPERIO_SERIAL_H
#define SUPERIO_SERIAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <superio/irq.h>

#define SUPERIO_SERIAL_FIFO_SIZE 64u
/* Number of registers, i.e. the size of the port range (0x3f8..0x3ff). */
#define SUPERIO_SERIAL_NR_REGS 8u

/* Register offsets (DLAB selects DLL/DLM at 0 and 1). */
#define SUPERIO_SERIAL_RBR 0u	/* read, DLAB=0 */
#define SUPERIO_SERIAL_THR 0u	/* write, DLAB=0 */
#define SUPERIO_SERIAL_DLL 0u	/* DLAB=1 */
#define SUPERIO_SERIAL_IER 1u	/* DLAB=0 */
#define SUPERIO_SERIAL_DLM 1u	/* DLAB=1 */
#define SUPERIO_SERIAL_IIR 2u	/* read */
#define SUPERIO_SERIAL_FCR 2u	/* write */
#define SUPERIO_SERIAL_LCR 3u
#define SUPERIO_SERIAL_MCR 4u
#define SUPERIO_SERIAL_LSR 5u
#define SUPERIO_SERIAL_MSR 6u
#define SUPERIO_SERIAL_SCR 7u

/* Modem input lines, as MSR bits 7:4, for superio_serial_set_modem_inputs(). */
#define SUPERIO_SERIAL_MODEM_CTS 0x10u
#define SUPERIO_SERIAL_MODEM_DSR 0x20u
#define SUPERIO_SERIAL_MODEM_RI  0x40u
#define SUPERIO_SERIAL_MODEM_DCD 0x80u

enum superio_serial_event {
	SUPERIO_SERIAL_EV_RX_OVERRUN,	 /* arg: bytes lost on a push into a full FIFO */
	SUPERIO_SERIAL_EV_TX_BUDGET_DROP, /* arg: bytes dropped by the output budget */
	SUPERIO_SERIAL_EV_TX_ERROR_DROP,	 /* arg: bytes dropped after ops->write failed */
	SUPERIO_SERIAL_EV_TX_FULL_DROP,	 /* arg: bytes written by the guest into a full TX FIFO */
	SUPERIO_SERIAL_EV_TX_RESET_DROP, /* arg: queued bytes discarded by reset or restore */
};

#define SUPERIO_SERIAL_OPS_VERSION 1u
/* Output side.  Every member may be NULL (no-op; a NULL write discards output). */
struct superio_serial_ops {
	uint32_t version; /* SUPERIO_SERIAL_OPS_VERSION */
	/*
	 * Offers len > 0 bytes.  Returns how many were taken (0..len; fewer is
	 * back-pressure), or -errno.  -EAGAIN/-EWOULDBLOCK/-EINTR count as 0
	 * taken; any other error drops the offered bytes.
	 */
	ssize_t (*write)(void *ctx, const uint8_t *buf, size_t len);
	/* The guest read the last byte of the RX FIFO: the host may push again. */
	void (*rx_drained)(void *ctx);
	/* Something was dropped (see enum); for logs and metrics exporters. */
	void (*event)(void *ctx, enum superio_serial_event ev, uint64_t arg);
};

struct superio_serial_config {
	struct superio_irq irq;
	const struct superio_serial_ops *ops; /* NULL: output discarded */
	void *ops_ctx;
	/* Required only when the budget is on. */
	struct superio_clock clock;
	/* Output budget: 0 turns it off.  burst 0 means one second's worth. */
	uint64_t budget_bytes_per_sec;
	uint64_t budget_burst;
	/*
	 * Batch THR output (see superio_serial_tx_flush()).  Needs ops->write;
	 * takes effect while the FIFOs are enabled and the budget is off.  A
	 * host that sets it must flush on a timer or when the vCPU goes idle.
	 */
	bool tx_batch;
};

struct superio_serial_metrics {
	uint64_t rx_bytes;	   /* accepted by rx_push */
	uint64_t rx_overruns;	   /* bytes lost on push into a full FIFO */
	uint64_t tx_bytes;	   /* taken by ops->write (or discarded with no write op) */
	uint64_t tx_budget_drops;  /* dropped by the output budget */
	uint64_t tx_error_drops;   /* dropped after ops->write failed */
	uint64_t tx_full_drops;	   /* guest wrote THR with the TX FIFO full */
	uint64_t tx_reset_drops;   /* queued bytes the output refused before a reset or restore */
	uint64_t loopback_bytes;   /* THR bytes looped into RX */
	uint64_t irqs_raised;	   /* low-to-high transitions of the line */
};

/* A byte ring; private to the model (use the functions). */
struct superio__fifo {
	uint8_t buf[SUPERIO_SERIAL_FIFO_SIZE];
	uint8_t head;
	uint8_t len;
};

/* Caller-allocated device.  Fields are private: use the functions. */
struct superio_serial {
	struct superio_serial_config cfg;
	struct superio_serial_metrics metrics;
	struct superio__fifo rx, tx;
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	uint8_t lsr;		/* latched error bits; DR/THRE/TEMT are derived */
	uint8_t msr_delta;	/* MSR bits 3:0 */
	uint8_t modem_in;	/* external MSR bits 7:4 */
	uint8_t thre_pending;	/* THR-empty interrupt not yet acknowledged */
	uint8_t line;		/* current interrupt output level */
	uint8_t tx_direct;	/* write op set and budget off: THR may bypass the FIFO */
	/*
	 * Fast-path caches, refreshed by superio__serial_sync() at the end of
	 * every access or host call that is not itself a fast path.
	 */
	uint8_t rdside;		/* offsets whose read has a side effect (bit per offset) */
	uint8_t thr_batch;	/* batch size while a THR write may join the batch, else 0 */
	uint8_t thr_direct;	/* a THR write may be offered straight to ops->write */
	uint8_t thr_base;	/* THR_* below: their conditions but for THRE, THRI and the line */
	uint8_t out_len;	/* bytes in out[] */
	uint8_t rdval[SUPERIO_SERIAL_NR_REGS];	/* what a side-effect-free read returns */
	uint8_t out[SUPERIO_SERIAL_FIFO_SIZE];	/* output batch (tx_batch) */
	uint64_t tokens;	/* budget bucket, in bytes */
	uint64_t budget_ns;	/* clock time of the last refill */
};

/*
 * Plain snapshot of the guest-visible state.  FIFO contents are in order
 * (oldest first).  Metrics and configuration are not part of it.
 */
#define SUPERIO_SERIAL_STATE_VERSION 1u
struct superio_serial_state {
	uint32_t version;
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	uint8_t lsr;		/* latched error bits only (OE, PE, FE, BI) */
	uint8_t msr_delta;	/* MSR bits 3:0 */
	uint8_t modem_in;	/* external lines, MSR bits 7:4 */
	uint8_t thre_pending;	/* 0 or 1; 1 only with an empty TX FIFO */
	uint8_t rx_len, tx_len;
	uint8_t rx[SUPERIO_SERIAL_FIFO_SIZE];
	uint8_t tx[SUPERIO_SERIAL_FIFO_SIZE];
};

/*
 * Initialises to the power-on state (MCR 0, LCR 0, FIFOs off, THRE/TEMT
 * set, modem inputs CTS|DSR|DCD asserted).  -EINVAL for a NULL argument,
 * an ops version this library does not know, or a budget without a clock.
 */
SUPERIO_WUR int superio_serial_init(struct superio_serial *s,
				    const struct superio_serial_config *cfg);
/*
 * Back to the power-on state; configuration and metrics are kept.  The
 * output is offered the batch and the queued TX bytes once more first;
 * what it does not take is dropped and counted (tx_reset_drops).
 */
void superio_serial_reset(struct superio_serial *s);

/* Register access, offsets 0..7, size 1 (see <superio/irq.h>). */
SUPERIO_WUR int superio_serial_read(struct superio_serial *s, uint64_t offset,
				    unsigned int size, uint32_t *value);
SUPERIO_WUR int superio_serial_write(struct superio_serial *s, uint64_t offset,
				     unsigned int size, uint32_t value);

/*
 * Byte-wide register access, the fast entry points for a port-I/O dispatch
 * that has already checked the width is 1.  The UART decodes three address
 * lines, so only offset & 7 is used.  s must be a device set up by
 * superio_serial_init(); nothing else is checked and nothing can fail.
 * Same guest-visible behaviour as superio_serial_read()/_write() with
 * size 1, which call these.
 */
uint8_t superio_serial_read8(struct superio_serial *s, unsigned int offset);
void superio_serial_write8(struct superio_serial *s, unsigned int offset, uint8_t value);

/*
 * RX from the host.  In loopback mode the receiver is disconnected from the
 * line, as on hardware: rx_space() is 0 and rx_push() takes nothing and
 * flags no overrun; ops->rx_drained is called when loopback ends.
 */
size_t superio_serial_rx_space(const struct superio_serial *s);
/* Queues up to rx_space() bytes; the rest overrun (LSR.OE).  Returns bytes queued. */
size_t superio_serial_rx_push(struct superio_serial *s, const uint8_t *buf, size_t len);

/* Retries queued TX bytes (e.g. when the output became writable). */
void superio_serial_tx_drain(struct superio_serial *s);
/* Bytes waiting in the TX FIFO (the guest sees THRE clear); not the batch. */
size_t superio_serial_tx_pending(const struct superio_serial *s);
/*
 * Offers the output batch (tx_batch) to ops->write now.  Bytes it does not
 * take move to the TX FIFO, in order, with THRE clear, as if the guest had
 * just written them: superio_serial_tx_drain() retries them.  No-op when
 * the batch is empty.
 */
void superio_serial_tx_flush(struct superio_serial *s);
/* Bytes in the output batch: the guest wrote them, the host has not had them yet. */
size_t superio_serial_tx_batched(const struct superio_serial *s);

/* Sets the modem input lines (SUPERIO_SERIAL_MODEM_* bits); deltas raise MSI. */
void superio_serial_set_modem_inputs(struct superio_serial *s, uint8_t lines);

/* Divisor latch (0 is allowed and means "no clock", as on hardware). */
uint16_t superio_serial_divisor(const struct superio_serial *s);
/* Current interrupt output level. */
bool superio_serial_irq_level(const struct superio_serial *s);
void superio_serial_get_metrics(const struct superio_serial *s,
				struct superio_serial_metrics *out);

void superio_serial_save(const struct superio_serial *s, struct superio_serial_state *out);
/*
 * Validates every field (-EINVAL and no change on any inconsistency), then
 * loads the state and re-drives the interrupt line to match it (the irq
 * callback is called once with the restored level, whatever it was).
 * Queued output is handled as by superio_serial_reset() before the TX
 * FIFO is replaced.
 */
SUPERIO_WUR int superio_serial_restore(struct superio_serial *s,
				       const struct superio_serial_state *st);

#endif
