/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the whole block device (virtio 1.2 §5.2 over §4.2.2)
 * with a hostile driver.  The input becomes the descriptor table, the
 * available ring and the request buffers of a live queue.  The driver
 * either publishes all its entries and notifies once (batch), or publishes
 * and notifies one entry at a time (step).  Invariants (a violation traps),
 * checked after every notify and after the timers, unless the device asked
 * for reset:
 *  - the used index is the number of chains completed;
 *  - the device has caught up with the ring: its used index equals the
 *    avail index the ring holds, or, while it waits for the limiter, the
 *    refused chain is still available;
 *  - the element the device added last names a valid head;
 *  - the disk never grows;
 *  - after a reset and a fresh bring-up, a good read completes with OK and
 *    the image's data (a hostile driver cannot leave the device wedged).
 * Bit 5 of the first byte runs the same input on a second device with a
 * small rate limiter (2 requests and 1 KiB per 10 ms, on a fake clock that
 * bit 6 advances by 1 ms per notify).  Then also:
 *  - a refusal's deadline lies ahead of the clock it was refused at;
 *  - at (or after) its deadline, the timer completes a chain or the device
 *    asks for a reset, and the wait ends within a bounded number of timers (no
 *    request waits forever, an oversized one included).
 * The rings are checked right after each notify because they are ordinary
 * guest memory: a hostile driver may point a device-writable buffer (a
 * status byte, read data) into them.  In the used ring, a later request
 * then overwrites an element the device published correctly before, so
 * only the last element of a run says something about the device.  In
 * the available ring, the write moves avail->idx, and the device rightly
 * takes the entries the ring then names: avail->idx is the driver's word,
 * and the driver chose to let the device write it.  So "published" is what
 * avail->idx holds after the notify, not what the harness stored (issue
 * 18: the harness assumed one completion per step and no more than it
 * stored in all, and trapped on an input, since lost, publishing nine
 * entries on a ring of eight; corpus/device/avail-idx-read-at-wrap is a
 * reconstruction, whose ninth request reads a sector onto avail->idx and
 * so publishes a tenth).  This device
 * has no async engine, so a drain ends only when its last look at
 * avail->idx found nothing new (or the limiter refused the next chain),
 * and nothing writes there after that look: the value is still in memory.
 * When no request aims at the ring, that value is the harness's own, and
 * the check is exactly one completion per step.  Once the device has asked
 * for a reset, no count is checked: a request may have moved avail->idx
 * and then moved it back (which is what broke the queue), so the ring no
 * longer shows how many entries the device was entitled to take.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vblk/vblk.h>
#include <virtq/driver.h>
#include <vmmem/vmmem.h>

#define QSIZE 8u
#define RING 0x0u		/* desc table 128 B, avail 22 B, used at 0x98 */
#define BUFS 0x400u
#define MEM_BYTES 0x2000u
#define DISK_BYTES (16u * 512u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vmmem_map *mem;
static struct vblk_file *file;
static struct vblk_backend be;
static struct vblk_device plain, limited;
static struct vblk_device *dev;	/* the one this input drives */
static struct virtq_driver *drv;
static uint64_t now = 1000000000;

static struct vblk_device_config limited_cfg;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return now;
}

static const struct rlim_config limit = {
	.bytes = { .size = 1024, .refill_time_ms = 10 },
	.ops = { .size = 2, .refill_time_ms = 10 },
	.clock = fake_clock,
};

static void bring_up(void)
{
	uint64_t features;

	virtq_driver_free(drv);
	drv = NULL;
	if (virtq_driver_mmio_negotiate(vblk_device_mmio(dev), ~0ull, &features) ||
	    virtq_driver_new(mem, QSIZE, RING, VIRTQ_DRIVER_EVENT_IDX, &drv) ||
	    virtq_driver_mmio_setup_queue(vblk_device_mmio(dev), 0, drv) ||
	    virtq_driver_mmio_driver_ok(vblk_device_mmio(dev)))
		__builtin_trap();
}

