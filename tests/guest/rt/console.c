// SPDX-License-Identifier: MIT
/*
 * The COM1 console every report goes through, driven the way Linux's 8250
 * console does (serial8250_console_putchar): wait for LSR.THRE, write THR.
 * The wait is bounded so a broken UART model costs time but never hangs the
 * guest; the host then sees missing or garbled lines, not a silent VM.
 */
#include "gk.h"

#define LSR_THRE 0x20

void gk_console_init(void)
{
	gk_outb(GK_COM1 + 1, 0x00);	/* IER: polled */
	gk_outb(GK_COM1 + 3, 0x80);	/* DLAB */
	gk_outb(GK_COM1 + 0, 0x01);	/* 115200 baud */
	gk_outb(GK_COM1 + 1, 0x00);
	gk_outb(GK_COM1 + 3, 0x03);	/* 8N1 */
	gk_outb(GK_COM1 + 2, 0x07);	/* FIFO on, both cleared */
	gk_outb(GK_COM1 + 4, 0x0b);	/* DTR | RTS | OUT2 */
}

static void putc_raw(char c)
{
	for (unsigned spins = 0; spins < 1000000; spins++)
		if (gk_inb(GK_COM1 + 5) & LSR_THRE)
			break;
	gk_outb(GK_COM1, (uint8_t)c);
}

void gk_putc(char c)
{
	if (c == '\n')
		putc_raw('\r');
	putc_raw(c);
}
