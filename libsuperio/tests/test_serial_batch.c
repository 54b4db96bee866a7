// SPDX-License-Identifier: MIT
// The byte-wide entry points (superio_serial_read8/_write8) and the output
// batch (config tx_batch, superio_serial_tx_flush): same guest-visible
// behaviour as the sized entry points, output in THR order, flushed at
// every boundary the README lists, back-pressure and errors handled as for
// unbatched output, and nothing lost across save/restore or reset.
#include "harness.h"

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };

static struct superio_serial uart;
static struct line irq;
static struct sink out;
static struct fake_clock clk = { 1000000000ull };

static void init_cfg(bool batch, uint64_t budget)
{
	struct superio_serial_config cfg = {
		.irq = { line_fn, &irq }, .ops = &sink_ops, .ops_ctx = &out,
		.clock = { clock_fn, &clk }, .budget_bytes_per_sec = budget,
		.tx_batch = batch,
	};

	memset(&irq, 0, sizeof(irq));
	memset(&out, 0, sizeof(out));
	cr_assert_eq(superio_serial_init(&uart, &cfg), 0);
}

/* Batching on and the FIFOs on (trigger 14), as Linux runs the port. */
static void setup(void)
{
	init_cfg(true, 0);
	superio_serial_write8(&uart, FCR, 0xc7);
}

TestSuite(serial_batch, .init = setup);

static struct superio_serial_metrics metrics(void)
{
	struct superio_serial_metrics m;

	superio_serial_get_metrics(&uart, &m);
	return m;
}

/* Linux's console putchar: poll LSR for THRE, then write THR. */
static void put(uint8_t c)
{
	cr_assert(superio_serial_read8(&uart, LSR) & 0x20);
	superio_serial_write8(&uart, THR, c);
}

static void put_n(unsigned int n, uint8_t first)
{
	for (unsigned int i = 0; i < n; i++)
		put((uint8_t)(first + i));
}

static void assert_out(unsigned int n, uint8_t first)
{
	cr_assert_eq(out.len, n);
	for (unsigned int i = 0; i < n; i++)
		cr_assert_eq(out.buf[i], (uint8_t)(first + i), "byte %u", i);
}

Test(serial_batch, read8_and_write8_match_the_sized_entry_points)
{
	struct superio_serial twin;
	struct line twin_irq = { 0 };
	struct sink twin_out = { 0 };
	struct superio_serial_config cfg = {
		.irq = { line_fn, &twin_irq }, .ops = &sink_ops, .ops_ctx = &twin_out,
	};
	static const struct { uint8_t off, write, val; } seq[] = {
		{ 3, 1, 0x83 }, { 0, 1, 0x01 }, { 1, 1, 0x02 }, { 0, 0, 0 }, { 1, 0, 0 },
		{ 3, 1, 0x03 }, { 2, 1, 0xc7 }, { 1, 1, 0x0f }, { 2, 0, 0 }, { 4, 1, 0x0b },
		{ 4, 0, 0 }, { 5, 0, 0 }, { 6, 0, 0 }, { 7, 1, 0x5a }, { 7, 0, 0 },
		{ 0, 1, 'a' }, { 2, 0, 0 }, { 4, 1, 0x1f }, { 6, 0, 0 }, { 0, 1, 'b' },
		{ 5, 0, 0 }, { 0, 0, 0 }, { 5, 0, 0 }, { 4, 1, 0x00 }, { 6, 0, 0 }, { 1, 1, 0 },
	};

	init_cfg(false, 0);
	cr_assert_eq(superio_serial_init(&twin, &cfg), 0);
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		if (seq[i].write) {
			superio_serial_write8(&uart, seq[i].off, seq[i].val);
			uart_out(&twin, seq[i].off, seq[i].val);
		} else {
			cr_assert_eq(superio_serial_read8(&uart, seq[i].off),
				     uart_in(&twin, seq[i].off), "step %zu", i);
		}
		cr_assert_eq(irq.level, twin_irq.level, "step %zu", i);
	}
	cr_assert_eq(irq.rises, twin_irq.rises);
	cr_assert_eq(out.len, twin_out.len);
	cr_assert_eq(memcmp(out.buf, twin_out.buf, out.len), 0);
}

