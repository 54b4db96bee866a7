// SPDX-License-Identifier: MIT
// The i8042 keyboard controller (IBM PS/2 technical reference, keyboard/
// auxiliary device controller chapter), with an optional keyboard and no
// mouse.  It answers what Linux's i8042 driver probes (self-test, command
// byte, interface tests, port enable/disable, AUX loop) and turns reset
// pulses into the injected reset callback.  Replies queue in a small FIFO;
// each carries the status bits (AUXDATA, TIMEOUT) the guest must see while
// it is at the head.  Keyboard bytes enter that FIFO only when it is empty
// and the keyboard interface is not inhibited (CTR KBDDIS), one at a time,
// as they cross the one-byte output buffer of a real 8042: a key already in
// the buffer keeps its place before later replies, the controller's own
// replies never wait behind keys the keyboard still holds, and translation
// (XLATE) follows the command byte as it is when the byte crosses.
#include <errno.h>
#include <string.h>

#include "i8042_internal.h"

static uint8_t ctr(const struct superio_i8042 *k)
{
	return k->ram[0];
}

static void enqueue(struct superio_i8042 *k, uint8_t byte, uint8_t flags)
{
	unsigned int slot;

	if (k->qlen >= SUPERIO_I8042_QUEUE)
		return; /* the guest stopped reading replies; newer ones are lost, as with a 1-byte buffer */
	slot = (k->qhead + k->qlen) % SUPERIO_I8042_QUEUE;
	k->queue[slot] = byte;
	k->qflags[slot] = flags;
	k->qlen++;
}

static void drive(const struct superio_irq *irq, uint8_t *line, uint8_t level)
{
	*line = level;
	if (irq->fn)
		irq->fn(irq->ctx, level != 0);
}

static void set_lines(struct superio_i8042 *k, uint8_t kbd_level, uint8_t aux_level)
{
	if (kbd_level != k->kbd_line)
		drive(&k->cfg.kbd_irq, &k->kbd_line, kbd_level);
	if (aux_level != k->aux_line)
		drive(&k->cfg.aux_irq, &k->aux_line, aux_level);
}

/* IRQ 1 and IRQ 12 levels for the byte in the output buffer. */
static void levels(const struct superio_i8042 *k, uint8_t *kbd_level, uint8_t *aux_level)
{
	bool aux = k->qlen && (k->qflags[k->qhead] & SUPERIO_I8042_STR_AUXDATA);

	*kbd_level = k->qlen && !aux && (ctr(k) & SUPERIO_I8042_CTR_KBDINT);
	*aux_level = aux && (ctr(k) & SUPERIO_I8042_CTR_AUXINT);
}

void superio__i8042_update_irq(struct superio_i8042 *k)
{
	uint8_t kbd_level, aux_level;

	levels(k, &kbd_level, &aux_level);
	set_lines(k, kbd_level, aux_level);
}

/* The keyboard sends while the output buffer is free and its clock is not inhibited. */
static void pump(struct superio_i8042 *k)
{
	uint8_t b;

	if (!k->cfg.kbd_present)
		return;
	while (!k->qlen && !(ctr(k) & SUPERIO_I8042_CTR_KBDDIS) && superio__kbd_next(&k->kbd, &b)) {
		if (!(ctr(k) & SUPERIO_I8042_CTR_XLATE))
			k->xlate_break = 0;
		else if (!superio__i8042_xlate(&k->xlate_break, b, &b))
			continue;
		enqueue(k, b, 0);
	}
}

void superio__i8042_settle(struct superio_i8042 *k)
{
	pump(k);
	superio__i8042_update_irq(k);
}

void superio__i8042_settle_redrive(struct superio_i8042 *k)
{
	uint8_t kbd_level, aux_level;

	pump(k);
	levels(k, &kbd_level, &aux_level);
	drive(&k->cfg.kbd_irq, &k->kbd_line, kbd_level);
	drive(&k->cfg.aux_irq, &k->aux_line, aux_level);
}

