// SPDX-License-Identifier: MIT
// The host side of the 16550A: RX back-pressure and overrun, TX FIFO
// draining with partial writes and errors (nothing lost silently, THRE
// always live), the output flood budget, ops validation and metrics.
#include "harness.h"

enum { RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };

static struct superio_serial uart;
static struct line irq;
static struct sink out;
static struct fake_clock clk;

static void init_with(uint64_t rate, uint64_t burst)
{
	struct superio_serial_config cfg = {
		.irq = { line_fn, &irq }, .ops = &sink_ops, .ops_ctx = &out,
		.clock = { clock_fn, &clk },
		.budget_bytes_per_sec = rate, .budget_burst = burst,
	};

	memset(&irq, 0, sizeof(irq));
	memset(&out, 0, sizeof(out));
	clk.ns = 1000000000ull;
	cr_assert_eq(superio_serial_init(&uart, &cfg), 0);
}

static void setup(void)
{
	init_with(0, 0);
}

TestSuite(serial_host, .init = setup);

static struct superio_serial_metrics metrics(void)
{
	struct superio_serial_metrics m;

	superio_serial_get_metrics(&uart, &m);
	return m;
}

Test(serial_host, rx_space_reports_free_room)
{
	uart_out(&uart, FCR, 0x01);
	cr_assert_eq(superio_serial_rx_push(&uart, (const uint8_t *)"abcd", 4), 4);
	cr_assert_eq(superio_serial_rx_space(&uart), SUPERIO_SERIAL_FIFO_SIZE - 4);
	(void)uart_in(&uart, RBR);
	cr_assert_eq(superio_serial_rx_space(&uart), SUPERIO_SERIAL_FIFO_SIZE - 3);
}

Test(serial_host, push_into_full_fifo_overruns_without_growing)
{
	uint8_t data[SUPERIO_SERIAL_FIFO_SIZE + 10];

	memset(data, 'x', sizeof(data));
	uart_out(&uart, FCR, 0x01);
	cr_assert_eq(superio_serial_rx_push(&uart, data, sizeof(data)), SUPERIO_SERIAL_FIFO_SIZE);
	cr_assert_eq(metrics().rx_overruns, 10);
	cr_assert_eq(metrics().rx_bytes, SUPERIO_SERIAL_FIFO_SIZE);
	cr_assert_eq(out.event_bytes, 10);
	cr_assert(uart_in(&uart, LSR) & 0x02);
	cr_assert_eq(superio_serial_rx_space(&uart), 0);
}

Test(serial_host, push_within_space_never_overruns)
{
	uint8_t data[200];
	size_t sent = 0;

	memset(data, 'y', sizeof(data));
	uart_out(&uart, FCR, 0x01);
	while (sent < sizeof(data)) {
		size_t room = superio_serial_rx_space(&uart), n = sizeof(data) - sent;

		n = n < room ? n : room;
		cr_assert_eq(superio_serial_rx_push(&uart, data + sent, n), n);
		sent += n;
		while (uart_in(&uart, LSR) & 0x01)
			(void)uart_in(&uart, RBR);
	}
	cr_assert_eq(metrics().rx_overruns, 0);
	cr_assert_eq(out.drained, 4, "64+64+64+8: one drained call per emptied FIFO");
}

Test(serial_host, empty_push_is_a_no_op)
{
	cr_assert_eq(superio_serial_rx_push(&uart, (const uint8_t *)"a", 0), 0);
	cr_assert_eq(superio_serial_rx_push(&uart, NULL, 3), 0);
	cr_assert_eq(uart_in(&uart, LSR), 0x60);
}

