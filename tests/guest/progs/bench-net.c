// SPDX-License-Identifier: MIT
/*
 * bench-net: per-frame cost of virtio-net (virtio 1.2 §5.1) through the
 * kit's driver (rt/net.c), against a host tap that tests/bench/net-bench.py
 * creates in a network namespace of its own.  For 64- and 1500-byte
 * Ethernet frames (header included, no FCS) the guest
 *   tx: sends gk.n= frames (default 2000), polled, kicking per frame (the
 *       device may suppress kicks with EVENT_IDX), and waits until every
 *       buffer came back;
 *   rx: counts the frames of that size the host sends into the tap while
 *       it waits for the host's "done" (gk_host_step(), the device's
 *       interrupt ending each nap), then drains what is left.
 * Each phase is bracketed by GK-WANT-INPUT steps so that the host can read
 * the VMM's CPU time and the tap's counters at its edges.  Frames carry
 * the IEEE local experimental EtherType 0x88b5 from gk.net_mac= to
 * gk.net_peer_mac= (the tap's own MAC): the namespace's kernel counts them
 * and drops them.  Prints name=... ops=... ns_per_op=... lines (guest TSC
 * time, first to last frame) like bench-blk.
 */
#include "net.h"

const char gk_program_name[] = "bench-net";

#define ETH_BENCH 0x88b5
#define STEP_US 300000000ull	/* host steps: nested runs are slow */
#define PHASE_NS 120000000000ull

static struct gk_net nic;
static uint8_t my_mac[6], peer_mac[6];
static uint8_t frame[GK_NET_BUF], rx[GK_NET_BUF];

static bool tx_idle(void)
{
	for (unsigned i = 0; i < GK_NET_TXBUFS; i++)
		if (nic.tx_busy[i])
			return false;
	return true;
}

static void tx_phase(uint32_t size, unsigned long n)
{
	char name[32], step[48];
	unsigned long sent = 0, stalls = 0;
	uint64_t t0, ns, t_start;
	bool done;

	memcpy(frame, peer_mac, 6);
	memcpy(frame + 6, my_mac, 6);
	frame[12] = ETH_BENCH >> 8;
	frame[13] = ETH_BENCH & 0xff;
	for (uint32_t i = 18; i < size; i++)
		frame[i] = (uint8_t)(i * 13);
	gk_snprintf(name, sizeof(name), "net-tx-%u", size);
	gk_snprintf(step, sizeof(step), "bench.%s-begin", name);
	gk_host_step(step, "go", STEP_US, NULL, NULL);

	t_start = gk_now_ns();
	t0 = gk_rdtsc();
	while (sent < n && gk_now_ns() - t_start < PHASE_NS) {
		memcpy(frame + 14, &sent, 4);
		if (gk_net_send(&nic, frame, size)) {
			sent++;
			continue;
		}
		/* All 16 buffers in flight: wait for the device's interrupt. */
		stalls++;
		gk_nap();
	}
	while (!(done = tx_idle()) && gk_now_ns() - t_start < PHASE_NS) {
		gk_nap();
		gk_net_reap_tx(&nic);
	}
	ns = gk_tsc_to_ns(gk_rdtsc() - t0);

	gk_snprintf(step, sizeof(step), "bench.%s-end", name);
	gk_host_step(step, "ok", STEP_US, NULL, NULL);
	gk_check(name, sent == n && done && !nic.bad_used,
		 "name=%s ops=%lu ns_per_op=%lu stalls=%lu notifies=%u bad_used=%u",
		 name, sent, sent ? ns / sent : 0, stalls, nic.txq.notifies,
		 nic.bad_used);
}

struct rx_count {
	uint32_t size;
	unsigned long got, other;
	uint64_t first, last;
};

static void rx_poll(void *ctx)
{
	struct rx_count *c = ctx;
	struct gk_net_hdr h;
	int len;

	while ((len = gk_net_recv(&nic, rx, sizeof(rx), &h)) >= 0) {
		if ((uint32_t)len == c->size && rx[12] == ETH_BENCH >> 8 &&
		    rx[13] == (ETH_BENCH & 0xff)) {
			c->last = gk_rdtsc();
			if (!c->got++)
				c->first = c->last;
		} else {
			c->other++;
		}
	}
}

static void rx_phase(uint32_t size, unsigned long n)
{
	char name[32], step[48];
	struct rx_count c = { .size = size };
	uint64_t ns;
	bool answered;

	gk_snprintf(name, sizeof(name), "net-rx-%u", size);
	gk_snprintf(step, sizeof(step), "bench.%s", name);
	answered = gk_host_step(step, "done", STEP_US, rx_poll, &c);
	rx_poll(&c);
	ns = c.got > 1 ? gk_tsc_to_ns(c.last - c.first) : 0;
	/* Losses are the host's to judge: it sees the tap's drop counter. */
	gk_check(name, answered && c.got > 0,
		 "name=%s ops=%lu ns_per_op=%lu sent=%lu other=%lu rx_short=%u",
		 name, c.got, c.got > 1 ? ns / (c.got - 1) : 0, n, c.other,
		 nic.rx_short);
}

void gk_main(void)
{
	const unsigned long n = gk_cmdline_u64("gk.n", 2000);
	struct gk_init_log log;
	int rc;

	if (!gk_cmdline_mac("gk.net_mac", my_mac) || !gk_cmdline_mac("gk.net_peer_mac", peer_mac)) {
		gk_report("bench.net-cmdline", GK_FAIL, "need gk.net_mac= and gk.net_peer_mac=");
		return;
	}
	rc = gk_net_init(&nic, 0, &log);
	if (!gk_check("bench.net-init", rc == 0, "rc %d, features 0x%lx, queues rx %u tx %u",
		      rc, nic.dev.features, nic.rxq.size, nic.txq.size))
		return;
	tx_phase(64, n);
	tx_phase(1500, n);
	rx_phase(64, n);
	rx_phase(1500, n);
	gk_vdev_reset(&nic.dev);
}
