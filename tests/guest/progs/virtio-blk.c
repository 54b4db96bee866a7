// SPDX-License-Identifier: MIT
/*
 * virtio-blk suite: a virtio-mmio block driver doing what Linux's
 * virtio_mmio + virtio_blk drivers do (virtio 1.2 §3.1.1 init, §2.7 split
 * ring with indirect descriptors and EVENT_IDX, §5.2 block device), polled
 * and interrupt-driven, at queue depth 1 and 32.  Data is checked against
 * the pattern the host wrote into the scratch disk (rt/disk_layout.h); what
 * the guest writes is checked by the host after the run.  A second disk that
 * offers VIRTIO_BLK_F_RO must fail writes with VIRTIO_BLK_S_IOERR.
 */
#include "disk_layout.h"
#include "virtio.h"

const char gk_program_name[] = "virtio-blk";

#define BLK_VECTOR 0x40
#define CHUNK (64u * 1024)
#define TIMEOUT_US 5000000

static struct gk_vring_mem mem_disk, mem_ro;
static uint8_t big[1u << 20] GK_ALIGNED(4096);
static struct gk_blkreq reqs[64];
static struct gk_vdev disk, ro;
static bool have_disk, have_ro;

static const struct gk_blkmode polled_direct = { false, false };
static const struct gk_blkmode polled_indirect = { true, false };
static const struct gk_blkmode irq_direct = { false, true };
static const struct gk_blkmode irq_indirect = { true, true };

static void report_init(const struct gk_vdev *d, const struct gk_init_log *l,
			int rc)
{
	uint32_t max = l->queue_num_max;

	gk_check("blk.transport", d->version == 2 && d->device_id == 2,
		 "base=0x%lx irq=%u magic ok, version=%u device_id=%u",
		 d->mmio.base, d->mmio.irq, d->version, d->device_id);
	gk_check("blk.init-reset", l->reset_ok, "status read 0 after writing 0");
	gk_check("blk.init-acknowledge", l->ack == VSTAT_ACKNOWLEDGE,
		 "status read back 0x%x", l->ack);
	gk_check("blk.init-driver", l->driver == 3, "status read back 0x%x",
		 l->driver);
	gk_check("blk.init-features-ok", l->features_ok == 0xb,
		 "offered 0x%lx, accepted 0x%lx, status read back 0x%x",
		 d->offered, d->features, l->features_ok);
	gk_check("blk.init-queue",
		 l->queue_ready_before == 0 && max && !(max & (max - 1)) &&
			 l->queue_ready == 1,
		 "QueueReady before %u, QueueNumMax %u, QueueReady after %u",
		 l->queue_ready_before, max, l->queue_ready);
	gk_check("blk.init-driver-ok", rc == 0 && l->driver_ok == 0xf,
		 "status read back 0x%x%s%s", l->driver_ok,
		 l->failed_step ? ", failed at " : "",
		 l->failed_step ? l->failed_step : "");
}

static void discover(void)
{
	struct gk_mmio_dev m[16];
	unsigned n = gk_virtio_mmio_devices(m, GK_ARRAY_SIZE(m)), blk = 0;

	for (unsigned i = 0; i < n; i++) {
		struct gk_vdev d;
		struct gk_init_log log;

		if (gk_vdev_probe(&d, &m[i]) || d.device_id != 2)
			continue;
		blk++;
		/* The first writable disk is the scratch disk, an RO one the other. */
		if (!have_disk || !have_ro) {
			struct gk_vring_mem *mem = have_disk ? &mem_ro : &mem_disk;
			int rc = gk_vdev_init(&d, gk_blk_wanted_features(), mem,
					      0, &log);
			bool is_ro = gk_vdev_has(&d, VIRTIO_BLK_F_RO);

			if (!is_ro && !have_disk) {
				disk = d;
				disk.vq.dev = &disk;
				have_disk = true;
				report_init(&disk, &log, rc);
			} else if (is_ro && !have_ro) {
				if (mem != &mem_ro)	/* found before the scratch disk */
					rc = gk_vdev_init(&d, gk_blk_wanted_features(),
							  &mem_ro, 0, &log);
				ro = d;
				ro.vq.dev = &ro;
				have_ro = rc == 0;
			} else {
				gk_vdev_reset(&d);
			}
		}
	}
	gk_check("blk.discover", have_disk,
		 "%u virtio_mmio.device= entries, %u block devices, scratch %s, "
		 "read-only %s", n, blk, have_disk ? "found" : "MISSING",
		 have_ro ? "found" : "absent");
}

