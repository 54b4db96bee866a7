/* SPDX-License-Identifier: MIT */
/*
 * Thin eventfd(2) helpers (vmm-sys-util's EventFd): the 64-bit counter a
 * VMM uses for KVM irqfd/ioeventfd and for waking threads.  The helpers
 * return -errno, retry on EINTR, and always set close-on-exec.
 * Thread-safe: an eventfd may be written from any thread.
 */
#ifndef EVMGR_EVENTFD_H
#define EVMGR_EVENTFD_H

#include <stdint.h>

#ifndef EVMGR_WUR
#define EVMGR_WUR __attribute__((warn_unused_result))
#endif

/* Flags for evmgr_eventfd_new(). */
#define EVMGR_EFD_NONBLOCK  (1u << 0) /* read/write fail with -EAGAIN instead of blocking */
#define EVMGR_EFD_SEMAPHORE (1u << 1) /* each read returns 1 and decrements by 1 */

/*
 * Creates an eventfd with counter initval.  Returns the fd (>= 0) or
 * -EINVAL for unknown flags, -errno from eventfd().
 */
EVMGR_WUR int evmgr_eventfd_new(uint32_t initval, uint32_t flags);

/*
 * Adds value to the counter.  -EINVAL for 0xffffffffffffffff (not a valid
 * increment); -EAGAIN when a non-blocking counter would overflow;
 * -errno from write().
 */
EVMGR_WUR int evmgr_eventfd_write(int fd, uint64_t value);

/*
 * Reads and resets the counter (or takes 1 from it in semaphore mode) into
 * *value.  -EAGAIN when a non-blocking counter is 0; -errno from read().
 */
EVMGR_WUR int evmgr_eventfd_read(int fd, uint64_t *value);

/* Signals the fd once: evmgr_eventfd_write(fd, 1). */
EVMGR_WUR int evmgr_eventfd_signal(int fd);

/*
 * Resets the counter to 0 without blocking, storing what it held in *value
 * (0 when it was already 0; value may be NULL).  Semaphore-mode counters
 * are drained fully.  Assumes no other thread reads the fd meanwhile.
 * -errno from poll()/read().
 */
EVMGR_WUR int evmgr_eventfd_drain(int fd, uint64_t *value);

#endif