/* Back-pressure: an output that takes 3 bytes per call loses nothing, in order. */
Test(serial_host, tx_backpressure_loses_nothing)
{
	char msg[SUPERIO_SERIAL_FIFO_SIZE];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('A' + i % 26);
	uart_out(&uart, FCR, 0x01);
	out.error = -EAGAIN;
	for (size_t i = 0; i < sizeof(msg); i++)
		uart_out(&uart, THR, (uint8_t)msg[i]);
	cr_assert_eq(superio_serial_tx_pending(&uart), sizeof(msg));
	cr_assert_eq(uart_in(&uart, LSR) & 0x60, 0, "THRE clear while bytes wait");
	out.error = 0;
	out.limit = 3;
	while (superio_serial_tx_pending(&uart))
		superio_serial_tx_drain(&uart);
	cr_assert_eq(out.len, sizeof(msg));
	cr_assert_eq(memcmp(out.buf, msg, sizeof(msg)), 0);
	cr_assert_eq(metrics().tx_bytes, sizeof(msg));
	cr_assert_eq(uart_in(&uart, LSR) & 0x60, 0x60);
}

Test(serial_host, tx_drain_raises_thre_interrupt)
{
	out.error = -EAGAIN;
	uart_out(&uart, THR, 'a');
	uart_out(&uart, IER, 0x02);
	cr_assert_not(irq.level);
	out.error = 0;
	superio_serial_tx_drain(&uart);
	cr_assert(irq.level);
	cr_assert_eq(uart_in(&uart, IIR), 0x02);
}

Test(serial_host, ring_wraps_in_order)
{
	uart_out(&uart, FCR, 0x01);
	out.limit = 5;
	for (int round = 0; round < 5; round++) {
		out.error = -EAGAIN;
		for (int i = 0; i < 50; i++)
			uart_out(&uart, THR, (uint8_t)(round * 50 + i));
		out.error = 0;
		while (superio_serial_tx_pending(&uart))
			superio_serial_tx_drain(&uart);
	}
	cr_assert_eq(out.len, 250);
	for (size_t i = 0; i < 250; i++)
		cr_assert_eq(out.buf[i], (uint8_t)i);
}

/* vm-superio#23: a failing output must not leave the guest waiting for THRE. */
Test(serial_host, tx_error_drops_counted_and_thre_stays_live)
{
	uart_out(&uart, IER, 0x02);
	(void)uart_in(&uart, IIR);
	out.error = -EIO;
	uart_out(&uart, THR, 'z');
	cr_assert_eq(uart_in(&uart, LSR) & 0x60, 0x60);
	cr_assert(irq.level);
	cr_assert_eq(metrics().tx_error_drops, 1);
	cr_assert_eq(out.events, 1);
}

Test(serial_host, tx_into_full_fifo_is_counted)
{
	uart_out(&uart, FCR, 0x01);
	out.error = -EAGAIN;
	for (unsigned int i = 0; i < SUPERIO_SERIAL_FIFO_SIZE + 2; i++)
		uart_out(&uart, THR, 'f');
	cr_assert_eq(superio_serial_tx_pending(&uart), SUPERIO_SERIAL_FIFO_SIZE);
	cr_assert_eq(metrics().tx_full_drops, 2);
}

Test(serial_host, tx_16450_mode_holds_one_byte)
{
	out.error = -EAGAIN;
	uart_out(&uart, THR, '1');
	uart_out(&uart, THR, '2');
	cr_assert_eq(superio_serial_tx_pending(&uart), 1);
	cr_assert_eq(metrics().tx_full_drops, 1);
}

static ssize_t greedy_write(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	return (ssize_t)len + 100;
}

Test(serial_host, callback_claiming_too_much_is_clamped)
{
	static const struct superio_serial_ops ops = { .version = SUPERIO_SERIAL_OPS_VERSION,
						       .write = greedy_write };
	struct superio_serial_config cfg = { .ops = &ops };

	cr_assert_eq(superio_serial_init(&uart, &cfg), 0);
	uart_out(&uart, THR, 'g');
	cr_assert_eq(metrics().tx_bytes, 1);
	cr_assert_eq(superio_serial_tx_pending(&uart), 0);
}

/* The second byte takes the THR fast path (THRE pending since the first). */
Test(serial_host, callback_claiming_too_much_is_clamped_on_the_fast_path)
{
	static const struct superio_serial_ops ops = { .version = SUPERIO_SERIAL_OPS_VERSION,
						       .write = greedy_write };
	struct superio_serial_config cfg = { .ops = &ops };

	cr_assert_eq(superio_serial_init(&uart, &cfg), 0);
	for (unsigned int i = 0; i < 3; i++)
		superio_serial_write8(&uart, THR, 'g');
	cr_assert_eq(metrics().tx_bytes, 3);
	cr_assert_eq(superio_serial_tx_pending(&uart), 0);
	cr_assert_eq(superio_serial_read8(&uart, LSR), 0x60);
}

