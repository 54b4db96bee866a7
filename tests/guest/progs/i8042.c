// SPDX-License-Identifier: MIT
/*
 * i8042 suite: the keyboard controller as Linux's i8042 driver and reboot=k
 * use it (IBM PS/2 technical reference; Linux drivers/input/serio/i8042.c):
 * controller self-test (0xAA -> 0x55), command byte read (0x20) and write
 * (0x60), then the pulse-reset command 0xFE that must end the VM.  The
 * summary goes out before the reset; if the VM survives it, a FAIL line and
 * a new summary follow and the VM is ended another way.
 */
#include "gk.h"

#define DATA 0x60
#define STATUS 0x64
#define ST_OBF 0x01
#define ST_IBF 0x02

const char gk_program_name[] = "i8042";

static bool wait_status(uint8_t mask, bool set, uint64_t us)
{
	uint64_t t0 = gk_now_ns();

	do {
		if (!!(gk_inb(STATUS) & mask) == set)
			return true;
	} while (gk_now_ns() - t0 < us * 1000);
	return false;
}

static void flush_output(void)
{
	for (int i = 0; i < 32 && (gk_inb(STATUS) & ST_OBF); i++)
		(void)gk_inb(DATA);
}

/* Sends a controller command (and an optional data byte) like i8042_command(). */
static bool command(uint8_t cmd, int data)
{
	if (!wait_status(ST_IBF, false, 100000))
		return false;
	gk_outb(STATUS, cmd);
	if (data >= 0) {
		if (!wait_status(ST_IBF, false, 100000))
			return false;
		gk_outb(DATA, (uint8_t)data);
	}
	return true;
}

static int read_reply(void)
{
	if (!wait_status(ST_OBF, true, 100000))
		return -1;
	return gk_inb(DATA);
}

static int read_cmd_byte(void)
{
	return command(0x20, -1) ? read_reply() : -1;
}

static void test_command_byte(void)
{
	int orig = read_cmd_byte(), got;
	/* Both ports disabled, no interrupts, translation on, system flag. */
	uint8_t v = 0x74;

	if (!gk_check("i8042.cmdbyte-read", orig >= 0,
		      "0x20 returned 0x%x", (unsigned)orig))
		return;
	if (v == orig)
		v = 0x70;
	got = command(0x60, v) ? read_cmd_byte() : -1;
	gk_check("i8042.cmdbyte-write", got == v,
		 "wrote 0x%02x, read back 0x%x", v, (unsigned)got);
	got = command(0x60, orig) ? read_cmd_byte() : -1;
	gk_check("i8042.cmdbyte-restore", got == orig,
		 "wrote 0x%02x, read back 0x%x", (unsigned)orig, (unsigned)got);
}

void gk_main(void)
{
	uint8_t st = gk_inb(STATUS);
	int r;

	if (!gk_check("i8042.present", st != 0xff, "status=0x%02x", st))
		return;
	flush_output();
	r = command(0xaa, -1) ? read_reply() : -1;
	gk_check("i8042.self-test", r == 0x55,
		 "0xAA answered 0x%x (want 0x55)", (unsigned)r);
	test_command_byte();

	gk_printf("GK-RESET i8042 pulse-reset 0xFE follows the summary\n");
	gk_summary();
	gk_i8042_reset_pulse();
	gk_udelay(100000);
	gk_report("i8042.reset", GK_FAIL,
		  "VM still running 100 ms after command 0xFE");
}