static void init_once(void)
{
	char path[] = "/tmp/vblk-fuzzdev-XXXXXX";
	struct vmmem_region_desc r = { .gpa = 0, .size = MEM_BYTES,
				       .backing = VMMEM_BACKING_ANON };
	struct vblk_device_config cfg = { .id = "fuzz", .queue_size = QSIZE };
	uint8_t pattern[DISK_BYTES];
	int fd = mkstemp(path);

	for (uint32_t i = 0; i < DISK_BYTES; i++)
		pattern[i] = (uint8_t)(i * 7u + 1u);
	if (fd < 0 || pwrite(fd, pattern, sizeof(pattern), 0) != (ssize_t)sizeof(pattern) ||
	    vmmem_map_new(&mem) || vmmem_map_add_region(mem, &r))
		abort();
	unlink(path);
	if (vblk_file_open_fd(fd, false, &file))
		abort();
	vblk_file_backend(file, &be);
	cfg.backend = &be;
	cfg.mem = mem;
	if (vblk_device_init(&plain, &cfg))
		abort();
	limited_cfg = cfg;
	limited_cfg.limit = &limit;
}

/* A refusal during the last call (throttled moved past before) must
 * report a deadline ahead of the clock it was refused at. */
static void check_refusal(uint64_t before)
{
	uint64_t at;

	if (vblk_device_stats(dev)->throttled != before &&
	    (vblk_device_deadline(dev, &at) != 1 || at <= now))
		__builtin_trap();
}

/* The ring indices as guest memory holds them now. */
static uint16_t ring_idx(uint64_t gpa)
{
	uint16_t v;

	if (vmmem_load_u16(mem, gpa, &v))
		__builtin_trap();
	return v;
}

static uint16_t avail_idx(void)
{
	return ring_idx(virtq_driver_avail_addr(drv) + 2);
}

static uint16_t used_idx(void)
{
	return ring_idx(virtq_driver_used_addr(drv) + 2);
}

/* Serves timers at their deadlines (or later: the clock may have moved on
 * while the device waited) until the device stops waiting; each must make
 * progress, and there can be no more waits than chains the ring offers:
 * those not returned yet, plus any that a request published meanwhile by
 * writing avail->idx. */
static void run_timers(void)
{
	uint64_t at;
	uint16_t avail = avail_idx();
	unsigned int bound = (uint16_t)(avail - used_idx());

	for (unsigned int i = 0; vblk_device_deadline(dev, &at) == 1; i++) {
		uint64_t before = vblk_device_stats(dev)->requests;
		uint64_t throttled = vblk_device_stats(dev)->throttled;

		if (i > bound)
			__builtin_trap();
		now = at > now ? at : now;
		vblk_device_timer(dev);
		check_refusal(throttled);
		if (vblk_device_stats(dev)->requests == before &&
		    !(virtq_mmio_status(vblk_device_mmio(dev)) & VIRTIO_CONFIG_S_NEEDS_RESET))
			__builtin_trap();
		bound += (uint16_t)(avail_idx() - avail);
		avail = avail_idx();
	}
}

/* A good read of sector 1 into BUFS must work after any abuse, and return
 * what the image holds: the hostile driver may have written the disk (a
 * legal OUT request), so the file is the reference, not the first pattern. */
