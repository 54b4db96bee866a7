/* SPDX-License-Identifier: MIT */
/*
 * An Intel 8042 keyboard controller (IBM PC/AT and PS/2 technical
 * references) with no keyboard and no mouse attached: data port 0x60
 * (offset 0) and status/command port 0x64 (offset 4 of a 5-port window).
 *
 * Modelled: status register, command byte (0x20/0x60 and the controller
 * RAM 0x21..0x3f/0x61..0x7f), self-test 0xAA -> 0x55, interface tests
 * 0xAB/0xA9 -> 0x00, port disable/enable 0xAD/0xAE/0xA7/0xA8, output-port
 * read/write 0xD0/0xD1 (A20, reset line), echo into the output buffer
 * 0xD2/0xD3, password test 0xA4, input port 0xC0, and the CPU reset pulse
 * 0xFE (any 0xF0..0xFF pulse with bit 0 clear, or an output-port write with
 * bit 0 clear) which calls the injected reset callback.
 * Bytes sent to the absent devices are answered as a real controller does
 * when nothing is plugged in: 0xFE with the TIMEOUT status bit.
 * IRQ 1 (keyboard) and IRQ 12 (aux) follow OBF and the command byte.
 */
#ifndef SUPERIO_I8042_H
#define SUPERIO_I8042_H

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

typedef void (*superio_i8042_reset_fn)(void *ctx);

struct superio_i8042_config {
	struct superio_irq kbd_irq;	/* IRQ 1 */
	struct superio_irq aux_irq;	/* IRQ 12 */
	superio_i8042_reset_fn reset;	/* CPU reset requested; NULL: ignored */
	void *reset_ctx;
};

struct superio_i8042_metrics {
	uint64_t resets;	/* reset pulses requested */
	uint64_t commands;	/* controller commands */
	uint64_t unknown_commands;
	uint64_t device_timeouts; /* bytes sent to an absent device */
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
};

#define SUPERIO_I8042_STATE_VERSION 1u
struct superio_i8042_state {
	uint32_t version;
	uint8_t ram[32];
	uint8_t queue[SUPERIO_I8042_QUEUE];
	uint8_t qflags[SUPERIO_I8042_QUEUE];
	uint8_t qlen;		/* queue[0..qlen) oldest first */
	uint8_t status, data, pending_cmd, outport;
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

void superio_i8042_save(const struct superio_i8042 *k, struct superio_i8042_state *out);
SUPERIO_WUR int superio_i8042_restore(struct superio_i8042 *k,
				      const struct superio_i8042_state *st);

#endif
