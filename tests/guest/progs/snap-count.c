// SPDX-License-Identifier: MIT
/*
 * snap-count: a deterministic counter for snapshot/restore tests
 * (docs/snapshot.md, run-cvmm-snapshot).  Count i = 1..N (gk.n=, default
 * 2000, at most GK_DISK_SECTORS - 1):
 *   - writes sector i of the first virtio-blk disk with the words
 *     SNAP_MAGIC | i << 24 | byte offset in the sector (virtio 1.2 5.2.6,
 *     polled, one request at a time);
 *   - reads sector i - 1 back and checks it (so the first count after a
 *     restore reads what the process before the snapshot wrote);
 *   - folds i and the sector's first word into a running sum kept in guest
 *     memory (so a restore that loses or rewinds RAM changes every later
 *     line);
 *   - prints "SNAP-COUNT i sum=S prev=ok|BAD" on the serial port;
 *   - busy-waits gk.delay_us= (default 0) on the TSC, so that a fast host
 *     can still pause the guest in the middle of the run.
 * With gk.quiet_at=K, after count K the guest also publishes a write of
 * sector 0 (SNAP_QUIET words) without notifying the device, prints
 * "SNAP-QUIET published", busy-waits gk.quiet_us= (default 3 s) and only
 * then notifies and waits for it.  A host that pauses and snapshots within
 * that window leaves the request pending in the saved ring: a restored,
 * still Paused VM must not have executed it (run-cvmm-snapshot checks the
 * disk), and the resumed one does.
 * Nothing the host or the timing decides reaches the output: with
 * gk.tsc_quiet=1 on the command line (which hides the runtime's measured
 * TSC rate) two runs print the same bytes and leave the same disk, with or
 * without a pause, snapshot and restore anywhere in between.
 */
#include "disk_layout.h"
#include "virtio.h"

const char gk_program_name[] = "snap-count";

#define SNAP_MAGIC 0x534e000000000000ull	/* "SN" */
#define SNAP_QUIET 0x5351000000000000ull	/* "SQ" */

static struct gk_vring_mem mem;
static struct gk_vdev dev;
static uint8_t wbuf[GK_SECTOR] GK_ALIGNED(4096);
static uint8_t rbuf[GK_SECTOR] GK_ALIGNED(4096);
static uint8_t qbuf[GK_SECTOR] GK_ALIGNED(4096);

static void fill(uint8_t *buf, uint64_t i)
{
	uint64_t *w = (uint64_t *)buf;

	for (unsigned j = 0; j < GK_SECTOR / 8; j++)
		w[j] = SNAP_MAGIC | i << 24 | (uint64_t)j * 8;
}

static bool holds(const uint8_t *buf, uint64_t i)
{
	const uint64_t *w = (const uint64_t *)buf;

	for (unsigned j = 0; j < GK_SECTOR / 8; j++)
		if (w[j] != (SNAP_MAGIC | i << 24 | (uint64_t)j * 8))
			return false;
	return true;
}

/* The write the device is not told about for us microseconds; true when
 * it completed with OK. */
static bool quiet_write(uint64_t us)
{
	static const struct gk_blkmode m = { false, false };
	static struct gk_blkreq r;

	gk_pattern_fill(qbuf, 0, GK_SECTOR, SNAP_QUIET);
	gk_vq_want_irq(&dev.vq, false);
	if (gk_blk_submit(&dev, &r, VIRTIO_BLK_T_OUT, 0, qbuf, GK_SECTOR, false))
		return false;
	gk_printf("SNAP-QUIET published\n");
	gk_udelay(us);
	gk_vq_kick(&dev.vq);
	return gk_blk_wait(&dev, &r, 1, &m, 5000000) && r.status == VIRTIO_BLK_S_OK;
}

void gk_main(void)
{
	static const struct gk_blkmode m = { false, false };
	uint64_t n = gk_cmdline_u64("gk.n", 2000);
	const uint64_t delay = gk_cmdline_u64("gk.delay_us", 0);
	const uint64_t quiet_at = gk_cmdline_u64("gk.quiet_at", 0);
	const uint64_t quiet_us = gk_cmdline_u64("gk.quiet_us", 3000000);
	uint32_t sum = 0x811c9dc5u;
	unsigned bad = 0, ioerr = 0;
	uint64_t i;

	if (n >= GK_DISK_SECTORS)
		n = GK_DISK_SECTORS - 1;
	if (gk_vdev_find(&dev, 2, 0) ||
	    gk_vdev_init(&dev, gk_blk_wanted_features(), &mem, 0, NULL)) {
		gk_report("snap.setup", GK_FAIL, "no usable virtio-blk device");
		return;
	}
	for (i = 1; i <= n; i++) {
		bool prev_ok;

		fill(wbuf, i);
		ioerr += gk_blk_sync(&dev, VIRTIO_BLK_T_OUT, i, wbuf, GK_SECTOR, &m) !=
			 VIRTIO_BLK_S_OK;
		memset(rbuf, 0, sizeof(rbuf));
		ioerr += gk_blk_sync(&dev, VIRTIO_BLK_T_IN, i - 1, rbuf, GK_SECTOR, &m) !=
			 VIRTIO_BLK_S_OK;
		/* Sector 0 is never written: it keeps the host's pattern. */
		prev_ok = i == 1 ? *(uint64_t *)rbuf == GK_PAT_HOST : holds(rbuf, i - 1);
		bad += !prev_ok;
		sum = (sum ^ (uint32_t)i ^ (uint32_t)(*(uint64_t *)rbuf >> 24)) * 16777619u;
		gk_printf("SNAP-COUNT %lu sum=%08x prev=%s\n", (unsigned long)i, sum,
			  prev_ok ? "ok" : "BAD");
		/* Sector 0 is read only at count 1, so the write changes no line. */
		if (i == quiet_at && i > 1)
			ioerr += !quiet_write(quiet_us);
		if (delay)
			gk_udelay(delay);
	}
	gk_check("snap.count", !bad && !ioerr, "counts=%lu bad=%u ioerr=%u sum=%08x",
		 (unsigned long)n, bad, ioerr, sum);
	gk_vdev_reset(&dev);
}
