/* SPDX-License-Identifier: MIT */
/*
 * Raw mode for the terminal on stdin, so that every key (Ctrl-C included)
 * reaches the guest's UART, restored on every way out of the process:
 * normal return, exit(), and fatal signals (the handlers restore the saved
 * termios, which is async-signal-safe, then re-raise).
 * When the fd is not a terminal nothing changes.
 */
#ifndef VMM_TERM_H
#define VMM_TERM_H

#include <stdbool.h>

#include <vmm/config.h>

/*
 * Saves fd's attributes and switches it to raw mode (no echo, no canonical
 * mode, no signals from keys, no output post-processing is left alone).
 * Returns 1 when raw mode was entered, 0 when fd is not a terminal,
 * -errno on failure.  Only one terminal is managed at a time (-EBUSY).
 */
VMM_WUR int vmm_term_raw_enter(int fd);

/* Restores the saved attributes; safe to call more than once and from a
 * signal handler. */
void vmm_term_restore(void);

bool vmm_term_is_raw(void);

#endif
