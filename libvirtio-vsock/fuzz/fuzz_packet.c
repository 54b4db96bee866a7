/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the packet parser and the connection state machine
 * (virtio 1.2 §5.10.6), without sockets.  The input is a sequence of
 * records: one action byte, then a 44-byte header from the guest.  Action
 * bits also make the host side forward bytes or send data within the
 * guest's credit.  Invariants (a violation traps):
 *  - a parsed header re-encodes to the same bytes, and OK means every rule
 *    of <vsock/packet.h> holds;
 *  - the bytes the device buffers (rx_cnt - fwd_cnt) never exceed its
 *    buf_alloc, and FORWARD is only returned within the credit;
 *  - the device never sends beyond the guest's credit;
 *  - ESTABLISHED is only reached through RESPONSE or the initial state.
 */
#include <stdint.h>
#include <string.h>

#include "conn.h"

#define CID 3u
#define BUF 8192u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rules(const struct vsock_hdr *h, uint64_t avail)
{
	bool shut = h->op == VIRTIO_VSOCK_OP_SHUTDOWN;

	if (h->src_cid != CID || h->dst_cid != VSOCK_HOST_CID ||
	    h->type != VIRTIO_VSOCK_TYPE_STREAM || h->op < 1 || h->op > 7 ||
	    (shut ? (h->flags == 0 || h->flags > 3) : h->flags != 0) ||
	    (h->op == VIRTIO_VSOCK_OP_RW ? h->len > VSOCK_MAX_PKT_LEN || h->len > avail
					 : h->len != 0))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vsock_conn c;
	bool guest_initiated = size && (data[0] & 1);

	vsock__conn_init(&c, guest_initiated ? VSOCK__ESTABLISHED : VSOCK__CONNECTING,
			 -1, 52, 1000, BUF);
	while (size >= 1 + VSOCK_HDR_SIZE) {
		uint8_t ctl = data[0], again[VSOCK_HDR_SIZE];
		uint64_t avail = (uint64_t)ctl * 300u;
		enum vsock__conn_state before = c.state;
		uint32_t credit;
		struct vsock_hdr h, out;
		enum vsock_pkt_verdict v;
		enum vsock__act act;

		v = vsock_pkt_parse(data + 1, VSOCK_HDR_SIZE, CID, avail, &h);
		vsock_hdr_encode(&h, again);
		if (memcmp(again, data + 1, VSOCK_HDR_SIZE))
			__builtin_trap();
		data += 1 + VSOCK_HDR_SIZE;
		size -= 1 + VSOCK_HDR_SIZE;
		/* Host side first: the REQUEST goes out, data is forwarded. */
		if ((ctl & 2) && c.state == VSOCK__CONNECTING)
			vsock__conn_header(&c, CID, VIRTIO_VSOCK_OP_REQUEST, 0, 0, &out);
		if ((ctl & 4) && c.rx_cnt != c.fwd_cnt)
			vsock__conn_forwarded(&c, (c.rx_cnt - c.fwd_cnt) / ((ctl >> 4) + 1u));
		if ((ctl & 8) && c.state == VSOCK__ESTABLISHED) {
			uint32_t n = vsock__conn_peer_credit(&c);

			if (n > c.peer_buf_alloc)
				__builtin_trap();
			vsock__conn_header(&c, CID, VIRTIO_VSOCK_OP_RW, 0, n / 2, &out);
		}
		credit = vsock__conn_own_credit(&c);
		if (v != VSOCK_PKT_OK)
			continue;
		check_rules(&h, avail);
		act = vsock__conn_on_guest(&c, &h);
		switch (act) {
		case VSOCK__ACT_FORWARD:
			if (h.len == 0 || h.len > credit)
				__builtin_trap();
			break;
		case VSOCK__ACT_ACCEPTED:
			if (before != VSOCK__CONNECTING || h.op != VIRTIO_VSOCK_OP_RESPONSE)
				__builtin_trap();
			break;
		case VSOCK__ACT_CLOSE:
		case VSOCK__ACT_RESET:
		case VSOCK__ACT_OVERRUN:
			/* The connection is gone: start a fresh one. */
			vsock__conn_init(&c, VSOCK__ESTABLISHED, -1, 52, 1000, BUF);
			break;
		case VSOCK__ACT_NONE:
		case VSOCK__ACT_SHUTDOWN:
			break;
		}
		if (c.rx_cnt - c.fwd_cnt > c.buf_alloc)
			__builtin_trap();
		if (before == VSOCK__CONNECTING && c.state == VSOCK__ESTABLISHED &&
		    act != VSOCK__ACT_ACCEPTED && act != VSOCK__ACT_CLOSE &&
		    act != VSOCK__ACT_RESET && act != VSOCK__ACT_OVERRUN)
			__builtin_trap();
	}
	return 0;
}
