// SPDX-License-Identifier: MIT
/*
 * serial suite: the COM1 16550A driven as Linux's 8250 driver drives it
 * (drivers/tty/serial/8250/8250_port.c, 6.1: autoconfig(),
 * autoconfig_16550a(), serial8250_do_startup()'s THRE re-assert test,
 * serial8250_console_putchar(), serial8250_handle_irq()), checked against
 * the PC16550D datasheet: scratch and IER read-back, loopback (MCR bit 4)
 * mirroring of the modem outputs into MSR, FIFO enable/reset and receive
 * trigger levels, polled and interrupt-driven transmit, interrupt-driven
 * receive of host-injected input.  While the UART is in loopback the console
 * cannot print, so each test restores the UART before it reports.
 */
#include "gk.h"

#define RBR 0
#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define EFR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_NO_INT 0x01
#define IIR_ID 0x0f
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_CTI 0x0c
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MCR_LOOP 0x10
#define MCR_CONSOLE 0x0b
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04

#define SERIAL_GSI 4
#define SERIAL_VECTOR 0x24

const char gk_program_name[] = "serial";

static uint8_t rd(unsigned reg)
{
	return gk_inb((uint16_t)(GK_COM1 + reg));
}

/* Console lines still queued in the TX FIFO must reach the host before a
 * TX clear discards them or loopback diverts them into the receiver. */
static void wr(unsigned reg, uint8_t v)
{
	if ((reg == FCR && (v & FCR_CLEAR_TX)) || (reg == MCR && (v & MCR_LOOP)))
		gk_console_drain();
	gk_outb((uint16_t)(GK_COM1 + reg), v);
}

static bool lsr_wait(uint8_t mask, uint64_t us)
{
	uint64_t t0 = gk_rdtsc(), span = gk_tsc_khz * us / 1000;

	do {
		if ((rd(LSR) & mask) == mask)
			return true;
	} while (gk_rdtsc() - t0 < span);
	return false;
}

static void set_divisor(uint16_t div)
{
	uint8_t lcr = rd(LCR);

	wr(LCR, lcr | 0x80);
	wr(0, (uint8_t)div);
	wr(1, (uint8_t)(div >> 8));
	wr(LCR, lcr & 0x7f);
}

static void restore_console(void)
{
	gk_console_init();
}

/* ---- Linux autoconfig() --------------------------------------------- */
static void test_autoconfig(void)
{
	uint8_t scratch, scratch2, scratch3, status1, iir, save_mcr, save_lcr;
	uint8_t lsr;

	scratch = rd(IER);
	wr(IER, 0);
	scratch2 = rd(IER) & 0x0f;
	wr(IER, 0x0f);
	scratch3 = rd(IER) & 0x0f;
	wr(IER, scratch);
	gk_check("serial.autoconfig-ier-scratch", scratch2 == 0 && scratch3 == 0x0f,
		 "IER after 0x00: 0x%02x, after 0x0f: 0x%02x (want 0x00/0x0f)",
		 scratch2, scratch3);

	save_mcr = rd(MCR);
	save_lcr = rd(LCR);
	wr(MCR, MCR_LOOP | 0x0a);
	status1 = rd(MSR) & 0xf0;
	wr(MCR, save_mcr);
	gk_check("serial.autoconfig-loopback", status1 == 0x90,
		 "MSR&0xf0 with MCR=LOOP|RTS|OUT2: 0x%02x (want 0x90)", status1);

	wr(LCR, 0xbf);		/* UART_LCR_CONF_MODE_B */
	wr(EFR, 0);
	wr(LCR, 0);
	wr(FCR, FCR_ENABLE);
	iir = rd(IIR);
	wr(LCR, save_lcr);
	/* serial8250_clear_fifos() and the reset at the end of autoconfig(). */
	wr(MCR, save_mcr);
	wr(FCR, FCR_ENABLE);
	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	wr(FCR, 0);
	(void)rd(RBR);
	wr(IER, 0);
	lsr = rd(LSR);
	restore_console();
	gk_check("serial.autoconfig-type", (iir >> 6) == 3,
		 "IIR after FCR=0x01: 0x%02x, bits 7:6=%u (3 = 16550A)", iir,
		 iir >> 6);
	gk_check("serial.lsr-not-ff", lsr != 0xff, "LSR=0x%02x", lsr);
}