static void check_recovers(void)
{
	uint8_t hdr[16] = { 0 }, st = 0xff, got[512], want[512];
	uint64_t sector = 1;
	struct virtq_buf b[3] = {
		{ BUFS, 16, false }, { BUFS + 0x200, 512, true }, { BUFS + 0x100, 1, true },
	};
	uint16_t head, h;
	uint32_t len;

	bring_up();
	memcpy(hdr + 8, &sector, 8);
	if (vmmem_write(mem, BUFS, hdr, sizeof(hdr)) ||
	    virtq_driver_add(drv, b, 3, &head) || virtq_driver_publish(drv) < 0 ||
	    vblk_device_notify(dev))
		__builtin_trap();
	run_timers();
	if (virtq_driver_get_used(drv, &h, &len) != 1 ||
	    h != head || vmmem_load_u8(mem, BUFS + 0x100, &st) || st != VIRTIO_BLK_S_OK ||
	    vmmem_read(mem, BUFS + 0x200, got, sizeof(got)))
		__builtin_trap();
	if (pread(be.fd, want, sizeof(want), 512) != (ssize_t)sizeof(want) ||
	    memcmp(got, want, sizeof(got)))
		__builtin_trap();
}

/* Reads back the rings right after the device ran (a notify, or the
 * timers), before any later request can write over them; `before` is the
 * used index when it started. */
static void check_caught_up(uint16_t before, uint64_t completed)
{
	uint16_t used, last;
	uint32_t id;
	uint64_t at;
	bool waiting = vblk_device_deadline(dev, &at) == 1;

	if (virtq_mmio_status(vblk_device_mmio(dev)) & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	used = used_idx();
	if (used != (uint16_t)completed || (used == avail_idx()) == waiting)
		__builtin_trap();
	/* The last element was written after every buffer of this run. */
	last = (uint16_t)(used - 1u);
	if (used != before &&
	    (vmmem_load_u32(mem, virtq_driver_used_addr(drv) + 4 + 8u * (last % QSIZE), &id) ||
	     id >= QSIZE))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t done0;
	uint16_t published, before;
	bool batch, tick;
	struct stat st;

	if (!mem)
		init_once();
	if (size < 2)
		return 0;
	/* Bits 5 and 6 select the limited device and a moving clock. */
	dev = data[0] & 0x20 ? &limited : &plain;
	tick = data[0] & 0x40;
	/* Full buckets for every input, so that a crash reproduces alone. */
	if (dev == &limited && vblk_device_init(&limited, &limited_cfg))
		__builtin_trap();
	bring_up();
	/* First byte: how many avail entries to publish (bits 0-3) and
	 * whether to publish them at once (bit 4); the rest overwrite the
	 * descriptor table, the avail ring and the buffers. */
	published = data[0] % (2u * QSIZE);
	batch = data[0] & 0x10;
	done0 = vblk_device_stats(dev)->requests;
	data++;
	size--;
	if (vmmem_write(mem, virtq_driver_desc_addr(drv), data,
			size < 16u * QSIZE ? size : 16u * QSIZE))
		__builtin_trap();
	for (uint16_t i = 0; i < published && i < QSIZE; i++) {
		uint16_t head = size > 128u + i ? data[128u + i] % (QSIZE + 2u) : i;

		if (vmmem_store_u16(mem, virtq_driver_avail_addr(drv) + 4 + 2u * i, head))
			__builtin_trap();
	}
	if (size > 0x400 && vmmem_write(mem, BUFS, data + 0x400,
					size - 0x400 < MEM_BYTES - BUFS ? size - 0x400
									: MEM_BYTES - BUFS))
		__builtin_trap();
	for (uint16_t n = batch ? published : 1; n <= published; n++) {
		uint64_t throttled = vblk_device_stats(dev)->throttled;

		before = (uint16_t)(vblk_device_stats(dev)->requests - done0);
		if (vmmem_store_u16(mem, virtq_driver_avail_addr(drv) + 2, n))
			__builtin_trap();
		now += tick ? 1000000u : 0u;
		(void)!vblk_device_notify(dev);
		check_refusal(throttled);
		check_caught_up(before, vblk_device_stats(dev)->requests - done0);
	}
	before = (uint16_t)(vblk_device_stats(dev)->requests - done0);
	run_timers();
	check_caught_up(before, vblk_device_stats(dev)->requests - done0);
	if (fstat(be.fd, &st) || st.st_size != DISK_BYTES)
		__builtin_trap();
	check_recovers();
	return 0;
}
