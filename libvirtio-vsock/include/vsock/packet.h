/* SPDX-License-Identifier: MIT */
/*
 * The packet header of the virtio socket device (virtio 1.2 §5.10.6,
 * struct virtio_vsock_hdr: 44 bytes, little endian) and the rules a packet
 * from the guest must follow before the device acts on it.  Pure functions:
 * no guest memory, no sockets.
 *
 * A guest packet is accepted only when
 *  - src_cid equals the configured guest CID (no spoofing another VM) and
 *    dst_cid is the host, VSOCK_HOST_CID (nothing is routed elsewhere);
 *  - type is VIRTIO_VSOCK_TYPE_STREAM (SEQPACKET is not offered);
 *  - op is one of REQUEST .. CREDIT_REQUEST;
 *  - flags are 0, except SHUTDOWN, whose flags are a non-empty subset of
 *    RCV | SEND;
 *  - len is 0 except for RW, and never above VSOCK_MAX_PKT_LEN nor above the
 *    payload bytes the descriptor chain really carries.
 */
#ifndef VSOCK_PACKET_H
#define VSOCK_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include <vsock/spec.h>

/* A decoded header, in host byte order. */
struct vsock_hdr {
	uint64_t src_cid;
	uint64_t dst_cid;
	uint32_t src_port;
	uint32_t dst_port;
	uint32_t len;
	uint16_t type;
	uint16_t op;
	uint32_t flags;
	uint32_t buf_alloc;
	uint32_t fwd_cnt;
};

/* Verdict of vsock_pkt_parse(), one per rejection rule. */
enum vsock_pkt_verdict {
	VSOCK_PKT_OK = 0,
	VSOCK_PKT_SHORT,	/* fewer than VSOCK_HDR_SIZE bytes */
	VSOCK_PKT_BAD_SRC_CID,	/* src_cid is not the guest's */
	VSOCK_PKT_BAD_DST_CID,	/* dst_cid is not VSOCK_HOST_CID */
	VSOCK_PKT_BAD_TYPE,	/* not STREAM */
	VSOCK_PKT_BAD_OP,	/* INVALID or unknown op */
	VSOCK_PKT_BAD_FLAGS,	/* flags the op does not allow */
	VSOCK_PKT_BAD_LEN,	/* len on a control op, above the max or the chain */
	VSOCK_PKT_NR_VERDICTS
};

/* Wire <-> host order. */
void vsock_hdr_decode(const uint8_t raw[VSOCK_HDR_SIZE], struct vsock_hdr *hdr);
void vsock_hdr_encode(const struct vsock_hdr *hdr, uint8_t raw[VSOCK_HDR_SIZE]);

/*
 * Decodes raw[0..raw_len) into *hdr (when at least VSOCK_HDR_SIZE bytes)
 * and checks it against the rules above.  payload_avail is the number of
 * device-readable bytes the chain has after the header.
 */
enum vsock_pkt_verdict vsock_pkt_parse(const void *raw, size_t raw_len,
				       uint64_t guest_cid, uint64_t payload_avail,
				       struct vsock_hdr *hdr);

/* A short name for a verdict, for logs ("ok", "bad-src-cid" ...). */
const char *vsock_pkt_verdict_name(enum vsock_pkt_verdict v);

#endif