static void test_capacity(void)
{
	uint64_t want = gk_cmdline_u64("gk.disk_sectors", GK_DISK_SECTORS);
	uint64_t cap = gk_vdev_cfg64(&disk, VIRTIO_BLK_CFG_CAPACITY);

	gk_check("blk.capacity", cap == want,
		 "config capacity %lu sectors (want %lu), blk_size %u", cap, want,
		 gk_vdev_has(&disk, VIRTIO_BLK_F_BLK_SIZE) ?
			 gk_vdev_cfg32(&disk, VIRTIO_BLK_CFG_BLK_SIZE) : 512);
}

static long zero_check(const void *buf, uint32_t n)
{
	const uint64_t *w = buf;

	for (uint32_t i = 0; i < n / 8; i++)
		if (w[i])
			return (long)i;
	return -1;
}

/* magic 0 means "must read as zeroes". */
/* Reads n bytes from sector in CHUNK requests, all queued at once. */
static bool read_verify(struct gk_vdev *d, uint64_t sector, uint32_t n,
			const struct gk_blkmode *m, uint64_t magic, char *why,
			size_t wl)
{
	unsigned nreq = n / CHUNK;
	long bad;

	memset(big, 0xee, n);
	gk_vq_want_irq(&d->vq, m->irq);
	for (unsigned i = 0; i < nreq; i++)
		if (gk_blk_submit(d, &reqs[i], VIRTIO_BLK_T_IN,
				  sector + i * (CHUNK / GK_SECTOR),
				  big + i * CHUNK, CHUNK, m->indirect)) {
			gk_snprintf(why, wl, "queue full at request %u", i);
			return false;
		}
	gk_vq_kick(&d->vq);
	if (!gk_blk_wait(d, reqs, nreq, m, TIMEOUT_US)) {
		gk_snprintf(why, wl, "timeout%s; used idx %u, reaped to %u, "
			    "avail idx %u", m->irq ? " waiting for an interrupt" : "",
			    gk_vq_used_idx(&d->vq), d->vq.last_used,
			    d->vq.avail_idx);
		return false;
	}
	for (unsigned i = 0; i < nreq; i++)
		if (reqs[i].status != VIRTIO_BLK_S_OK) {
			gk_snprintf(why, wl, "request %u status %u", i,
				    reqs[i].status);
			return false;
		}
	bad = magic ? gk_pattern_check(big, sector * GK_SECTOR, n, magic) :
		      zero_check(big, n);
	if (bad >= 0) {
		gk_snprintf(why, wl, "data mismatch at byte 0x%lx: 0x%lx",
			    sector * GK_SECTOR + 8ul * (unsigned long)bad,
			    ((uint64_t *)big)[bad]);
		return false;
	}
	gk_snprintf(why, wl, "%u KiB from sector %lu in %u requests match",
		    n / 1024, sector, nreq);
	return true;
}

/* The interrupt-driven reads pass only if the device interrupted: their
 * wait reads the used ring only after an interrupt (gk_blk_wait). */
