// SPDX-License-Identifier: MIT
// 16550A register behaviour (PC16550D section 8) and the register rules
// Linux 6.1's 8250 driver relies on (docs/linux-guests.md): one test per rule.
#include "harness.h"

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };

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

TestSuite(serial_regs, .init = setup);

static void push(const char *s)
{
	cr_assert_eq(superio_serial_rx_push(&uart, (const uint8_t *)s, strlen(s)), strlen(s));
}

Test(serial_regs, power_on_values)
{
	cr_assert_eq(uart_in(&uart, IER), 0x00);
	cr_assert_eq(uart_in(&uart, IIR), 0x01);
	cr_assert_eq(uart_in(&uart, LCR), 0x00);
	cr_assert_eq(uart_in(&uart, MCR), 0x00);
	cr_assert_eq(uart_in(&uart, LSR), 0x60);
	cr_assert_eq(uart_in(&uart, MSR), 0xb0);
	cr_assert_eq(uart_in(&uart, SCR), 0x00);
	cr_assert_not(irq.level);
}

Test(serial_regs, ier_reads_back_low_nibble)
{
	uart_out(&uart, IER, 0xff);
	cr_assert_eq(uart_in(&uart, IER), 0x0f);
	uart_out(&uart, IER, 0x05);
	cr_assert_eq(uart_in(&uart, IER), 0x05);
}

Test(serial_regs, scratch_reads_back)
{
	for (unsigned int v = 0; v < 256; v += 0x55) {
		uart_out(&uart, SCR, (uint8_t)v);
		cr_assert_eq(uart_in(&uart, SCR), v);
	}
}

Test(serial_regs, lcr_reads_back_every_bit)
{
	uart_out(&uart, LCR, 0x7f);
	cr_assert_eq(uart_in(&uart, LCR), 0x7f);
}

Test(serial_regs, mcr_keeps_five_bits)
{
	uart_out(&uart, MCR, 0xff);
	cr_assert_eq(uart_in(&uart, MCR), 0x1f);
}

Test(serial_regs, dlab_aliases_divisor_latch)
{
	uart_out(&uart, IER, 0x03);
	uart_out(&uart, LCR, 0x80);
	uart_out(&uart, DLL, 0x01);
	uart_out(&uart, DLM, 0x02);
	cr_assert_eq(uart_in(&uart, DLL), 0x01);
	cr_assert_eq(uart_in(&uart, DLM), 0x02);
	cr_assert_eq(out.len, 0, "a DLL write must not transmit");
	uart_out(&uart, LCR, 0x03);
	cr_assert_eq(uart_in(&uart, IER), 0x03);
	cr_assert_eq(superio_serial_divisor(&uart), 0x0201);
}

Test(serial_regs, zero_divisor_still_transmits)
{
	uart_out(&uart, LCR, 0x80);
	uart_out(&uart, DLL, 0);
	uart_out(&uart, DLM, 0);
	uart_out(&uart, LCR, 0x03);
	cr_assert_eq(superio_serial_divisor(&uart), 0);
	uart_out(&uart, THR, 'x');
	cr_assert_eq(out.len, 1);
	cr_assert_eq(uart_in(&uart, LSR) & 0x60, 0x60);
}

Test(serial_regs, lsr_never_reads_all_ones)
{
	uint8_t full[SUPERIO_SERIAL_FIFO_SIZE + 4];

	memset(full, 'a', sizeof(full));
	uart_out(&uart, FCR, 0x01);
	(void)superio_serial_rx_push(&uart, full, sizeof(full));
	out.error = -EAGAIN;
	uart_out(&uart, THR, 'x');
	cr_assert_neq(uart_in(&uart, LSR), 0xff);
}

Test(serial_regs, thre_and_temt_move_together)
{
	out.error = -EAGAIN;
	uart_out(&uart, THR, 'x');
	cr_assert_eq(uart_in(&uart, LSR) & 0x60, 0x00);
	out.error = 0;
	superio_serial_tx_drain(&uart);
	cr_assert_eq(uart_in(&uart, LSR) & 0x60, 0x60);
}

Test(serial_regs, lsr_and_msr_ignore_writes)
{
	uart_out(&uart, LSR, 0x00);
	uart_out(&uart, MSR, 0x00);
	cr_assert_eq(uart_in(&uart, LSR), 0x60);
	cr_assert_eq(uart_in(&uart, MSR), 0xb0);
}

Test(serial_regs, iir_fifo_bits_follow_fcr0)
{
	uart_out(&uart, FCR, 0x01);
	cr_assert_eq(uart_in(&uart, IIR), 0xc1);
	uart_out(&uart, FCR, 0x00);
	cr_assert_eq(uart_in(&uart, IIR), 0x01);
}

