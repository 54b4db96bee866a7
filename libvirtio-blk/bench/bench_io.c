/* SPDX-License-Identifier: MIT */
/*
 * Block I/O through the whole device path: driver-side helper → virtqueue
 * → parser → executor → file backend, from a page-cached image.  Workloads:
 * 4 KiB random reads and 128 KiB sequential reads (32 × 4 KiB segments in
 * an indirect table, as Linux builds them), at queue depth 1 and 32, with
 * the synchronous executor and with io_uring.  Each case prints the
 * harness line (wall ns per request), then requests/s and CPU ns per
 * request of this process (CLOCK_PROCESS_CPUTIME_ID; io_uring work done by
 * kernel workers on behalf of the process is not all counted there).
 *
 * The rate limiter's cost when it does not throttle: GET_ID requests (no
 * disk I/O, so the device path is all there is) at queue depth 32 without
 * and with a limiter whose buckets never run dry, their difference, and
 * the charge alone (vblk__limit_charge with the monotonic clock).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cvmm_bench.h>
#include <vblk/vblk.h>
#include "limit.h"
#include <virtq/driver.h>
#include <vmmem/vmmem.h>

#define QSIZE 256u
#define RING 0x100000u
#define HDRS 0x200000u		/* 32 bytes per slot */
#define STATUS 0x210000u	/* 1 byte per slot */
#define TABLES 0x220000u	/* 1 KiB indirect table per slot */
#define DATA 0x400000u		/* 128 KiB per slot */
#define MEM_BYTES (16u << 20)
#define DISK_BYTES (64u << 20)
#define SEG 4096u

struct bench {
	struct vmmem_map *mem;
	struct vblk_file *file;
	struct vblk_backend be;
	struct vblk_async *async;
	struct vblk_device dev;
	struct virtq_driver *drv;
	uint32_t type;		/* VIRTIO_BLK_T_IN or _GET_ID */
	uint32_t bytes;		/* per request */
	const struct rlim_config *limit;
	unsigned int depth;
	bool random;
	uint64_t next_sector;
	unsigned int seed;
};

static void die(const char *what)
{
	fprintf(stderr, "bench: %s failed\n", what);
	exit(1);
}

static int make_disk(void)
{
	char path[] = "/tmp/vblk-bench-XXXXXX";
	static uint8_t buf[1u << 20];
	int fd = mkstemp(path);

	if (fd < 0)
		die("mkstemp");
	unlink(path);
	memset(buf, 0xa5, sizeof(buf));
	for (uint32_t off = 0; off < DISK_BYTES; off += sizeof(buf))
		if (pwrite(fd, buf, sizeof(buf), off) != (ssize_t)sizeof(buf))
			die("pwrite");
	/* Read it once so that every later read hits the page cache. */
	for (uint32_t off = 0; off < DISK_BYTES; off += sizeof(buf))
		if (pread(fd, buf, sizeof(buf), off) != (ssize_t)sizeof(buf))
			die("pread");
	return fd;
}

static void setup(struct bench *b, int disk_fd, bool uring)
{
	struct vmmem_region_desc r = { .gpa = 0, .size = MEM_BYTES,
				       .backing = VMMEM_BACKING_ANON };
	struct vblk_device_config cfg = { .id = "bench", .queue_size = QSIZE };
	uint64_t features;

	if (vmmem_map_new(&b->mem) || vmmem_map_add_region(b->mem, &r))
		die("memory");
	if (vblk_file_open_fd(dup(disk_fd), false, &b->file))
		die("open");
	vblk_file_backend(b->file, &b->be);
	if (uring && vblk_async_new(&b->be, cfg.id, QSIZE, 0, &b->async))
		die("async");
	cfg.backend = &b->be;
	cfg.mem = b->mem;
	cfg.async = b->async;
	cfg.limit = b->limit;
	if (vblk_device_init(&b->dev, &cfg) ||
	    virtq_driver_mmio_negotiate(vblk_device_mmio(&b->dev), ~0ull, &features) ||
	    virtq_driver_new(b->mem, QSIZE, RING, VIRTQ_DRIVER_EVENT_IDX, &b->drv) ||
	    virtq_driver_mmio_setup_queue(vblk_device_mmio(&b->dev), 0, b->drv) ||
	    virtq_driver_mmio_driver_ok(vblk_device_mmio(&b->dev)))
		die("device bring-up");
}

static void teardown(struct bench *b)
{
	vblk_device_reset(&b->dev);
	virtq_driver_free(b->drv);
	vblk_async_free(b->async);
	vblk_file_free(b->file);
	vmmem_map_free(b->mem);
}

static uint64_t pick_sector(struct bench *b)
{
	uint64_t sectors = b->bytes / 512u, slots = DISK_BYTES / b->bytes;
	uint64_t s;

	if (b->random)
		return (uint64_t)(rand_r(&b->seed) % slots) * sectors;
	s = b->next_sector;
	b->next_sector = (s + sectors) % (DISK_BYTES / 512u);
	return s;
}

