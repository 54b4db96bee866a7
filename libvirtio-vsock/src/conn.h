/* SPDX-License-Identifier: MIT */
/*
 * One stream connection between a guest port and a host Unix socket, and
 * its state machine (virtio 1.2 §5.10.6.3 - §5.10.6.6): connection set-up
 * (REQUEST / RESPONSE), teardown (SHUTDOWN with RCV/SEND, RST), data (RW)
 * and credit-based flow control (CREDIT_UPDATE, CREDIT_REQUEST, and the
 * buf_alloc / fwd_cnt fields every header carries).
 *
 * This part is pure: it changes counters and states and says what the
 * caller must do (enum vsock__act); the socket I/O lives in mux.c.  Counters
 * are modulo 2^32 as on the wire.
 *
 * Credit, guest to host: we advertise buf_alloc bytes of buffer.  rx_cnt
 * counts payload bytes received from the guest, fwd_cnt those written to
 * the host socket, so rx_cnt - fwd_cnt bytes sit in our buffer and the
 * guest may send at most buf_alloc - (rx_cnt - fwd_cnt) more.  A guest that
 * sends beyond that is reset (VSOCK__ACT_OVERRUN): the buffer never grows.
 *
 * Credit, host to guest: the guest advertises peer_buf_alloc and
 * peer_fwd_cnt; tx_cnt counts what we sent, so we may send at most
 * peer_buf_alloc - (tx_cnt - peer_fwd_cnt).  A guest whose fwd_cnt runs
 * ahead of tx_cnt gets no credit from it (the difference wraps above
 * peer_buf_alloc and the credit is 0).
 */
#ifndef VSOCK_SRC_CONN_H
#define VSOCK_SRC_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <vsock/packet.h>

enum vsock__conn_state {
	VSOCK__FREE = 0,
	VSOCK__AWAIT_LINE,	/* host peer accepted, CONNECT line not read */
	VSOCK__CONNECTING,	/* REQUEST owed or sent to the guest */
	VSOCK__ESTABLISHED,
};

/* Control packets a connection owes the guest, one bit per op. */
#define VSOCK__OWE(op) (1u << (op))

struct vsock_conn {
	enum vsock__conn_state state;
	int fd;			/* the host Unix socket */
	uint32_t local_port;	/* host side */
	uint32_t peer_port;	/* guest side */

	/* Guest -> host credit (what we advertise). */
	uint32_t buf_alloc;
	uint32_t rx_cnt;
	uint32_t fwd_cnt;
	uint32_t fwd_sent;	/* fwd_cnt last told to the guest */

	/* Host -> guest credit (what the guest advertises). */
	uint32_t peer_buf_alloc;
	uint32_t peer_fwd_cnt;
	uint32_t tx_cnt;

	uint32_t peer_shut;	/* SHUTDOWN flags received from the guest */
	uint32_t owe;		/* VSOCK__OWE(op) bits */
	bool host_eof;		/* the host socket reached end of file */
	bool wr_shut;		/* shutdown(SHUT_WR) done on the host socket */
	bool readable;		/* IN seen and not yet read to EAGAIN */
	bool stalled;		/* data waits for guest credit */
	uint32_t watched;	/* events last announced to the caller */

	/* Guest -> host bytes the socket did not take yet: a ring of
	 * buf_alloc bytes, allocated on first use. */
	uint8_t *buf;
	uint32_t buf_off;
	uint32_t buf_len;

	/* The CONNECT line read so far (state AWAIT_LINE). */
	char line[32];
	uint32_t line_len;
};

enum vsock__act {
	VSOCK__ACT_NONE,	/* state or credit updated, nothing else */
	VSOCK__ACT_FORWARD,	/* forward hdr->len payload bytes to the host */
	VSOCK__ACT_ACCEPTED,	/* RESPONSE to our REQUEST: tell the host peer OK */
	VSOCK__ACT_SHUTDOWN,	/* peer_shut gained bits: apply them */
	VSOCK__ACT_CLOSE,	/* the guest sent RST: close, no reply */
	VSOCK__ACT_RESET,	/* invalid in this state: RST and close */
	VSOCK__ACT_OVERRUN,	/* beyond our credit: RST and close */
};

/* A connection in state `state` with everything else zeroed. */
void vsock__conn_init(struct vsock_conn *c, enum vsock__conn_state state, int fd,
		      uint32_t local_port, uint32_t peer_port, uint32_t buf_alloc);

/* A validated guest packet (vsock_pkt_parse said OK) addressed to c. */
enum vsock__act vsock__conn_on_guest(struct vsock_conn *c, const struct vsock_hdr *h);

/* Bytes we may still send to the guest. */
uint32_t vsock__conn_peer_credit(const struct vsock_conn *c);

/* Bytes the guest may still send us. */
uint32_t vsock__conn_own_credit(const struct vsock_conn *c);

/* n more bytes were written to the host socket; owes a CREDIT_UPDATE once
 * a quarter of buf_alloc was freed since the guest last heard. */
void vsock__conn_forwarded(struct vsock_conn *c, uint32_t n);

/* Fills a host-to-guest header for op, with our credit fields, and counts
 * len into tx_cnt. */
void vsock__conn_header(struct vsock_conn *c, uint64_t guest_cid, uint16_t op,
			uint32_t flags, uint32_t len, struct vsock_hdr *h);

/* An RST for ports that may have no connection (a reply to a stray or
 * refused packet). */
void vsock__rst_header(uint64_t guest_cid, uint32_t local_port,
		       uint32_t peer_port, struct vsock_hdr *h);

#endif
