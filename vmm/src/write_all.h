/* SPDX-License-Identifier: MIT */
/*
 * Blocking output for the guest console (docs/cvmm.md, Description): all
 * of a buffer goes to a file descriptor even when someone else opened it
 * O_NONBLOCK (a shared terminal, QEMU's stdio), by waiting for POLLOUT on
 * EAGAIN (poll(2)), so a slow reader stalls the guest instead of losing its
 * output.
 */
#ifndef VMM_WRITE_ALL_H
#define VMM_WRITE_ALL_H

#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Writes len bytes of buf to fd.  Returns len; or, when *stop becomes true
 * while waiting or a write fails, the bytes written so far if any, else
 * -EAGAIN (stopped) or -errno (failed, e.g. -EPIPE).
 */
ssize_t vmm__write_all(int fd, const void *buf, size_t len, const atomic_bool *stop);

#endif