static void test_scratch_and_ier(void)
{
	static const uint8_t vals[] = { 0x55, 0xaa, 0x00, 0xff, 0x5a };
	unsigned bad_ier = 0x100;
	uint8_t got = 0, want = 0;
	bool ok = true;

	for (unsigned i = 0; i < GK_ARRAY_SIZE(vals) && ok; i++) {
		wr(SCR, vals[i]);
		got = rd(SCR);
		want = vals[i];
		ok = got == want;
	}
	gk_check("serial.scratch-register", ok, "SCR wrote 0x%02x read 0x%02x",
		 want, got);
	for (unsigned v = 0; v < 16; v++) {
		wr(IER, (uint8_t)v);
		if ((rd(IER) & 0x0f) != v && bad_ier == 0x100)
			bad_ier = v;
	}
	wr(IER, 0);
	gk_check("serial.ier-readback", bad_ier == 0x100,
		 bad_ier == 0x100 ? "IER bits 3:0 read back all 16 values" :
				    "IER value 0x%x did not read back", bad_ier);
}

/* ---- loopback ---------------------------------------------------------- */
static uint8_t msr_mirror(uint8_t mcr)
{
	return (uint8_t)(((mcr & 0x02) << 3) | ((mcr & 0x01) << 5) |
			 ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4));
}

static void test_loopback(void)
{
	int bad = -1;
	uint8_t got = 0, deltas_up, deltas_down, data = 0;
	bool dr;

	for (unsigned m = 0; m < 16; m++) {
		wr(MCR, (uint8_t)(MCR_LOOP | m));
		got = rd(MSR) & 0xf0;
		if (got != msr_mirror((uint8_t)m) && bad < 0)
			bad = (int)m;
	}
	wr(MCR, MCR_LOOP);
	(void)rd(MSR);
	wr(MCR, MCR_LOOP | 0x0f);
	deltas_up = rd(MSR);
	wr(MCR, MCR_LOOP);
	deltas_down = rd(MSR);

	wr(FCR, 0);
	(void)rd(RBR);
	wr(THR, 0xa5);
	dr = lsr_wait(LSR_DR, 10000);
	if (dr)
		data = rd(RBR);
	restore_console();
	gk_check("serial.loopback-msr", bad < 0,
		 bad < 0 ? "MSR 7:4 mirrors OUT2,OUT1,DTR,RTS for all 16 MCR values" :
			   "MCR low nibble 0x%x gave MSR high nibble 0x%02x",
		 (unsigned)bad, got);
	/* Not a test: the datasheet keeps delta bits working in loopback; noted. */
	gk_printf("GK-NOTE serial.loopback-msr-deltas raise=0x%02x drop=0x%02x "
		  "(PC16550D: want low nibble 0x0b then 0x0f)\n",
		  deltas_up, deltas_down);
	gk_check("serial.loopback-data", dr && data == 0xa5,
		 "THR 0xa5 in loopback: LSR.DR=%d RBR=0x%02x", dr, data);
}

/* ---- FIFO -------------------------------------------------------------- */
static void loop_send(unsigned n, uint8_t first)
{
	for (unsigned i = 0; i < n; i++) {
		lsr_wait(LSR_THRE, 10000);
		wr(THR, (uint8_t)(first + i));
	}
}

static unsigned drain(uint8_t *out, unsigned max)
{
	unsigned n = 0;

	while ((rd(LSR) & LSR_DR) && n < 64) {
		uint8_t c = rd(RBR);

		if (n < max)
			out[n] = c;
		n++;
	}
	return n;
}

static void test_fifo_enable_reset(void)
{
	uint8_t on, off, got[20], lsr_before, lsr_after, lsr_oe;
	unsigned n16, n_after, order_bad = 0;

	wr(FCR, FCR_ENABLE);
	on = rd(IIR) & 0xc0;
	wr(FCR, 0);
	off = rd(IIR) & 0xc0;

	wr(MCR, MCR_LOOP);
	set_divisor(0x0c00);	/* slow line: no character timeouts in between */
	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	loop_send(16, 0x30);
	n16 = drain(got, 16);
	for (unsigned i = 0; i < 16 && i < n16; i++)
		if (got[i] != 0x30 + i)
			order_bad++;
	loop_send(8, 0x40);
	lsr_before = rd(LSR);
	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX);
	lsr_after = rd(LSR);
	loop_send(1, 0x5a);
	n_after = drain(got, 1);
	/* A 16550A's RX FIFO holds 16 bytes; cvmm's model keeps 64 (the
	 * depth libsuperio documents).  The datasheet rule under test is that
	 * a byte arriving at a full FIFO sets LSR.OE, so overflow both. */
	loop_send(65, 0x60);
	lsr_oe = rd(LSR);
	(void)drain(got, 0);
	wr(FCR, 0);
	restore_console();

	gk_check("serial.fifo-enable", on == 0xc0 && off == 0,
		 "IIR 7:6 with FIFO on 0x%02x, off 0x%02x (want 0xc0, 0x00)",
		 on, off);
	gk_check("serial.fifo-depth", n16 == 16 && !order_bad,
		 "16 bytes in loopback came back %u, %u out of order", n16,
		 order_bad);
	gk_check("serial.fifo-rx-reset",
		 (lsr_before & LSR_DR) && !(lsr_after & LSR_DR) &&
			 n_after == 1 && got[0] == 0x5a,
		 "LSR before 0x%02x after FCR.CLEAR_RX 0x%02x, next byte 0x%02x",
		 lsr_before, lsr_after, got[0]);
	gk_check("serial.fifo-overrun", lsr_oe & LSR_OE,
		 "LSR after 65 bytes into the RX FIFO (16 deep on a 16550A, 64 in cvmm): 0x%02x (OE=0x02)",
		 lsr_oe);
}

