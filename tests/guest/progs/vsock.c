// SPDX-License-Identifier: MIT
/*
 * virtio-vsock suite: the kit's vsock driver (rt/vsock.c, virtio 1.2
 * §5.10) against cvmm's hybrid Unix-socket host side, played by the runner
 * run-cvmm-vsock.  In order:
 *  - a REQUEST to a host port nobody listens on gets RST (§5.10.6.4);
 *  - guest -> host: connect to port P (the runner listens on <uds>_P),
 *    send "PING <token>" and a bulk block, get "PONG <token>" and the same
 *    block back, ask for credit (CREDIT_REQUEST -> CREDIT_UPDATE), then
 *    SHUTDOWN(SEND) and see the host's end come back as SHUTDOWN + RST;
 *  - host -> guest: listen on Q, the runner connects through <uds> with
 *    "CONNECT Q", sends "HELLO <token>" and a block, the guest echoes both;
 *    the host closes, the guest sees SHUTDOWN(SEND) and ends with
 *    SHUTDOWN(RCV|SEND) answered by RST;
 *  - credit stall, host -> guest: the guest listens on S advertising a
 *    small buf_alloc and reads nothing until the runner, having written
 *    more than that, says so on the serial line; no more than buf_alloc
 *    bytes may have arrived.  Then every read is followed by a
 *    CREDIT_UPDATE and the rest must flow (§5.10.6.3);
 *  - credit stall, guest -> host: the runner accepts on <uds>_T and does
 *    not read; the guest sends while the host's credit allows, and must
 *    end with exactly buf_alloc bytes in flight, never more (the device
 *    resets a connection that overruns).  When the runner drains, the
 *    rest flows.
 * Ports, sizes, the CID and a random token come on the command line
 * (gk.vsock_*); the runner checks the host's half of every exchange.
 */
#include "vsock.h"

const char gk_program_name[] = "vsock";

#define STEP_US 30000000

static struct gk_vsock vs;
static uint32_t port_echo, port_refused, port_listen, port_stall, port_g2h;
static uint32_t bulk, stall_buf, stall_total, g2h_extra;
static char token[64];
static uint8_t big[GK_VSOCK_BUF_MAX * 2], chunk[GK_VSOCK_PAYLOAD];

/* The byte at offset i of stream seed s; run-cvmm-vsock computes the same. */
static uint8_t pat(unsigned s, uint32_t i)
{
	return (uint8_t)(i * 31u + (i >> 9) + s * 101u);
}

static void fill(uint8_t *p, unsigned s, uint32_t off, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = pat(s, off + i);
}

/* Offset of the first byte that is not the pattern, or -1. */
static long check_pat(const uint8_t *p, unsigned s, uint32_t off, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != pat(s, off + i))
			return (long)i;
	return -1;
}

static uint64_t now_us(void)
{
	return gk_now_ns() / 1000;
}

static void idle(void)
{
	gk_vsock_poll(&vs);
	gk_nap();
}

static bool conn_settled(void *p)
{
	const struct gk_vsock_conn *c = p;

	return c->state != GK_VS_CONNECTING;
}

/* Sends all of data, waiting for credit; false on reset or timeout. */
static bool send_all(struct gk_vsock_conn *c, const void *data, uint32_t n)
{
	uint64_t t0 = now_us(), quiet = t0;
	uint32_t sent = 0;

	while (sent < n && now_us() - t0 < STEP_US) {
		uint32_t k = gk_vsock_send(&vs, c, (const uint8_t *)data + sent, n - sent);

		sent += k;
		if (k) {
			quiet = now_us();
			continue;
		}
		if (c->state != GK_VS_ESTABLISHED)
			return false;
		/* No credit for a while: ask, as §5.10.6.3 lets a sender do. */
		if (now_us() - quiet > 500000) {
			gk_vsock_credit_request(&vs, c);
			quiet = now_us();
		}
		idle();
	}
	return sent == n;
}

/*
 * Reads exactly n bytes into out, returning credit after every read; false
 * on timeout or when the peer ends the stream first.
 */