static void test_reads(void)
{
	static const struct {
		const char *name;
		const struct gk_blkmode *m;
		uint64_t sector;
	} t[] = {
		{ "blk.read-polled-direct", &polled_direct, 0 },
		{ "blk.read-polled-indirect", &polled_indirect, 1024 },
		{ "blk.read-irq-direct", &irq_direct, 2048 },
		{ "blk.read-irq-indirect", &irq_indirect, 3072 },
	};
	char why[160];

	for (unsigned i = 0; i < GK_ARRAY_SIZE(t); i++) {
		unsigned irq0 = disk.irqs;
		bool ok = read_verify(&disk, t[i].sector, 512 * 1024, t[i].m,
				      GK_PAT_HOST, why, sizeof(why));

		gk_check(t[i].name, ok, "%s; %u interrupts", why,
			 disk.irqs - irq0);
	}
}

/* depth requests of 4 KiB at once, rounds times, each round one kick. */
static void test_depth(const char *name, unsigned depth, unsigned rounds,
		       const struct gk_blkmode *m)
{
	unsigned n0 = disk.vq.notifies, s0 = disk.vq.suppressed, i0 = disk.irqs;
	unsigned need = m->indirect ? depth : depth * 3;
	uint64_t t0 = gk_rdtsc();
	char why[160] = "";
	bool ok = true;

	if (need > disk.vq.size) {
		gk_report(name, GK_SKIP, "queue size %u < %u descriptors",
			  disk.vq.size, need);
		return;
	}
	gk_vq_want_irq(&disk.vq, m->irq);
	for (unsigned r = 0; r < rounds && ok; r++) {
		uint64_t first = (r * depth * 8u) % (GK_READ_SECTORS - depth * 8u);
		long bad;

		for (unsigned i = 0; i < depth; i++)
			if (gk_blk_submit(&disk, &reqs[i], VIRTIO_BLK_T_IN,
					  first + 8u * i, big + 4096u * i, 4096,
					  m->indirect))
				ok = false;
		gk_vq_kick(&disk.vq);
		if (!ok || !gk_blk_wait(&disk, reqs, depth, m, TIMEOUT_US)) {
			gk_snprintf(why, sizeof(why), "round %u: %s; ", r,
				    !ok ? "queue full" :
				    m->irq ? "timeout waiting for an interrupt" :
					     "timeout");
			ok = false;
			break;
		}
		for (unsigned i = 0; i < depth && ok; i++)
			ok = reqs[i].status == VIRTIO_BLK_S_OK;
		bad = gk_pattern_check(big, first * GK_SECTOR, depth * 4096,
				       GK_PAT_HOST);
		if (!ok || bad >= 0) {
			gk_snprintf(why, sizeof(why), "round %u: bad status or "
				    "data (word %ld); ", r, bad);
			ok = false;
		}
	}
	gk_check(name, ok, "%s%u rounds of %u x 4 KiB in flight, %u notifies, "
		 "%u suppressed, %u interrupts, %lu us", why, rounds, depth,
		 disk.vq.notifies - n0, disk.vq.suppressed - s0,
		 disk.irqs - i0, gk_tsc_to_ns(gk_rdtsc() - t0) / 1000);
}

/* Depth 1, one request after another: the device must keep avail_event
 * current (§2.7.10) or a driver using EVENT_IDX stops notifying and stalls. */
static void test_event_idx(void)
{
	unsigned n0 = disk.vq.notifies, done = 0;
	uint16_t ev;

	if (!gk_vdev_has(&disk, VIRTIO_F_EVENT_IDX)) {
		gk_report("blk.event-idx", GK_SKIP, "EVENT_IDX not offered");
		return;
	}
	gk_vq_want_irq(&disk.vq, false);
	for (; done < 64; done++) {
		if (gk_blk_submit(&disk, &reqs[0], VIRTIO_BLK_T_IN, done * 8u,
				  big, 4096, done & 1))
			break;
		gk_vq_kick(&disk.vq);
		if (!gk_blk_wait(&disk, reqs, 1, &polled_direct, TIMEOUT_US) ||
		    reqs[0].status != VIRTIO_BLK_S_OK)
			break;
	}
	ev = *(volatile uint16_t *)&disk.vq.mem->used.avail_event;
	gk_check("blk.event-idx", done == 64,
		 "%u of 64 sequential requests completed with %u notifies; "
		 "avail_event=%u avail idx=%u", done, disk.vq.notifies - n0, ev,
		 disk.vq.avail_idx);
}

