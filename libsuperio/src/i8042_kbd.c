// SPDX-License-Identifier: MIT
// The PS/2 keyboard behind the i8042's first port (IBM PS/2 keyboard
// technical reference, "Commands from the system"; the probe Linux's atkbd
// driver runs: identify, disable, LEDs, typematic, enable).  It keeps two
// outputs: the reply to the last command, which goes first as a keyboard
// answers a command before resuming its scan codes, and a bounded buffer of
// set 2 scan codes injected by the host.  Only scan code set 2 is offered:
// the host injects set 2, so accepting set 1 or 3 would hand the guest codes
// it decodes as other keys; the refusal (0xFE) makes Linux keep set 2.
#include <errno.h>
#include <string.h>

#include "i8042_internal.h"

static void defaults(struct superio_i8042_kbd *kb)
{
	kb->set = 2;
	kb->typematic = KBD_TYPEMATIC_DEFAULT;
}

void superio__kbd_power_on(struct superio_i8042_kbd *kb)
{
	memset(kb, 0, sizeof(*kb));
	defaults(kb);
	kb->scanning = 1;
	kb->last = KBD_BAT_OK; /* what a keyboard sends after its power-on self-test */
}

/* A new reply replaces whatever of the previous one was not sent yet. */
static void reply(struct superio_i8042_kbd *kb, const uint8_t *bytes, uint8_t n)
{
	memcpy(kb->reply, bytes, n);
	kb->rpos = 0;
	kb->rlen = n;
}

static void reply1(struct superio_i8042_kbd *kb, uint8_t byte)
{
	reply(kb, &byte, 1);
}

/* F4, F5, F6 and FF empty the scan-code buffer: those keys are lost. */
static void clear_buffer(struct superio_i8042 *k)
{
	k->metrics.kbd_dropped += k->kbd.flen;
	k->kbd.fhead = 0;
	k->kbd.flen = 0;
}

bool superio__kbd_pending_valid(uint8_t cmd)
{
	return cmd == 0 || cmd == KBD_SET_LEDS || cmd == KBD_TYPEMATIC || cmd == KBD_SCAN_SET;
}

/*
 * The argument of ED, F3 or F0.  A command byte in its place abandons the
 * pending command and runs (false returned); other invalid values get 0xFE.
 */
static bool argument(struct superio_i8042_kbd *kb, uint8_t cmd, uint8_t v)
{
	if (v >= KBD_FIRST_CMD)
		return false;
	if (cmd == KBD_SET_LEDS && !(v & ~7u)) {
		kb->leds = v;
		reply1(kb, KBD_ACK);
	} else if (cmd == KBD_TYPEMATIC && !(v & 0x80u)) {
		kb->typematic = v;
		reply1(kb, KBD_ACK);
	} else if (cmd == KBD_SCAN_SET && v == 0) {
		const uint8_t r[2] = { KBD_ACK, kb->set };

		reply(kb, r, 2);
	} else if (cmd == KBD_SCAN_SET && v == 2) {
		kb->set = 2;
		reply1(kb, KBD_ACK);
	} else {
		reply1(kb, KBD_NAK);
	}
	return true;
}

static void command(struct superio_i8042 *k, uint8_t cmd)
{
	struct superio_i8042_kbd *kb = &k->kbd;
	static const uint8_t id[3] = { KBD_ACK, KBD_ID0, KBD_ID1 };
	static const uint8_t bat[2] = { KBD_ACK, KBD_BAT_OK };

	switch (cmd) {
	case KBD_SET_LEDS:
	case KBD_TYPEMATIC:
	case KBD_SCAN_SET:
		kb->pending = cmd;
		reply1(kb, KBD_ACK);
		break;
	case KBD_ECHO:
		reply1(kb, KBD_ECHO);
		break;
	case KBD_IDENTIFY:
		reply(kb, id, 3);
		break;
	case KBD_ENABLE:
		clear_buffer(k);
		kb->scanning = 1;
		reply1(kb, KBD_ACK);
		break;
	case KBD_DISABLE:
		clear_buffer(k);
		defaults(kb);
		kb->scanning = 0;
		reply1(kb, KBD_ACK);
		break;
	case KBD_DEFAULT:
		clear_buffer(k);
		defaults(kb);
		reply1(kb, KBD_ACK);
		break;
	case KBD_RESEND:
		reply1(kb, kb->last);
		break;
	case KBD_RESET:
		clear_buffer(k);
		defaults(kb);
		kb->leds = 0;
		kb->scanning = 1;
		reply(kb, bat, 2); /* the self-test takes no guest-visible time here */
		break;
	default:
		reply1(kb, KBD_NAK);
		break;
	}
}

void superio__kbd_receive(struct superio_i8042 *k, uint8_t byte)
{
	uint8_t pending = k->kbd.pending;

	k->metrics.kbd_commands++;
	k->kbd.pending = 0;
	if (pending && argument(&k->kbd, pending, byte))
		return;
	command(k, byte);
}

bool superio__kbd_next(struct superio_i8042_kbd *kb, uint8_t *byte)
{
	if (kb->rpos < kb->rlen) {
		*byte = kb->reply[kb->rpos++];
	} else if (kb->flen) {
		*byte = kb->fifo[kb->fhead];
		kb->fhead = (uint8_t)((kb->fhead + 1u) % SUPERIO_I8042_KBD_QUEUE);
		kb->flen--;
	} else {
		return false;
	}
	kb->last = *byte;
	return true;
}

int superio_i8042_kbd_push(struct superio_i8042 *k, const uint8_t *set2, size_t n)
{
	struct superio_i8042_kbd *kb;

	if (!k || (!set2 && n))
		return -EINVAL;
	if (!k->cfg.kbd_present)
		return -ENODEV;
	if (!n)
		return 0;
	kb = &k->kbd;
	if (!kb->scanning) {
		k->metrics.kbd_dropped += n;
		return -EAGAIN;
	}
	if (n > SUPERIO_I8042_KBD_QUEUE - kb->flen) {
		k->metrics.kbd_full++;
		return -ENOSPC;
	}
	for (size_t i = 0; i < n; i++) {
		kb->fifo[(kb->fhead + kb->flen) % SUPERIO_I8042_KBD_QUEUE] = set2[i];
		kb->flen++;
	}
	k->metrics.kbd_injected += n;
	superio__i8042_settle(k);
	return 0;
}

int superio_i8042_send_ctrl_alt_del(struct superio_i8042 *k)
{
	/* Set 2: Left Ctrl 14, Left Alt 11, Delete E0 71; breaks add F0 after any E0. */
	static const uint8_t seq[] = {
		0x14, 0x11, 0xe0, 0x71,
		0xe0, KBD_BREAK, 0x71, KBD_BREAK, 0x11, KBD_BREAK, 0x14,
	};

	return superio_i8042_kbd_push(k, seq, sizeof(seq));
}
