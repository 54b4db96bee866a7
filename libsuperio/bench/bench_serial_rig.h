/* SPDX-License-Identifier: MIT */
/*
 * Doubles shared by the 16550A benchmarks: an output sink that takes every
 * byte (and touches it, so the work cannot be optimised away) and an
 * interrupt line that does nothing.  vm-superio's peer programs use the
 * same two (rust/src/rig.rs).
 */
#ifndef SUPERIO_BENCH_SERIAL_RIG_H
#define SUPERIO_BENCH_SERIAL_RIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <superio/serial.h>

static uint64_t sunk;

static ssize_t sink(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	sunk += buf[0] + len;
	return (ssize_t)len;
}

static const struct superio_serial_ops ops = { .version = SUPERIO_SERIAL_OPS_VERSION,
					       .write = sink };

static void irq(void *ctx, bool level)
{
	(void)ctx;
	(void)level;
}

#endif