static void test_write(void)
{
	const uint32_t total = GK_WRITE_SECTORS * GK_SECTOR;
	const uint64_t base = GK_WRITE_FIRST;
	char why[160];
	bool ok = true;
	int st = 0;
	unsigned i;

	for (i = 0; i < total / CHUNK && ok; i++) {
		uint64_t s = base + i * (CHUNK / GK_SECTOR);

		gk_pattern_fill(big, s * GK_SECTOR, CHUNK, GK_PAT_GUEST);
		st = gk_blk_sync(&disk, VIRTIO_BLK_T_OUT, s, big, CHUNK,
				 (i & 1) ? &polled_indirect : &irq_direct);
		ok = st == VIRTIO_BLK_S_OK;
	}
	gk_check("blk.write", ok, "%u x 64 KiB OUT requests from sector %lu, "
		 "last status %d", i, base, st);
	ok = read_verify(&disk, base, 512 * 1024, &polled_indirect,
			 GK_PAT_GUEST, why, sizeof(why));
	gk_check("blk.write-readback", ok, "%s", why);
}

static void test_flush_getid(void)
{
	char id[24];
	const char *want;
	size_t wl = 0;
	int st;

	if (gk_vdev_has(&disk, VIRTIO_BLK_F_FLUSH)) {
		st = gk_blk_sync(&disk, VIRTIO_BLK_T_FLUSH, 0, NULL, 0,
				 &irq_indirect);
		gk_check("blk.flush", st == VIRTIO_BLK_S_OK, "status %d", st);
	} else {
		gk_report("blk.flush", GK_SKIP, "VIRTIO_BLK_F_FLUSH not offered");
	}
	memset(id, 0, sizeof(id));
	st = gk_blk_sync(&disk, VIRTIO_BLK_T_GET_ID, 0, id, 20, &polled_direct);
	id[20] = 0;
	for (char *p = id; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	want = gk_cmdline_get("gk.blk_id", &wl);
	gk_check("blk.get-id", st == VIRTIO_BLK_S_OK &&
			 (!want || (strlen(id) == wl && !strncmp(id, want, wl))),
		 "status %d id \"%s\"%s", st, id,
		 want ? " (compared with gk.blk_id)" : "");
}

static int seg_request(uint32_t type, uint64_t sector, uint32_t count)
{
	static struct gk_blk_seg seg;

	seg.sector = sector;
	seg.num_sectors = count;
	seg.flags = 0;
	return gk_blk_sync(&disk, type, 0, &seg, sizeof(seg), &polled_indirect);
}

static void test_discard_wz(void)
{
	char why[160];
	int st;

	if (gk_vdev_has(&disk, VIRTIO_BLK_F_DISCARD)) {
		st = seg_request(VIRTIO_BLK_T_DISCARD, GK_DISCARD_FIRST,
				 GK_DISCARD_SECTORS);
		gk_check("blk.discard", st == VIRTIO_BLK_S_OK,
			 "status %d for %u sectors (max_discard_sectors %u)", st,
			 GK_DISCARD_SECTORS,
			 gk_vdev_cfg32(&disk, VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS));
	} else {
		gk_report("blk.discard", GK_SKIP, "VIRTIO_BLK_F_DISCARD not offered");
	}
	if (gk_vdev_has(&disk, VIRTIO_BLK_F_WRITE_ZEROES)) {
		st = seg_request(VIRTIO_BLK_T_WRITE_ZEROES, GK_WZ_FIRST,
				 GK_WZ_SECTORS);
		gk_check("blk.write-zeroes", st == VIRTIO_BLK_S_OK,
			 "status %d for %u sectors", st, GK_WZ_SECTORS);
	} else {
		/* Keep the host contract: the region must read as zero. */
		memset(big, 0, GK_WZ_SECTORS * GK_SECTOR);
		st = gk_blk_sync(&disk, VIRTIO_BLK_T_OUT, GK_WZ_FIRST, big,
				 GK_WZ_SECTORS * GK_SECTOR, &polled_direct);
		gk_report("blk.write-zeroes", GK_SKIP,
			  "VIRTIO_BLK_F_WRITE_ZEROES not offered; zeroed with OUT "
			  "(status %d)", st);
	}
	gk_check("blk.write-zeroes-readback",
		 read_verify(&disk, GK_WZ_FIRST, GK_WZ_SECTORS * GK_SECTOR,
			     &polled_direct, 0, why, sizeof(why)),
		 "%s", why);
}

static void test_unsupported(void)
{
	int st = gk_blk_sync(&disk, 0x7f, 0, big, 512, &polled_direct);

	gk_check("blk.unsupported-type", st == VIRTIO_BLK_S_UNSUPP,
		 "request type 0x7f answered status %d (want UNSUPP=2)", st);
}

static void test_ro(void)
{
	char why[160];
	bool ok;
	int st;

	if (!have_ro) {
		gk_report("blk.ro-read", GK_SKIP, "no read-only disk attached");
		gk_report("blk.ro-write-ioerr", GK_SKIP, "no read-only disk attached");
		return;
	}
	ok = read_verify(&ro, 0, 256 * 1024, &polled_indirect, GK_PAT_RO, why,
			 sizeof(why));
	gk_check("blk.ro-read", ok, "%s", why);
	gk_pattern_fill(big, 0, 4096, GK_PAT_GUEST);
	st = gk_blk_sync(&ro, VIRTIO_BLK_T_OUT, 0, big, 4096, &polled_direct);
	gk_check("blk.ro-write-ioerr", st == VIRTIO_BLK_S_IOERR,
		 "OUT to a VIRTIO_BLK_F_RO disk: status %d (want IOERR=1)", st);
	ok = read_verify(&ro, 0, CHUNK, &polled_direct, GK_PAT_RO, why,
			 sizeof(why));
	gk_check("blk.ro-unchanged", ok, "after the rejected write: %s", why);
}

/* The same driver without EVENT_IDX and INDIRECT_DESC: the flags-based
 * suppression of §2.7.7 (NO_INTERRUPT, NO_NOTIFY) and plain chains. */
static void test_plain_ring(void)
{
	uint64_t want = gk_blk_wanted_features() &
			~(VF_BIT(VIRTIO_F_EVENT_IDX) | VF_BIT(VIRTIO_F_INDIRECT_DESC));
	int rc = gk_vdev_init(&disk, want, &mem_disk, 0, NULL);

	if (!gk_check("blk.plain-ring-init",
		      rc == 0 && !(disk.features & ~want),
		      "re-initialised without EVENT_IDX and INDIRECT_DESC: rc %d, "
		      "features 0x%lx", rc, disk.features))
		return;
	test_depth("blk.plain-ring-depth-32-irq", 32, 4, &irq_direct);
	test_depth("blk.plain-ring-depth-1-polled", 1, 32, &polled_direct);
}

void gk_main(void)
{
	discover();
	if (!have_disk)
		return;
	if (gk_vdev_irq_enable(&disk, BLK_VECTOR)) {
		gk_report("blk.irq-route", GK_FAIL, "IRQ %u has no IOAPIC pin",
			  disk.mmio.irq);
		return;
	}
	test_capacity();
	test_reads();
	test_depth("blk.depth-1", 1, 64, &polled_indirect);
	test_depth("blk.depth-32", 32, 8, &polled_indirect);
	test_depth("blk.depth-32-direct", 32, 8, &polled_direct);
	test_depth("blk.depth-32-irq", 32, 8, &irq_indirect);
	test_event_idx();
	test_write();
	test_flush_getid();
	test_discard_wz();
	test_unsupported();
	test_ro();
	test_plain_ring();
	gk_vdev_irq_disable(&disk);
	gk_vdev_reset(&disk);
	if (have_ro)
		gk_vdev_reset(&ro);
}
