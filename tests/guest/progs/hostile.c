// SPDX-License-Identifier: MIT
/*
 * hostile suite: a virtio-blk driver that breaks the rules on purpose
 * (virtio 1.2 2.7 split ring driver requirements, 3.1.1 init order,
 * 4.2.2 MMIO register access rules).  Every test expects the VM to survive
 * and the device to either complete the request with an error status or set
 * DEVICE_NEEDS_RESET (2.1.1); then, after a reset, a good request must work
 * and return the host pattern.  Where the spec leaves the device's answer
 * open, the accepted outcomes are widened to the spec's options and the
 * detail text says so.  Buffers the device may write are placed where a
 * buggy device cannot damage the kit (data requests are reads near the end
 * of the disk), so a broken VMM shows up as FAIL lines, not a wild guest.
 */
#include "disk_layout.h"
#include "virtio.h"

const char gk_program_name[] = "hostile";

#define TIMEOUT_US 1000000
#define FAR_ADDR 0x10000000000ull	/* 1 TiB: beyond any test VM's RAM */

enum outcome {
	O_NONE = 1,		/* nothing happened before the timeout */
	O_OK = 2,		/* completed, status OK */
	O_ERR = 4,		/* completed, status IOERR or UNSUPP */
	O_NOSTATUS = 8,		/* completed, status byte untouched */
	O_NEEDS_RESET = 16,	/* DEVICE_NEEDS_RESET set */
	O_BADSTATUS = 32,	/* completed with a status value not in virtio 1.2 5.2.6 */
};

static const char *const outcome_names[] = {
	"none", "ok", "error-status", "no-status", "needs-reset", "bad-status",
};

#define ERROR_OR_RESET (O_ERR | O_NEEDS_RESET)
/* virtio 1.2 assumes buffers are guest memory and says nothing else. */
#define NOT_MEMORY "spec leaves non-memory buffers open: completing them as " \
	"discarded bus accesses (OK) is accepted too"

static struct gk_vring_mem mem;
static struct gk_vdev dev;
static struct gk_blk_hdr hdr;
static volatile uint8_t status;
static uint8_t buf[64 * 1024] GK_ALIGNED(4096);
static struct vring_desc tables[2][8] GK_ALIGNED(16);
static uint64_t capacity;
static uint16_t used_start;

static bool fresh(void)
{
	if (gk_vdev_init(&dev, gk_blk_wanted_features(), &mem, 0, NULL))
		return false;
	capacity = gk_vdev_cfg64(&dev, VIRTIO_BLK_CFG_CAPACITY);
	used_start = gk_vq_used_idx(&dev.vq);
	return true;
}

static void set_desc(struct vring_desc *t, unsigned i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	t[i].addr = addr;
	t[i].len = len;
	t[i].flags = flags;
	t[i].next = next;
}

/* A read header near the end of the disk: a wild device has little to copy. */
static void set_hdr(uint32_t type, uint64_t sector)
{
	hdr.type = type;
	hdr.reserved = 0;
	hdr.sector = sector;
	status = GK_BLK_NO_STATUS;
}

static uint64_t last_sectors(void)
{
	return capacity > 8 ? capacity - 8 : 0;
}

struct obs_ctx {
	uint16_t want;
};

static bool observed(void *p)
{
	const struct obs_ctx *c = p;

	return (uint16_t)(gk_vq_used_idx(&dev.vq) - used_start) >= c->want ||
	       (gk_vdev_status(&dev) & VSTAT_NEEDS_RESET);
}

static unsigned observe(uint16_t want_used)
{
	struct obs_ctx c = { want_used };
	uint64_t t0 = gk_rdtsc(), span = gk_tsc_khz * TIMEOUT_US / 1000;
	unsigned o = 0;

	while (!observed(&c) && gk_rdtsc() - t0 < span)
		gk_pause();
	if (gk_vdev_status(&dev) & VSTAT_NEEDS_RESET)
		o |= O_NEEDS_RESET;
	if (gk_vq_used_idx(&dev.vq) != used_start) {
		uint8_t s = status;

		if (s == VIRTIO_BLK_S_OK)
			o |= O_OK;
		else if (s == VIRTIO_BLK_S_IOERR || s == VIRTIO_BLK_S_UNSUPP)
			o |= O_ERR;
		else if (s == GK_BLK_NO_STATUS)
			o |= O_NOSTATUS;
		else
			o |= O_BADSTATUS;
	}
	return o ? o : O_NONE;
}

