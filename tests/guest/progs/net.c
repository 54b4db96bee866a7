// SPDX-License-Identifier: MIT
/*
 * virtio-net suite: the kit's virtio-net driver (rt/net.c, virtio 1.2 §5.1)
 * talks to a host tap in a network namespace the runner created
 * (run-cvmm-net).  The guest resolves the host's address with ARP (RFC 826),
 * then sends ICMP echo requests (RFC 792) of several sizes, up to a full
 * 1500-byte IPv4 packet, and checks every reply field by field: Ethernet
 * addresses, the IPv4 header and its checksum (RFC 791), the ICMP type,
 * id, sequence, payload and checksum.  It also checks the virtio_net_hdr
 * the device put in front of every frame (§5.1.6.4: no offload was
 * negotiated, so flags 0, GSO_NONE, one buffer).  The host's addresses
 * come on the command line: gk.net_mac= (what cvmm was given),
 * gk.net_ip=, gk.net_peer_ip=, gk.net_peer_mac= (the tap's own).
 * ARP requests for the guest's address are answered, every other frame
 * (IPv6 neighbour discovery of the tap, ...) is counted and ignored.
 */
#include "net.h"

const char gk_program_name[] = "net";

#define ETH_ARP 0x0806
#define ETH_IP 0x0800
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO 8
#define ECHO_ID 0x474b
#define WAIT_US 10000000

struct eth {
	uint8_t dst[6], src[6];
	uint16_t type;	/* big-endian */
} __attribute__((packed));

struct arp {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[6], spa[4], tha[6], tpa[4];
} __attribute__((packed));

struct ipv4 {
	uint8_t ver_ihl, tos;
	uint16_t total_len, id, frag;
	uint8_t ttl, proto;
	uint16_t csum;
	uint8_t src[4], dst[4];
} __attribute__((packed));

struct icmp {
	uint8_t type, code;
	uint16_t csum, id, seq;
} __attribute__((packed));

static struct gk_net nic;
static uint8_t my_mac[6], peer_mac[6], my_ip[4], peer_ip[4];
static uint8_t frame[GK_NET_BUF], rx[GK_NET_BUF];
static unsigned hdr_bad, ignored, arp_answered;
static struct gk_net_hdr first_bad_hdr;

static uint16_t be16(uint16_t v)
{
	return (uint16_t)(v << 8 | v >> 8);
}

/* RFC 1071 ones' complement sum; 0 when a block with its checksum is good. */
static uint16_t inet_csum(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;

	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return be16((uint16_t)~sum);
}

static bool parse_ip(const char *key, uint8_t out[4])
{
	size_t len, i = 0;
	const char *s = gk_cmdline_get(key, &len);

	if (!s)
		return false;
	for (unsigned k = 0; k < 4; k++) {
		unsigned v = 0, digits = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 3) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (!digits || v > 255 || (k < 3 && (i >= len || s[i++] != '.')))
			return false;
		out[k] = (uint8_t)v;
	}
	return i == len;
}

static void fmt_mac(char *buf, size_t n, const uint8_t m[6])
{
	gk_snprintf(buf, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		    m[3], m[4], m[5]);
}

static bool send_frame(uint32_t len)
{
	/* Ethernet's minimum frame, without FCS: the tap passes it as is. */
	if (len < 60) {
		memset(frame + len, 0, 60 - len);
		len = 60;
	}
	if (gk_net_send(&nic, frame, len))
		return true;
	gk_udelay(1000);
	return gk_net_send(&nic, frame, len);
}

static uint32_t build_arp(uint16_t op, const uint8_t *dst_mac,
			  const uint8_t *tha, const uint8_t *tpa)
{
	struct eth *e = (struct eth *)frame;
	struct arp *a = (struct arp *)(e + 1);

	memcpy(e->dst, dst_mac, 6);
	memcpy(e->src, my_mac, 6);
	e->type = be16(ETH_ARP);
	*a = (struct arp){ .htype = be16(1), .ptype = be16(ETH_IP), .hlen = 6,
			   .plen = 4, .op = be16(op) };
	memcpy(a->sha, my_mac, 6);
	memcpy(a->spa, my_ip, 4);
	memcpy(a->tha, tha, 6);
	memcpy(a->tpa, tpa, 4);
	return sizeof(*e) + sizeof(*a);
}