static void request_reset(struct superio_i8042 *k)
{
	k->metrics.resets++;
	if (k->cfg.reset)
		k->cfg.reset(k->cfg.reset_ctx);
}

bool superio__i8042_takes_data(uint8_t cmd)
{
	return (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 32u) || cmd == CMD_WRITE_OUTPUT ||
	       cmd == CMD_WRITE_KBD_OBUF || cmd == CMD_WRITE_AUX_OBUF || cmd == CMD_WRITE_AUX;
}

/* Output port bit 0 is the CPU reset line, active low. */
static void write_outport(struct superio_i8042 *k, uint8_t v)
{
	k->outport = (uint8_t)(v | OUTPORT_RESET);
	if (!(v & OUTPORT_RESET))
		request_reset(k);
}

static void command_data(struct superio_i8042 *k, uint8_t cmd, uint8_t v)
{
	if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 32u)
		k->ram[cmd - CMD_WRITE_RAM] = v;
	else if (cmd == CMD_WRITE_OUTPUT)
		write_outport(k, v);
	else if (cmd == CMD_WRITE_KBD_OBUF)
		enqueue(k, v, 0);
	else if (cmd == CMD_WRITE_AUX_OBUF)
		enqueue(k, v, SUPERIO_I8042_STR_AUXDATA);
	else { /* CMD_WRITE_AUX: no mouse answers */
		k->metrics.device_timeouts++;
		enqueue(k, DEVICE_NAK, SUPERIO_I8042_STR_AUXDATA | SUPERIO_I8042_STR_TIMEOUT);
	}
}

static void write_data(struct superio_i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending_cmd;

	k->status &= (uint8_t)~SUPERIO_I8042_STR_CMD;
	k->pending_cmd = 0;
	if (cmd) {
		command_data(k, cmd, v);
		return;
	}
	if (k->cfg.kbd_present) {
		superio__kbd_receive(k, v);
		return;
	}
	/* A byte for the keyboard, which is not there: time-out, as on bare hardware. */
	k->metrics.device_timeouts++;
	enqueue(k, DEVICE_NAK, SUPERIO_I8042_STR_TIMEOUT);
}

/* Commands that only change the command byte or answer with one byte. */
static bool simple_command(struct superio_i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case CMD_PASSWD_TEST:
		enqueue(k, NO_PASSWORD, 0);
		return true;
	case CMD_AUX_DISABLE:
		k->ram[0] |= SUPERIO_I8042_CTR_AUXDIS;
		return true;
	case CMD_AUX_ENABLE:
		k->ram[0] &= (uint8_t)~SUPERIO_I8042_CTR_AUXDIS;
		return true;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		/* Nothing plugged in leaves clock and data lines idle-high: the test passes. */
		enqueue(k, IFACE_TEST_OK, 0);
		return true;
	case CMD_SELF_TEST:
		k->ram[0] |= SUPERIO_I8042_CTR_SYS;
		enqueue(k, SELF_TEST_OK, 0);
		return true;
	case CMD_KBD_DISABLE:
		k->ram[0] |= SUPERIO_I8042_CTR_KBDDIS;
		return true;
	case CMD_KBD_ENABLE:
		k->ram[0] &= (uint8_t)~SUPERIO_I8042_CTR_KBDDIS;
		return true;
	case CMD_READ_INPUT:
		enqueue(k, INPUT_PORT, 0);
		return true;
	case CMD_READ_OUTPUT:
		enqueue(k, k->outport, 0);
		return true;
	case CMD_READ_TEST:
		enqueue(k, 0, 0);
		return true;
	default:
		return false;
	}
}

