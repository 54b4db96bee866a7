// SPDX-License-Identifier: MIT
// The 16550A's byte FIFOs as fixed rings: bounded memory whatever the guest
// or the host does (callers check the length before pushing).
#include "serial_internal.h"

void superio__fifo_clear(struct superio__fifo *f)
{
	f->head = 0;
	f->len = 0;
}

void superio__fifo_push(struct superio__fifo *f, uint8_t byte)
{
	if (f->len >= SUPERIO_SERIAL_FIFO_SIZE)
		return;
	f->buf[(f->head + f->len) % SUPERIO_SERIAL_FIFO_SIZE] = byte;
	f->len++;
}

uint8_t superio__fifo_pop(struct superio__fifo *f)
{
	uint8_t byte;

	if (f->len == 0)
		return 0;
	byte = f->buf[f->head];
	f->head = (uint8_t)((f->head + 1u) % SUPERIO_SERIAL_FIFO_SIZE);
	f->len--;
	return byte;
}

uint8_t superio__fifo_peek(const struct superio__fifo *f, unsigned int i)
{
	return f->buf[(f->head + i) % SUPERIO_SERIAL_FIFO_SIZE];
}