/* Someone (the host's kernel re-checking its neighbour entry) asks for us. */
static bool answer_arp(const uint8_t *f, int len)
{
	const struct eth *e = (const struct eth *)f;
	const struct arp *a = (const struct arp *)(e + 1);
	uint8_t sha[6], spa[4];

	if (len < (int)(sizeof(*e) + sizeof(*a)) || e->type != be16(ETH_ARP) ||
	    a->op != be16(1) || memcmp(a->tpa, my_ip, 4))
		return false;

	memcpy(sha, a->sha, 6);
	memcpy(spa, a->spa, 4);
	arp_answered++;
	return send_frame(build_arp(2, sha, sha, spa));
}

static void check_hdr(const struct gk_net_hdr *h)
{
	if (h->flags == 0 && h->gso_type == VIRTIO_NET_HDR_GSO_NONE &&
	    h->num_buffers == 1)
		return;
	if (!hdr_bad++)
		first_bad_hdr = *h;
}

/* Receives frames until match() accepts one; answers ARP for us meanwhile. */
static int wait_frame(bool (*match)(const uint8_t *, int, const void *),
		      const void *ctx)
{
	uint64_t t0 = gk_rdtsc(), span = gk_tsc_khz * WAIT_US / 1000;
	struct gk_net_hdr h;

	while (gk_rdtsc() - t0 < span) {
		int len = gk_net_recv(&nic, rx, sizeof(rx), &h);

		if (len < 0) {
			gk_net_reap_tx(&nic);
			gk_nap();
			continue;
		}
		check_hdr(&h);
		if (len > (int)sizeof(rx))
			len = sizeof(rx);
		if (match(rx, len, ctx))
			return len;
		if (!answer_arp(rx, len))
			ignored++;
	}
	return -1;
}

static bool is_arp_reply(const uint8_t *f, int len, const void *ctx)
{
	const struct eth *e = (const struct eth *)f;
	const struct arp *a = (const struct arp *)(e + 1);

	(void)ctx;
	return len >= (int)(sizeof(*e) + sizeof(*a)) && e->type == be16(ETH_ARP) &&
	       a->op == be16(2) && !memcmp(a->spa, peer_ip, 4);
}

static void test_arp(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	const struct eth *e = (const struct eth *)rx;
	const struct arp *a = (const struct arp *)(e + 1);
	char want[20], got[20];
	bool sent = send_frame(build_arp(1, bcast, zero, peer_ip));
	int len = sent ? wait_frame(is_arp_reply, NULL) : -1;

	if (!gk_check("net.arp-reply", len > 0, "ARP request for %u.%u.%u.%u %s, %s",
		      peer_ip[0], peer_ip[1], peer_ip[2], peer_ip[3],
		      sent ? "sent" : "NOT sent (tx queue full)",
		      len > 0 ? "reply received" : "no reply within 10 s"))
		return;
	fmt_mac(want, sizeof(want), peer_mac);
	fmt_mac(got, sizeof(got), a->sha);
	gk_check("net.arp-reply-fields",
		 !memcmp(a->sha, peer_mac, 6) && !memcmp(e->src, peer_mac, 6) &&
			 !memcmp(e->dst, my_mac, 6) && !memcmp(a->tha, my_mac, 6) &&
			 !memcmp(a->tpa, my_ip, 4) && a->htype == be16(1) &&
			 a->ptype == be16(ETH_IP) && a->hlen == 6 && a->plen == 4,
		 "sender %s (tap %s), target is us: %s", got, want,
		 !memcmp(a->tha, my_mac, 6) && !memcmp(a->tpa, my_ip, 4) ? "yes" : "NO");
}

struct echo_want {
	uint16_t seq;
};

