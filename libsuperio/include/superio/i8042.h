/* SPDX-License-Identifier: MIT */
/*
 * An Intel 8042 keyboard controller (IBM PC/AT and PS/2 technical
 * references), optionally with a PS/2 keyboard on its first port and never
 * a mouse: data port 0x60 (offset 0) and status/command port 0x64 (offset 4
 * of a 5-port window).
 *
 * Modelled: status register, command byte (0x20/0x60 and the controller
 * RAM 0x21..0x3f/0x61..0x7f), self-test 0xAA -> 0x55, interface tests
 * 0xAB/0xA9 -> 0x00, port disable/enable 0xAD/0xAE/0xA7/0xA8, output-port
 * read/write 0xD0/0xD1 (A20, reset line), echo into the output buffer
 * 0xD2/0xD3, password test 0xA4, input port 0xC0, and the CPU reset pulse
 * 0xFE (any 0xF0..0xFF pulse with bit 0 clear, or an output-port write with
 * bit 0 clear) which calls the injected reset callback.
 * Bytes sent to an absent device are answered as a real controller does
 * when nothing is plugged in: 0xFE with the TIMEOUT status bit.
 * IRQ 1 (keyboard) and IRQ 12 (aux) follow OBF and the command byte; every
 * byte delivered is its own rising edge, as each is a new OBF on hardware.
 *
 * With kbd_present, a PS/2 keyboard (IBM PS/2 keyboard technical
 * reference, "Commands from the system") answers reset 0xFF, identify
 * 0xF2, scan code set 0xF0 (set 2 only), LEDs 0xED, typematic 0xF3,
 * enable/disable/default 0xF4/0xF5/0xF6, echo 0xEE and resend 0xFE.  The
 * host injects set 2 scan codes with superio_i8042_kbd_push(); with the
 * command byte's XLATE bit set the controller translates them to set 1 on
 * the way to the output buffer, as a real 8042 does.
 */
#ifndef SUPERIO_I8042_H
#define SUPERIO_I8042_H

#include <stddef.h>
#include <stdint.h>

#include <superio/irq.h>

/* Offsets within the window starting at port 0x60. */
#define SUPERIO_I8042_DATA    0u	/* port 0x60 */
#define SUPERIO_I8042_COMMAND 4u	/* port 0x64: write = command, read = status */
#define SUPERIO_I8042_WINDOW  5u

/* Status register bits. */
#define SUPERIO_I8042_STR_OBF	  0x01u
#define SUPERIO_I8042_STR_IBF	  0x02u
#define SUPERIO_I8042_STR_SYS	  0x04u
#define SUPERIO_I8042_STR_CMD	  0x08u
#define SUPERIO_I8042_STR_UNLOCK  0x10u
#define SUPERIO_I8042_STR_AUXDATA 0x20u
#define SUPERIO_I8042_STR_TIMEOUT 0x40u
#define SUPERIO_I8042_STR_PARITY  0x80u

/* Command byte bits. */
#define SUPERIO_I8042_CTR_KBDINT 0x01u
#define SUPERIO_I8042_CTR_AUXINT 0x02u
#define SUPERIO_I8042_CTR_SYS	 0x04u
#define SUPERIO_I8042_CTR_KBDDIS 0x10u
#define SUPERIO_I8042_CTR_AUXDIS 0x20u
#define SUPERIO_I8042_CTR_XLATE	 0x40u

/* Output queue depth: controller replies waiting to be read. */
#define SUPERIO_I8042_QUEUE 16u
/*
 * The keyboard's scan-code buffer, in set 2 bytes.  A real keyboard holds
 * 16; 32 keeps two whole Ctrl+Alt+Del sequences (11 bytes each) while the
 * guest has the keyboard interface inhibited.
 */
#define SUPERIO_I8042_KBD_QUEUE 32u
/* Longest keyboard reply to one command: ACK, 0xAB, 0x83 for identify. */
#define SUPERIO_I8042_KBD_REPLY 3u

typedef void (*superio_i8042_reset_fn)(void *ctx);

struct superio_i8042_config {
	struct superio_irq kbd_irq;	/* IRQ 1 */
	struct superio_irq aux_irq;	/* IRQ 12 */
	superio_i8042_reset_fn reset;	/* CPU reset requested; NULL: ignored */
	void *reset_ctx;
	/*
	 * A PS/2 keyboard on the first port.  Off (zero) by default, so a
	 * zero-initialised config keeps the controller-only behaviour of
	 * 0.1: a guest that probes finds no keyboard and binds no driver.
	 * A VMM that injects keys (Ctrl+Alt+Del) turns it on.
	 */
	bool kbd_present;
};

struct superio_i8042_metrics {
	uint64_t resets;	/* reset pulses requested */
	uint64_t commands;	/* controller commands */
	uint64_t unknown_commands;
	uint64_t device_timeouts; /* bytes sent to an absent device */
	uint64_t kbd_commands;	/* bytes the guest sent to the keyboard */
	uint64_t kbd_injected;	/* scan-code bytes accepted by kbd_push */
	uint64_t kbd_dropped;	/* scan-code bytes the guest will never see */
	uint64_t kbd_full;	/* kbd_push calls refused with -ENOSPC */
};

