/* SPDX-License-Identifier: MIT */
/*
 * A fault-injecting backend that wraps another one: it lets a number of
 * matching calls through, then fails (EIO, ENOSPC, ...) or shortens the
 * transfer of the next ones.  It exists to prove that the executor maps
 * every backend failure to a status byte and never touches sectors outside
 * the failing request; a VMM may also use it for failure drills.
 */
#ifndef VBLK_FAULT_H
#define VBLK_FAULT_H

#include <stdint.h>

#include <vblk/backend.h>

/* Operations a rule matches. */
#define VBLK_FAULT_READ		(1u << 0)
#define VBLK_FAULT_WRITE	(1u << 1)
#define VBLK_FAULT_FLUSH	(1u << 2)
#define VBLK_FAULT_DISCARD	(1u << 3)
#define VBLK_FAULT_WRITE_ZEROES	(1u << 4)

struct vblk_fault_rule {
	uint32_t ops;		/* VBLK_FAULT_* mask; 0 never fires */
	uint32_t skip;		/* matching calls let through first */
	uint32_t count;		/* calls that fault after that; 0 = all */
	/*
	 * -errno to return (-EIO, -ENOSPC, ...); 0 makes readv/writev short
	 * instead: at most short_bytes are transferred (0 = nothing).
	 */
	int error;
	uint32_t short_bytes;
};

/* Caller-allocated; no resources. */
struct vblk_fault {
	struct vblk_backend inner;
	struct vblk_fault_rule rule;
	uint32_t seen;		/* matching calls so far */
	uint32_t fired;		/* faults injected so far */
};

void vblk_fault_init(struct vblk_fault *f, const struct vblk_backend *inner,
		     const struct vblk_fault_rule *rule);
/* The wrapping backend (same size, read-only flag; no fd, so the
 * asynchronous engine always goes through the ops). */
void vblk_fault_backend(struct vblk_fault *f, struct vblk_backend *out);

#endif