static bool is_echo_reply(const uint8_t *f, int len, const void *ctx)
{
	const struct echo_want *w = ctx;
	const struct eth *e = (const struct eth *)f;
	const struct ipv4 *ip = (const struct ipv4 *)(e + 1);
	const struct icmp *ic = (const struct icmp *)(ip + 1);

	return len >= (int)(sizeof(*e) + sizeof(*ip) + sizeof(*ic)) &&
	       e->type == be16(ETH_IP) && ip->ver_ihl == 0x45 && ip->proto == 1 &&
	       ic->type == ICMP_ECHO_REPLY && ic->id == be16(ECHO_ID) &&
	       ic->seq == be16(w->seq);
}

static uint32_t build_echo(uint16_t seq, uint32_t payload)
{
	struct eth *e = (struct eth *)frame;
	struct ipv4 *ip = (struct ipv4 *)(e + 1);
	struct icmp *ic = (struct icmp *)(ip + 1);
	uint8_t *data = (uint8_t *)(ic + 1);
	uint16_t tot = (uint16_t)(sizeof(*ip) + sizeof(*ic) + payload);

	memcpy(e->dst, peer_mac, 6);
	memcpy(e->src, my_mac, 6);
	e->type = be16(ETH_IP);
	*ip = (struct ipv4){ .ver_ihl = 0x45, .total_len = be16(tot),
			     .id = be16(seq), .frag = be16(0x4000), .ttl = 64,
			     .proto = 1 };
	memcpy(ip->src, my_ip, 4);
	memcpy(ip->dst, peer_ip, 4);
	ip->csum = inet_csum(ip, sizeof(*ip));
	*ic = (struct icmp){ .type = ICMP_ECHO, .id = be16(ECHO_ID), .seq = be16(seq) };
	for (uint32_t i = 0; i < payload; i++)
		data[i] = (uint8_t)(seq * 7 + i * 13);
	ic->csum = inet_csum(ic, sizeof(*ic) + payload);
	return sizeof(*e) + tot;
}

static void test_echo(uint16_t seq, uint32_t payload)
{
	char name[32];
	uint32_t flen = build_echo(seq, payload);
	struct echo_want w = { seq };
	const struct eth *e = (const struct eth *)rx;
	const struct ipv4 *ip = (const struct ipv4 *)(e + 1);
	const struct icmp *ic = (const struct icmp *)(ip + 1);
	const uint8_t *sent_data = frame + sizeof(*e) + sizeof(*ip) + sizeof(*ic);
	bool sent = send_frame(flen);
	int len = sent ? wait_frame(is_echo_reply, &w) : -1;
	bool addr, iphdr, icmp, data;

	gk_snprintf(name, sizeof(name), "net.echo-%u", payload);
	if (!gk_check(name, len > 0, "echo request seq %u, %u payload bytes (%u-byte frame) %s",
		      seq, payload, flen, len > 0 ? "answered" : "NOT answered within 10 s"))
		return;
	addr = !memcmp(e->src, peer_mac, 6) && !memcmp(e->dst, my_mac, 6) &&
	       !memcmp(ip->src, peer_ip, 4) && !memcmp(ip->dst, my_ip, 4);
	iphdr = inet_csum(ip, sizeof(*ip)) == 0 &&
		be16(ip->total_len) == sizeof(*ip) + sizeof(*ic) + payload &&
		len >= (int)(sizeof(*e) + be16(ip->total_len)) &&
		!(be16(ip->frag) & 0x3fff);
	icmp = ic->code == 0 &&
	       inet_csum(ic, sizeof(*ic) + payload) == 0;
	data = !memcmp(ic + 1, sent_data, payload);
	gk_snprintf(name, sizeof(name), "net.echo-%u-fields", payload);
	gk_check(name, addr && iphdr && icmp && data,
		 "addresses %s, IPv4 header+checksum %s, ICMP code+checksum %s, "
		 "id 0x%x seq %u, payload %s",
		 addr ? "ok" : "WRONG", iphdr ? "ok" : "BAD", icmp ? "ok" : "BAD",
		 be16(ic->id), be16(ic->seq), data ? "identical" : "DIFFERS");
}

/* While the runner reads its side: keep answering ARP, drop the rest. */
static void poll_frames(void *ctx)
{
	struct gk_net_hdr h;
	int len;

	(void)ctx;
	while ((len = gk_net_recv(&nic, rx, sizeof(rx), &h)) >= 0) {
		check_hdr(&h);
		if (!answer_arp(rx, len > (int)sizeof(rx) ? (int)sizeof(rx) : len))
			ignored++;
	}
	gk_net_reap_tx(&nic);
}

