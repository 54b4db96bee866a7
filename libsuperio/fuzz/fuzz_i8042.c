// SPDX-License-Identifier: MIT
// libFuzzer target for the i8042 model: random port accesses of any width
// and offset, and save/restore.  After each step: the reply queue within
// bounds, IBF never set, each IRQ line matching OBF, the source of the
// head byte and the command byte's interrupt enables.
#include <superio/i8042.h>

#include "fuzz_input.h"

static bool kbd_level, aux_level;

static void kbd_fn(void *ctx, bool level)
{
	(void)ctx;
	FUZZ_CHECK(level != kbd_level);
	kbd_level = level;
}

static void aux_fn(void *ctx, bool level)
{
	(void)ctx;
	FUZZ_CHECK(level != aux_level);
	aux_level = level;
}

static void reset_fn(void *ctx)
{
	(void)ctx;
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct superio_i8042 k;
	struct superio_i8042_config cfg = {
		.kbd_irq = { kbd_fn, NULL }, .aux_irq = { aux_fn, NULL }, .reset = reset_fn,
	};

	kbd_level = aux_level = false;
	FUZZ_CHECK(superio_i8042_init(&k, &cfg) == 0);
	while (in.left) {
		uint8_t op = fuzz_u8(&in);
		uint64_t off = (op & 0x10) ? fuzz_u8(&in) & 7 : ((op & 0x20) ? 4 : 0);
		unsigned int width = fuzz_size(&in);
		uint32_t v = 0;

		switch (op & 3) {
		case 0:
		case 1:
			(void)superio_i8042_write(&k, off, width, fuzz_u8(&in));
			break;
		case 2:
			(void)superio_i8042_read(&k, off, width, &v);
			break;
		default: {
			struct superio_i8042_state st;

			superio_i8042_save(&k, &st);
			kbd_level = aux_level = false;
			FUZZ_CHECK(superio_i8042_restore(&k, &st) == 0);
			break;
		}
		}
		check(&k);
	}
	return 0;
}
