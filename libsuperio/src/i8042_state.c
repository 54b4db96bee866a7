// SPDX-License-Identifier: MIT
// Save/restore of the i8042's state to a plain struct; restore refuses any
// state the controller could not reach (queue bounds, unknown status bits,
// a pending command that takes no parameter).
#include <errno.h>
#include <string.h>

#include "i8042_internal.h"

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
}

static bool state_valid(const struct superio_i8042_state *st)
{
	if (st->version != SUPERIO_I8042_STATE_VERSION || st->qlen > SUPERIO_I8042_QUEUE)
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

int superio_i8042_restore(struct superio_i8042 *k, const struct superio_i8042_state *st)
{
	if (!k || !st || !state_valid(st))
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
	k->kbd_line = 0;
	k->aux_line = 0;
	superio__i8042_update_irq(k);
	return 0;
}