static void names(char *out, size_t n, unsigned set)
{
	size_t len = 0;

	out[0] = 0;
	for (unsigned b = 0; b < GK_ARRAY_SIZE(outcome_names); b++)
		if (set & (1u << b))
			len += (size_t)gk_snprintf(out + len, len < n ? n - len : 0,
						   "%s%s", len ? "|" : "",
						   outcome_names[b]);
}

/* Reset, initialise, read 4 KiB and check the host pattern. */
static bool recover(char *why, size_t wl)
{
	static const struct gk_blkmode m = { false, false };
	long bad;
	int st;

	if (!fresh()) {
		gk_snprintf(why, wl, "re-initialisation failed");
		return false;
	}
	memset(buf, 0, 4096);
	st = gk_blk_sync(&dev, VIRTIO_BLK_T_IN, 8, buf, 4096, &m);
	bad = gk_pattern_check(buf, 8 * GK_SECTOR, 4096, GK_PAT_HOST);
	gk_snprintf(why, wl, "good read after reset: status %d, data %s", st,
		    bad < 0 ? "ok" : "WRONG");
	if (st == VIRTIO_BLK_S_OK && bad < 0)
		return fresh();
	return false;
}

static void verdict(const char *name, unsigned got, unsigned allowed,
		    const char *note)
{
	char g[80], a[80], why[96];
	bool rec = recover(why, sizeof(why));
	bool ok;

	/* A device that sets DEVICE_NEEDS_RESET has told the driver that the
	 * queue's results are void until a reset (virtio 1.2 §2.1.2), so a
	 * head it returned without a status byte is no false completion. */
	if ((got & O_NEEDS_RESET) && (allowed & O_NEEDS_RESET))
		got &= ~(unsigned)O_NOSTATUS;
	ok = rec && !(got & ~allowed);

	names(g, sizeof(g), got);
	names(a, sizeof(a), allowed);
	gk_check(name, ok, "outcome %s; accepted %s%s%s; %s", g, a,
		 note ? "; " : "", note ? note : "", why);
}