static void test_trigger_levels(void)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };
	uint8_t below[4], at[4];
	char name[40];

	wr(MCR, MCR_LOOP);
	set_divisor(0x0c00);
	for (unsigned l = 0; l < 4; l++) {
		wr(FCR, (uint8_t)(FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX |
				  (l << 6)));
		wr(IER, IER_RDI);
		loop_send(levels[l] - 1, 0x41);
		below[l] = rd(IIR) & IIR_ID;
		loop_send(1, 0x7a);
		at[l] = rd(IIR) & IIR_ID;
		wr(IER, 0);
		(void)drain(NULL, 0);
	}
	wr(FCR, 0);
	restore_console();
	for (unsigned l = 0; l < 4; l++) {
		/* Below the level only "no interrupt" or a character timeout. */
		bool ok = (below[l] == IIR_NO_INT || below[l] == IIR_CTI) &&
			  (at[l] == IIR_RDI || at[l] == IIR_CTI);

		if (levels[l] == 1)
			ok = below[l] == IIR_NO_INT && at[l] == IIR_RDI;
		gk_snprintf(name, sizeof(name), "serial.fifo-trigger-%u",
			    levels[l]);
		gk_check(name, ok,
			 "IIR id with %u bytes 0x%x, with %u bytes 0x%x "
			 "(want none/CTI below, RDA at the level)",
			 levels[l] - 1, below[l], levels[l], at[l]);
	}
}

/* ---- polled transmit ---------------------------------------------------- */
static char pattern_byte(unsigned long i)
{
	unsigned long line = i / 64, col = i % 64;

	return col == 63 ? '\n' : (char)('A' + (line + col) % 26);
}

static void test_tx_polled(void)
{
	const unsigned long n = gk_cmdline_u64("gk.serial_tx_bytes", 1u << 20);
	unsigned long timeouts = 0;
	uint64_t t0, ns;

	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	gk_printf("GK-BLOB name=serial.tx-polled len=%lu\n", n);
	t0 = gk_rdtsc();
	for (unsigned long i = 0; i < n; i++) {
		if (!lsr_wait(LSR_THRE, 100000))
			timeouts++;
		wr(THR, (uint8_t)pattern_byte(i));
	}
	ns = gk_tsc_to_ns(gk_rdtsc() - t0);
	gk_check("serial.tx-polled", timeouts == 0,
		 "%lu bytes in %lu ms, %lu THRE waits timed out; content is "
		 "checked by the host (host.serial.tx-polled)",
		 n, ns / 1000000, timeouts);
}

/* ---- interrupt-driven I/O, the way serial8250_handle_irq() does it ------ */
static struct {
	volatile unsigned irqs, tx_pos, rx_len, thre_seen;
	unsigned tx_len;
	volatile bool tx_done, reraise_mode;
	char rx[128];
} st;

static void serial_irq(void *ctx)
{
	uint8_t iir = rd(IIR), lsr;

	(void)ctx;
	st.irqs++;
	if (iir & IIR_NO_INT)
		return;
	if (st.reraise_mode) {
		if ((iir & IIR_ID) == IIR_THRI)
			st.thre_seen++;
		wr(IER, 0);
		return;
	}
	lsr = rd(LSR);
	while (lsr & LSR_DR) {
		char c = (char)rd(RBR);

		if (st.rx_len < sizeof(st.rx))
			st.rx[st.rx_len++] = c;
		lsr = rd(LSR);
	}
	if ((lsr & LSR_THRE) && (rd(IER) & IER_THRI)) {
		for (unsigned k = 0; k < 16 && st.tx_pos < st.tx_len; k++) {
			wr(THR, (uint8_t)pattern_byte(st.tx_pos));
			st.tx_pos++;
		}
		if (st.tx_pos >= st.tx_len) {
			wr(IER, rd(IER) & (uint8_t)~IER_THRI);
			st.tx_done = true;
		}
	}
}

static bool tx_done(void *ctx)
{
	(void)ctx;
	return st.tx_done;
}

