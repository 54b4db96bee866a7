// SPDX-License-Identifier: MIT
/*
 * bench-vsock: virtio-vsock (virtio 1.2 §5.10) round trips and a bulk
 * stream through the kit's driver (rt/vsock.c) to a host peer played by
 * tests/bench/vsock-bench.py: cvmm's hybrid Unix socket (<uds>_<port>) or,
 * on QEMU, AF_VSOCK through vhost-vsock.  One stream connection from guest
 * port 1030 to host port gk.vsock_port= (default 5000):
 *   rr:   gk.n= (default 1000) exchanges of gk.vsock_msg= bytes (default
 *         64): the guest sends, the host echoes, the guest reads all of it
 *         back before the next one (the fwd_cnt of each send is the credit
 *         update, as in Linux);
 *   bulk: gk.vsock_bulk= bytes (default 4 MiB, a multiple of 4096) guest ->
 *         host, then an 8-byte answer from the host once it has read all;
 *         ops are 4 KiB blocks.
 * Each phase is bracketed by GK-WANT-INPUT steps so that the host can read
 * the VMM's CPU time at its edges.  Prints name=... ops=... ns_per_op=...
 * lines (guest TSC time) like bench-blk.
 */
#include "vsock.h"

const char gk_program_name[] = "bench-vsock";

#define STEP_US 300000000ull
#define PHASE_US 120000000ull

static struct gk_vsock vs;
static unsigned long naps;	/* idle() calls: the guest waiting */
static uint8_t block[GK_VSOCK_PAYLOAD], msg[4096], back[4096];

static uint64_t now_us(void)
{
	return gk_now_ns() / 1000;
}

static void idle(void)
{
	gk_vsock_poll(&vs);
	gk_nap();
	naps++;
}

static bool conn_settled(void *p)
{
	const struct gk_vsock_conn *c = p;

	return c->state != GK_VS_CONNECTING;
}

static bool send_all(struct gk_vsock_conn *c, const void *data, uint32_t n)
{
	uint64_t t0 = now_us();
	uint32_t sent = 0;

	while (sent < n && now_us() - t0 < PHASE_US) {
		uint32_t k = gk_vsock_send(&vs, c, (const uint8_t *)data + sent, n - sent);

		sent += k;
		if (k)
			continue;
		if (c->state != GK_VS_ESTABLISHED)
			return false;
		idle();
	}
	return sent == n;
}

static bool recv_all(struct gk_vsock_conn *c, void *out, uint32_t n)
{
	uint64_t t0 = now_us();
	uint32_t got = 0;

	while (got < n && now_us() - t0 < PHASE_US) {
		uint32_t k = gk_vsock_read(c, (uint8_t *)out + got, n - got);

		if (k) {
			got += k;
			continue;
		}
		if (c->state != GK_VS_ESTABLISHED ||
		    (c->peer_shut & VIRTIO_VSOCK_SHUTDOWN_SEND))
			return false;
		idle();
	}
	return got == n;
}

static void poll_vsock(void *ctx)
{
	gk_vsock_poll(ctx);
}

static void step(const char *id, const char *token)
{
	gk_host_step(id, token, STEP_US, poll_vsock, &vs);
}

static void rr(struct gk_vsock_conn *c, unsigned long n, uint32_t len)
{
	unsigned long done = 0, bad = 0;
	uint64_t t0, ns;
	bool ok = true;

	step("bench.vsock-rr-begin", "go");
	naps = 0;
	t0 = gk_rdtsc();
	for (; done < n && ok; done++) {
		memset(msg, (int)(done & 0xff), len);
		ok = send_all(c, msg, len) && recv_all(c, back, len);
		bad += ok && memcmp(back, msg, len) != 0;
	}
	ns = gk_tsc_to_ns(gk_rdtsc() - t0);
	step("bench.vsock-rr-end", "ok");
	gk_check("bench.vsock-rr", ok && !bad,
		 "name=vsock-rr-%u ops=%lu ns_per_op=%lu bad=%lu naps=%lu state=%u",
		 len, done, done ? ns / done : 0, bad, naps, c->state);
}

static void bulk(struct gk_vsock_conn *c, uint32_t bytes)
{
	uint64_t t0, ns;
	uint8_t ack[8];
	uint32_t sent = 0;
	bool ok = true;

	for (uint32_t i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 31u + 7);
	step("bench.vsock-bulk-begin", "go");
	naps = 0;
	t0 = gk_rdtsc();
	while (ok && sent < bytes) {
		ok = send_all(c, block, sizeof(block));
		sent += ok ? (uint32_t)sizeof(block) : 0;
	}
	ok = ok && recv_all(c, ack, sizeof(ack)) && !memcmp(ack, "BULK-OK\n", 8);
	ns = gk_tsc_to_ns(gk_rdtsc() - t0);
	step("bench.vsock-bulk-end", "ok");
	gk_check("bench.vsock-bulk", ok,
		 "name=vsock-bulk-g2h-4k ops=%u ns_per_op=%lu bytes=%u naps=%lu state=%u",
		 sent / 4096, sent ? ns / (sent / 4096) : 0, sent, naps, c->state);
}

void gk_main(void)
{
	const unsigned long n = gk_cmdline_u64("gk.n", 1000);
	const uint32_t port = (uint32_t)gk_cmdline_u64("gk.vsock_port", 5000);
	uint32_t len = (uint32_t)gk_cmdline_u64("gk.vsock_msg", 64);
	uint32_t bytes = (uint32_t)gk_cmdline_u64("gk.vsock_bulk", 4u << 20) & ~4095u;
	struct gk_vsock_conn *c;
	struct gk_init_log log;
	bool ok;
	int rc;

	if (len == 0 || len > sizeof(msg))
		len = 64;
	rc = gk_vsock_init(&vs, &log);
	if (!gk_check("bench.vsock-init", rc == 0, "rc %d, guest CID %lu", rc, vs.cid))
		return;
	c = gk_vsock_connect(&vs, 1030, port, GK_VSOCK_BUF_MAX);
	/* Settled before the report: argument order is unspecified. */
	ok = c && gk_vsock_wait(&vs, conn_settled, c, STEP_US) &&
	     c->state == GK_VS_ESTABLISHED;
	if (!gk_check("bench.vsock-connect", ok,
		      "REQUEST 1030 -> host port %u: %s", port,
		      !c ? "not sent" : c->state == GK_VS_ESTABLISHED ? "RESPONSE" :
		      c->rst ? "RST" : "no answer"))
		return;
	rr(c, n, len);
	bulk(c, bytes);
	gk_vsock_shutdown(&vs, c, VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND);
	for (uint64_t t0 = now_us(); c->state != GK_VS_CLOSED && now_us() - t0 < 2000000;)
		idle();
	gk_vdev_reset(&vs.dev);
}