Test(serial_batch, offsets_decode_three_address_lines)
{
	superio_serial_write8(&uart, 8 + SCR, 0xa5);
	cr_assert_eq(superio_serial_read8(&uart, SCR), 0xa5);
	cr_assert_eq(superio_serial_read8(&uart, 0x100 + SCR), 0xa5);
	cr_assert_eq(superio_serial_read8(&uart, 16 + LSR), 0x60);
	cr_assert_eq(superio_serial_read8(&uart, 0xffffffffu), 0xa5); /* & 7 = SCR */
}

Test(serial_batch, thr_bytes_wait_in_the_batch_with_thre_set)
{
	put_n(10, 'a');
	cr_assert_eq(out.calls, 0);
	cr_assert_eq(superio_serial_tx_batched(&uart), 10);
	cr_assert_eq(superio_serial_tx_pending(&uart), 0);
	cr_assert_eq(superio_serial_read8(&uart, LSR), 0x60);
	cr_assert_eq(metrics().tx_bytes, 0); /* counted when the output takes them */
}

/* The batch holds one byte less than the TX FIFO (see back_pressure_... below). */
enum { BATCH = SUPERIO_SERIAL_FIFO_SIZE - 1 };

Test(serial_batch, a_byte_finding_the_batch_full_flushes_it_in_one_call)
{
	put_n(BATCH, 0);
	cr_assert_eq(out.calls, 0);
	put(BATCH);
	cr_assert_eq(out.calls, 1);
	assert_out(BATCH, 0);
	cr_assert_eq(superio_serial_tx_batched(&uart), 1);
	cr_assert_eq(metrics().tx_bytes, BATCH);
	superio_serial_tx_flush(&uart);
	assert_out(BATCH + 1, 0);
}

Test(serial_batch, tx_flush_offers_the_batch_and_is_a_no_op_when_empty)
{
	superio_serial_tx_flush(&uart);
	cr_assert_eq(out.calls, 0);
	put_n(3, 'x');
	superio_serial_tx_flush(&uart);
	cr_assert_eq(out.calls, 1);
	assert_out(3, 'x');
	cr_assert_eq(superio_serial_tx_batched(&uart), 0);
	cr_assert_eq(metrics().tx_bytes, 3);
}

/* Linux's serial8250_console_write() ends by restoring IER. */
Test(serial_batch, ier_write_flushes)
{
	superio_serial_write8(&uart, IER, 0x00);
	put_n(5, 'a');
	superio_serial_write8(&uart, IER, 0x05);
	assert_out(5, 'a');
}

/* serial8250_handle_irq() starts with an IIR read. */
Test(serial_batch, iir_read_flushes)
{
	put_n(5, 'a');
	cr_assert_eq(superio_serial_read8(&uart, IIR), 0xc1);
	assert_out(5, 'a');
}

Test(serial_batch, other_register_writes_flush)
{
	static const uint8_t offs[] = { LCR, MCR, FCR };

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		put_n(2, (uint8_t)(2 * i));
		superio_serial_write8(&uart, offs[i], offs[i] == FCR ? 0xc7 : 0x03);
		assert_out(2 * (unsigned int)i + 2, 0);
	}
}

Test(serial_batch, side_effect_free_reads_and_scr_writes_do_not_flush)
{
	put_n(4, 'a');
	(void)superio_serial_read8(&uart, LSR);
	(void)superio_serial_read8(&uart, IER);
	(void)superio_serial_read8(&uart, LCR);
	(void)superio_serial_read8(&uart, MCR);
	(void)superio_serial_read8(&uart, MSR);
	(void)superio_serial_read8(&uart, SCR);
	superio_serial_write8(&uart, SCR, 1);
	cr_assert_eq(out.calls, 0);
	cr_assert_eq(superio_serial_tx_batched(&uart), 4);
}

