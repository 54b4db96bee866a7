// SPDX-License-Identifier: MIT
// Replays of the exact register sequences Linux 6.1's 8250 driver issues
// (drivers/tty/serial/8250/8250_port.c: autoconfig(), autoconfig_16550a()
// with CONFIG_SERIAL_8250_16550A_VARIANTS, serial8250_do_startup(), the
// console write path), each checked the way the driver checks it.
#include "harness.h"

enum { RX = 0, TX = 0, IER = 1, IIR = 2, FCR = 2, EFR = 2, LCR = 3, MCR = 4, LSR = 5,
       MSR = 6, SCR = 7 };

static struct superio_serial uart;
static struct line irq;
static struct sink out;

static void setup(void)
{
	struct superio_serial_config cfg = {
		.irq = { line_fn, &irq }, .ops = &sink_ops, .ops_ctx = &out,
	};

	memset(&irq, 0, sizeof(irq));
	memset(&out, 0, sizeof(out));
	cr_assert_eq(superio_serial_init(&uart, &cfg), 0);
}

TestSuite(serial_linux, .init = setup);

/* autoconfig(): scratch test on IER. */
static bool scratch_test(void)
{
	uint8_t save = uart_in(&uart, IER), s2, s3;

	uart_out(&uart, IER, 0);
	s2 = uart_in(&uart, IER) & 0x0f;
	uart_out(&uart, IER, 0x0f);
	s3 = uart_in(&uart, IER) & 0x0f;
	uart_out(&uart, IER, save);
	return s2 == 0 && s3 == 0x0f;
}

/* autoconfig(): loopback test on MSR. */
static bool loopback_test(void)
{
	uint8_t save_mcr = uart_in(&uart, MCR), status;

	uart_out(&uart, MCR, 0x10 | 0x0a);
	status = uart_in(&uart, MSR) & 0xf0;
	uart_out(&uart, MCR, save_mcr);
	return status == 0x90;
}

/* autoconfig(): type from IIR bits 7:6 after enabling the FIFO (3 = 16550A). */
static unsigned int fifo_probe(void)
{
	uart_out(&uart, LCR, 0xbf);
	uart_out(&uart, EFR, 0);
	uart_out(&uart, LCR, 0);
	uart_out(&uart, FCR, 0x01);
	return uart_in(&uart, IIR) >> 6;
}

/* autoconfig_16550a() with the variant probes: every one must conclude "plain 16550A". */
static void variant_probes(void)
{
	uint8_t status1, status2;

	/* ST16C650V1: EFR readable with DLAB set. */
	uart_out(&uart, LCR, 0x80);
	cr_assert_neq(uart_in(&uart, EFR), 0, "must not look like an EFR");
	uart_out(&uart, LCR, 0xbf);
	cr_assert_neq(uart_in(&uart, EFR), 0);
	/* NS16550A SuperIO: the LOOP bit would show in EXCR1 through bank 2. */
	uart_out(&uart, LCR, 0);
	status1 = uart_in(&uart, MCR);
	uart_out(&uart, LCR, 0xe0);
	status2 = uart_in(&uart, 0x02);
	if (!((status2 ^ status1) & 0x10)) {
		uart_out(&uart, LCR, 0);
		uart_out(&uart, MCR, status1 ^ 0x10);
		uart_out(&uart, LCR, 0xe0);
		status2 = uart_in(&uart, 0x02);
		uart_out(&uart, LCR, 0);
		uart_out(&uart, MCR, status1);
		cr_assert_not((status2 ^ status1) & 0x10, "must not look like an NS16550A");
	}
	/* 16750: the 64-byte bit must not show in IIR. */
	uart_out(&uart, LCR, 0);
	uart_out(&uart, FCR, 0x01 | 0x20);
	status1 = uart_in(&uart, IIR) >> 5;
	uart_out(&uart, FCR, 0x01);
	uart_out(&uart, LCR, 0x80);
	uart_out(&uart, FCR, 0x01 | 0x20);
	status2 = uart_in(&uart, IIR) >> 5;
	uart_out(&uart, FCR, 0x01);
	uart_out(&uart, LCR, 0);
	cr_assert_not(status1 == 6 && status2 == 7, "must not look like a 16750");
	/* XScale: IER bit 6 (UUE) must not stick. */
	status1 = uart_in(&uart, IER);
	uart_out(&uart, IER, status1 | 0x40);
	cr_assert_not(uart_in(&uart, IER) & 0x40, "must not look like an XScale UART");
	uart_out(&uart, IER, status1);
}

