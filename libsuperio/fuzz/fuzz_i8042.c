// SPDX-License-Identifier: MIT
// libFuzzer target for the i8042 model: random port accesses of any width
// and offset, save/restore, and (with the keyboard attached on inputs of
// odd length, so the older seeds drive both configurations) host key
// injection.  After each step: the queues within bounds, IBF never set,
// each IRQ line matching OBF, the source of the head byte and the command
// byte's interrupt enables, no keyboard byte left behind an empty output
// buffer it could cross into, push results as documented, and a restored
// state saving back identically.
#include <errno.h>
#include <string.h>

#include <superio/i8042.h>

#include "fuzz_input.h"

static bool kbd_level, aux_level;
/* A restore is running: it drives each line once, whatever its level was. */
static bool kbd_redrive, aux_redrive;

static void kbd_fn(void *ctx, bool level)
{
	(void)ctx;
	if (kbd_redrive)
		kbd_redrive = false;
	else
		FUZZ_CHECK(level != kbd_level);
	kbd_level = level;
}

static void aux_fn(void *ctx, bool level)
{
	(void)ctx;
	if (aux_redrive)
		aux_redrive = false;
	else
		FUZZ_CHECK(level != aux_level);
	aux_level = level;
}

static void reset_fn(void *ctx)
{
	(void)ctx;
}

/* Injection: a run of bytes from the input (sometimes past the buffer), or Ctrl+Alt+Del. */
static void inject(struct superio_i8042 *k, struct fuzz_in *in, uint8_t op)
{
	uint8_t buf[SUPERIO_I8042_KBD_QUEUE + 8];
	size_t n = fuzz_u8(in) % sizeof(buf);
	int r;

	for (size_t i = 0; i < n; i++)
		buf[i] = fuzz_u8(in);
	r = (op & 1) ? superio_i8042_send_ctrl_alt_del(k) : superio_i8042_kbd_push(k, buf, n);
	if (!k->cfg.kbd_present)
		FUZZ_CHECK(r == -ENODEV);
	else
		FUZZ_CHECK(r == 0 || r == -EAGAIN || r == -ENOSPC);
}

/* A saved state with one byte overwritten: refused whole, or restored consistent. */
static void restore_corrupt(struct superio_i8042 *k, struct fuzz_in *in)
{
	struct superio_i8042_state st, before, after;
	bool kl = kbd_level, al = aux_level;
	size_t at;

	superio_i8042_save(k, &st);
	before = st;
	at = (fuzz_u8(in) | (size_t)fuzz_u8(in) << 8) % sizeof(st);
	((uint8_t *)&st)[at] = fuzz_u8(in);
	kbd_redrive = aux_redrive = true;
	if (superio_i8042_restore(k, &st) == 0) {
		FUZZ_CHECK(!kbd_redrive && !aux_redrive);
		return;
	}
	/* Refused: the lines were not touched. */
	FUZZ_CHECK(kbd_redrive && aux_redrive && kbd_level == kl && aux_level == al);
	kbd_redrive = aux_redrive = false;
	superio_i8042_save(k, &after);
	FUZZ_CHECK(memcmp(&before, &after, sizeof(before)) == 0);
}

static void save_restore(struct superio_i8042 *k)
{
	struct superio_i8042_state st, again;

	superio_i8042_save(k, &st);
	kbd_redrive = aux_redrive = true;
	FUZZ_CHECK(superio_i8042_restore(k, &st) == 0);
	FUZZ_CHECK(!kbd_redrive && !aux_redrive);
	superio_i8042_save(k, &again);
	FUZZ_CHECK(memcmp(&st, &again, sizeof(st)) == 0);
}

static void check_kbd(const struct superio_i8042 *k)
{
	const struct superio_i8042_kbd *kb = &k->kbd;
	bool held = kb->rpos < kb->rlen || kb->flen;

	FUZZ_CHECK(kb->flen <= SUPERIO_I8042_KBD_QUEUE && kb->fhead < SUPERIO_I8042_KBD_QUEUE);
	FUZZ_CHECK(kb->rpos <= kb->rlen && kb->rlen <= SUPERIO_I8042_KBD_REPLY);
	FUZZ_CHECK(kb->set == 2 && kb->scanning <= 1 && kb->leds <= 7 && kb->typematic < 0x80);
	FUZZ_CHECK(k->xlate_break <= 1);
	if (!k->cfg.kbd_present)
		FUZZ_CHECK(!held && !kb->pending);
	else if (!(k->ram[0] & SUPERIO_I8042_CTR_KBDDIS))
		FUZZ_CHECK(!held || k->qlen);
}

static void check(const struct superio_i8042 *k)
{
	struct superio_i8042 probe = *k;
	uint32_t st = 0;
	bool obf, aux;

	FUZZ_CHECK(k->qlen <= SUPERIO_I8042_QUEUE && k->qhead < SUPERIO_I8042_QUEUE);
	probe.cfg.kbd_irq.fn = NULL;
	probe.cfg.aux_irq.fn = NULL;
	FUZZ_CHECK(superio_i8042_read(&probe, 4, 1, &st) == 0);
	obf = st & SUPERIO_I8042_STR_OBF;
	aux = st & SUPERIO_I8042_STR_AUXDATA;
	FUZZ_CHECK(!(st & SUPERIO_I8042_STR_IBF));
	FUZZ_CHECK(obf == (k->qlen != 0));
	FUZZ_CHECK(kbd_level == (obf && !aux && (k->ram[0] & SUPERIO_I8042_CTR_KBDINT)));
	FUZZ_CHECK(aux_level == (obf && aux && (k->ram[0] & SUPERIO_I8042_CTR_AUXINT)));
	check_kbd(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct superio_i8042 k;
	struct superio_i8042_config cfg = {
		.kbd_irq = { kbd_fn, NULL }, .aux_irq = { aux_fn, NULL }, .reset = reset_fn,
		.kbd_present = size & 1,
	};

	kbd_level = aux_level = false;
	FUZZ_CHECK(superio_i8042_init(&k, &cfg) == 0);
	while (in.left) {
		uint8_t op = fuzz_u8(&in);
		uint64_t off = (op & 0x10) ? fuzz_u8(&in) & 7 : ((op & 0x20) ? 4 : 0);
		unsigned int width = fuzz_size(&in);
		uint32_t v = 0;

		if ((op & 0xc0) == 0xc0) { /* bits 6-7, unused by port accesses */
			if ((op & 3) == 2)
				restore_corrupt(&k, &in);
			else
				inject(&k, &in, op);
			check(&k);
			continue;
		}
		switch (op & 3) {
		case 0:
		case 1:
			(void)superio_i8042_write(&k, off, width, fuzz_u8(&in));
			break;
		case 2:
			(void)superio_i8042_read(&k, off, width, &v);
			break;
		default:
			save_restore(&k);
			break;
		}
		check(&k);
	}
	return 0;
}
