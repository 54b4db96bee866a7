// SPDX-License-Identifier: MIT
// libFuzzer target for the MC146818A model: random index/data accesses of
// any width, clock jumps both ways, timer expiries and save/restore.  After
// each step: the index within the RAM, the line equal to the enabled flags
// of register C, and once updated no enabled event left overdue.
#include <superio/cmos.h>

#include "fuzz_input.h"
#include "fuzz_rig.h"

static void check(const struct superio_cmos *c)
{
	bool want = (c->ram[SUPERIO_CMOS_REG_C] & c->ram[SUPERIO_CMOS_REG_B] & 0x70) != 0;

	FUZZ_CHECK(c->index < SUPERIO_CMOS_RAM_SIZE && c->nmi_disabled <= 1);
	FUZZ_CHECK(!(c->ram[SUPERIO_CMOS_REG_A] & SUPERIO_CMOS_A_UIP));
	FUZZ_CHECK(line_level == want && c->line == line_level);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct superio_cmos c;
	struct superio_cmos_config cfg = { .irq = { line_fn, NULL }, .clock = { clock_fn, NULL } };

	line_level = false;
	now_ns = 1700000000ull * 1000000000ull;
	FUZZ_CHECK(superio_cmos_init(&c, &cfg) == 0);
	while (in.left) {
		uint8_t op = fuzz_u8(&in);
		unsigned int width = fuzz_size(&in);
		uint32_t v = 0;

		switch (op & 7) {
		case 0: /* select a register, NMI bit included */
			(void)superio_cmos_write(&c, 0, 1, fuzz_u8(&in));
			break;
		case 1:
			(void)superio_cmos_write(&c, (op >> 3) & 3, width, fuzz_u8(&in));
			break;
		case 2:
			(void)superio_cmos_read(&c, (op >> 3) & 3, width, &v);
			break;
		case 3:
			now_ns = fuzz_clock_step(&in, now_ns);
			break;
		case 4: {
			uint64_t d;

			superio_cmos_update(&c);
			d = superio_cmos_next_deadline(&c);
			FUZZ_CHECK(d == SUPERIO_NO_DEADLINE || d > now_ns);
			break;
		}
		case 5: {
			uint64_t d = superio_cmos_next_deadline(&c);

			if (d != SUPERIO_NO_DEADLINE && d > now_ns && d - now_ns < (1ull << 50)) {
				now_ns = d;
				superio_cmos_update(&c);
				FUZZ_CHECK(line_level);
			}
			break;
		}
		default: {
			struct superio_cmos_state st;

			/* Whatever save produces, restore takes, and it re-drives the line. */
			superio_cmos_save(&c, &st);
			fuzz_restore_begin();
			FUZZ_CHECK(superio_cmos_restore(&c, &st) == 0);
			fuzz_restore_end();
			break;
		}
		}
		check(&c);
	}
	return 0;
}