Test(serial_regs, fcr_64_byte_bit_is_not_a_16750)
{
	uart_out(&uart, FCR, 0x21);
	cr_assert_eq(uart_in(&uart, IIR) & 0x20, 0);
}

Test(serial_regs, fcr_rx_reset_empties_rx_only)
{
	uart_out(&uart, FCR, 0x01);
	push("abc");
	out.error = -EAGAIN;
	uart_out(&uart, THR, 'x');
	uart_out(&uart, FCR, 0x03);
	cr_assert_eq(uart_in(&uart, LSR) & 0x01, 0);
	cr_assert_eq(superio_serial_tx_pending(&uart), 1);
	cr_assert_eq(out.drained, 1);
}

Test(serial_regs, fcr_tx_reset_empties_tx_and_raises_thre)
{
	uart_out(&uart, FCR, 0x01);
	out.error = -EAGAIN;
	uart_out(&uart, THR, 'x');
	uart_out(&uart, IER, 0x02);
	cr_assert_eq(uart_in(&uart, IIR), 0xc1);
	uart_out(&uart, FCR, 0x05);
	cr_assert_eq(superio_serial_tx_pending(&uart), 0);
	cr_assert_eq(uart_in(&uart, IIR), 0xc2);
}

Test(serial_regs, fcr_enable_toggle_clears_fifos)
{
	uart_out(&uart, FCR, 0x01);
	push("abc");
	uart_out(&uart, FCR, 0x00);
	cr_assert_eq(uart_in(&uart, LSR) & 0x01, 0);
	push("d");
	uart_out(&uart, FCR, 0x01);
	cr_assert_eq(uart_in(&uart, LSR) & 0x01, 0);
}

Test(serial_regs, fcr_bits_need_bit0)
{
	uart_out(&uart, FCR, 0xc0);
	cr_assert_eq(uart_in(&uart, IIR), 0x01);
	cr_assert_eq(superio_serial_rx_space(&uart), 1);
}

Test(serial_regs, fifo_mode_holds_64_bytes)
{
	cr_assert_eq(superio_serial_rx_space(&uart), 1);
	uart_out(&uart, FCR, 0x01);
	cr_assert_eq(superio_serial_rx_space(&uart), SUPERIO_SERIAL_FIFO_SIZE);
}

/* FCR bits 7:6 select 1, 4, 8 or 14 bytes for the data-available interrupt. */
Test(serial_regs, rx_trigger_levels)
{
	static const struct { uint8_t fcr; unsigned int level; } t[] = {
		{ 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 },
	};

	uart_out(&uart, IER, 0x01);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uart_out(&uart, FCR, (uint8_t)(t[i].fcr | 0x02));
		for (unsigned int n = 1; n < t[i].level; n++) {
			push("x");
			cr_assert_eq(uart_in(&uart, IIR), 0xcc, "level %u, %u bytes: timeout",
				     t[i].level, n);
		}
		push("x");
		cr_assert_eq(uart_in(&uart, IIR), 0xc4, "level %u reached", t[i].level);
		cr_assert(irq.level);
	}
}

Test(serial_regs, timeout_reports_data_below_trigger_after_reads)
{
	uart_out(&uart, IER, 0x01);
	uart_out(&uart, FCR, 0xc1);
	push("0123456789abcdef");
	cr_assert_eq(uart_in(&uart, IIR), 0xc4);
	for (int i = 0; i < 3; i++)
		(void)uart_in(&uart, RBR);
	cr_assert_eq(uart_in(&uart, IIR), 0xcc, "13 bytes left, below 14");
	while (uart_in(&uart, LSR) & 0x01)
		(void)uart_in(&uart, RBR);
	cr_assert_eq(uart_in(&uart, IIR), 0xc1);
	cr_assert_not(irq.level);
}

Test(serial_regs, rbr_reads_in_order)
{
	uart_out(&uart, FCR, 0x01);
	push("hello");
	for (const char *p = "hello"; *p; p++)
		cr_assert_eq(uart_in(&uart, RBR), *p);
	cr_assert_eq(uart_in(&uart, LSR) & 0x01, 0);
}

Test(serial_regs, overrun_sets_oe_and_line_status_interrupt)
{
	uart_out(&uart, IER, 0x04);
	push("a");
	cr_assert_eq(superio_serial_rx_push(&uart, (const uint8_t *)"b", 1), 0);
	cr_assert_eq(uart_in(&uart, IIR), 0x06);
	cr_assert(irq.level);
	cr_assert_eq(uart_in(&uart, LSR) & 0x03, 0x03);
	cr_assert_eq(uart_in(&uart, LSR) & 0x02, 0, "reading LSR clears OE");
	cr_assert_eq(uart_in(&uart, IIR), 0x01);
}