Test(serial_host, null_ops_discard_output_and_keep_thre)
{
	struct superio_serial_config cfg = { .irq = { line_fn, &irq } };

	cr_assert_eq(superio_serial_init(&uart, &cfg), 0);
	uart_out(&uart, THR, 'n');
	cr_assert_eq(uart_in(&uart, LSR) & 0x60, 0x60);
	cr_assert_eq(metrics().tx_bytes, 1);
}

Test(serial_host, unknown_ops_version_is_rejected)
{
	static const struct superio_serial_ops ops = { .version = 99 };
	struct superio_serial_config cfg = { .ops = &ops };

	cr_assert_eq(superio_serial_init(&uart, &cfg), -EINVAL);
	cr_assert_eq(superio_serial_init(NULL, &cfg), -EINVAL);
	cr_assert_eq(superio_serial_init(&uart, NULL), -EINVAL);
}

Test(serial_host, budget_needs_a_clock)
{
	struct superio_serial_config cfg = { .budget_bytes_per_sec = 10 };

	cr_assert_eq(superio_serial_init(&uart, &cfg), -EINVAL);
}

Test(serial_host, budget_drops_beyond_burst_and_counts)
{
	init_with(100, 10);
	for (int i = 0; i < 25; i++)
		uart_out(&uart, THR, 'b');
	cr_assert_eq(out.len, 10);
	cr_assert_eq(metrics().tx_budget_drops, 15);
	cr_assert_eq(out.event_bytes, 15);
	cr_assert_eq(uart_in(&uart, LSR) & 0x60, 0x60, "a dropped byte leaves THR empty");
}

Test(serial_host, budget_refills_at_its_rate)
{
	init_with(100, 10);
	for (int i = 0; i < 10; i++)
		uart_out(&uart, THR, 'b');
	clk.ns += 50000000ull; /* 50 ms: 5 bytes at 100 B/s */
	for (int i = 0; i < 10; i++)
		uart_out(&uart, THR, 'c');
	cr_assert_eq(out.len, 15);
}

Test(serial_host, budget_accrues_fractions_of_a_byte)
{
	init_with(100, 1);
	uart_out(&uart, THR, 'a');
	for (int i = 0; i < 10; i++) {
		clk.ns += 1000000ull; /* 1 ms = 0.1 byte each */
		uart_out(&uart, THR, 'b');
	}
	cr_assert_eq(out.len, 2, "ten 1 ms steps make one byte");
}

/*
 * A guest writing a little faster than the budget gets the budget's rate:
 * the fraction of a byte accrued since the last whole one carries over.
 */
Test(serial_host, budget_passes_its_rate_to_a_guest_just_above_it)
{
	uint64_t passed;

	init_with(1000, 2); /* a burst of 1 would be full, wasting credit, between writes */
	for (int i = 0; i < 10100; i++) { /* 1010 B/s for 10 s */
		clk.ns += 990099ull;
		uart_out(&uart, THR, 'f');
		out.len = 0; /* the sink never pushes back */
	}
	passed = metrics().tx_bytes;
	cr_assert(passed >= 9900 && passed <= 10100, "%llu bytes passed in 10 s at 1000 B/s",
		  (unsigned long long)passed);
	cr_assert_eq(metrics().tx_budget_drops, 10100 - passed);
}

Test(serial_host, budget_burst_caps_idle_credit)
{
	init_with(100, 10);
	clk.ns += 3600ull * 1000000000ull;
	for (int i = 0; i < 50; i++)
		uart_out(&uart, THR, 'i');
	cr_assert_eq(out.len, 10);
}

Test(serial_host, budget_survives_clock_stepping_back)
{
	init_with(100, 2);
	clk.ns -= 500000000ull;
	for (int i = 0; i < 5; i++)
		uart_out(&uart, THR, 'k');
	cr_assert_eq(out.len, 2);
	clk.ns += 10000000ull;
	uart_out(&uart, THR, 'k');
	cr_assert_eq(out.len, 3);
}