static bool recv_all(struct gk_vsock_conn *c, void *out, uint32_t n)
{
	uint64_t t0 = now_us();
	uint32_t got = 0;

	while (got < n && now_us() - t0 < STEP_US) {
		uint32_t k = gk_vsock_read(c, (uint8_t *)out + got, n - got);

		if (k) {
			got += k;
			gk_vsock_credit_update(&vs, c);
			continue;
		}
		if (c->state != GK_VS_ESTABLISHED ||
		    (c->peer_shut & VIRTIO_VSOCK_SHUTDOWN_SEND))
			return false;
		idle();
	}
	return got == n;
}

static bool closed(void *p)
{
	const struct gk_vsock_conn *c = p;

	return c->state == GK_VS_CLOSED;
}

static bool peer_sent_shutdown(void *p)
{
	const struct gk_vsock_conn *c = p;

	return (c->peer_shut & VIRTIO_VSOCK_SHUTDOWN_SEND) || c->state == GK_VS_CLOSED;
}

static void poll_vsock(void *ctx)
{
	gk_vsock_poll(ctx);
}

/* Asks the runner for a step (GK-WANT-INPUT) and waits until it is done. */
static bool host_step(const char *id)
{
	char name[48], tok[96];

	gk_snprintf(name, sizeof(name), "vsock.%s", id);
	gk_snprintf(tok, sizeof(tok), "%s-%s", id, token);
	return gk_host_step(name, tok, 60000000, poll_vsock, &vs);
}

static void test_refused(void)
{
	struct gk_vsock_conn *c = gk_vsock_connect(&vs, 1024, port_refused, 4096);
	bool done = c && gk_vsock_wait(&vs, conn_settled, c, STEP_US);

	gk_check("vsock.connect-refused", done && c->state == GK_VS_CLOSED && c->rst,
		 "REQUEST to host port %u (nobody listens on <uds>_%u): %s",
		 port_refused, port_refused,
		 !c ? "not sent" : !done ? "no answer" : c->rst ? "RST" : "ACCEPTED");
}

static void test_g2h(void)
{
	char line[96], want[96];
	uint32_t ll, before;
	struct gk_vsock_conn *c = gk_vsock_connect(&vs, 1025, port_echo, GK_VSOCK_BUF_MAX);
	bool ok;

	ok = c && gk_vsock_wait(&vs, conn_settled, c, STEP_US) &&
	     c->state == GK_VS_ESTABLISHED;
	if (!gk_check("vsock.g2h-connect", ok && c->peer_buf_alloc > 0,
		      "REQUEST 1025 -> host %u: %s, host buf_alloc %u", port_echo,
		      !c ? "not sent" : c->state == GK_VS_ESTABLISHED ? "RESPONSE" :
		      c->rst ? "RST" : "no answer", c ? c->peer_buf_alloc : 0))
		return;
	ll = (uint32_t)gk_snprintf(line, sizeof(line), "PING %s\n", token);
	fill(big, 1, 0, bulk);
	ok = send_all(c, line, ll) && send_all(c, big, bulk);
	gk_snprintf(want, sizeof(want), "PONG %s\n", token);
	memset(line, 0, sizeof(line));
	memset(big, 0, bulk);
	ok = ok && recv_all(c, line, ll) && recv_all(c, big, bulk);
	gk_check("vsock.g2h-echo", ok && !memcmp(line, want, ll) &&
		 check_pat(big, 1, 0, bulk) < 0 && c->overrun_bytes == 0,
		 "sent PING and %u bytes, got back %s the block %s, %u bytes beyond our credit",
		 bulk, !memcmp(line, want, ll) ? "PONG" : "NO PONG",
		 check_pat(big, 1, 0, bulk) < 0 ? "intact" : "CORRUPT", c->overrun_bytes);
	before = c->credit_updates;
	ok = gk_vsock_credit_request(&vs, c);
	for (uint64_t t0 = now_us(); ok && c->credit_updates == before &&
	     now_us() - t0 < STEP_US;)
		idle();
	gk_check("vsock.credit-request", ok && c->credit_updates > before,
		 "CREDIT_REQUEST answered by CREDIT_UPDATE: buf_alloc %u fwd_cnt %u "
		 "(we sent %u)", c->peer_buf_alloc, c->peer_fwd_cnt, c->tx_cnt);
	ok = gk_vsock_shutdown(&vs, c, VIRTIO_VSOCK_SHUTDOWN_SEND) &&
	     gk_vsock_wait(&vs, closed, c, STEP_US);
	gk_check("vsock.g2h-close", ok && (c->peer_shut & VIRTIO_VSOCK_SHUTDOWN_SEND) && c->rst,
		 "after our SHUTDOWN(SEND) the host closed: SHUTDOWN flags 0x%x, RST %s",
		 c->peer_shut, c->rst ? "received" : "MISSING");
}

