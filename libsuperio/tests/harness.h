/* SPDX-License-Identifier: MIT */
/*
 * Test doubles shared by the libsuperio tests: an interrupt line that
 * records its level and edges, a settable clock, and a serial output sink
 * with a programmable acceptance limit (for back-pressure) or error.
 */
#ifndef SUPERIO_TEST_HARNESS_H
#define SUPERIO_TEST_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <criterion/criterion.h>

#include <superio/superio.h>

struct line {
	bool level;
	unsigned int rises, falls;
};

static inline void line_fn(void *ctx, bool level)
{
	struct line *l = ctx;

	if (level)
		l->rises++;
	else
		l->falls++;
	l->level = level;
}

struct fake_clock {
	uint64_t ns;
};

static inline uint64_t clock_fn(void *ctx)
{
	return ((struct fake_clock *)ctx)->ns;
}

struct sink {
	uint8_t buf[4096];
	size_t len;
	size_t limit;	/* bytes accepted per call; 0 = all */
	ssize_t error;	/* returned instead when non-zero */
	unsigned int calls, drained, events;
	uint64_t event_bytes;
};

static inline ssize_t sink_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct sink *s = ctx;
	size_t n = len;

	s->calls++;
	if (s->error)
		return s->error;
	if (s->limit && n > s->limit)
		n = s->limit;
	if (n > sizeof(s->buf) - s->len)
		n = sizeof(s->buf) - s->len;
	memcpy(s->buf + s->len, buf, n);
	s->len += n;
	return (ssize_t)n;
}

static inline void sink_drained(void *ctx)
{
	((struct sink *)ctx)->drained++;
}

static inline void sink_event(void *ctx, enum superio_serial_event ev, uint64_t arg)
{
	struct sink *s = ctx;

	(void)ev;
	s->events++;
	s->event_bytes += arg;
}

static const struct superio_serial_ops sink_ops = {
	.version = SUPERIO_SERIAL_OPS_VERSION,
	.write = sink_write,
	.rx_drained = sink_drained,
	.event = sink_event,
};

/* Register access that must succeed. */
static inline uint8_t uart_in(struct superio_serial *s, unsigned int off)
{
	uint32_t v = 0;

	cr_assert_eq(superio_serial_read(s, off, 1, &v), 0, "read offset %u", off);
	return (uint8_t)v;
}

static inline void uart_out(struct superio_serial *s, unsigned int off, uint8_t v)
{
	cr_assert_eq(superio_serial_write(s, off, 1, v), 0, "write offset %u", off);
}

#endif
