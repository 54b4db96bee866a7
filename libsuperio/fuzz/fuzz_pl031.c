// SPDX-License-Identifier: MIT
// libFuzzer target for the PL031 model: random MMIO accesses, clock jumps
// both ways, timer expiries and save/restore.  After each step: one-bit
// registers stay one bit, the line equals RIS & IMSC, and once updated no
// match is left overdue (the next deadline lies in the future).
#include <superio/pl031.h>

#include "fuzz_input.h"
#include "fuzz_rig.h"

static void check(const struct superio_pl031 *r)
{
	FUZZ_CHECK(r->ris <= 1 && r->imsc <= 1 && r->cr <= 1);
	FUZZ_CHECK(line_level == (r->ris && r->imsc) && r->line == line_level);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct superio_pl031 r;
	struct superio_pl031_config cfg = { .irq = { line_fn, NULL }, .clock = { clock_fn, NULL } };

	line_level = false;
	now_ns = 1700000000ull * 1000000000ull;
	FUZZ_CHECK(superio_pl031_init(&r, &cfg) == 0);
	while (in.left) {
		uint8_t op = fuzz_u8(&in);
		uint64_t off = (op & 0x40) ? 0xfe0u + (fuzz_u8(&in) & 0x1f) : fuzz_u8(&in) & 0x3f;
		unsigned int width = fuzz_size(&in);
		uint32_t v = 0;

		switch (op & 7) {
		case 0:
		case 1:
			(void)superio_pl031_write(&r, off, width, fuzz_u32(&in));
			break;
		case 2:
			(void)superio_pl031_read(&r, off, width, &v);
			break;
		case 3:
		case 4:
			now_ns = fuzz_clock_step(&in, now_ns);
			break;
		case 5: {
			uint64_t d;

			superio_pl031_update(&r);
			d = superio_pl031_next_deadline(&r);
			FUZZ_CHECK(d == SUPERIO_NO_DEADLINE || d > now_ns);
			break;
		}
		case 6: {
			uint64_t d = superio_pl031_next_deadline(&r);

			/* The VMM's timer fires at the deadline. */
			if (d != SUPERIO_NO_DEADLINE && d - now_ns < (1ull << 50)) {
				now_ns = d;
				superio_pl031_update(&r);
				FUZZ_CHECK(r.ris);
			}
			break;
		}
		default: {
			struct superio_pl031_state st;

			superio_pl031_save(&r, &st);
			fuzz_restore_begin();
			FUZZ_CHECK(superio_pl031_restore(&r, &st) == 0);
			fuzz_restore_end();
			break;
		}
		}
		check(&r);
	}
	return 0;
}