static struct gk_vsock_conn *accept_on(uint32_t port, uint32_t buf_alloc)
{
	struct gk_vsock_conn *c = NULL;
	uint64_t t0 = now_us();

	if (!gk_vsock_listen(&vs, port, buf_alloc))
		return NULL;
	gk_printf("GK-NOTE vsock.listening port=%u\n", port);
	while (!(c = gk_vsock_accept(&vs, port)) && now_us() - t0 < 2 * STEP_US)
		idle();
	if (c)
		gk_printf("GK-NOTE vsock.accepted port=%u peer-port=%u\n", port,
			  c->peer_port);
	return c;
}

static void test_h2g(void)
{
	char line[96], want[96];
	uint32_t ll;
	struct gk_vsock_conn *c = accept_on(port_listen, GK_VSOCK_BUF_MAX);
	bool ok;

	if (!gk_check("vsock.h2g-accept", c != NULL,
		      "host CONNECT %u through <uds>: %s", port_listen,
		      c ? "REQUEST answered with RESPONSE" : "no REQUEST within 60 s"))
		return;
	ll = (uint32_t)gk_snprintf(want, sizeof(want), "HELLO %s\n", token);
	memset(line, 0, sizeof(line));
	memset(big, 0, bulk);
	ok = recv_all(c, line, ll) && recv_all(c, big, bulk);
	gk_check("vsock.h2g-data", ok && !memcmp(line, want, ll) &&
		 check_pat(big, 2, 0, bulk) < 0 && c->overrun_bytes == 0,
		 "got %s and %u bytes %s, %u bytes beyond our credit",
		 !memcmp(line, want, ll) ? "HELLO" : "NO HELLO", bulk,
		 check_pat(big, 2, 0, bulk) < 0 ? "intact" : "CORRUPT", c->overrun_bytes);
	ll = (uint32_t)gk_snprintf(line, sizeof(line), "ECHO %s\n", token);
	ok = send_all(c, line, ll) && send_all(c, big, bulk);
	gk_check("vsock.h2g-echo-sent", ok, "ECHO and %u bytes sent back", bulk);
	ok = gk_vsock_wait(&vs, peer_sent_shutdown, c, STEP_US) &&
	     (c->peer_shut & VIRTIO_VSOCK_SHUTDOWN_SEND);
	ok = ok && gk_vsock_shutdown(&vs, c,
				     VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND) &&
	     gk_vsock_wait(&vs, closed, c, STEP_US);
	gk_check("vsock.h2g-close", ok && c->rst,
		 "host closed: SHUTDOWN flags 0x%x; our SHUTDOWN(RCV|SEND) answered by %s",
		 c->peer_shut, c->rst ? "RST" : "NOTHING");
}