Test(serial_host, budget_default_burst_is_one_second)
{
	init_with(20, 0);
	for (int i = 0; i < 30; i++)
		uart_out(&uart, THR, 'd');
	cr_assert_eq(out.len, 20);
}

Test(serial_host, loopback_bypasses_budget_and_output)
{
	init_with(1, 1);
	uart_out(&uart, FCR, 0x01);
	uart_out(&uart, MCR, 0x10);
	for (int i = 0; i < 5; i++)
		uart_out(&uart, THR, 'l');
	cr_assert_eq(out.len, 0);
	cr_assert_eq(metrics().loopback_bytes, 5);
	cr_assert_eq(metrics().tx_budget_drops, 0);
}

Test(serial_host, loopback_overrun_is_counted)
{
	uart_out(&uart, MCR, 0x10);
	uart_out(&uart, THR, '1');
	uart_out(&uart, THR, '2');
	cr_assert_eq(metrics().rx_overruns, 1);
	cr_assert(uart_in(&uart, LSR) & 0x02);
}

Test(serial_host, irqs_raised_counts_rising_edges)
{
	uart_out(&uart, IER, 0x01);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(superio_serial_rx_push(&uart, (const uint8_t *)"a", 1), 1);
		(void)uart_in(&uart, RBR);
	}
	cr_assert_eq(metrics().irqs_raised, 3);
	cr_assert_eq(irq.rises, 3);
	cr_assert_eq(irq.falls, 3);
	cr_assert_not(superio_serial_irq_level(&uart));
}

/*
 * Reset empties the TX FIFO as on hardware, after one more offer to the
 * output: what it does not take is counted, not lost silently.
 */
Test(serial_host, reset_counts_the_queued_output_it_discards)
{
	uart_out(&uart, FCR, 0x01);
	out.error = -EAGAIN;
	for (int i = 0; i < 10; i++)
		uart_out(&uart, THR, (uint8_t)('0' + i));
	cr_assert_eq(superio_serial_tx_pending(&uart), 10);
	out.error = 0;
	out.limit = 4;
	superio_serial_reset(&uart);
	cr_assert_eq(out.len, 4, "the host gets what it takes first");
	cr_assert_eq(memcmp(out.buf, "0123", 4), 0);
	cr_assert_eq(superio_serial_tx_pending(&uart), 0);
	cr_assert_eq(metrics().tx_reset_drops, 6);
	cr_assert_eq(out.events, 1);
	cr_assert_eq(out.event_bytes, 6);
	cr_assert_eq(metrics().tx_bytes + metrics().tx_reset_drops, 10, "every byte accounted");
}

Test(serial_host, reset_restores_power_on_and_keeps_metrics)
{
	uart_out(&uart, LCR, 0x03);
	uart_out(&uart, IER, 0x01);
	cr_assert_eq(superio_serial_rx_push(&uart, (const uint8_t *)"a", 1), 1);
	cr_assert(irq.level);
	superio_serial_reset(&uart);
	cr_assert_not(irq.level);
	cr_assert_eq(uart_in(&uart, LCR), 0);
	cr_assert_eq(uart_in(&uart, IER), 0);
	cr_assert_eq(uart_in(&uart, LSR), 0x60);
	cr_assert_eq(metrics().rx_bytes, 1);
}

/* Regression (fuzz): bytes queued before loopback went unflagged while THRE was reported. */
Test(serial_host, loopback_flushes_queued_tx_into_rx)
{
	uart_out(&uart, FCR, 0x01);
	out.error = -EAGAIN;
	uart_out(&uart, THR, 'q');
	uart_out(&uart, MCR, 0x10);
	uart_out(&uart, THR, 'r');
	cr_assert_eq(superio_serial_tx_pending(&uart), 0);
	cr_assert_eq(uart_in(&uart, LSR) & 0x61, 0x61);
	cr_assert_eq(uart_in(&uart, RBR), 'q');
	cr_assert_eq(uart_in(&uart, RBR), 'r');
	cr_assert_eq(out.len, 0);
}
