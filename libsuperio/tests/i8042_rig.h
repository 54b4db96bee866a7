/* SPDX-License-Identifier: MIT */
/*
 * The i8042 under test and the guest's two port accesses, shared by the
 * controller tests and the keyboard tests: one byte in or out of port 0x60
 * (DATA) or 0x64 (CMD), each access required to succeed.
 */
#ifndef SUPERIO_TEST_I8042_RIG_H
#define SUPERIO_TEST_I8042_RIG_H

#include "harness.h"

enum { DATA = 0, CMD = 4 };

static struct superio_i8042 kbc;

static inline uint8_t in(unsigned int port)
{
	uint32_t v = 0;

	cr_assert_eq(superio_i8042_read(&kbc, port, 1, &v), 0);
	return (uint8_t)v;
}

static inline void out(unsigned int port, uint8_t v)
{
	cr_assert_eq(superio_i8042_write(&kbc, port, 1, v), 0);
}

#endif