static void test_h2g_stall(void)
{
	struct gk_vsock_conn *c = accept_on(port_stall, stall_buf);
	uint32_t delivered, updates = 0;
	uint64_t t0;
	bool told;

	if (!gk_check("vsock.h2g-stall-accept", c != NULL,
		      "host CONNECT %u, our buf_alloc %u", port_stall, stall_buf))
		return;
	/* The runner writes stall_total bytes, waits, then answers. */
	told = host_step("h2g-stall");
	delivered = gk_vsock_unread(c);
	gk_printf("GK-NOTE vsock.h2g-stall delivered=%u buf_alloc=%u\n", delivered,
		  stall_buf);
	gk_check("vsock.h2g-credit-stall",
		 told && delivered > 0 && delivered <= stall_buf && c->overrun_bytes == 0,
		 "host wrote %u bytes%s; %u arrived unread against our buf_alloc %u, "
		 "%u bytes beyond it", stall_total, told ? "" : " (NO word from the runner)",
		 delivered, stall_buf, c->overrun_bytes);
	memset(big, 0, stall_total);
	t0 = now_us();
	for (uint32_t got = 0; got < stall_total && now_us() - t0 < STEP_US;) {
		uint32_t k = gk_vsock_read(c, big + got, stall_total - got);

		if (k) {
			got += k;
			updates += gk_vsock_credit_update(&vs, c);
			continue;
		}
		if (c->state != GK_VS_ESTABLISHED)
			break;
		idle();
	}
	gk_check("vsock.h2g-credit-resume",
		 c->fwd_cnt == stall_total && check_pat(big, 3, 0, stall_total) < 0 &&
			 c->overrun_bytes == 0,
		 "read %u of %u bytes (%s) after %u CREDIT_UPDATEs, %u bytes beyond our credit",
		 c->fwd_cnt, stall_total,
		 check_pat(big, 3, 0, stall_total) < 0 ? "intact" : "CORRUPT", updates,
		 c->overrun_bytes);
	gk_vsock_shutdown(&vs, c, VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND);
	gk_vsock_wait(&vs, closed, c, STEP_US);
}

/*
 * Sends until the host's credit runs out and stays out: no CREDIT_UPDATE
 * with new room within 1 s of a CREDIT_REQUEST.  *sent counts what went
 * out; false when no stall came within 4 MiB or the connection died.
 */
static bool fill_until_stall(struct gk_vsock_conn *c, uint32_t *sent)
{
	uint64_t quiet = now_us(), asked = 0;
	unsigned updates = 0;

	*sent = 0;
	while (*sent < (4u << 20) && c->state == GK_VS_ESTABLISHED) {
		uint32_t k;

		fill(chunk, 4, *sent, sizeof(chunk));
		k = gk_vsock_send(&vs, c, chunk, sizeof(chunk));
		if (k) {
			*sent += k;
			quiet = now_us();
			asked = 0;
			continue;
		}
		if (!asked && now_us() - quiet > 300000) {
			updates = c->credit_updates;
			gk_vsock_credit_request(&vs, c);
			asked = now_us();
		}
		if (asked && c->credit_updates > updates && now_us() - asked > 1000000)
			return true;
		if (asked && now_us() - asked > 10000000)
			return false;	/* CREDIT_REQUEST never answered */
		idle();
	}
	return false;
}

static void test_g2h_stall(void)
{
	struct gk_vsock_conn *c = gk_vsock_connect(&vs, 1026, port_g2h, 4096);
	uint32_t sent, in_flight;
	bool ok, stalled;

	ok = c && gk_vsock_wait(&vs, conn_settled, c, STEP_US) &&
	     c->state == GK_VS_ESTABLISHED;
	if (!gk_check("vsock.g2h-stall-connect", ok, "REQUEST 1026 -> host %u", port_g2h))
		return;
	stalled = fill_until_stall(c, &sent);
	in_flight = c->tx_cnt - c->peer_fwd_cnt;
	gk_printf("GK-NOTE vsock.g2h-stall sent=%u buf_alloc=%u fwd_cnt=%u\n", sent,
		  c->peer_buf_alloc, c->peer_fwd_cnt);
	gk_check("vsock.g2h-credit-stall",
		 stalled && in_flight == c->peer_buf_alloc && c->state == GK_VS_ESTABLISHED,
		 "host not reading: %u bytes sent, %s, %u in flight against the host's "
		 "buf_alloc %u (must be equal, never more), connection %s",
		 sent, stalled ? "then no credit" : "NO STALL", in_flight, c->peer_buf_alloc,
		 c->state == GK_VS_ESTABLISHED ? "alive" : c->rst ? "RESET" : "gone");
	if (!stalled || c->state != GK_VS_ESTABLISHED)
		return;
	ok = host_step("g2h-drain");
	for (uint32_t done = 0; ok && done < g2h_extra;) {
		uint32_t n = g2h_extra - done < sizeof(chunk) ? g2h_extra - done : sizeof(chunk);

		fill(chunk, 4, sent + done, n);
		ok = send_all(c, chunk, n);
		done += ok ? n : 0;
	}
	gk_printf("GK-NOTE vsock.g2h-total bytes=%u\n", ok ? sent + g2h_extra : 0);
	ok = ok && gk_vsock_shutdown(&vs, c, VIRTIO_VSOCK_SHUTDOWN_SEND) &&
	     gk_vsock_wait(&vs, closed, c, STEP_US);
	gk_check("vsock.g2h-credit-resume", ok && c->rst,
		 "host reading again: %u more bytes sent as credit came back, "
		 "then SHUTDOWN(SEND) and the host's close (RST %s)",
		 g2h_extra, c->rst ? "received" : "MISSING");
}

