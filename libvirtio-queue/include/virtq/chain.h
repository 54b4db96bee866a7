/* SPDX-License-Identifier: MIT */
/*
 * Walking one descriptor chain of a split virtqueue (virtio 1.2 §2.7.5,
 * §2.7.5.3 indirect descriptors).  A chain is popped by virtq_queue_pop()
 * and then walked descriptor by descriptor; every descriptor is read from
 * guest memory through <vmmem/access.h> and checked before it is returned:
 *
 *  - `next` must be below the table size (queue size, or indirect entries);
 *  - the walk stops after as many hops as the table has entries, so a loop
 *    ends in an error instead of a hang;
 *  - an indirect descriptor needs INDIRECT_DESC negotiated, may not carry
 *    VIRTQ_DESC_F_NEXT, may not appear inside an indirect table (no
 *    nesting), and its length must be a non-zero multiple of 16 of at most
 *    VIRTQ_INDIRECT_MAX entries, with the table backed by guest memory;
 *  - device-readable descriptors all come before device-writable ones;
 *  - a zero-length buffer is refused (QEMU's rule: no driver builds one, and
 *    it cannot be turned into an iovec);
 *  - each buffer [addr, addr+len) must not wrap 2^64 and must be backed by
 *    guest memory (so addresses outside RAM or in the MMIO hole fail here);
 *  - the chain's total length stays below 2^32 bytes.
 *
 * A failed check leaves the chain in an error state (every later call
 * returns the same error); the head is still valid and the device returns
 * it to the used ring, usually with len 0 or an error status.
 */
#ifndef VIRTQ_CHAIN_H
#define VIRTQ_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include <vmmem/access.h>
#include <virtq/queue.h>
#include <virtq/spec.h>

/* The iterator over one popped chain.  Filled by virtq_queue_pop(). */
struct virtq_chain {
	struct vmmem_map *mem;	/* guest memory of the queue */
	uint16_t head;		/* head index: return it with add_used */
	uint16_t avail_slot;	/* avail ring position it was popped from */

	/* Walk state (private). */
	uint16_t queue_size;	/* entries of the descriptor table */
	bool indirect_ok;	/* INDIRECT_DESC negotiated */
	bool in_indirect;	/* walking an indirect table */
	bool has_next;		/* another descriptor follows */
	bool seen_writable;	/* a device-writable descriptor was returned */
	uint64_t table;		/* GPA of the table being walked */
	uint32_t table_size;	/* entries of that table */
	uint32_t next;		/* index of the next descriptor in that table */
	uint32_t hops_left;	/* descriptors that may still be visited */
	int error;		/* sticky error, 0 while healthy */

	/* Totals of the descriptors returned so far. */
	uint32_t count;		/* descriptors returned (indirect ones expanded) */
	uint64_t readable_bytes;
	uint64_t writable_bytes;
};

/*
 * Returns the next buffer descriptor of the chain in *desc (an indirect
 * descriptor is never returned: the walk enters its table):
 *   1  *desc holds a checked descriptor;
 *   0  the chain has ended;
 *  -EBADMSG malformed chain (loop, next >= size, nesting, direction order,
 *          zero length, bad indirect length, wrap of 2^64, total >= 2^32);
 *  -EFAULT a descriptor, table or buffer not backed by guest memory.
 */
VIRTQ_WUR int virtq_chain_next(struct virtq_chain *chain, struct virtq_desc *desc);

/* Whether a descriptor returned by virtq_chain_next() is device-writable. */
static inline bool virtq_desc_is_writable(const struct virtq_desc *desc)
{
	return (desc->flags & VIRTQ_DESC_F_WRITE) != 0;
}

/*
 * Appends desc's buffer to iov with the access its direction allows:
 * VMMEM_WRITE for device-writable descriptors, VMMEM_READ otherwise.  When
 * `want_writable` does not match the descriptor's direction it fails with
 * -EBADMSG instead (a device about to write into a device-readable buffer).
 * Other errors are those of vmmem_iovec_append().
 */
VIRTQ_WUR int virtq_desc_append_iovec(struct vmmem_map *mem,
				      const struct virtq_desc *desc,
				      bool want_writable, struct vmmem_iovec *iov);

/*
 * Walks the rest of the chain, appending device-readable buffers to
 * `readable` and device-writable ones to `writable` (either may be NULL, in
 * which case a buffer of that direction is -EBADMSG).  Returns the number
 * of descriptors consumed or a negative error from virtq_chain_next() or
 * vmmem_iovec_append() (-ENOSPC when an iovec array is full).
 */
VIRTQ_WUR int virtq_chain_collect(struct virtq_chain *chain,
				  struct vmmem_iovec *readable,
				  struct vmmem_iovec *writable);

#endif