static void write_command(struct superio_i8042 *k, uint8_t cmd)
{
	k->status |= SUPERIO_I8042_STR_CMD;
	k->pending_cmd = 0;
	k->metrics.commands++;
	if (cmd >= CMD_READ_RAM && cmd < CMD_READ_RAM + 32u)
		enqueue(k, k->ram[cmd - CMD_READ_RAM], 0);
	else if (superio__i8042_takes_data(cmd))
		k->pending_cmd = cmd;
	else if (cmd >= CMD_PULSE) {
		/* 0xfe pulses the reset line (bit 0 of the nibble, active low); 0xff pulses nothing. */
		if (!(cmd & OUTPORT_RESET))
			request_reset(k);
	} else if (!simple_command(k, cmd))
		k->metrics.unknown_commands++;
}

/* Status: IBF never shows, since every write is handled at once. */
static uint8_t read_status(const struct superio_i8042 *k)
{
	uint8_t st = (uint8_t)(k->status | SUPERIO_I8042_STR_UNLOCK);

	if (ctr(k) & SUPERIO_I8042_CTR_SYS)
		st |= SUPERIO_I8042_STR_SYS;
	if (k->qlen)
		st |= (uint8_t)(SUPERIO_I8042_STR_OBF | k->qflags[k->qhead]);
	return st;
}

/* An empty output buffer re-reads the last byte, as the latch on hardware does. */
static uint8_t read_data(struct superio_i8042 *k)
{
	if (k->qlen) {
		k->data = k->queue[k->qhead];
		k->qhead = (uint8_t)((k->qhead + 1u) % SUPERIO_I8042_QUEUE);
		k->qlen--;
	}
	return k->data;
}

int superio_i8042_read(struct superio_i8042 *k, uint64_t offset, unsigned int size,
		       uint32_t *value)
{
	bool had_data;

	if (!value)
		return -EINVAL;
	*value = size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1u;
	if (!k || size != 1 || (offset != SUPERIO_I8042_DATA && offset != SUPERIO_I8042_COMMAND))
		return -EINVAL;
	if (offset == SUPERIO_I8042_COMMAND) {
		*value = read_status(k);
		return 0;
	}
	had_data = k->qlen != 0;
	*value = read_data(k);
	/*
	 * That byte's OBF is over: drop the line before the next byte raises
	 * it, so an edge-triggered IRQ 1 (ISA PIC, IOAPIC) sees every byte, as
	 * the 8042's one-byte buffer gives on hardware.
	 */
	if (had_data)
		set_lines(k, 0, 0);
	superio__i8042_settle(k);
	return 0;
}

int superio_i8042_write(struct superio_i8042 *k, uint64_t offset, unsigned int size,
			uint32_t value)
{
	if (!k || size != 1 || (offset != SUPERIO_I8042_DATA && offset != SUPERIO_I8042_COMMAND))
		return -EINVAL;
	if (offset == SUPERIO_I8042_DATA)
		write_data(k, (uint8_t)value);
	else
		write_command(k, (uint8_t)value);
	superio__i8042_settle(k);
	return 0;
}

static void power_on(struct superio_i8042 *k)
{
	memset(k->ram, 0, sizeof(k->ram));
	k->ram[0] = CTR_POWER_ON;
	k->qhead = 0;
	k->qlen = 0;
	k->status = 0;
	k->data = 0;
	k->pending_cmd = 0;
	k->outport = OUTPORT_POWER_ON;
	k->xlate_break = 0;
	superio__kbd_power_on(&k->kbd);
	superio__i8042_update_irq(k);
}

int superio_i8042_init(struct superio_i8042 *k, const struct superio_i8042_config *cfg)
{
	if (!k || !cfg)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	k->cfg = *cfg;
	power_on(k);
	return 0;
}

void superio_i8042_reset(struct superio_i8042 *k)
{
	power_on(k);
}

bool superio_i8042_a20(const struct superio_i8042 *k)
{
	return (k->outport & OUTPORT_A20) != 0;
}

void superio_i8042_get_metrics(const struct superio_i8042 *k,
			       struct superio_i8042_metrics *out)
{
	*out = k->metrics;
}
