// SPDX-License-Identifier: MIT
// The 16550A workloads of the side-by-side comparison with vm-superio
// (tests/bench/callgrind-compare.sh): each register access is one library
// call, exactly as a VMM's port-I/O dispatch makes it, and
// rust/src/bin/calls.rs runs the same sequences on vm-superio through
// non-inlined calls.
//   tx:    guest polls LSR until THRE, then writes THR (Linux's 8250 console);
//   rx:    the host pushes 64 bytes, the guest reads IIR, then LSR+RBR per
//          byte until LSR.DR clears (serial8250_handle_irq, FIFOs on);
//   probe: a 12-access mix of IER, IIR, LCR, MCR, LSR, MSR and SCR;
//   call_floor (wall time only, no Rust peer, so the script skips it): the
//          TX loop calling two functions that only load a byte and store
//          one, what the call structure alone costs.
// Usage: bench-superio-serial-calls               wall time, all workloads
//        bench-superio-serial-calls cg NAME OPS   one run of cg_serial_NAME,
//                                                 for callgrind --toggle-collect
#include <cvmm_bench.h>
#include <string.h>
#include <sys/types.h>

#include <superio/serial.h>

#include "bench_serial_rig.h"

/*
 * The byte-wide entry points, as a port-I/O dispatch calls them once it has
 * checked the width (vm-superio's read(offset) -> u8 has no width either).
 */
static uint8_t in(struct superio_serial *s, unsigned int off)
{
	return superio_serial_read8(s, off);
}

static void out(struct superio_serial *s, unsigned int off, uint8_t v)
{
	superio_serial_write8(s, off, v);
}

/* The floor: the TX loop's shape with nothing behind the calls. */
struct floor_dev {
	uint8_t lsr, last;
};

__attribute__((noinline)) uint8_t floor_read(struct floor_dev *d, unsigned int off);
__attribute__((noinline)) void floor_write(struct floor_dev *d, unsigned int off, uint8_t v);

uint8_t floor_read(struct floor_dev *d, unsigned int off)
{
	(void)off;
	return d->lsr;
}

void floor_write(struct floor_dev *d, unsigned int off, uint8_t v)
{
	(void)off;
	d->last = v;
}

static void run_floor(void *p, uint64_t n)
{
	struct floor_dev *d = p;

	for (uint64_t i = 0; i < n; i++) {
		while (!(floor_read(d, 5) & 0x20))
			;
		floor_write(d, 0, (uint8_t)i);
	}
	sunk += d->last;
}

/* Exported and never inlined, so that callgrind can collect just these. */
__attribute__((noinline)) void cg_serial_tx(struct superio_serial *s, uint64_t n);
__attribute__((noinline)) void cg_serial_rx(struct superio_serial *s, uint64_t n);
__attribute__((noinline)) void cg_serial_probe(struct superio_serial *s, uint64_t n);

void cg_serial_tx(struct superio_serial *s, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		while (!(in(s, 5) & 0x20))
			;
		out(s, 0, (uint8_t)i);
	}
}

void cg_serial_rx(struct superio_serial *s, uint64_t n)
{
	static const uint8_t burst[64] = { 'r' };
	uint64_t done = 0;

	while (done < n) {
		if (superio_serial_rx_push(s, burst, sizeof(burst)) != sizeof(burst))
			abort();
		sunk += in(s, 2);
		while (in(s, 5) & 0x01) {
			sunk += in(s, 0);
			done++;
		}
	}
}

void cg_serial_probe(struct superio_serial *s, uint64_t n)
{
	static const struct { uint8_t off, write, val; } seq[12] = {
		{ 1, 1, 0x0f }, { 1, 0, 0 }, { 2, 0, 0 }, { 3, 1, 0x03 }, { 3, 0, 0 },
		{ 4, 1, 0x0b }, { 4, 0, 0 }, { 5, 0, 0 }, { 6, 0, 0 }, { 7, 1, 0x5a },
		{ 7, 0, 0 }, { 1, 1, 0x00 },
	};
	unsigned int k = 0;

	for (uint64_t i = 0; i < n; i++) {
		if (seq[k].write)
			out(s, seq[k].off, seq[k].val);
		else
			sunk += in(s, seq[k].off);
		k = k == 11 ? 0 : k + 1;
	}
}

/*
 * FIFOs on with trigger 14 as Linux sets them; IER as each workload's
 * driver has it; output batched, as cvmm's console would run it.
 */
static void setup(struct superio_serial *s, uint8_t ier)
{
	const struct superio_serial_config cfg = { .irq = { irq, NULL }, .ops = &ops,
						   .tx_batch = true };

	if (superio_serial_init(s, &cfg))
		abort();
	out(s, 2, 0xc7);
	out(s, 1, ier);
}

static void run_tx(void *p, uint64_t n) { cg_serial_tx(p, n); }
static void run_rx(void *p, uint64_t n) { cg_serial_rx(p, n); }
static void run_probe(void *p, uint64_t n) { cg_serial_probe(p, n); }

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		cvmm_bench_fn fn;
		uint8_t ier;
	} w[] = {
		{ "serial_tx", run_tx, 0x00 },	  /* console writes run with IER masked */
		{ "serial_rx", run_rx, 0x05 },	  /* RDI | RLSI, as serial8250 enables RX */
		{ "serial_probe", run_probe, 0x00 },
	};
	struct superio_serial s;

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		if (argc == 4 && !strcmp(argv[1], "cg")) {
			if (strcmp(argv[2], w[i].name + strlen("serial_")))
				continue;
			setup(&s, w[i].ier);
			w[i].fn(&s, strtoull(argv[3], NULL, 0));
			return sunk == 0;
		}
		if (argc == 1) {
			setup(&s, w[i].ier);
			cvmm_bench_run(w[i].name, w[i].fn, &s, 1000000, 15);
		}
	}
	if (argc == 1) {
		struct floor_dev d = { .lsr = 0x60 };

		cvmm_bench_run("serial_call_floor", run_floor, &d, 1000000, 15);
	}
	return argc == 1 ? sunk == 0 : 2;
}