static bool read_args(void)
{
	size_t len;
	const char *t = gk_cmdline_get("gk.vsock_token", &len);

	if (!t || !len || len >= sizeof(token))
		return false;
	memcpy(token, t, len);
	token[len] = 0;
	port_echo = (uint32_t)gk_cmdline_u64("gk.vsock_port_echo", 5000);
	port_refused = (uint32_t)gk_cmdline_u64("gk.vsock_port_refused", 5001);
	port_g2h = (uint32_t)gk_cmdline_u64("gk.vsock_port_g2h", 5002);
	port_listen = (uint32_t)gk_cmdline_u64("gk.vsock_port_listen", 6000);
	port_stall = (uint32_t)gk_cmdline_u64("gk.vsock_port_stall", 6001);
	bulk = (uint32_t)gk_cmdline_u64("gk.vsock_bulk", 20000);
	stall_buf = (uint32_t)gk_cmdline_u64("gk.vsock_stall_buf", 4096);
	stall_total = (uint32_t)gk_cmdline_u64("gk.vsock_stall_total", 16384);
	g2h_extra = (uint32_t)gk_cmdline_u64("gk.vsock_g2h_extra", 65536);
	return bulk <= sizeof(big) && stall_total <= sizeof(big) &&
	       stall_buf && stall_buf < stall_total && stall_buf <= GK_VSOCK_BUF_MAX;
}

void gk_main(void)
{
	struct gk_init_log log;
	uint64_t want_cid = gk_cmdline_u64("gk.vsock_cid", 0);
	unsigned overrun = 0;
	int rc;

	if (!read_args()) {
		gk_report("vsock.cmdline", GK_FAIL, "need gk.vsock_token= and sane sizes");
		gk_finish();
	}
	rc = gk_vsock_init(&vs, &log);
	if (rc == -2) {
		gk_report("vsock.init", GK_FAIL, "no virtio-vsock device (ID 19) on the command line");
		gk_finish();
	}
	gk_check("vsock.init", rc == 0 && log.driver_ok == 0xf &&
		 gk_vdev_has(&vs.dev, VIRTIO_F_VERSION_1),
		 "base=0x%lx irq=%u, offered 0x%lx accepted 0x%lx, status 0x%x%s%s, "
		 "queues %u/%u/%u entries", vs.dev.mmio.base, vs.dev.mmio.irq,
		 vs.dev.offered, vs.dev.features, log.driver_ok,
		 log.failed_step ? ", failed at " : "",
		 log.failed_step ? log.failed_step : "", vs.rxq.size, vs.txq.size,
		 vs.evq.size);
	if (rc)
		gk_finish();
	gk_check("vsock.config-cid", vs.cid == want_cid,
		 "guest_cid %lu, cvmm was given %lu", vs.cid, want_cid);
	test_refused();
	test_g2h();
	test_h2g();
	test_h2g_stall();
	test_g2h_stall();
	gk_vsock_poll(&vs);
	for (unsigned i = 0; i < GK_VSOCK_CONNS; i++)
		overrun += vs.conn[i].overrun_bytes;
	gk_check("vsock.driver-sanity",
		 !vs.bad_pkts && !vs.bad_used && !vs.tx_stuck && !overrun,
		 "%u malformed packets (last op<<16|reason 0x%x), %u used entries not ours, "
		 "%u tx waits gave up, %u bytes beyond our credit, %u packets for no "
		 "connection, %u events", vs.bad_pkts, vs.last_bad, vs.bad_used,
		 vs.tx_stuck, overrun, vs.stray_pkts, vs.events);
	gk_finish();
}