/* Sources: bit 0 RLS, 1 RDA, 2 THRE, 3 MSI.  IER bits: 0 RDI, 1 THRI, 2 RLSI, 3 MSI. */
static void make_sources(unsigned int src)
{
	uart_out(&uart, IER, 0);
	if (src & 1) { /* an overrun, then take the byte so only OE stays */
		(void)superio_serial_rx_push(&uart, (const uint8_t *)"ab", 2);
		(void)uart_in(&uart, RBR);
	}
	if (src & 2)
		push("c");
	out.error = (src & 4) ? 0 : -EAGAIN;
	uart_out(&uart, THR, 'x');
	if (src & 8)
		superio_serial_set_modem_inputs(&uart, 0);
}

static uint8_t expected_iir(unsigned int src, unsigned int ier)
{
	if ((src & 1) && (ier & 4))
		return 0x06;
	if ((src & 2) && (ier & 1))
		return 0x04;
	if ((src & 4) && (ier & 2))
		return 0x02;
	if ((src & 8) && (ier & 8))
		return 0x00;
	return 0x01;
}

Test(serial_regs, iir_priority_under_every_combination)
{
	for (unsigned int src = 0; src < 16; src++) {
		for (unsigned int ier = 0; ier < 16; ier++) {
			uint8_t want = expected_iir(src, ier);

			setup();
			make_sources(src);
			uart_out(&uart, IER, (uint8_t)ier);
			cr_assert_eq(irq.level, want != 0x01, "line, sources %#x ier %#x", src, ier);
			cr_assert_eq(uart_in(&uart, IIR), want, "sources %#x ier %#x", src, ier);
		}
	}
}

Test(serial_regs, iir_read_clears_thre_only_when_reported)
{
	push("a");
	uart_out(&uart, IER, 0x03);
	cr_assert_eq(uart_in(&uart, IIR), 0x04, "data outranks THRE");
	cr_assert_eq(uart_in(&uart, IIR), 0x04, "and reading it left THRE pending");
	(void)uart_in(&uart, RBR);
	cr_assert_eq(uart_in(&uart, IIR), 0x02);
	cr_assert_eq(uart_in(&uart, IIR), 0x01, "a reported THRE is acknowledged");
	cr_assert_not(irq.level);
}

Test(serial_regs, thr_write_acknowledges_thre)
{
	out.error = -EAGAIN;
	uart_out(&uart, IER, 0x02);
	cr_assert(irq.level);
	uart_out(&uart, THR, 'x');
	cr_assert_eq(uart_in(&uart, IIR), 0x01);
	cr_assert_not(irq.level);
}

Test(serial_regs, thre_rises_when_tx_empties)
{
	uart_out(&uart, IER, 0x02);
	(void)uart_in(&uart, IIR);
	cr_assert_not(irq.level);
	uart_out(&uart, THR, 'x');
	cr_assert_eq(out.len, 1);
	cr_assert(irq.level, "the byte left, THR is empty again");
	cr_assert_eq(uart_in(&uart, IIR), 0x02);
}

/* vm-superio#135: Linux masks IER around printk; unmasking must bring back pending input. */
Test(serial_regs, ier_write_reraises_data_available)
{
	uart_out(&uart, IER, 0x01);
	push("k");
	cr_assert(irq.level);
	uart_out(&uart, IER, 0x00);
	cr_assert_not(irq.level);
	uart_out(&uart, IER, 0x01);
	cr_assert(irq.level);
	cr_assert_eq(uart_in(&uart, IIR), 0x04);
}

Test(serial_regs, ier_write_reraises_thre)
{
	uart_out(&uart, IER, 0x02);
	cr_assert_eq(uart_in(&uart, IIR), 0x02);
	cr_assert_eq(uart_in(&uart, IIR), 0x01);
	uart_out(&uart, IER, 0x00);
	uart_out(&uart, IER, 0x02);
	cr_assert_eq(uart_in(&uart, IIR), 0x02);
	cr_assert_eq(irq.rises, 2);
}

Test(serial_regs, ier_write_does_not_raise_thre_with_tx_busy)
{
	out.error = -EAGAIN;
	uart_out(&uart, THR, 'x');
	uart_out(&uart, IER, 0x02);
	cr_assert_eq(uart_in(&uart, IIR), 0x01);
}

Test(serial_regs, loopback_probe_reads_dcd_cts)
{
	uart_out(&uart, MCR, 0x10 | 0x0a);
	cr_assert_eq(uart_in(&uart, MSR) & 0xf0, 0x90);
}