/* The keyboard behind port 1.  Fields are private: use the functions. */
struct superio_i8042_kbd {
	uint8_t fifo[SUPERIO_I8042_KBD_QUEUE];	/* scan codes, set 2 */
	uint8_t fhead, flen;
	uint8_t reply[SUPERIO_I8042_KBD_REPLY];	/* sent before any scan code */
	uint8_t rpos, rlen;	/* reply[rpos..rlen) still to send */
	uint8_t pending;	/* command waiting for its argument, 0 if none */
	uint8_t set;		/* scan code set (always 2) */
	uint8_t leds;		/* ED argument: scroll, num, caps */
	uint8_t typematic;	/* F3 argument */
	uint8_t scanning;	/* 0 after F5 until F4 or reset */
	uint8_t last;		/* last byte sent, for resend (0xFE) */
};

/* Caller-allocated device.  Fields are private: use the functions. */
struct superio_i8042 {
	struct superio_i8042_config cfg;
	struct superio_i8042_metrics metrics;
	uint8_t ram[32];	/* ram[0] is the command byte */
	uint8_t queue[SUPERIO_I8042_QUEUE];
	uint8_t qflags[SUPERIO_I8042_QUEUE]; /* status bits carried by each byte */
	uint8_t qhead, qlen;
	uint8_t status;		/* bits not derived from the queue */
	uint8_t data;		/* last byte delivered (re-read when empty) */
	uint8_t pending_cmd;	/* command waiting for its data byte, 0 if none */
	uint8_t outport;
	uint8_t kbd_line, aux_line;
	uint8_t xlate_break;	/* translating: 0xF0 seen, next byte gets bit 7 */
	struct superio_i8042_kbd kbd;
};

/*
 * Version 2 added the keyboard (kbd_* and xlate_break).  Restore still
 * takes version 1, whose kbd_* fields are ignored: the keyboard, if
 * configured, starts at its power-on state.
 */
#define SUPERIO_I8042_STATE_VERSION 2u
struct superio_i8042_state {
	uint32_t version;
	uint8_t ram[32];
	uint8_t queue[SUPERIO_I8042_QUEUE];
	uint8_t qflags[SUPERIO_I8042_QUEUE];
	uint8_t qlen;		/* queue[0..qlen) oldest first */
	uint8_t status, data, pending_cmd, outport;
	/* Version 2: must match the config's kbd_present. */
	uint8_t kbd_present;
	uint8_t xlate_break;
	uint8_t kbd_fifo[SUPERIO_I8042_KBD_QUEUE]; /* kbd_fifo[0..kbd_flen) oldest first */
	uint8_t kbd_flen;
	uint8_t kbd_reply[SUPERIO_I8042_KBD_REPLY]; /* kbd_reply[0..kbd_rlen) still to send */
	uint8_t kbd_rlen;
	uint8_t kbd_pending, kbd_set, kbd_leds, kbd_typematic, kbd_scanning, kbd_last;
};

/* -EINVAL for NULL arguments. */
SUPERIO_WUR int superio_i8042_init(struct superio_i8042 *k,
				   const struct superio_i8042_config *cfg);
void superio_i8042_reset(struct superio_i8042 *k);

/* Register access: offsets 0 (data) and 4 (status/command), size 1. */
SUPERIO_WUR int superio_i8042_read(struct superio_i8042 *k, uint64_t offset,
				   unsigned int size, uint32_t *value);
SUPERIO_WUR int superio_i8042_write(struct superio_i8042 *k, uint64_t offset,
				    unsigned int size, uint32_t value);

/* A20 gate as last set through the output port (1 = enabled). */
bool superio_i8042_a20(const struct superio_i8042 *k);
void superio_i8042_get_metrics(const struct superio_i8042 *k,
			       struct superio_i8042_metrics *out);

/*
 * Host key injection: queue set 2 scan codes (make codes, 0xE0 prefixes
 * and 0xF0 break prefixes as a keyboard sends them) in the keyboard's
 * buffer; they reach the guest in order, after any byte already queued.
 * All or nothing: 0 when all n are queued; -ENOSPC when fewer than n bytes
 * are free (nothing queued, counted in kbd_full); -EAGAIN when the guest
 * disabled scanning (0xF5), the bytes being dropped as a real keyboard
 * ignores keys then (counted in kbd_dropped); -ENODEV without kbd_present;
 * -EINVAL for NULL arguments.
 */
SUPERIO_WUR int superio_i8042_kbd_push(struct superio_i8042 *k, const uint8_t *set2,
				       size_t n);
/*
 * Press and release Left Ctrl, Left Alt and Delete (set 2: 14 11 E0 71,
 * then E0 F0 71, F0 11, F0 14), what Firecracker's SendCtrlAltDel sends.
 * Same returns as superio_i8042_kbd_push().
 */
SUPERIO_WUR int superio_i8042_send_ctrl_alt_del(struct superio_i8042 *k);

void superio_i8042_save(const struct superio_i8042 *k, struct superio_i8042_state *out);
SUPERIO_WUR int superio_i8042_restore(struct superio_i8042 *k,
				      const struct superio_i8042_state *st);

#endif