static void report_init(int rc, const struct gk_init_log *l)
{
	char got[20], want[20];

	gk_check("net.init", rc == 0 && l->driver_ok == 0xf,
		 "base=0x%lx irq=%u, status 0x%x%s%s, queues rx %u tx %u entries",
		 nic.dev.mmio.base, nic.dev.mmio.irq, l->driver_ok,
		 l->failed_step ? ", failed at " : "",
		 l->failed_step ? l->failed_step : "", nic.rxq.size, nic.txq.size);
	gk_check("net.features",
		 gk_vdev_has(&nic.dev, VIRTIO_F_VERSION_1) &&
			 gk_vdev_has(&nic.dev, VIRTIO_NET_F_MAC) &&
			 l->features_ok == 0xb,
		 "offered 0x%lx, accepted 0x%lx (VERSION_1 and MAC needed), status 0x%x",
		 nic.dev.offered, nic.dev.features, l->features_ok);
	fmt_mac(got, sizeof(got), nic.mac);
	fmt_mac(want, sizeof(want), my_mac);
	gk_check("net.config-mac", !memcmp(nic.mac, my_mac, 6),
		 "config space MAC %s, cvmm was given %s", got, want);
	if (gk_vdev_has(&nic.dev, VIRTIO_NET_F_STATUS))
		gk_check("net.link-up", nic.status & VIRTIO_NET_S_LINK_UP,
			 "config status 0x%x", nic.status);
	else
		gk_report("net.link-up", GK_SKIP, "STATUS not offered");
}

void gk_main(void)
{
	struct gk_init_log log;
	int rc;

	if (!gk_cmdline_mac("gk.net_mac", my_mac) || !gk_cmdline_mac("gk.net_peer_mac", peer_mac) ||
	    !parse_ip("gk.net_ip", my_ip) || !parse_ip("gk.net_peer_ip", peer_ip)) {
		gk_report("net.cmdline", GK_FAIL,
			  "need gk.net_mac=, gk.net_peer_mac=, gk.net_ip=, gk.net_peer_ip=");
		gk_finish();
	}
	rc = gk_net_init(&nic, 0, &log);
	if (rc == -2) {
		gk_report("net.init", GK_FAIL, "no virtio-net device (ID 1) on the command line");
		gk_finish();
	}
	report_init(rc, &log);
	if (rc)
		gk_finish();
	test_arp();
	test_echo(1, 56);
	test_echo(2, 1000);
	test_echo(3, 1472);	/* 1500-byte IPv4 packet: the MTU */
	/* The host checks its tap and neighbour table while the link is up:
	 * the kernel forgets the neighbour when cvmm closes the tap. */
	gk_check("net.host-step",
		 gk_host_step("net.host-check", "net-host-checked", 60000000,
			      poll_frames, NULL),
		 "the runner read its tap counters and neighbour table");
	gk_net_reap_tx(&nic);
	if (hdr_bad)
		gk_report("net.rx-header", GK_FAIL,
			  "%u of %u frames had a header other than flags 0, GSO_NONE, "
			  "num_buffers 1 (first: flags 0x%x gso %u num_buffers %u)",
			  hdr_bad, nic.rx_frames, first_bad_hdr.flags,
			  first_bad_hdr.gso_type, first_bad_hdr.num_buffers);
	else
		gk_report("net.rx-header", GK_PASS,
			  "all %u frames: flags 0, GSO_NONE, num_buffers 1 (virtio 1.2 5.1.6.4)",
			  nic.rx_frames);
	gk_check("net.used-ring", nic.bad_used == 0 && nic.rx_short == 0,
		 "%u tx frames, %u used entries not ours, %u rx buffers shorter "
		 "than the header", nic.tx_frames, nic.bad_used, nic.rx_short);
	gk_printf("GK-NOTE net.frames rx=%u tx=%u ignored=%u arp-answered=%u\n",
		  nic.rx_frames, nic.tx_frames, ignored, arp_answered);
	gk_finish();
}
