/* SPDX-License-Identifier: MIT */
/* i8042 controller commands (IBM PS/2 technical reference) and shared helpers. */
#ifndef SUPERIO_I8042_INTERNAL_H
#define SUPERIO_I8042_INTERNAL_H

#include <superio/i8042.h>

#define CMD_READ_RAM	0x20u	/* ..0x3f */
#define CMD_WRITE_RAM	0x60u	/* ..0x7f */
#define CMD_PASSWD_TEST	0xa4u
#define CMD_AUX_DISABLE	0xa7u
#define CMD_AUX_ENABLE	0xa8u
#define CMD_AUX_TEST	0xa9u
#define CMD_SELF_TEST	0xaau
#define CMD_KBD_TEST	0xabu
#define CMD_KBD_DISABLE	0xadu
#define CMD_KBD_ENABLE	0xaeu
#define CMD_READ_INPUT	0xc0u
#define CMD_READ_OUTPUT	0xd0u
#define CMD_WRITE_OUTPUT 0xd1u
#define CMD_WRITE_KBD_OBUF 0xd2u
#define CMD_WRITE_AUX_OBUF 0xd3u
#define CMD_WRITE_AUX	0xd4u
#define CMD_READ_TEST	0xe0u
#define CMD_PULSE	0xf0u	/* ..0xff: low nibble = lines to pulse low */

#define SELF_TEST_OK	0x55u
#define IFACE_TEST_OK	0x00u
#define NO_PASSWORD	0xf1u
#define DEVICE_NAK	0xfeu	/* what the controller returns for an absent device */
#define INPUT_PORT	0x80u	/* keyboard not inhibited */
#define OUTPORT_RESET	0x01u	/* active low CPU reset line */
#define OUTPORT_A20	0x02u
#define OUTPORT_POWER_ON (OUTPORT_RESET | OUTPORT_A20)
#define CTR_POWER_ON	(SUPERIO_I8042_CTR_KBDINT | SUPERIO_I8042_CTR_SYS | \
			 SUPERIO_I8042_CTR_AUXDIS | SUPERIO_I8042_CTR_XLATE)
/* Status bits carried per queued byte. */
#define QFLAGS (SUPERIO_I8042_STR_AUXDATA | SUPERIO_I8042_STR_TIMEOUT)

/* PS/2 keyboard commands and replies (IBM PS/2 keyboard technical reference). */
#define KBD_SET_LEDS	0xedu
#define KBD_ECHO	0xeeu
#define KBD_SCAN_SET	0xf0u
#define KBD_IDENTIFY	0xf2u
#define KBD_TYPEMATIC	0xf3u
#define KBD_ENABLE	0xf4u
#define KBD_DISABLE	0xf5u
#define KBD_DEFAULT	0xf6u
#define KBD_RESEND	0xfeu
#define KBD_RESET	0xffu
#define KBD_FIRST_CMD	KBD_SET_LEDS	/* every byte from here on is a command */
#define KBD_ACK		0xfau
#define KBD_NAK		0xfeu	/* "resend": the byte was not understood */
#define KBD_BAT_OK	0xaau
#define KBD_ID0		0xabu	/* MF2 keyboard */
#define KBD_ID1		0x83u
#define KBD_BREAK	0xf0u	/* set 2 break prefix */
#define KBD_TYPEMATIC_DEFAULT 0x2bu /* 10.9 characters/s after 500 ms */

/* True for commands whose parameter is the next data-port write. */
bool superio__i8042_takes_data(uint8_t cmd);
void superio__i8042_update_irq(struct superio_i8042 *k);
/* Moves keyboard bytes into an empty output buffer, then recomputes the lines. */
void superio__i8042_settle(struct superio_i8042 *k);
/* The same, driving both lines to their levels even when unchanged (restore). */
void superio__i8042_settle_redrive(struct superio_i8042 *k);

/* The keyboard (i8042_kbd.c). */
void superio__kbd_power_on(struct superio_i8042_kbd *kb);
void superio__kbd_receive(struct superio_i8042 *k, uint8_t byte);
bool superio__kbd_next(struct superio_i8042_kbd *kb, uint8_t *byte);
bool superio__kbd_pending_valid(uint8_t cmd);

/*
 * Translation (i8042_xlate.c): false when the byte was a break prefix and
 * produced nothing; *brk carries that prefix to the next byte.
 */
bool superio__i8042_xlate(uint8_t *brk, uint8_t in, uint8_t *out);

#endif
