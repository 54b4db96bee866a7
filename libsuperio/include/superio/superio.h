/* SPDX-License-Identifier: MIT */
/* libsuperio: legacy platform devices for virtual machine monitors.  Umbrella header. */
#ifndef SUPERIO_SUPERIO_H
#define SUPERIO_SUPERIO_H

#include <superio/version.h>
#include <superio/irq.h>
#include <superio/serial.h>
#include <superio/i8042.h>
#include <superio/pl031.h>
#include <superio/cmos.h>

#endif
