// SPDX-License-Identifier: MIT
// A terminal connected to the 16550A model in loopback mode.  The program
// plays both sides: as the "guest driver" it programs the UART the way
// Linux's 8250 driver does, switches on loopback (MCR bit 4), writes each
// key you type to THR and reads it back from RBR; as the "host" it prints
// what came back.  With a terminal on stdin it runs in raw mode until
// Ctrl-D; otherwise it loops stdin (or a built-in line) through and exits.
// At the end it leaves loopback and sends a line out through the output
// callback, the path a VMM connects to its console.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <superio/superio.h>

static ssize_t to_stdout(void *ctx, const uint8_t *buf, size_t len)
{
	ssize_t n;

	(void)ctx;
	n = write(STDOUT_FILENO, buf, len);
	return n < 0 ? -errno : n;
}

static const struct superio_serial_ops ops = { .version = SUPERIO_SERIAL_OPS_VERSION,
					       .write = to_stdout };

static uint8_t in(struct superio_serial *s, unsigned int reg)
{
	uint32_t v = 0;

	if (superio_serial_read(s, reg, 1, &v))
		return 0;
	return (uint8_t)v;
}

static void out(struct superio_serial *s, unsigned int reg, uint8_t v)
{
	if (superio_serial_write(s, reg, 1, v))
		fprintf(stderr, "register %u write refused\n", reg);
}

/* What the guest driver does at startup: 115200 8N1, FIFOs, loopback. */
static void guest_setup(struct superio_serial *s)
{
	out(s, SUPERIO_SERIAL_LCR, 0x80);
	out(s, SUPERIO_SERIAL_DLL, 1);
	out(s, SUPERIO_SERIAL_DLM, 0);
	out(s, SUPERIO_SERIAL_LCR, 0x03);
	out(s, SUPERIO_SERIAL_FCR, 0xc7);
	out(s, SUPERIO_SERIAL_MCR, 0x10 | 0x0b);
	printf("UART in loopback: IIR %#04x, MSR lines %#04x (CTS/DSR/DCD mirror RTS/DTR/OUT2)\r\n",
	       in(s, SUPERIO_SERIAL_IIR), in(s, SUPERIO_SERIAL_MSR) & 0xf0);
}

/* Guest sends one byte and reads it back through the loop. */
static int loop_byte(struct superio_serial *s, uint8_t c)
{
	while (!(in(s, SUPERIO_SERIAL_LSR) & 0x20))
		;
	out(s, SUPERIO_SERIAL_THR, c);
	if (!(in(s, SUPERIO_SERIAL_LSR) & 0x01))
		return -1;
	return in(s, SUPERIO_SERIAL_RBR);
}

static void show(int c)
{
	if (c == '\r' || c == '\n')
		printf("\r\n");
	else if (c >= 0x20 && c < 0x7f)
		putchar(c);
	else
		printf("<%02x>", (unsigned int)c);
	fflush(stdout);
}

static void run_terminal(struct superio_serial *s)
{
	struct termios saved, raw;
	unsigned char c;

	tcgetattr(STDIN_FILENO, &saved);
	raw = saved;
	cfmakeraw(&raw);
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	printf("type; each key goes through THR -> loopback -> RBR. Ctrl-D ends.\r\n");
	while (read(STDIN_FILENO, &c, 1) == 1 && c != 0x04)
		show(loop_byte(s, c));
	tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	printf("\r\n");
}

static void run_batch(struct superio_serial *s)
{
	static const char demo[] = "hello through the 16550A loopback\n";
	unsigned char buf[256];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n <= 0) {
		memcpy(buf, demo, sizeof(demo) - 1);
		n = (ssize_t)sizeof(demo) - 1;
	}
	printf("looped back: ");
	for (ssize_t i = 0; i < n; i++)
		show(loop_byte(s, buf[i]));
	if (buf[n - 1] != '\n')
		printf("\r\n");
}

int main(void)
{
	struct superio_serial uart;
	struct superio_serial_config cfg = { .ops = &ops };
	struct superio_serial_metrics m;
	const char *bye = "and this line left the UART through ops->write\r\n";

	if (superio_serial_init(&uart, &cfg)) {
		fprintf(stderr, "superio_serial_init failed\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("libsuperio %s serial console example\r\n", SUPERIO_VERSION_STRING);
	guest_setup(&uart);
	if (isatty(STDIN_FILENO))
		run_terminal(&uart);
	else
		run_batch(&uart);
	out(&uart, SUPERIO_SERIAL_MCR, 0x0b);
	for (const char *p = bye; *p; p++)
		out(&uart, SUPERIO_SERIAL_THR, (uint8_t)*p);
	superio_serial_get_metrics(&uart, &m);
	printf("metrics: looped %llu bytes, sent %llu, overruns %llu\r\n",
	       (unsigned long long)m.loopback_bytes, (unsigned long long)m.tx_bytes,
	       (unsigned long long)m.rx_overruns);
	return m.loopback_bytes == 0 || m.tx_bytes != strlen(bye);
}