Test(serial_linux, autoconfig_identifies_a_16550a)
{
	uint8_t save_lcr;

	cr_assert(scratch_test());
	save_lcr = uart_in(&uart, LCR);
	cr_assert(loopback_test());
	cr_assert_eq(fifo_probe(), 3);
	variant_probes();
	uart_out(&uart, LCR, save_lcr);
	/* Reset the UART the way autoconfig ends. */
	uart_out(&uart, FCR, 0x01);
	uart_out(&uart, FCR, 0x07);
	uart_out(&uart, FCR, 0x00);
	(void)uart_in(&uart, RX);
	uart_out(&uart, IER, 0);
	cr_assert_eq(uart_in(&uart, LSR), 0x60);
	cr_assert_eq(out.len, 0, "probing must not emit bytes");
}

/* serial8250_do_startup(): LSR sanity, then the THRE re-assertion test. */
Test(serial_linux, startup_does_not_flag_thre_bug)
{
	uint8_t iir1, iir;

	uart_out(&uart, FCR, 0x01);
	uart_out(&uart, FCR, 0x07);
	uart_out(&uart, FCR, 0x00);
	(void)uart_in(&uart, LSR);
	(void)uart_in(&uart, RX);
	(void)uart_in(&uart, IIR);
	(void)uart_in(&uart, MSR);
	cr_assert_neq(uart_in(&uart, LSR), 0xff, "LSR safety check");
	uart_out(&uart, LCR, 0x03);
	while (!(uart_in(&uart, LSR) & 0x20))
		;
	uart_out(&uart, IER, 0x02);
	iir1 = uart_in(&uart, IIR);
	uart_out(&uart, IER, 0);
	uart_out(&uart, IER, 0x02);
	iir = uart_in(&uart, IIR);
	uart_out(&uart, IER, 0);
	cr_assert_not(!(iir1 & 0x01) && (iir & 0x01), "UART_BUG_THRE would be set");
	cr_assert_eq(iir & 0x0f, 0x02);
}

/* Console write: mask IER, poll LSR.THRE before each byte, restore IER. */
Test(serial_linux, console_write_polls_lsr_and_restores_ier)
{
	const char *msg = "Linux version 6.1\r\n";
	uint8_t ier;

	uart_out(&uart, FCR, 0x01 | 0x06 | 0x80);
	uart_out(&uart, IER, 0x05);
	ier = uart_in(&uart, IER);
	uart_out(&uart, IER, 0);
	for (const char *p = msg; *p; p++) {
		int spins = 0;

		while (!(uart_in(&uart, LSR) & 0x20))
			cr_assert_lt(++spins, 10000, "THRE never came");
		uart_out(&uart, TX, (uint8_t)*p);
	}
	while ((uart_in(&uart, LSR) & 0x60) != 0x60)
		;
	uart_out(&uart, IER, ier);
	cr_assert_eq(out.len, strlen(msg));
	cr_assert_eq(memcmp(out.buf, msg, out.len), 0);
}

/* Interrupt-driven TX: on THRE, serial8250_tx_chars writes up to tx_loadsz (16) bytes. */
Test(serial_linux, interrupt_driven_tx_fills_16_per_thre)
{
	char msg[40];
	size_t sent = 0;
	int rounds = 0;

	memset(msg, 'q', sizeof(msg));
	uart_out(&uart, FCR, 0x07);
	uart_out(&uart, IER, 0x02);
	while (sent < sizeof(msg)) {
		cr_assert(irq.level, "THRE interrupt expected");
		cr_assert_eq(uart_in(&uart, IIR), 0xc2);
		for (int i = 0; i < 16 && sent < sizeof(msg); i++)
			uart_out(&uart, TX, (uint8_t)msg[sent++]);
		cr_assert_lt(++rounds, 10);
	}
	cr_assert_eq(out.len, sizeof(msg));
}

/* serial8250_rx_chars: read while LSR.DR, up to 256 per interrupt. */
Test(serial_linux, interrupt_driven_rx_drains_on_timeout_and_trigger)
{
	uint8_t data[20];
	unsigned int got = 0;

	memset(data, 'r', sizeof(data));
	uart_out(&uart, FCR, 0x01 | 0x06 | 0x80); /* trigger 8, as Linux picks for 16550A */
	uart_out(&uart, IER, 0x05);
	cr_assert_eq(superio_serial_rx_push(&uart, data, sizeof(data)), sizeof(data));
	cr_assert(irq.level);
	while (irq.level) {
		uint8_t iir = uart_in(&uart, IIR);

		cr_assert(iir == 0xc4 || iir == 0xcc, "iir %#x", iir);
		while (uart_in(&uart, LSR) & 0x01) {
			(void)uart_in(&uart, RX);
			got++;
		}
	}
	cr_assert_eq(got, sizeof(data));
	cr_assert_eq(out.drained, 1);
}
