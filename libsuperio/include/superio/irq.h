/* SPDX-License-Identifier: MIT */
/*
 * Types shared by every libsuperio device: the injected interrupt line, the
 * injected clock, and the register-access convention.
 *
 * Register access convention (all devices):
 *   int superio_<dev>_read(dev, offset, size, uint32_t *value);
 *   int superio_<dev>_write(dev, offset, size, uint32_t value);
 * offset is relative to the device's base (PIO port or MMIO address), size
 * is the access width in bytes.  An access of a width or at an offset the
 * device does not decode returns -EINVAL; a read that fails still stores the
 * floating-bus value (all ones for the size) in *value, so a VMM can hand it
 * to the guest unchanged.  Guest-visible side effects only happen on success.
 *
 * Devices are not thread-safe: the caller serialises every call on one
 * device (one lock per device).  Callbacks run synchronously inside the call
 * that caused them and must not call back into the same device.
 */
#ifndef SUPERIO_IRQ_H
#define SUPERIO_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define SUPERIO_WUR __attribute__((warn_unused_result))

/*
 * An interrupt line.  fn is called with the new level each time the
 * device's output changes (never twice in a row with the same level), so
 * it suits both level-triggered controllers and edge-triggered ISA lines
 * (raise on true).  The one exception is a successful restore: it calls fn
 * once with the restored level whatever the line was, in both directions,
 * because the interrupt controller may be a new one or hold a level the
 * restored state no longer has.  fn == NULL leaves the line unconnected.
 */
typedef void (*superio_irq_fn)(void *ctx, bool level);
struct superio_irq {
	superio_irq_fn fn;
	void *ctx;
};

/*
 * A clock in nanoseconds.  RTCs count wall time from it, so it should be
 * CLOCK_REALTIME (nanoseconds since the Unix epoch); deadlines a device
 * exposes are on the same timeline (e.g. for a timerfd on CLOCK_REALTIME
 * with TFD_TIMER_ABSTIME).  The clock may jump either way; devices stay
 * consistent but do not replay events for skipped time beyond one of each.
 */
typedef uint64_t (*superio_clock_fn)(void *ctx);
struct superio_clock {
	superio_clock_fn fn;
	void *ctx;
};

/* "No deadline": returned by next-deadline queries when no timer is needed. */
#define SUPERIO_NO_DEADLINE UINT64_MAX

#endif