static void add(struct bench *b, unsigned int slot)
{
	uint64_t hdr = HDRS + 32u * slot, data = DATA + (uint64_t)slot * (128u << 10);
	struct virtq_buf bufs[2 + 128u * 1024u / SEG];
	size_t n = 0;
	uint16_t head;
	uint8_t h[16] = { 0 };
	uint64_t sector = b->type == VIRTIO_BLK_T_IN ? pick_sector(b) : 0;

	memcpy(h, &b->type, 4);
	memcpy(h + 8, &sector, 8);
	if (vmmem_write(b->mem, hdr, h, sizeof(h)))
		die("header");
	bufs[n++] = (struct virtq_buf){ hdr, 16, false };
	for (uint32_t off = 0; off < b->bytes; off += SEG)
		bufs[n++] = (struct virtq_buf){ data + off, SEG, true };
	bufs[n++] = (struct virtq_buf){ STATUS + slot, 1, true };
	if (n > 3 ? virtq_driver_add_indirect(b->drv, bufs, n, TABLES + 1024u * slot, &head)
		  : virtq_driver_add(b->drv, bufs, n, &head))
		die("add");
}

static void run(void *ctx, uint64_t ops)
{
	struct bench *b = ctx;
	uint16_t head;
	uint32_t len;

	for (uint64_t done = 0; done < ops; done += b->depth) {
		unsigned int got = 0;

		for (unsigned int i = 0; i < b->depth; i++)
			add(b, i);
		if (virtq_driver_publish(b->drv) < 0 || vblk_device_notify(&b->dev))
			die("notify");
		while (got < b->depth) {
			int r = virtq_driver_get_used(b->drv, &head, &len);

			if (r < 0)
				die("used");
			if (r == 1)
				got++;
			else if (vblk_device_complete(&b->dev, true) < 0)
				die("complete");
		}
	}
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double measure_as(int disk_fd, const char *name, uint32_t type,
			 uint32_t bytes, bool random, unsigned int depth, bool uring,
			 const struct rlim_config *limit)
{
	static struct bench b;
	const unsigned int reps = 7;
	uint64_t ops = bytes > SEG ? 3200 : 32000;
	double c0, wall, cpu;

	memset(&b, 0, sizeof(b));
	b.type = type;
	b.limit = limit;
	b.bytes = bytes;
	b.random = random;
	b.depth = depth;
	b.seed = 42;
	setup(&b, disk_fd, uring);
	c0 = cpu_ns();
	wall = cvmm_bench_run(name, run, &b, ops, reps);
	cpu = (cpu_ns() - c0) / (double)(ops * (reps + 1u));
	printf("name=%s req_per_s=%.0f cpu_ns_per_req=%.0f uring=%d\n", name,
	       1e9 / wall, cpu, b.async ? vblk_async_is_uring(b.async) : 0);
	teardown(&b);
	return wall;
}

static void measure(int disk_fd, const char *name, uint32_t bytes, bool random,
		    unsigned int depth, bool uring)
{
	(void)measure_as(disk_fd, name, VIRTIO_BLK_T_IN, bytes, random, depth,
			 uring, NULL);
}

/* Buckets that never run dry: the limiter does all its work (clock,
 * refill, both buckets) and never refuses. */
static const struct rlim_config never_dry = {
	.bytes = { .size = RLIM_MAX_TOKENS, .refill_time_ms = 1 },
	.ops = { .size = RLIM_MAX_TOKENS, .refill_time_ms = 1 },
	.clock = rlim_clock_monotonic,
};

static void charge(void *ctx, uint64_t ops)
{
	static struct vblk_request req = { .type = VIRTIO_BLK_T_IN, .data_len = 4096 };

	for (uint64_t i = 0; i < ops; i++)
		if (vblk__limit_charge(ctx, &req))
			die("charge");
}

static void measure_limiter(int disk_fd)
{
	static struct rlim_limiter l;
	double none, limited;

	none = measure_as(disk_fd, "blk-getid-qd32-sync", VIRTIO_BLK_T_GET_ID,
			  512, false, 32, false, NULL);
	limited = measure_as(disk_fd, "blk-getid-qd32-sync-limiter",
			     VIRTIO_BLK_T_GET_ID, 512, false, 32, false, &never_dry);
	printf("name=blk-limiter-overhead-per-req ops=32000 ns_per_op=%.2f\n",
	       limited - none);
	if (rlim_init(&l, &never_dry))
		die("limiter");
	(void)cvmm_bench_run("blk-limiter-charge-4k", charge, &l, 1000000, 7);
}

int main(void)
{
	int fd = make_disk();

	for (int uring = 0; uring < 2; uring++) {
		const char *sfx = uring ? "-uring" : "-sync";
		char name[64];

		snprintf(name, sizeof(name), "blk-rand-read-4k-qd1%s", sfx);
		measure(fd, name, 4096, true, 1, uring);
		snprintf(name, sizeof(name), "blk-rand-read-4k-qd32%s", sfx);
		measure(fd, name, 4096, true, 32, uring);
		snprintf(name, sizeof(name), "blk-seq-read-128k-qd1%s", sfx);
		measure(fd, name, 128u << 10, false, 1, uring);
		snprintf(name, sizeof(name), "blk-seq-read-128k-qd32%s", sfx);
		measure(fd, name, 128u << 10, false, 32, uring);
	}
	measure_limiter(fd);
	close(fd);
	return 0;
}
