/* SPDX-License-Identifier: MIT */
/*
 * The injected interrupt line and clock shared by the libsuperio fuzz
 * targets.  Each target is its own program, so this state is per target.
 * The line callback checks the model's contract that it reports level
 * changes only; the clock is whatever the target last set in fuzz_now_ns.
 */
#ifndef SUPERIO_FUZZ_RIG_H
#define SUPERIO_FUZZ_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz_input.h"

static bool line_level;
static uint64_t now_ns;

static inline void line_fn(void *ctx, bool level)
{
	(void)ctx;
	FUZZ_CHECK(level != line_level); /* the model only reports changes */
	line_level = level;
}

static inline uint64_t clock_fn(void *ctx)
{
	(void)ctx;
	return now_ns;
}

#endif
