// SPDX-License-Identifier: MIT
/*
 * The COM1 console every report goes through, driven the way Linux's 8250
 * console does (serial8250_console_putchar): wait for LSR.THRE, write THR.
 * The wait has no give-up: a slow terminal or pipe behind the VMM may keep
 * THRE clear for as long as it likes, and writing THR anyway would drop a
 * byte into a full FIFO (PC16550D: THR is overwritten).  A UART model that
 * never raises THRE hangs the guest instead; every runner has a timeout
 * and asks cvmm for a state dump then, which shows the spinning vCPU.
 */
#include "gk.h"

#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

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

static void wait_lsr(uint8_t mask)
{
	while ((gk_inb(GK_COM1 + 5) & mask) != mask)
		gk_pause();
}

static void putc_raw(char c)
{
	wait_lsr(LSR_THRE);
	gk_outb(GK_COM1, (uint8_t)c);
}

void gk_console_drain(void)
{
	wait_lsr(LSR_THRE | LSR_TEMT);
}

void gk_putc(char c)
{
	if (c == '\n')
		putc_raw('\r');
	putc_raw(c);
}

int gk_console_getc(void)
{
	if (!(gk_inb(GK_COM1 + 5) & LSR_DR))
		return -1;
	return gk_inb(GK_COM1);
}