static void test_tx_irq(void)
{
	bool ok;

	st.tx_len = 4096;
	st.tx_pos = 0;
	st.irqs = 0;
	gk_printf("GK-BLOB name=serial.tx-irq len=%u\n", st.tx_len);
	wr(FCR, FCR_ENABLE | FCR_CLEAR_TX);
	wr(IER, IER_THRI);
	ok = gk_wait(tx_done, NULL, 10000000);
	wr(IER, 0);
	lsr_wait(LSR_TEMT, 100000);
	gk_check("serial.tx-irq", ok && st.irqs >= st.tx_len / 16,
		 "%u of %u bytes sent from %u THRE interrupts; content is "
		 "checked by the host (host.serial.tx-irq)",
		 st.tx_pos, st.tx_len, st.irqs);
}

static const char rx_token[] = "gk-rx-0123456789-abcdefghijklmnopqrstuvwxyz-ZYXWVU";

static bool rx_done(void *ctx)
{
	(void)ctx;
	return st.rx_len > 0 && st.rx[st.rx_len - 1] == '\n';
}

static void test_rx_irq(void)
{
	size_t tl = strlen(rx_token);
	bool ok, match;

	st.rx_len = 0;
	st.irqs = 0;
	wr(FCR, FCR_ENABLE | FCR_CLEAR_RX | 0x80);	/* trigger level 8 */
	wr(IER, IER_RDI);
	gk_printf("GK-WANT-INPUT serial.rx %s\n", rx_token);
	ok = gk_wait(rx_done, NULL, 20000000);
	wr(IER, 0);
	match = st.rx_len >= tl + 1 && !memcmp(st.rx, rx_token, tl);
	/* A host may send CRLF; the line is the token either way. */
	if (match && st.rx_len > tl + 1)
		match = st.rx_len == tl + 2 && st.rx[tl] == '\r';
	st.rx[st.rx_len < sizeof(st.rx) ? st.rx_len : sizeof(st.rx) - 1] = 0;
	if (st.rx_len && st.rx[st.rx_len - 1] == '\n')
		st.rx[st.rx_len - 1] = 0;
	gk_check("serial.rx-irq", ok && match && st.irqs > 0,
		 "received %u bytes in %u RDA/CTI interrupts: \"%s\"",
		 st.rx_len, st.irqs, ok ? st.rx : "(timeout: no host input)");
}

static bool thre_seen_2(void *ctx)
{
	return st.thre_seen >= *(unsigned *)ctx;
}

/* serial8250_do_startup(): THRE must re-assert whenever IER.THRI is set
 * with the transmitter idle, not only on an edge (else UART_BUG_THRE). */
static void test_ier_reraise(void)
{
	uint8_t iir1, iir2;
	unsigned want;
	bool irq1, irq2;

	lsr_wait(LSR_THRE | LSR_TEMT, 100000);
	wr(IER, IER_THRI);
	gk_udelay(1);
	iir1 = rd(IIR);
	wr(IER, 0);
	wr(IER, IER_THRI);
	gk_udelay(1);
	iir2 = rd(IIR);
	wr(IER, 0);
	gk_check("serial.ier-reraise", (iir1 & IIR_ID) == IIR_THRI &&
					       (iir2 & IIR_ID) == IIR_THRI,
		 "IIR after IER=THRI 0x%02x, after IER=0,THRI again 0x%02x "
		 "(want THRE both times)", iir1, iir2);

	st.reraise_mode = true;
	st.thre_seen = 0;
	want = 1;
	wr(IER, IER_THRI);
	irq1 = gk_wait(thre_seen_2, &want, 2000000);
	want = 2;
	wr(IER, IER_THRI);
	irq2 = gk_wait(thre_seen_2, &want, 2000000);
	wr(IER, 0);
	st.reraise_mode = false;
	gk_check("serial.ier-reraise-irq", irq1 && irq2,
		 "THRE interrupts delivered: first enable %s, re-enable %s",
		 irq1 ? "yes" : "no", irq2 ? "yes" : "no");
}

void gk_main(void)
{
	test_autoconfig();
	test_scratch_and_ier();
	test_loopback();
	test_fifo_enable_reset();
	test_trigger_levels();
	test_tx_polled();

	gk_irq_set(SERIAL_VECTOR, serial_irq, NULL);
	if (gk_ioapic_route(SERIAL_GSI, SERIAL_VECTOR, false)) {
		gk_report("serial.irq-route", GK_FAIL, "no IOAPIC pin %d",
			  SERIAL_GSI);
		return;
	}
	test_ier_reraise();
	test_tx_irq();
	test_rx_irq();
	gk_ioapic_mask(SERIAL_GSI, true);
	restore_console();
}