Test(serial_batch, host_calls_flush_first)
{
	const uint8_t b = 'r';

	put_n(2, 'a');
	cr_assert_eq(superio_serial_rx_push(&uart, &b, 1), 1);
	assert_out(2, 'a');
	put_n(2, 'c');
	superio_serial_tx_drain(&uart);
	assert_out(4, 'a');
	put_n(2, 'e');
	superio_serial_set_modem_inputs(&uart, SUPERIO_SERIAL_MODEM_CTS);
	assert_out(6, 'a');
	put_n(2, 'g');
	superio_serial_reset(&uart);
	assert_out(8, 'a');
	cr_assert_eq(superio_serial_tx_batched(&uart), 0);
}

Test(serial_batch, refused_bytes_move_to_the_fifo_in_order)
{
	put_n(10, 'a');
	out.limit = 4;
	superio_serial_tx_flush(&uart);
	assert_out(4, 'a');
	cr_assert_eq(superio_serial_tx_pending(&uart), 6);
	cr_assert_eq(superio_serial_read8(&uart, LSR) & 0x60, 0);
	/* A THR write now queues behind them, not in the batch. */
	superio_serial_write8(&uart, THR, 'k');
	cr_assert_eq(superio_serial_tx_batched(&uart), 0);
	out.limit = 0;
	superio_serial_tx_drain(&uart);
	assert_out(11, 'a');
	cr_assert_eq(superio_serial_read8(&uart, LSR), 0x60);
	cr_assert_eq(metrics().tx_bytes, 11);
}

/* The guest saw THRE for every byte, so a refused batch must lose none. */
Test(serial_batch, back_pressure_on_a_full_batch_keeps_every_byte)
{
	put_n(BATCH, 0);
	out.error = -EAGAIN;
	superio_serial_write8(&uart, THR, BATCH); /* finds it full */
	cr_assert_eq(out.len, 0);
	cr_assert_eq(superio_serial_tx_pending(&uart), BATCH + 1);
	cr_assert_eq(metrics().tx_full_drops, 0);
	cr_assert_eq(superio_serial_read8(&uart, LSR) & 0x60, 0);
	out.error = 0;
	superio_serial_tx_drain(&uart);
	assert_out(BATCH + 1, 0);
	cr_assert_eq(superio_serial_read8(&uart, LSR), 0x60);
}

Test(serial_batch, refused_flush_lowers_a_thre_interrupt)
{
	superio_serial_write8(&uart, IER, 0x02);
	cr_assert(irq.level);
	put_n(3, 'a');
	cr_assert_eq(irq.rises, 1);
	out.error = -EAGAIN;
	superio_serial_tx_flush(&uart);
	cr_assert_not(irq.level);
	out.error = 0;
	superio_serial_tx_drain(&uart);
	cr_assert(irq.level);
	assert_out(3, 'a');
}

Test(serial_batch, write_error_drops_the_batch_and_counts_it)
{
	put_n(7, 'a');
	out.error = -EIO;
	superio_serial_tx_flush(&uart);
	cr_assert_eq(metrics().tx_error_drops, 7);
	cr_assert_eq(out.events, 1);
	cr_assert_eq(out.event_bytes, 7);
	cr_assert_eq(superio_serial_read8(&uart, LSR), 0x60);
	cr_assert_eq(superio_serial_tx_pending(&uart), 0);
}

