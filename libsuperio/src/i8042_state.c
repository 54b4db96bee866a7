// SPDX-License-Identifier: MIT
// Save/restore of the i8042's state to a plain struct; restore refuses any
// state the controller could not reach (queue bounds, unknown status bits,
// a pending command that takes no parameter, keyboard fields out of range
// or a keyboard the config does not have).  Version 1 states (before the
// keyboard) still restore, with the keyboard at power-on.
#include <errno.h>
#include <string.h>

#include "i8042_internal.h"

static void save_kbd(const struct superio_i8042 *k, struct superio_i8042_state *out)
{
	const struct superio_i8042_kbd *kb = &k->kbd;

	out->kbd_present = k->cfg.kbd_present;
	out->xlate_break = k->xlate_break;
	for (unsigned int i = 0; i < kb->flen; i++)
		out->kbd_fifo[i] = kb->fifo[(kb->fhead + i) % SUPERIO_I8042_KBD_QUEUE];
	out->kbd_flen = kb->flen;
	out->kbd_rlen = (uint8_t)(kb->rlen - kb->rpos);
	memcpy(out->kbd_reply, kb->reply + kb->rpos, out->kbd_rlen);
	out->kbd_pending = kb->pending;
	out->kbd_set = kb->set;
	out->kbd_leds = kb->leds;
	out->kbd_typematic = kb->typematic;
	out->kbd_scanning = kb->scanning;
	out->kbd_last = kb->last;
}

void superio_i8042_save(const struct superio_i8042 *k, struct superio_i8042_state *out)
{
	memset(out, 0, sizeof(*out));
	out->version = SUPERIO_I8042_STATE_VERSION;
	memcpy(out->ram, k->ram, sizeof(out->ram));
	for (unsigned int i = 0; i < k->qlen; i++) {
		unsigned int slot = (k->qhead + i) % SUPERIO_I8042_QUEUE;

		out->queue[i] = k->queue[slot];
		out->qflags[i] = k->qflags[slot];
	}
	out->qlen = k->qlen;
	out->status = k->status;
	out->data = k->data;
	out->pending_cmd = k->pending_cmd;
	out->outport = k->outport;
	save_kbd(k, out);
}

static bool controller_valid(const struct superio_i8042_state *st)
{
	if (st->qlen > SUPERIO_I8042_QUEUE)
		return false;
	for (unsigned int i = 0; i < st->qlen; i++)
		if (st->qflags[i] & ~QFLAGS)
			return false;
	if (st->status & ~SUPERIO_I8042_STR_CMD)
		return false;
	if (st->pending_cmd && !superio__i8042_takes_data(st->pending_cmd))
		return false;
	return (st->outport & OUTPORT_RESET) != 0;
}

/* Keyboard fields of a version 2 state, against the device's config. */
static bool kbd_valid(const struct superio_i8042 *k, const struct superio_i8042_state *st)
{
	if (st->kbd_present != (k->cfg.kbd_present ? 1 : 0) || st->xlate_break > 1)
		return false;
	/* Without a keyboard nothing can be waiting in it or for it. */
	if (!st->kbd_present && (st->kbd_flen || st->kbd_rlen || st->kbd_pending || st->xlate_break))
		return false;
	if (st->kbd_flen > SUPERIO_I8042_KBD_QUEUE || st->kbd_rlen > SUPERIO_I8042_KBD_REPLY)
		return false;
	if (!superio__kbd_pending_valid(st->kbd_pending) || st->kbd_set != 2)
		return false;
	return !(st->kbd_leds & ~7u) && !(st->kbd_typematic & 0x80u) && st->kbd_scanning <= 1;
}

static bool state_valid(const struct superio_i8042 *k, const struct superio_i8042_state *st)
{
	if (st->version == 1)
		return controller_valid(st);
	return st->version == SUPERIO_I8042_STATE_VERSION && controller_valid(st) &&
	       kbd_valid(k, st);
}

static void restore_kbd(struct superio_i8042 *k, const struct superio_i8042_state *st)
{
	struct superio_i8042_kbd *kb = &k->kbd;

	superio__kbd_power_on(kb);
	k->xlate_break = 0;
	if (st->version == 1)
		return;
	k->xlate_break = st->xlate_break;
	memcpy(kb->fifo, st->kbd_fifo, sizeof(kb->fifo));
	kb->flen = st->kbd_flen;
	memcpy(kb->reply, st->kbd_reply, sizeof(kb->reply));
	kb->rlen = st->kbd_rlen;
	kb->pending = st->kbd_pending;
	kb->set = st->kbd_set;
	kb->leds = st->kbd_leds;
	kb->typematic = st->kbd_typematic;
	kb->scanning = st->kbd_scanning;
	kb->last = st->kbd_last;
}

int superio_i8042_restore(struct superio_i8042 *k, const struct superio_i8042_state *st)
{
	if (!k || !st || !state_valid(k, st))
		return -EINVAL;
	memcpy(k->ram, st->ram, sizeof(k->ram));
	memcpy(k->queue, st->queue, sizeof(k->queue));
	memcpy(k->qflags, st->qflags, sizeof(k->qflags));
	k->qhead = 0;
	k->qlen = st->qlen;
	k->status = st->status;
	k->data = st->data;
	k->pending_cmd = st->pending_cmd;
	k->outport = st->outport;
	restore_kbd(k, st);
	/* Both ways: the interrupt controller may be new or hold a stale level. */
	superio__i8042_settle_redrive(k);
	return 0;
}
