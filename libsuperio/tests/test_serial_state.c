// SPDX-License-Identifier: MIT
// 16550A save/restore: a round trip keeps every register and FIFO byte,
// restore re-raises pending interrupts on the new device, and each kind
// of inconsistent snapshot is refused without touching the device.
#include "harness.h"

enum { RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, SCR = 7 };

static struct superio_serial a, b;
static struct line irq_a, irq_b;
static struct sink out_a, out_b;

static void setup(void)
{
	struct superio_serial_config ca = {
		.irq = { line_fn, &irq_a }, .ops = &sink_ops, .ops_ctx = &out_a,
	};
	struct superio_serial_config cb = {
		.irq = { line_fn, &irq_b }, .ops = &sink_ops, .ops_ctx = &out_b,
	};

	memset(&irq_a, 0, sizeof(irq_a));
	memset(&irq_b, 0, sizeof(irq_b));
	memset(&out_a, 0, sizeof(out_a));
	memset(&out_b, 0, sizeof(out_b));
	cr_assert_eq(superio_serial_init(&a, &ca), 0);
	cr_assert_eq(superio_serial_init(&b, &cb), 0);
}

TestSuite(serial_state, .init = setup);

static struct superio_serial_state busy_state(void)
{
	struct superio_serial_state st;

	uart_out(&a, FCR, 0x81);
	uart_out(&a, LCR, 0x80);
	uart_out(&a, 0, 0x01);
	uart_out(&a, 1, 0x00);
	uart_out(&a, LCR, 0x1b);
	uart_out(&a, MCR, 0x0b);
	uart_out(&a, SCR, 0x5a);
	/* Wrap the RX ring before filling it. */
	for (int i = 0; i < 40; i++) {
		cr_assert_eq(superio_serial_rx_push(&a, (const uint8_t *)"w", 1), 1);
		(void)uart_in(&a, RBR);
	}
	cr_assert_eq(superio_serial_rx_push(&a, (const uint8_t *)"0123456789", 10), 10);
	out_a.error = -EAGAIN;
	uart_out(&a, THR, 't');
	uart_out(&a, THR, 'x');
	uart_out(&a, IER, 0x0f);
	superio_serial_save(&a, &st);
	return st;
}

Test(serial_state, round_trip_keeps_registers_and_fifos)
{
	struct superio_serial_state st = busy_state(), again;

	cr_assert_eq(superio_serial_restore(&b, &st), 0);
	superio_serial_save(&b, &again);
	cr_assert_eq(memcmp(&st, &again, sizeof(st)), 0);
	cr_assert_eq(superio_serial_divisor(&b), 1);
	cr_assert_eq(uart_in(&b, SCR), 0x5a);
	for (const char *p = "0123456789"; *p; p++)
		cr_assert_eq(uart_in(&b, RBR), *p);
	superio_serial_tx_drain(&b);
	cr_assert_eq(out_b.len, 2);
	cr_assert_eq(memcmp(out_b.buf, "tx", 2), 0);
}

Test(serial_state, restore_raises_pending_data_interrupt)
{
	struct superio_serial_state st = busy_state();

	cr_assert_eq(superio_serial_restore(&b, &st), 0);
	cr_assert(irq_b.level);
	cr_assert_eq(irq_b.rises, 1);
	cr_assert_eq(uart_in(&b, IIR), 0xc4);
}

Test(serial_state, restore_raises_pending_thre)
{
	struct superio_serial_state st;

	uart_out(&a, IER, 0x02);
	superio_serial_save(&a, &st);
	cr_assert_eq(st.thre_pending, 1);
	cr_assert_eq(superio_serial_restore(&b, &st), 0);
	cr_assert(irq_b.level);
	cr_assert_eq(uart_in(&b, IIR), 0x02);
}

Test(serial_state, restore_of_quiet_state_keeps_line_low)
{
	struct superio_serial_state st;

	superio_serial_save(&a, &st);
	cr_assert_eq(superio_serial_restore(&b, &st), 0);
	cr_assert_not(irq_b.level);
	cr_assert_eq(irq_b.rises, 0);
}

/* The interrupt controller must see the line fall, or it keeps a stale interrupt asserted. */
Test(serial_state, restore_of_quiet_state_lowers_a_raised_line)
{
	struct superio_serial_state quiet;

	superio_serial_save(&a, &quiet);
	(void)busy_state();
	cr_assert(irq_a.level);
	cr_assert_eq(superio_serial_restore(&a, &quiet), 0);
	cr_assert_eq(irq_a.falls, 1, "the callback saw the line fall");
	cr_assert_not(irq_a.level);
	cr_assert_not(superio_serial_irq_level(&a));
}

