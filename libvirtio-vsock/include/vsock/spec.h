/* SPDX-License-Identifier: MIT */
/*
 * Constants of the virtio socket device (virtio 1.2 §5.10).  The wire
 * layouts (struct virtio_vsock_hdr, the config space, the event) and the
 * op/type/flag values come from Linux's UAPI header <linux/virtio_vsock.h>
 * (linux-libc-dev), so that a VMM including both never sees two spellings;
 * this header adds the limits this library enforces.
 */
#ifndef VSOCK_SPEC_H
#define VSOCK_SPEC_H

#include <stdint.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_vsock.h>

#define VSOCK_WUR __attribute__((warn_unused_result))

/* §5.10.4: the host's well-known CID; guests may only talk to it. */
#define VSOCK_HOST_CID		2u
/* CIDs 0..2 are reserved and 0xffffffff is VMADDR_CID_ANY; the upper 32
 * bits of guest_cid are reserved and zero (§5.10.4). */
#define VSOCK_CID_MIN		3u
#define VSOCK_CID_MAX		0xfffffffeu

/* §5.10.6: bytes of struct virtio_vsock_hdr on the wire. */
#define VSOCK_HDR_SIZE		44u

/*
 * Largest payload of one packet, either way.  Linux never builds a bigger
 * one (VIRTIO_VSOCK_MAX_PKT_BUF_SIZE is 64 KiB); a guest packet claiming
 * more is refused, and the device never fills more into one RX buffer.
 */
#define VSOCK_MAX_PKT_LEN	(64u * 1024u)

/* Queue indices (§5.10.2). */
#define VSOCK_QUEUE_RX		0u
#define VSOCK_QUEUE_TX		1u
#define VSOCK_QUEUE_EVENT	2u
#define VSOCK_NUM_QUEUES	3u

#endif
