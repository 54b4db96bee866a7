// SPDX-License-Identifier: MIT
// The 16550A register fast paths (LSR without a latched error, RBR with
// more data behind, THR straight to the output, plain-storage registers)
// must leave the guest-visible state, the interrupt line, the host
// callbacks and the metrics exactly where the general path would.
#include "harness.h"

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, SCR = 7 };

static struct superio_serial uart;
static struct line irq;
static struct sink out;
static unsigned int clock_reads;

static uint64_t counting_clock(void *ctx)
{
	(void)ctx;
	clock_reads++;
	return 1000000000ull;
}

static void init_with(uint64_t budget)
{
	struct superio_serial_config cfg = {
		.irq = { line_fn, &irq }, .ops = &sink_ops, .ops_ctx = &out,
		.clock = { counting_clock, NULL }, .budget_bytes_per_sec = budget,
	};

	memset(&irq, 0, sizeof(irq));
	memset(&out, 0, sizeof(out));
	clock_reads = 0;
	cr_assert_eq(superio_serial_init(&uart, &cfg), 0);
}

static void setup(void)
{
	init_with(0);
}

TestSuite(serial_fast, .init = setup);

static struct superio_serial_metrics metrics(void)
{
	struct superio_serial_metrics m;

	superio_serial_get_metrics(&uart, &m);
	return m;
}

static void push(unsigned int n)
{
	uint8_t buf[SUPERIO_SERIAL_FIFO_SIZE];

	for (unsigned int i = 0; i < n; i++)
		buf[i] = (uint8_t)('a' + i);
	cr_assert_eq(superio_serial_rx_push(&uart, buf, n), n);
}

Test(serial_fast, thr_write_reraises_acknowledged_thre)
{
	uart_out(&uart, IER, 0x02);
	cr_assert(irq.level);
	cr_assert_eq(uart_in(&uart, IIR), 0x02); /* acknowledges THRE */
	cr_assert_not(irq.level);
	uart_out(&uart, THR, 'x');
	cr_assert(irq.level);
	cr_assert_eq(irq.rises, 2);
	cr_assert_eq(uart_in(&uart, IIR), 0x02);
	cr_assert_eq(metrics().irqs_raised, 2);
}

Test(serial_fast, thr_write_without_thri_leaves_line_low)
{
	uart_out(&uart, THR, 'x');
	cr_assert_not(irq.level);
	cr_assert_eq(irq.rises, 0);
	cr_assert_eq(uart_in(&uart, IIR), 0x01);
	cr_assert_eq(uart_in(&uart, LSR), 0x60);
}

Test(serial_fast, thr_write_with_line_high_adds_no_edge)
{
	uart_out(&uart, FCR, 0x01);
	uart_out(&uart, IER, 0x03);
	push(2);
	cr_assert_eq(irq.rises, 1);
	uart_out(&uart, THR, 'x');
	uart_out(&uart, THR, 'y');
	cr_assert(irq.level);
	cr_assert_eq(irq.rises, 1);
	/* Received data (at the 1-byte trigger) outranks THRE (PC16550D table 4). */
	cr_assert_eq(uart_in(&uart, IIR), 0xc4);
}

Test(serial_fast, thr_bytes_reach_output_and_are_counted)
{
	for (unsigned int i = 0; i < 100; i++) {
		cr_assert(uart_in(&uart, LSR) & 0x20);
		uart_out(&uart, THR, (uint8_t)i);
	}
	cr_assert_eq(out.len, 100);
	cr_assert_eq(out.calls, 100);
	for (unsigned int i = 0; i < 100; i++)
		cr_assert_eq(out.buf[i], (uint8_t)i);
	cr_assert_eq(metrics().tx_bytes, 100);
	cr_assert_eq(superio_serial_tx_pending(&uart), 0);
}

Test(serial_fast, thr_refused_byte_stays_queued_until_drained)
{
	uart_out(&uart, IER, 0x02);
	(void)uart_in(&uart, IIR);
	out.error = -EAGAIN;
	uart_out(&uart, THR, 'q');
	cr_assert_eq(superio_serial_tx_pending(&uart), 1);
	cr_assert_eq(uart_in(&uart, LSR) & 0x60, 0);
	cr_assert_not(irq.level);
	cr_assert_eq(metrics().tx_bytes, 0);
	out.error = 0;
	superio_serial_tx_drain(&uart);
	cr_assert_eq(out.len, 1);
	cr_assert_eq(out.buf[0], 'q');
	cr_assert(irq.level);
	cr_assert_eq(uart_in(&uart, IIR), 0x02);
	cr_assert_eq(metrics().tx_bytes, 1);
}

Test(serial_fast, thr_write_error_drops_byte_and_keeps_thre)
{
	uart_out(&uart, IER, 0x02);
	(void)uart_in(&uart, IIR);
	out.error = -EIO;
	uart_out(&uart, THR, 'q');
	cr_assert_eq(superio_serial_tx_pending(&uart), 0);
	cr_assert_eq(uart_in(&uart, LSR) & 0x60, 0x60);
	cr_assert(irq.level);
	cr_assert_eq(metrics().tx_error_drops, 1);
	cr_assert_eq(out.events, 1);
	cr_assert_eq(out.event_bytes, 1);
}

Test(serial_fast, thr_behind_queued_byte_keeps_order)
{
	uart_out(&uart, FCR, 0x01);
	out.error = -EAGAIN;
	uart_out(&uart, THR, 'a');
	out.error = 0;
	uart_out(&uart, THR, 'b');
	cr_assert_eq(out.len, 2);
	cr_assert_eq(memcmp(out.buf, "ab", 2), 0);
}

