// SPDX-License-Identifier: MIT
/*
 * bench-blk: N virtio-blk 4 KiB reads (gk.n=, default 4096) at queue depth 1
 * and 32, polled, with indirect descriptors and EVENT_IDX when offered
 * (virtio 1.2 2.7, 5.2.6).  Reads walk the host-pattern read region; the
 * first word of every buffer is checked so a wrong answer cannot look fast.
 */
#include "disk_layout.h"
#include "virtio.h"

const char gk_program_name[] = "bench-blk";

static struct gk_vring_mem mem;
static struct gk_vdev dev;
static uint8_t bufs[32][4096] GK_ALIGNED(4096);
static struct gk_blkreq reqs[32];

static void run(const char *name, unsigned depth, unsigned long n)
{
	static const struct gk_blkmode m = { true, false };
	unsigned long done = 0, bad = 0;
	uint64_t t0 = gk_rdtsc(), ns;
	const uint64_t span = GK_READ_SECTORS / 8;	/* 4 KiB blocks */
	bool ok = true;

	while (done < n && ok) {
		unsigned batch = n - done < depth ? (unsigned)(n - done) : depth;

		for (unsigned i = 0; i < batch; i++)
			ok &= !gk_blk_submit(&dev, &reqs[i], VIRTIO_BLK_T_IN,
					     ((done + i) % span) * 8, bufs[i],
					     4096, m.indirect);
		gk_vq_kick(&dev.vq);
		ok = ok && gk_blk_wait(&dev, reqs, batch, &m, 5000000);
		for (unsigned i = 0; i < batch && ok; i++) {
			uint64_t off = ((done + i) % span) * 4096;

			bad += reqs[i].status != VIRTIO_BLK_S_OK ||
			       *(uint64_t *)bufs[i] != (GK_PAT_HOST | off);
		}
		done += batch;
	}
	ns = gk_tsc_to_ns(gk_rdtsc() - t0);
	gk_check(name, ok && !bad,
		 "name=%s ops=%lu ns_per_op=%lu bad=%lu notifies=%u", name + 6,
		 done, done ? ns / done : 0, bad, dev.vq.notifies);
}

void gk_main(void)
{
	const unsigned long n = gk_cmdline_u64("gk.n", 4096);

	if (gk_vdev_find(&dev, 2, 0) ||
	    gk_vdev_init(&dev, gk_blk_wanted_features(), &mem, 0, NULL)) {
		gk_report("bench.blk-setup", GK_FAIL, "no usable virtio-blk device");
		return;
	}
	gk_vq_want_irq(&dev.vq, false);
	run("bench.blk-read-4k-depth1", 1, n);
	run("bench.blk-read-4k-depth32", 32, n);
	gk_vdev_reset(&dev);
}
