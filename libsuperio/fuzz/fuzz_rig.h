/* SPDX-License-Identifier: MIT */
/*
 * The injected interrupt line and clock shared by the libsuperio fuzz
 * targets.  Each target is its own program, so this state is per target.
 * The line callback checks the model's contract that it reports level
 * changes only, except for the one call restore makes to re-drive the line
 * (fuzz_restore_begin()/fuzz_restore_end()); the clock is whatever the
 * target last set in now_ns.
 */
#ifndef SUPERIO_FUZZ_RIG_H
#define SUPERIO_FUZZ_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz_input.h"

static bool line_level;
static bool line_redrive;	/* a restore is running: one call, any level */
static uint64_t now_ns;

static inline void line_fn(void *ctx, bool level)
{
	(void)ctx;
	if (line_redrive)
		line_redrive = false;
	else
		FUZZ_CHECK(level != line_level); /* the model only reports changes */
	line_level = level;
}

/* Around a restore that succeeds: it drives the line once, whatever its level was. */
static inline void fuzz_restore_begin(void)
{
	line_redrive = true;
}

static inline void fuzz_restore_end(void)
{
	FUZZ_CHECK(!line_redrive);
}

static inline uint64_t clock_fn(void *ctx)
{
	(void)ctx;
	return now_ns;
}

#endif
