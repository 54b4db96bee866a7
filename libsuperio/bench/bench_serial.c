// SPDX-License-Identifier: MIT
// 16550A microbenchmarks: guest TX polled the way Linux's 8250 console
// does it (LSR until THRE, then THR), RX drained the way serial8250_rx_chars
// does it (LSR.DR, then RBR), a mixed register-probe sequence, and TX
// with the flood budget on.
#include <cvmm_bench.h>
#include <string.h>
#include <sys/types.h>

#include <superio/serial.h>

#include "bench_serial_rig.h"

static void must(int rc)
{
	if (rc)
		abort();
}

static uint8_t in(struct superio_serial *s, unsigned int off)
{
	uint32_t v = 0;

	must(superio_serial_read(s, off, 1, &v));
	return (uint8_t)v;
}

static void tx_polled(void *ctx, uint64_t ops_n)
{
	struct superio_serial *s = ctx;

	for (uint64_t i = 0; i < ops_n; i++) {
		while (!(in(s, 5) & 0x20))
			;
		must(superio_serial_write(s, 0, 1, (uint8_t)i));
	}
}

static void rx_drain(void *ctx, uint64_t ops_n)
{
	struct superio_serial *s = ctx;
	uint8_t buf[SUPERIO_SERIAL_FIFO_SIZE];
	uint64_t done = 0;

	memset(buf, 'r', sizeof(buf));
	while (done < ops_n) {
		(void)superio_serial_rx_push(s, buf, sizeof(buf));
		while (in(s, 5) & 0x01) {
			sunk += in(s, 0);
			done++;
		}
	}
}

/* IER write/read, IIR, LCR, MCR, LSR, MSR, SCR: the registers a driver touches. */
static void probe_mix(void *ctx, uint64_t ops_n)
{
	static const struct { uint8_t off, write, val; } seq[] = {
		{ 1, 1, 0x0f }, { 1, 0, 0 }, { 2, 0, 0 }, { 3, 1, 0x03 }, { 3, 0, 0 },
		{ 4, 1, 0x0b }, { 4, 0, 0 }, { 5, 0, 0 }, { 6, 0, 0 }, { 7, 1, 0x5a },
		{ 7, 0, 0 }, { 1, 1, 0x00 },
	};
	struct superio_serial *s = ctx;

	for (uint64_t i = 0; i < ops_n; i++) {
		unsigned int k = (unsigned int)(i % (sizeof(seq) / sizeof(seq[0])));

		if (seq[k].write)
			must(superio_serial_write(s, seq[k].off, 1, seq[k].val));
		else
			sunk += in(s, seq[k].off);
	}
}

static uint64_t realtime(void *ctx)
{
	(void)ctx;
	return cvmm_bench_now_ns();
}

int main(void)
{
	struct superio_serial s;
	struct superio_serial_config cfg = { .irq = { irq, NULL }, .ops = &ops };

	must(superio_serial_init(&s, &cfg));
	must(superio_serial_write(&s, 2, 1, 0xc7)); /* FIFO on, trigger 14, as Linux sets it */
	cvmm_bench_run("superio-serial-tx-polled-per-byte", tx_polled, &s, 1000000, 15);
	cvmm_bench_run("superio-serial-rx-drain-per-byte", rx_drain, &s, 1000000, 15);
	cvmm_bench_run("superio-serial-probe-mix-per-access", probe_mix, &s, 1000000, 15);
	/* The same TX with a flood budget that never runs dry: the cost of the bucket. */
	cfg.clock = (struct superio_clock){ realtime, NULL };
	cfg.budget_bytes_per_sec = UINT64_C(1) << 40;
	must(superio_serial_init(&s, &cfg));
	must(superio_serial_write(&s, 2, 1, 0xc7));
	cvmm_bench_run("superio-serial-tx-polled-budget-per-byte", tx_polled, &s, 1000000, 15);
	return sunk == 0;
}