Test(serial_batch, thri_edge_per_acknowledged_thre_with_batching)
{
	superio_serial_write8(&uart, IER, 0x02);
	cr_assert_eq(superio_serial_read8(&uart, IIR), 0xc2);
	cr_assert_not(irq.level);
	superio_serial_write8(&uart, THR, 'a');
	cr_assert(irq.level);
	superio_serial_write8(&uart, THR, 'b');
	cr_assert_eq(irq.rises, 2);
	cr_assert_eq(superio_serial_tx_batched(&uart), 2);
	cr_assert_eq(superio_serial_read8(&uart, IIR), 0xc2); /* flushes, then acks */
	assert_out(2, 'a');
	cr_assert_not(irq.level);
}

Test(serial_batch, fifo_off_offers_each_byte)
{
	superio_serial_write8(&uart, FCR, 0x00);
	put_n(3, 'a');
	cr_assert_eq(out.calls, 3);
	cr_assert_eq(superio_serial_tx_batched(&uart), 0);
}

Test(serial_batch, loopback_and_dlab_bypass_the_batch)
{
	superio_serial_write8(&uart, MCR, 0x10);
	superio_serial_write8(&uart, THR, 'L');
	cr_assert_eq(superio_serial_tx_batched(&uart), 0);
	cr_assert_eq(superio_serial_read8(&uart, RBR), 'L');
	superio_serial_write8(&uart, MCR, 0x00);
	superio_serial_write8(&uart, LCR, 0x83);
	superio_serial_write8(&uart, DLL, 0x01);
	superio_serial_write8(&uart, DLM, 0x02);
	cr_assert_eq(superio_serial_tx_batched(&uart), 0);
	cr_assert_eq(superio_serial_divisor(&uart), 0x0201);
	cr_assert_eq(superio_serial_read8(&uart, DLL), 0x01);
	superio_serial_write8(&uart, LCR, 0x03);
	cr_assert_eq(superio_serial_read8(&uart, IER), 0x00);
	cr_assert_eq(out.calls, 0);
}

Test(serial_batch, budget_on_means_no_batch)
{
	init_cfg(true, 1000);
	superio_serial_write8(&uart, FCR, 0x07);
	put_n(3, 'a');
	cr_assert_eq(out.calls, 3);
	cr_assert_eq(superio_serial_tx_batched(&uart), 0);
}

Test(serial_batch, batch_off_offers_each_byte)
{
	init_cfg(false, 0);
	superio_serial_write8(&uart, FCR, 0x07);
	put_n(3, 'a');
	cr_assert_eq(out.calls, 3);
	cr_assert_eq(superio_serial_tx_batched(&uart), 0);
}

Test(serial_batch, save_keeps_batched_bytes_as_queued_output)
{
	struct superio_serial_state st;

	put_n(5, 'a');
	superio_serial_save(&uart, &st);
	cr_assert_eq(st.tx_len, 5);
	cr_assert_eq(st.thre_pending, 0);
	cr_assert_eq(memcmp(st.tx, "abcde", 5), 0);
	cr_assert_eq(superio_serial_restore(&uart, &st), 0);
	assert_out(5, 'a'); /* the old batch went out before the restore */
	cr_assert_eq(superio_serial_tx_pending(&uart), 5);
	cr_assert_eq(superio_serial_read8(&uart, LSR) & 0x60, 0);
}

Test(serial_batch, rbr_fast_reads_then_last_byte_drops_dr_and_line)
{
	static const uint8_t data[] = "hello";

	superio_serial_write8(&uart, IER, 0x05);
	cr_assert_eq(superio_serial_rx_push(&uart, data, 5), 5);
	cr_assert(irq.level);
	cr_assert_eq(superio_serial_read8(&uart, IIR), 0xcc); /* below trigger 14 */
	for (unsigned int i = 0; i < 5; i++) {
		cr_assert(superio_serial_read8(&uart, LSR) & 0x01);
		cr_assert_eq(superio_serial_read8(&uart, RBR), data[i]);
	}
	cr_assert_eq(superio_serial_read8(&uart, LSR), 0x60);
	cr_assert_not(irq.level);
	cr_assert_eq(out.drained, 1);
	cr_assert_eq(superio_serial_read8(&uart, IIR), 0xc1);
}