Test(serial_fast, budget_off_never_reads_the_clock)
{
	for (unsigned int i = 0; i < 10; i++)
		uart_out(&uart, THR, 'z');
	cr_assert_eq(clock_reads, 0);
	cr_assert_eq(metrics().tx_bytes, 10);
}

Test(serial_fast, budget_on_takes_the_general_path)
{
	init_with(4); /* burst of 4 bytes, clock never advances */
	for (unsigned int i = 0; i < 10; i++)
		uart_out(&uart, THR, 'z');
	cr_assert_gt(clock_reads, 0);
	cr_assert_eq(metrics().tx_bytes, 4);
	cr_assert_eq(metrics().tx_budget_drops, 6);
	cr_assert_eq(uart_in(&uart, LSR) & 0x60, 0x60);
}

Test(serial_fast, rbr_keeps_rx_interrupt_until_last_byte)
{
	uart_out(&uart, FCR, 0x01);
	uart_out(&uart, IER, 0x01);
	push(3);
	cr_assert(irq.level);
	cr_assert_eq(uart_in(&uart, RBR), 'a');
	cr_assert_eq(uart_in(&uart, RBR), 'b');
	cr_assert(irq.level);
	cr_assert_eq(out.drained, 0);
	cr_assert_eq(uart_in(&uart, LSR) & 0x01, 0x01);
	cr_assert_eq(uart_in(&uart, RBR), 'c');
	cr_assert_not(irq.level);
	cr_assert_eq(out.drained, 1);
	cr_assert_eq(uart_in(&uart, LSR) & 0x01, 0);
	cr_assert_eq(uart_in(&uart, IIR), 0xc1);
}

Test(serial_fast, rbr_below_trigger_turns_rdi_into_timeout)
{
	uart_out(&uart, FCR, 0x41); /* trigger level 4 */
	uart_out(&uart, IER, 0x01);
	push(5);
	cr_assert_eq(uart_in(&uart, IIR), 0xc4);
	(void)uart_in(&uart, RBR);
	(void)uart_in(&uart, RBR);
	cr_assert_eq(uart_in(&uart, IIR), 0xcc);
	cr_assert(irq.level);
	cr_assert_eq(irq.rises, 1);
}

Test(serial_fast, rbr_with_dlab_reads_divisor_and_keeps_data)
{
	uart_out(&uart, FCR, 0x01);
	push(3);
	uart_out(&uart, LCR, 0x80);
	cr_assert_eq(uart_in(&uart, DLL), 12);
	uart_out(&uart, LCR, 0x03);
	cr_assert_eq(superio_serial_rx_space(&uart), SUPERIO_SERIAL_FIFO_SIZE - 3);
	cr_assert_eq(uart_in(&uart, RBR), 'a');
}

Test(serial_fast, thr_with_dlab_sets_divisor_without_output)
{
	uart_out(&uart, LCR, 0x80);
	uart_out(&uart, DLL, 0x01);
	uart_out(&uart, LCR, 0x03);
	cr_assert_eq(superio_serial_divisor(&uart), 1);
	cr_assert_eq(out.len, 0);
	cr_assert_eq(metrics().tx_bytes, 0);
}

Test(serial_fast, lsr_with_error_clears_it_and_ends_rlsi)
{
	uint8_t buf[2] = { 'x', 'y' };

	uart_out(&uart, IER, 0x04);
	cr_assert_eq(superio_serial_rx_push(&uart, buf, 2), 1); /* 16450 mode: overrun */
	cr_assert(irq.level);
	cr_assert_eq(uart_in(&uart, IIR), 0x06);
	cr_assert_eq(uart_in(&uart, LSR), 0x63);
	cr_assert_not(irq.level);
	cr_assert_eq(uart_in(&uart, LSR), 0x61);
}

Test(serial_fast, lsr_poll_changes_nothing)
{
	uart_out(&uart, IER, 0x02);
	for (unsigned int i = 0; i < 3; i++)
		cr_assert_eq(uart_in(&uart, LSR), 0x60);
	cr_assert(irq.level);
	cr_assert_eq(irq.rises, 1);
	cr_assert_eq(uart_in(&uart, IIR), 0x02);
}

Test(serial_fast, restored_device_takes_the_fast_path_correctly)
{
	struct superio_serial_state st;

	uart_out(&uart, IER, 0x02);
	(void)uart_in(&uart, IIR); /* THRE acknowledged: line low */
	superio_serial_save(&uart, &st);
	init_with(0);
	cr_assert_eq(superio_serial_restore(&uart, &st), 0);
	cr_assert_not(irq.level);
	uart_out(&uart, THR, 'r');
	cr_assert(irq.level);
	cr_assert_eq(uart_in(&uart, IIR), 0x02);
	cr_assert_eq(out.len, 1);
}

Test(serial_fast, reset_keeps_direct_output)
{
	superio_serial_reset(&uart);
	uart_out(&uart, THR, 'a');
	cr_assert_eq(out.calls, 1);
	cr_assert_eq(out.len, 1);
	cr_assert_eq(metrics().tx_bytes, 1);
}

Test(serial_fast, loopback_thr_goes_to_rx_not_output)
{
	uart_out(&uart, MCR, 0x10);
	uart_out(&uart, THR, 'l');
	cr_assert_eq(out.calls, 0);
	cr_assert_eq(uart_in(&uart, LSR) & 0x01, 0x01);
	cr_assert_eq(uart_in(&uart, RBR), 'l');
	cr_assert_eq(metrics().loopback_bytes, 1);
}