/* Restore replaces the TX FIFO: queued bytes the output does not take are counted. */
Test(serial_state, restore_counts_the_queued_output_it_replaces)
{
	struct superio_serial_state quiet;
	struct superio_serial_metrics m;

	superio_serial_save(&b, &quiet);
	uart_out(&a, FCR, 0x01);
	out_a.error = -EAGAIN;
	for (int i = 0; i < 10; i++)
		uart_out(&a, THR, 'q');
	cr_assert_eq(superio_serial_restore(&a, &quiet), 0);
	superio_serial_get_metrics(&a, &m);
	cr_assert_eq(superio_serial_tx_pending(&a), 0);
	cr_assert_eq(m.tx_reset_drops, 10);
	cr_assert_eq(out_a.events, 1);
	cr_assert_eq(out_a.event_bytes, 10);
}

/* Each corruption is applied to a valid state; restore must refuse it and leave b alone. */
static void refuse(void (*corrupt)(struct superio_serial_state *))
{
	struct superio_serial_state st = busy_state(), before, after;

	superio_serial_save(&b, &before);
	corrupt(&st);
	cr_assert_eq(superio_serial_restore(&b, &st), -EINVAL);
	superio_serial_save(&b, &after);
	cr_assert_eq(memcmp(&before, &after, sizeof(before)), 0);
}

static void bad_version(struct superio_serial_state *st) { st->version = 2; }
static void bad_ier(struct superio_serial_state *st) { st->ier = 0x1f; }
static void bad_fcr(struct superio_serial_state *st) { st->fcr = 0x21; }
static void trigger_without_fifo(struct superio_serial_state *st) { st->fcr = 0x80; st->rx_len = 1; st->tx_len = 1; }
static void bad_mcr(struct superio_serial_state *st) { st->mcr = 0x20; }
static void bad_lsr(struct superio_serial_state *st) { st->lsr = 0x21; }
static void bad_delta(struct superio_serial_state *st) { st->msr_delta = 0x10; }
static void bad_modem(struct superio_serial_state *st) { st->modem_in = 0x01; }
static void rx_too_long(struct superio_serial_state *st) { st->rx_len = SUPERIO_SERIAL_FIFO_SIZE + 1; }
static void tx_too_long(struct superio_serial_state *st) { st->tx_len = 200; }
static void two_bytes_in_16450(struct superio_serial_state *st) { st->fcr = 0; st->rx_len = 2; st->tx_len = 0; }
static void thre_with_tx(struct superio_serial_state *st) { st->thre_pending = 1; }
static void thre_not_boolean(struct superio_serial_state *st) { st->thre_pending = 2; st->tx_len = 0; }

Test(serial_state, refuses_unknown_version) { refuse(bad_version); }
Test(serial_state, refuses_ier_reserved_bits) { refuse(bad_ier); }
Test(serial_state, refuses_fcr_reserved_bits) { refuse(bad_fcr); }
Test(serial_state, refuses_trigger_without_fifo) { refuse(trigger_without_fifo); }
Test(serial_state, refuses_mcr_reserved_bits) { refuse(bad_mcr); }
Test(serial_state, refuses_derived_lsr_bits) { refuse(bad_lsr); }
Test(serial_state, refuses_msr_delta_reserved_bits) { refuse(bad_delta); }
Test(serial_state, refuses_modem_input_low_bits) { refuse(bad_modem); }
Test(serial_state, refuses_rx_longer_than_fifo) { refuse(rx_too_long); }
Test(serial_state, refuses_tx_longer_than_fifo) { refuse(tx_too_long); }
Test(serial_state, refuses_two_bytes_in_16450_mode) { refuse(two_bytes_in_16450); }
Test(serial_state, refuses_thre_pending_with_tx_data) { refuse(thre_with_tx); }
Test(serial_state, refuses_non_boolean_thre) { refuse(thre_not_boolean); }

Test(serial_state, refuses_null)
{
	struct superio_serial_state st;

	superio_serial_save(&a, &st);
	cr_assert_eq(superio_serial_restore(&b, NULL), -EINVAL);
	cr_assert_eq(superio_serial_restore(NULL, &st), -EINVAL);
}
