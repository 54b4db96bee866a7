/* SPDX-License-Identifier: MIT */
/*
 * Constants of the virtio 1.2 specification used by the split virtqueue
 * (§2.7) and the virtio-mmio transport (§4.2.2).  Register offsets, device
 * status bits and transport feature bits come from Linux's UAPI headers
 * (linux-libc-dev), so that a VMM including both never sees two spellings;
 * the ring layout constants are given here with the names the specification
 * uses (VIRTQ_DESC_F_*, struct virtq_desc ...).
 */
#ifndef VIRTQ_SPEC_H
#define VIRTQ_SPEC_H

#include <stdint.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

/* §2.7.5: descriptor flags. */
#define VIRTQ_DESC_F_NEXT	1u	/* the chain continues via `next` */
#define VIRTQ_DESC_F_WRITE	2u	/* device-writable (else device-readable) */
#define VIRTQ_DESC_F_INDIRECT	4u	/* the buffer is a table of descriptors */

/* §2.7.6 / §2.7.8: ring flags. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u	/* driver: please do not interrupt me */
#define VIRTQ_USED_F_NO_NOTIFY	   1u	/* device: please do not kick me */

/* §6: ring feature bits under their specification names. */
#ifndef VIRTIO_F_INDIRECT_DESC
#define VIRTIO_F_INDIRECT_DESC	28
#endif
#ifndef VIRTIO_F_EVENT_IDX
#define VIRTIO_F_EVENT_IDX	29
#endif

/* §2.7: the largest Queue Size a split virtqueue may have. */
#define VIRTQ_MAX_SIZE		32768u

/* §2.7.5.3.1: an indirect table holds at most this many descriptors. */
#define VIRTQ_INDIRECT_MAX	65535u

/* §2.7.2 alignment of each ring part, in bytes. */
#define VIRTQ_DESC_ALIGN	16u
#define VIRTQ_AVAIL_ALIGN	2u
#define VIRTQ_USED_ALIGN	4u

/* Sizes in bytes of the three parts of a split virtqueue of `size`
 * entries, including the event-index fields (§2.7.2). */
#define VIRTQ_DESC_TABLE_BYTES(size)	(16u * (uint64_t)(size))
#define VIRTQ_AVAIL_RING_BYTES(size)	(6u + 2u * (uint64_t)(size))
#define VIRTQ_USED_RING_BYTES(size)	(6u + 8u * (uint64_t)(size))

/* §4.2.2: "virt" in little endian, and the non-legacy interface version. */
#define VIRTQ_MMIO_MAGIC	0x74726976u
#define VIRTQ_MMIO_VERSION	2u
/* Bytes of register file before the device-specific configuration. */
#define VIRTQ_MMIO_CONFIG_OFFSET 0x100u
/* Size of one virtio-mmio window as Linux's command line form expects. */
#define VIRTQ_MMIO_WINDOW_SIZE	0x200u

/*
 * One descriptor as it lies in guest memory (§2.7.5), little endian.  The
 * library never dereferences this layout in guest memory: it reads each
 * field through <vmmem/access.h> and hands out this host copy.
 */
struct virtq_desc {
	uint64_t addr;	/* guest physical address of the buffer */
	uint32_t len;	/* bytes */
	uint16_t flags;	/* VIRTQ_DESC_F_* */
	uint16_t next;	/* index of the next descriptor when F_NEXT */
};

#endif
