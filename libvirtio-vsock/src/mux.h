/* SPDX-License-Identifier: MIT */
/*
 * The host side of the device: Firecracker's hybrid model over Unix
 * sockets (see <vsock/device.h>).  The multiplexer owns the listening
 * socket, a fixed table of connections, and a bounded ring of RST replies
 * for packets that have no connection.  It turns guest packets into socket
 * I/O (mux.c), socket events into packets for the guest (mux_rx.c), and
 * tells the caller which fds to watch.
 */
#ifndef VSOCK_SRC_MUX_H
#define VSOCK_SRC_MUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>
#include <sys/uio.h>

#include <vsock/device.h>

#include "conn.h"

/* Longest CONNECT line: "CONNECT 4294967295\n" is 19 bytes. */
#define VSOCK__LINE_MAX 32u
/* First local port handed to host-initiated connections (the range
 * Firecracker uses, away from the well-known ports a guest listens on). */
#define VSOCK__EPHEMERAL_BASE (1u << 30)

struct vsock__rst {
	uint32_t local_port;
	uint32_t peer_port;
};

struct vsock__mux {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	uint64_t guest_cid;
	uint32_t max_conns;
	uint32_t buf_alloc;
	struct vsock_conn *conns;	/* max_conns entries */
	uint32_t nconns;		/* entries not FREE */
	uint32_t next_port;		/* next ephemeral local port to try */
	uint32_t rr;			/* round-robin cursor for rx */
	bool rx_starved;		/* no rx buffer can be taken now */
	struct vsock__rst *rst;		/* ring of rst_cap owed RSTs */
	uint32_t rst_cap, rst_head, rst_len;
	struct vsock_watch watch;
	struct vsock_device_stats *stats;
};

int vsock__mux_init(struct vsock__mux *m, const struct vsock_device_config *cfg,
		    struct vsock_device_stats *stats);
void vsock__mux_fini(struct vsock__mux *m);
/* Closes every connection (host peers see EOF) and forgets owed RSTs. */
void vsock__mux_reset(struct vsock__mux *m);

/* A guest packet that passed the parser; payload holds exactly h->len
 * bytes of guest memory. */
void vsock__mux_guest_pkt(struct vsock__mux *m, const struct vsock_hdr *h,
			  const struct iovec *payload, size_t niov);
/* A guest packet from the right CID that failed the parser: RST to its
 * sender, and its connection (if any) is reset too. */
void vsock__mux_guest_bad(struct vsock__mux *m, const struct vsock_hdr *h);

/* An fd event; -ENOENT when fd is not ours. */
int vsock__mux_process_fd(struct vsock__mux *m, int fd, uint32_t events);

/* Whether a packet for the guest is ready; counts credit stalls. */
bool vsock__mux_rx_pending(struct vsock__mux *m);
/*
 * Produces the next packet for the guest into *h, reading data (at most
 * cap bytes) straight into iov.  1 when *h is ready (h->len payload bytes
 * are in iov), 0 when there is nothing to send.
 */
int vsock__mux_rx_fill(struct vsock__mux *m, struct vsock_hdr *h,
		       const struct iovec *iov, size_t niov, size_t cap);

/* The device found the rx ring empty or cannot use it at all (true), or
 * took a buffer (false): connections with data stop or resume being
 * watched. */
void vsock__mux_set_rx_starved(struct vsock__mux *m, bool starved);

/* Internal to mux*.c. */
void vsock__mux_close(struct vsock__mux *m, struct vsock_conn *c);
void vsock__mux_reset_conn(struct vsock__mux *m, struct vsock_conn *c);
void vsock__mux_arm(struct vsock__mux *m, struct vsock_conn *c);
void vsock__mux_owe_rst(struct vsock__mux *m, uint32_t local_port, uint32_t peer_port);
void vsock__mux_check_done(struct vsock__mux *m, struct vsock_conn *c);

/* uds.c: socket helpers. */
int vsock__uds_listen(const char *path);
int vsock__uds_connect(const char *path, uint32_t port);
/* Parses "CONNECT <port>\n" (exactly; decimal, no sign, no leading
 * zeros except "0" itself): 0 with *port, or -EBADMSG. */
int vsock__uds_parse_connect(const char *line, size_t len, uint32_t *port);
/* Sends the whole buffer now or fails: -EAGAIN, -EPIPE ... */
int vsock__uds_send_all(int fd, const void *buf, size_t len);

#endif