Test(serial_regs, loopback_mirrors_each_mcr_line)
{
	static const struct { uint8_t mcr, msr; } t[] = {
		{ 0x01, 0x20 }, { 0x02, 0x10 }, { 0x04, 0x40 }, { 0x08, 0x80 }, { 0x0f, 0xf0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uart_out(&uart, MCR, (uint8_t)(0x10 | t[i].mcr));
		cr_assert_eq(uart_in(&uart, MSR) & 0xf0, t[i].msr, "mcr %#x", t[i].mcr);
	}
}

Test(serial_regs, loopback_returns_thr_bytes_through_rbr)
{
	uart_out(&uart, FCR, 0x01);
	uart_out(&uart, MCR, 0x10);
	uart_out(&uart, THR, 'o');
	uart_out(&uart, THR, 'k');
	cr_assert_eq(out.len, 0, "nothing reaches the line in loopback");
	cr_assert_eq(uart_in(&uart, RBR), 'o');
	cr_assert_eq(uart_in(&uart, RBR), 'k');
	cr_assert_eq(superio_serial_rx_space(&uart), 0, "receiver disconnected");
}

/*
 * FIFOs off, the guest's loopback byte arriving before the last one was
 * read: "the next character was transferred into the Receiver Buffer
 * Register, thereby destroying the previous character" (PC16550D, LSR
 * bit 1).  With FIFOs on the new character is the one lost (FIFO mode).
 */
Test(serial_regs, loopback_overrun_in_16450_mode_keeps_the_new_byte)
{
	uart_out(&uart, MCR, 0x10);
	uart_out(&uart, THR, 'A');
	uart_out(&uart, THR, 'B');
	cr_assert_eq(uart_in(&uart, LSR) & 0x03, 0x03, "OE and DR");
	cr_assert_eq(uart_in(&uart, RBR), 'B');
	cr_assert_eq(uart_in(&uart, LSR) & 0x01, 0, "one byte held, as in 16450 mode");
}

Test(serial_regs, loopback_overrun_in_fifo_mode_keeps_the_fifo)
{
	uart_out(&uart, FCR, 0x01);
	uart_out(&uart, MCR, 0x10);
	for (unsigned int i = 0; i <= SUPERIO_SERIAL_FIFO_SIZE; i++)
		uart_out(&uart, THR, (uint8_t)i);
	cr_assert_eq(uart_in(&uart, LSR) & 0x03, 0x03, "OE and DR");
	for (unsigned int i = 0; i < SUPERIO_SERIAL_FIFO_SIZE; i++)
		cr_assert_eq(uart_in(&uart, RBR), i);
	cr_assert_eq(uart_in(&uart, LSR) & 0x01, 0, "the 65th byte was not transferred");
}

Test(serial_regs, leaving_loopback_lets_host_push_again)
{
	uart_out(&uart, MCR, 0x10);
	cr_assert_eq(superio_serial_rx_push(&uart, (const uint8_t *)"z", 1), 0);
	cr_assert_eq(uart_in(&uart, LSR) & 0x02, 0, "a refused push is not an overrun");
	uart_out(&uart, MCR, 0x00);
	cr_assert_eq(out.drained, 1);
	cr_assert_eq(superio_serial_rx_space(&uart), 1);
}

Test(serial_regs, msr_deltas_latch_and_clear_on_read)
{
	superio_serial_set_modem_inputs(&uart, SUPERIO_SERIAL_MODEM_CTS);
	cr_assert_eq(uart_in(&uart, MSR), 0x10 | 0x02 | 0x08);
	cr_assert_eq(uart_in(&uart, MSR), 0x10);
}

Test(serial_regs, teri_only_on_trailing_edge)
{
	superio_serial_set_modem_inputs(&uart, 0xb0 | SUPERIO_SERIAL_MODEM_RI);
	cr_assert_eq(uart_in(&uart, MSR) & 0x0f, 0);
	superio_serial_set_modem_inputs(&uart, 0xb0);
	cr_assert_eq(uart_in(&uart, MSR) & 0x0f, 0x04);
}

Test(serial_regs, modem_status_interrupt)
{
	uart_out(&uart, IER, 0x08);
	superio_serial_set_modem_inputs(&uart, 0x30);
	cr_assert(irq.level);
	cr_assert_eq(uart_in(&uart, IIR), 0x00);
	(void)uart_in(&uart, MSR);
	cr_assert_eq(uart_in(&uart, IIR), 0x01);
	cr_assert_not(irq.level);
}

Test(serial_regs, bad_width_and_offset_are_rejected)
{
	uint32_t v = 0;

	cr_assert_eq(superio_serial_read(&uart, 0, 2, &v), -EINVAL);
	cr_assert_eq(v, 0xffff);
	cr_assert_eq(superio_serial_read(&uart, 8, 1, &v), -EINVAL);
	cr_assert_eq(v, 0xff);
	cr_assert_eq(superio_serial_write(&uart, 0, 4, 'x'), -EINVAL);
	cr_assert_eq(out.len, 0);
	cr_assert_eq(superio_serial_write(&uart, 8, 1, 0), -EINVAL);
	cr_assert_eq(superio_serial_read(&uart, 0, 1, NULL), -EINVAL);
}