/* ---- malformed chains ----------------------------------------------------- */
static void test_desc_loop(void)
{
	struct vring_desc *d = mem.desc;

	set_hdr(VIRTIO_BLK_T_IN, last_sectors());
	set_desc(d, 0, (uintptr_t)&hdr, 16, VRING_DESC_F_NEXT, 1);
	set_desc(d, 1, (uintptr_t)buf, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(d, 2, (uintptr_t)buf + 512, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	gk_vq_publish_raw(&dev.vq, 0);
	verdict("hostile.desc-loop", observe(1), ERROR_OR_RESET,
		"chain 0->1->2->1 never ends");
}

static void test_indirect_loop(void)
{
	struct vring_desc *t = tables[0];

	set_hdr(VIRTIO_BLK_T_IN, last_sectors());
	set_desc(t, 0, (uintptr_t)&hdr, 16, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, (uintptr_t)buf, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(t, 2, (uintptr_t)&status, 1, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(mem.desc, 0, (uintptr_t)t, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	gk_vq_publish_raw(&dev.vq, 0);
	verdict("hostile.indirect-loop", observe(1), ERROR_OR_RESET,
		"indirect table 0->1->2->1");
}

static void test_next_out_of_range(void)
{
	struct vring_desc *d = mem.desc;

	set_hdr(VIRTIO_BLK_T_IN, last_sectors());
	set_desc(d, 0, (uintptr_t)&hdr, 16, VRING_DESC_F_NEXT,
		 (uint16_t)(dev.vq.size + 5));
	gk_vq_publish_raw(&dev.vq, 0);
	verdict("hostile.next-out-of-range", observe(1), ERROR_OR_RESET,
		"next = queue size + 5");
}

static void test_head_out_of_range(void)
{
	gk_vq_publish_raw(&dev.vq, (uint16_t)(dev.vq.size + 3));
	verdict("hostile.head-out-of-range", observe(1), ERROR_OR_RESET,
		"avail ring entry = queue size + 3");
}

/* hdr, one data descriptor as given, status. */
static void data_chain(uint32_t type, uint64_t sector, uint64_t addr,
		       uint32_t len, uint16_t data_flags)
{
	struct vring_desc *d = mem.desc;

	set_hdr(type, sector);
	set_desc(d, 0, (uintptr_t)&hdr, 16, VRING_DESC_F_NEXT, 1);
	set_desc(d, 1, addr, len, (uint16_t)(data_flags | VRING_DESC_F_NEXT), 2);
	set_desc(d, 2, (uintptr_t)&status, 1, VRING_DESC_F_WRITE, 0);
	gk_vq_publish_raw(&dev.vq, 0);
}

static void test_zero_and_huge(void)
{
	data_chain(VIRTIO_BLK_T_IN, last_sectors(), (uintptr_t)buf, 0,
		   VRING_DESC_F_WRITE);
	verdict("hostile.zero-len-data", observe(1), ERROR_OR_RESET | O_OK,
		"spec leaves it open: 0 bytes is a multiple of 512 (virtio 1.2 5.2.6), "
		"so OK is accepted too");

	set_hdr(VIRTIO_BLK_T_IN, last_sectors());
	set_desc(mem.desc, 0, (uintptr_t)&hdr, 16, VRING_DESC_F_NEXT, 1);
	set_desc(mem.desc, 1, (uintptr_t)buf, 512,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(mem.desc, 2, (uintptr_t)&status, 0, VRING_DESC_F_WRITE, 0);
	gk_vq_publish_raw(&dev.vq, 0);
	verdict("hostile.zero-len-status", observe(1),
		O_NEEDS_RESET | O_NOSTATUS,
		"no room for the status byte: it must stay untouched");

	data_chain(VIRTIO_BLK_T_IN, last_sectors(), (uintptr_t)buf,
		   0xfffff000u, VRING_DESC_F_WRITE);
	verdict("hostile.huge-desc", observe(1), ERROR_OR_RESET,
		"4 GiB data descriptor");
}

/* An address in the 32-bit MMIO hole that no listed device, IOAPIC or
 * LAPIC occupies (VMMs put virtio-mmio in different places). */
static uint64_t hole_addr(void)
{
	struct gk_mmio_dev m[16];
	unsigned n = gk_virtio_mmio_devices(m, GK_ARRAY_SIZE(m));
	uint64_t a = gk_cmdline_u64("gk.hole_addr", 0xe0000000ull);
	bool moved = true;

	while (moved && a < 0xfec00000ull) {
		moved = false;
		for (unsigned i = 0; i < n; i++)
			if (a + 4096 > m[i].base && a < m[i].base + m[i].size) {
				a += 0x1000000;
				moved = true;
			}
	}
	return a;
}

static void test_bad_addresses(void)
{
	uint64_t hole = hole_addr();

	data_chain(VIRTIO_BLK_T_IN, last_sectors(), FAR_ADDR, 4096,
		   VRING_DESC_F_WRITE);
	verdict("hostile.buf-outside-ram", observe(1), ERROR_OR_RESET | O_OK,
		"data at 1 TiB; " NOT_MEMORY);
	data_chain(VIRTIO_BLK_T_IN, last_sectors(), hole, 4096,
		   VRING_DESC_F_WRITE);
	gk_printf("GK-NOTE hostile.buf-mmio-hole address 0x%lx\n", hole);
	verdict("hostile.buf-mmio-hole", observe(1), ERROR_OR_RESET | O_OK,
		"data in the 32-bit MMIO hole, no device there; " NOT_MEMORY);
	data_chain(VIRTIO_BLK_T_IN, last_sectors(), 0xfffffffffffff000ull,
		   0x2000, VRING_DESC_F_WRITE);
	verdict("hostile.buf-wrapping", observe(1), ERROR_OR_RESET,
		"data 0xfffffffffffff000+0x2000 wraps past 2^64");

	set_hdr(VIRTIO_BLK_T_IN, last_sectors());
	set_desc(mem.desc, 0, FAR_ADDR, 16, VRING_DESC_F_NEXT, 1);
	set_desc(mem.desc, 1, (uintptr_t)buf, 512,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(mem.desc, 2, (uintptr_t)&status, 1, VRING_DESC_F_WRITE, 0);
	gk_vq_publish_raw(&dev.vq, 0);
	verdict("hostile.hdr-outside-ram", observe(1), ERROR_OR_RESET | O_OK,
		"request header at 1 TiB; " NOT_MEMORY);
}

static void test_indirect_abuse(void)
{
	struct vring_desc *t = tables[0], *inner = tables[1];

	set_hdr(VIRTIO_BLK_T_IN, last_sectors());
	set_desc(inner, 0, (uintptr_t)&hdr, 16, VRING_DESC_F_NEXT, 1);
	set_desc(inner, 1, (uintptr_t)&status, 1, VRING_DESC_F_WRITE, 0);
	set_desc(t, 0, (uintptr_t)inner, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(mem.desc, 0, (uintptr_t)t, 16, VRING_DESC_F_INDIRECT, 0);
	gk_vq_publish_raw(&dev.vq, 0);
	verdict("hostile.nested-indirect", observe(1), ERROR_OR_RESET,
		"INDIRECT inside an indirect table (virtio 1.2 2.7.5.3.1)");

	set_hdr(VIRTIO_BLK_T_IN, last_sectors());
	set_desc(t, 0, (uintptr_t)&hdr, 16, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, (uintptr_t)&status, 1, VRING_DESC_F_WRITE, 0);
	set_desc(mem.desc, 0, (uintptr_t)t, 20, VRING_DESC_F_INDIRECT, 0);
	gk_vq_publish_raw(&dev.vq, 0);
	verdict("hostile.indirect-bad-len", observe(1), ERROR_OR_RESET,
		"indirect table length 20, not a multiple of 16");
}

static void test_request_abuse(void)
{
	data_chain(VIRTIO_BLK_T_IN, capacity, (uintptr_t)buf, 4096,
		   VRING_DESC_F_WRITE);
	verdict("hostile.sector-beyond-capacity", observe(1), ERROR_OR_RESET,
		"read at sector = capacity");

	data_chain(VIRTIO_BLK_T_IN, last_sectors(), (uintptr_t)buf, 100,
		   VRING_DESC_F_WRITE);
	verdict("hostile.data-not-sector-multiple", observe(1), ERROR_OR_RESET,
		"read of 100 bytes (virtio 1.2 5.2.6.2: multiple of 512)");

	set_hdr(VIRTIO_BLK_T_IN, last_sectors());
	set_desc(mem.desc, 0, (uintptr_t)&hdr, 8, VRING_DESC_F_NEXT, 1);
	set_desc(mem.desc, 1, (uintptr_t)&status, 1, VRING_DESC_F_WRITE, 0);
	gk_vq_publish_raw(&dev.vq, 0);
	verdict("hostile.hdr-short", observe(1), ERROR_OR_RESET,
		"8-byte request header");

	set_hdr(VIRTIO_BLK_T_IN, last_sectors());
	set_desc(mem.desc, 0, (uintptr_t)&hdr, 16, VRING_DESC_F_NEXT, 1);
	set_desc(mem.desc, 1, (uintptr_t)buf, 512,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(mem.desc, 2, (uintptr_t)&status, 1, 0, 0);
	gk_vq_publish_raw(&dev.vq, 0);
	verdict("hostile.status-device-readable", observe(1),
		O_NEEDS_RESET | O_NOSTATUS,
		"status descriptor without WRITE: it must stay untouched");
}

/* ---- ring index abuse ----------------------------------------------------- */
static void good_chain_at_0(void)
{
	data_chain(VIRTIO_BLK_T_IN, 8, (uintptr_t)buf, 4096, VRING_DESC_F_WRITE);
}

static void test_avail_jump(void)
{
	struct gk_vq *q = &dev.vq;

	set_hdr(VIRTIO_BLK_T_IN, 8);
	set_desc(mem.desc, 0, (uintptr_t)&hdr, 16, VRING_DESC_F_NEXT, 1);
	set_desc(mem.desc, 1, (uintptr_t)buf, 4096,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(mem.desc, 2, (uintptr_t)&status, 1, VRING_DESC_F_WRITE, 0);
	for (unsigned i = 0; i < q->size; i++)
		mem.avail.ring[i] = 0;
	gk_barrier();
	q->avail_idx = (uint16_t)(q->avail_idx + q->size + 1);
	*(volatile uint16_t *)&mem.avail.idx = q->avail_idx;
	gk_vq_notify(q);
	verdict("hostile.avail-jump", observe(1), ERROR_OR_RESET,
		"avail idx moved by queue size + 1");
}

static void test_head_reuse(void)
{
	struct gk_vq *q = &dev.vq;

	good_chain_at_0();	/* published once ... */
	mem.avail.ring[q->avail_idx & (q->size - 1)] = 0;	/* ... and again */
	gk_barrier();
	q->avail_idx++;
	*(volatile uint16_t *)&mem.avail.idx = q->avail_idx;
	gk_vq_notify(q);
	verdict("hostile.head-reused", observe(1), ERROR_OR_RESET | O_OK,
		"spec leaves it open (virtio 1.2 2.7.13: the driver MUST NOT); serving "
		"the chain again is accepted too");
}

static void test_queue_addr_after_ok(void)
{
	gk_vdev_w32(&dev, VMMIO_QUEUE_DESC_LO, 0);
	gk_vdev_w32(&dev, VMMIO_QUEUE_DESC_HI, (uint32_t)(FAR_ADDR >> 32));
	gk_vdev_w32(&dev, VMMIO_QUEUE_DRIVER_LO, 0);
	gk_vdev_w32(&dev, VMMIO_QUEUE_DRIVER_HI, (uint32_t)(FAR_ADDR >> 32));
	good_chain_at_0();
	verdict("hostile.queue-addr-after-ok", observe(1),
		ERROR_OR_RESET | O_OK,
		"QueueDesc/Driver rewritten to 1 TiB while QueueReady=1; spec "
		"leaves it open (virtio 1.2 4.2.3.2 driver rule), ignoring the write "
		"(OK) is accepted too");
}

/* ---- status machine abuse -------------------------------------------------- */
static void setup_queue_raw(void)
{
	gk_vdev_w32(&dev, VMMIO_QUEUE_SEL, 0);
	gk_vdev_w32(&dev, VMMIO_QUEUE_NUM, dev.vq.size);
	gk_vdev_w32(&dev, VMMIO_QUEUE_DESC_LO, (uint32_t)(uintptr_t)mem.desc);
	gk_vdev_w32(&dev, VMMIO_QUEUE_DESC_HI, 0);
	gk_vdev_w32(&dev, VMMIO_QUEUE_DRIVER_LO, (uint32_t)(uintptr_t)&mem.avail);
	gk_vdev_w32(&dev, VMMIO_QUEUE_DRIVER_HI, 0);
	gk_vdev_w32(&dev, VMMIO_QUEUE_DEVICE_LO, (uint32_t)(uintptr_t)&mem.used);
	gk_vdev_w32(&dev, VMMIO_QUEUE_DEVICE_HI, 0);
	gk_vdev_w32(&dev, VMMIO_QUEUE_READY, 1);
}

static void reset_rings(void)
{
	memset(&mem.avail, 0, sizeof(mem.avail));
	memset(&mem.used, 0, sizeof(mem.used));
	dev.vq.avail_idx = dev.vq.kicked_idx = dev.vq.last_used = 0;
	used_start = 0;
}

static void test_driver_ok_early(void)
{
	uint32_t st;

	gk_vdev_reset(&dev);
	reset_rings();
	gk_vdev_w32(&dev, VMMIO_STATUS, VSTAT_ACKNOWLEDGE | VSTAT_DRIVER);
	gk_vdev_w32(&dev, VMMIO_DRV_FEATURES_SEL, 1);
	gk_vdev_w32(&dev, VMMIO_DRV_FEATURES, 1);
	setup_queue_raw();
	gk_vdev_w32(&dev, VMMIO_STATUS,
		    VSTAT_ACKNOWLEDGE | VSTAT_DRIVER | VSTAT_DRIVER_OK);
	st = gk_vdev_status(&dev);
	good_chain_at_0();
	verdict("hostile.status-driver-ok-early", observe(1),
		O_NONE | O_OK | ERROR_OR_RESET,
		"virtio 1.2 3.1.1 order skipped; the spec leaves the device's answer open, "
		"any outcome that lets the VM and a later reset work is accepted");
	gk_printf("GK-NOTE hostile.status-driver-ok-early status read back 0x%x\n",
		  st);
}

static void test_unoffered_feature(void)
{
	unsigned bit = 34;
	uint32_t fok;
	char why[96];
	bool rec;

	gk_vdev_reset(&dev);
	gk_vdev_w32(&dev, VMMIO_STATUS, VSTAT_ACKNOWLEDGE | VSTAT_DRIVER);
	gk_vdev_w32(&dev, VMMIO_DEV_FEATURES_SEL, 1);
	while (bit < 63 && (gk_vdev_r32(&dev, VMMIO_DEV_FEATURES) >> (bit - 32) & 1))
		bit++;
	gk_vdev_w32(&dev, VMMIO_DRV_FEATURES_SEL, 1);
	gk_vdev_w32(&dev, VMMIO_DRV_FEATURES, 1u | (1u << (bit - 32)));
	gk_vdev_w32(&dev, VMMIO_DRV_FEATURES_SEL, 0);
	gk_vdev_w32(&dev, VMMIO_DRV_FEATURES, 0);
	gk_vdev_w32(&dev, VMMIO_STATUS,
		    VSTAT_ACKNOWLEDGE | VSTAT_DRIVER | VSTAT_FEATURES_OK);
	fok = gk_vdev_status(&dev) & VSTAT_FEATURES_OK;
	rec = recover(why, sizeof(why));
	gk_check("hostile.status-unoffered-feature", !fok && rec,
		 "VERSION_1 + unoffered bit %u: FEATURES_OK read back %s "
		 "(virtio 1.2 2.2.2: the device MUST NOT accept); %s", bit,
		 fok ? "SET" : "clear", why);
}

/* Runs on a device that recover() left initialised. */
static void test_clear_bits(void)
{
	gk_vdev_w32(&dev, VMMIO_STATUS, VSTAT_ACKNOWLEDGE | VSTAT_DRIVER);
	good_chain_at_0();
	verdict("hostile.status-clear-bits", observe(1),
		O_NONE | O_OK | ERROR_OR_RESET,
		"DRIVER_OK and FEATURES_OK cleared (virtio 1.2 2.1.2: the driver MUST NOT); "
		"the spec leaves the device's answer open");
}

/* ---- register access abuse ------------------------------------------------- */
static bool magic_ok(void)
{
	return gk_vdev_r32(&dev, VMMIO_MAGIC) == VMMIO_MAGIC_VALUE &&
	       gk_vdev_r32(&dev, VMMIO_DEVICE_ID) == 2;
}

static void test_narrow_access(void)
{
	uint64_t b = dev.mmio.base;
	uint32_t acc = 0;

	for (unsigned i = 0; i < 4; i++)
		acc += gk_mmio_r8(b + i);
	acc += gk_mmio_r16(b) + gk_mmio_r16(b + 2) + gk_mmio_r8(b + VMMIO_STATUS);
	gk_printf("GK-NOTE hostile.mmio-narrow-read sum of narrow reads 0x%x\n", acc);
	verdict("hostile.mmio-narrow-read", magic_ok() ? O_OK : O_ERR, O_OK,
		"8/16-bit reads of MagicValue and Status (virtio 1.2 4.2.2.1: 32-bit "
		"only); any value is accepted, MagicValue must still read \"virt\"");

	gk_mmio_w8(b + VMMIO_STATUS, 0x0f);
	gk_mmio_w16(b + VMMIO_QUEUE_SEL, 1);
	gk_mmio_w8(b + VMMIO_QUEUE_NOTIFY, 0);
	gk_mmio_w16(b + VMMIO_QUEUE_READY, 1);
	verdict("hostile.mmio-narrow-write", magic_ok() ? O_OK : O_ERR, O_OK,
		"8/16-bit writes to Status, QueueSel, QueueNotify, QueueReady; "
		"ignoring or applying them is accepted");

	acc = gk_mmio_r32(b + 1) ^ gk_mmio_r32(b + 2) ^ gk_mmio_r32(b + 0x71);
	gk_mmio_w32(b + 0x72, 0xffffffffu);
	gk_mmio_w32(b + 0x51, 0);
	gk_printf("GK-NOTE hostile.mmio-unaligned reads folded 0x%x\n", acc);
	verdict("hostile.mmio-unaligned", magic_ok() ? O_OK : O_ERR, O_OK,
		"32-bit accesses at offsets 0x1, 0x2, 0x71, 0x72, 0x51");
}

static void test_wrong_offsets(void)
{
	static const uint32_t reserved[] = {
		0x018, 0x01c, 0x028, 0x02c, 0x03c, 0x040, 0x048, 0x04c, 0x054,
		0x058, 0x05c, 0x068, 0x06c, 0x074, 0x078, 0x07c, 0x088, 0x08c,
		0x098, 0x09c, 0x0a8, 0x0f0, 0x0f4, 0x0f8,
	};
	static const uint32_t read_only[] = {
		VMMIO_MAGIC, VMMIO_VERSION, VMMIO_DEVICE_ID, VMMIO_VENDOR_ID,
		VMMIO_DEV_FEATURES, VMMIO_QUEUE_NUM_MAX, VMMIO_INT_STATUS,
		VMMIO_CONFIG_GEN,
	};
	uint64_t b = dev.mmio.base;
	uint32_t acc = 0;

	for (unsigned i = 0; i < GK_ARRAY_SIZE(reserved); i++) {
		acc ^= gk_vdev_r32(&dev, reserved[i]);
		gk_vdev_w32(&dev, reserved[i], 0xffffffffu);
	}
	acc ^= gk_vdev_r32(&dev, VMMIO_QUEUE_NOTIFY) ^
	       gk_vdev_r32(&dev, VMMIO_INT_ACK);
	for (unsigned i = 0; i < GK_ARRAY_SIZE(read_only); i++)
		gk_vdev_w32(&dev, read_only[i], 0x12345678u);
	verdict("hostile.mmio-wrong-offsets", magic_ok() ? O_OK : O_ERR, O_OK,
		"reserved offsets (incl. legacy QueuePFN 0x40) read and written, "
		"write-only registers read, read-only registers written; "
		"MagicValue and DeviceID must be unchanged");

	acc ^= (uint32_t)*(volatile uint64_t *)(uintptr_t)(b + VMMIO_QUEUE_DESC_LO);
	*(volatile uint64_t *)(uintptr_t)(b + VMMIO_QUEUE_DESC_LO) = FAR_ADDR;
	verdict("hostile.mmio-64bit", magic_ok() ? O_OK : O_ERR, O_OK,
		"64-bit read and write of QueueDescLow/High");
	gk_printf("GK-NOTE hostile.mmio values folded 0x%x\n", acc);
}

void gk_main(void)
{
	if (gk_vdev_find(&dev, 2, 0) || !fresh()) {
		gk_report("hostile.setup", GK_FAIL, "no usable virtio-blk device");
		return;
	}
	test_desc_loop();
	test_indirect_loop();
	test_next_out_of_range();
	test_head_out_of_range();
	test_zero_and_huge();
	test_bad_addresses();
	test_indirect_abuse();
	test_request_abuse();
	test_avail_jump();
	test_head_reuse();
	test_queue_addr_after_ok();
	test_driver_ok_early();
	test_unoffered_feature();
	test_clear_bits();
	test_narrow_access();
	test_wrong_offsets();
	gk_vdev_reset(&dev);
}
