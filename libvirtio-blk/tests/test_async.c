/* SPDX-License-Identifier: MIT */
/*
 * The asynchronous engine: io_uring and the synchronous fallback complete
 * the same requests with the same status bytes and data; depth is
 * enforced; completions are announced on the eventfd; short io_uring
 * transfers and backends without an fd fall back correctly.
 */
#include <errno.h>
#include <poll.h>

#include "harness.h"

static struct vmmem_map *mem;
static struct vblk_file *file;
static struct vblk_backend be;
static struct vblk_limits lim;
static const uint8_t id[VIRTIO_BLK_ID_BYTES] = "async-disk";

struct done_log {
	unsigned int n;
	uint64_t cookie[64];
	uint32_t used[64];
	uint8_t status[64];
};

static void on_done(void *ctx, uint64_t cookie, uint8_t status, uint32_t used)
{
	struct done_log *l = ctx;

	l->status[l->n] = status;
	l->cookie[l->n] = cookie;
	l->used[l->n] = used;
	l->n++;
}

static void setup(void)
{
	mem = t_mem();
	lim = t_limits();
	file = t_disk(false, &be);
}

static void teardown(void)
{
	vblk_file_free(file);
	vmmem_map_free(mem);
}

TestSuite(async, .init = setup, .fini = teardown);

/* Request i: header at T_HDR + 32*i, data at T_DATA + 4096*i, status at
 * T_STATUS + i. */
static void make(struct vblk_request *req, unsigned int i, uint32_t type,
		 uint64_t sector, uint32_t len)
{
	static struct vblk_chain c;

	t_hdr(mem, T_HDR + 32u * i, type, sector);
	vblk_chain_reset(&c);
	vblk_chain_push(&c, T_HDR + 32u * i, 16, false);
	if (len)
		vblk_chain_push(&c, T_DATA + 4096u * i, len, type != VIRTIO_BLK_T_OUT);
	vblk_chain_push(&c, T_STATUS + i, 1, true);
	t_parse(mem, &lim, &c, req);
}

static uint8_t status_of(unsigned int i)
{
	uint8_t s;

	cr_assert_eq(vmmem_load_u8(mem, T_STATUS + i, &s), 0);
	return s;
}

static void reap_all(struct vblk_async *a, struct done_log *log, unsigned int want)
{
	while (log->n < want)
		cr_assert_geq(vblk_async_reap(a, true, on_done, log), 0);
	cr_assert_eq(vblk_async_inflight(a), 0);
}

static void reads_complete(unsigned int flags)
{
	static struct vblk_request req;
	struct vblk_async *a;
	struct done_log log = { 0 };

	cr_assert_eq(vblk_async_new(&be, id, 16, flags, &a), 0);
	for (unsigned int i = 0; i < 8; i++) {
		make(&req, i, VIRTIO_BLK_T_IN, 8u * i, 4096);
		cr_assert_eq(vblk_async_submit(a, mem, &req, 100 + i), 0);
	}
	cr_assert_eq(vblk_async_commit(a), 0);
	reap_all(a, &log, 8);
	for (unsigned int i = 0; i < 8; i++) {
		uint8_t buf[4096];

		cr_assert_eq(status_of(i), VIRTIO_BLK_S_OK);
		cr_assert_eq(vmmem_read(mem, T_DATA + 4096u * i, buf, sizeof(buf)), 0);
		for (uint32_t j = 0; j < sizeof(buf); j++)
			cr_assert_eq(buf[j], t_pattern(4096u * i + j));
	}
	for (unsigned int i = 0; i < 8; i++)
		cr_assert_eq(log.used[i], 4097);
	vblk_async_free(a);
}

Test(async, io_uring_reads_complete)
{
	reads_complete(0);
}

Test(async, sync_fallback_reads_complete)
{
	reads_complete(VBLK_ASYNC_FORCE_SYNC);
}

Test(async, io_uring_is_used_for_a_file_where_available)
{
	struct vblk_async *a;

	cr_assert_eq(vblk_async_new(&be, id, 4, 0, &a), 0);
	if (!vblk_async_is_uring(a)) {
		vblk_async_free(a);
		cr_skip_test("io_uring is not available to this process");
	}
	vblk_async_free(a);
}

Test(async, writes_and_flush_reach_the_disk)
{
	static struct vblk_request req;
	struct vblk_async *a;
	struct done_log log = { 0 };
	uint8_t back[4096];

	cr_assert_eq(vblk_async_new(&be, id, 8, 0, &a), 0);
	cr_assert_eq(vmmem_fill(mem, T_DATA, 0x77, 4096), 0);
	make(&req, 0, VIRTIO_BLK_T_OUT, 40, 4096);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 1), 0);
	cr_assert_eq(vblk_async_commit(a), 0);
	reap_all(a, &log, 1);
	make(&req, 1, VIRTIO_BLK_T_FLUSH, 0, 0);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 2), 0);
	cr_assert_eq(vblk_async_commit(a), 0);
	reap_all(a, &log, 2);
	cr_assert_eq(status_of(0), VIRTIO_BLK_S_OK);
	cr_assert_eq(status_of(1), VIRTIO_BLK_S_OK);
	cr_assert_eq(log.used[0], 1);
	cr_assert_eq(pread(be.fd, back, sizeof(back), 40 * 512), (ssize_t)sizeof(back));
	for (uint32_t j = 0; j < sizeof(back); j++)
		cr_assert_eq(back[j], 0x77);
	vblk_async_free(a);
}

Test(async, rejected_and_sync_only_requests_complete_in_order_of_reaping)
{
	static struct vblk_request req;
	struct vblk_async *a;
	struct done_log log = { 0 };

	cr_assert_eq(vblk_async_new(&be, id, 8, 0, &a), 0);
	make(&req, 0, VIRTIO_BLK_T_IN, T_DISK_SECTORS, 512);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 10), 0);
	make(&req, 1, VIRTIO_BLK_T_GET_ID, 0, 20);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 11), 0);
	make(&req, 2, 77, 0, 0);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 12), 0);
	reap_all(a, &log, 3);
	cr_assert_eq(status_of(0), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(status_of(1), VIRTIO_BLK_S_OK);
	cr_assert_eq(status_of(2), VIRTIO_BLK_S_UNSUPP);
	cr_assert_eq(log.used[1], 21);
	cr_assert_eq(log.status[0], VIRTIO_BLK_S_IOERR);
	cr_assert_eq(log.status[2], VIRTIO_BLK_S_UNSUPP);
	vblk_async_free(a);
}

Test(async, depth_is_enforced)
{
	static struct vblk_request req;
	struct vblk_async *a;
	struct done_log log = { 0 };

	cr_assert_eq(vblk_async_new(&be, id, 2, 0, &a), 0);
	make(&req, 0, VIRTIO_BLK_T_IN, 0, 512);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 1), 0);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 2), 0);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 3), -EBUSY);
	cr_assert_eq(vblk_async_commit(a), 0);
	reap_all(a, &log, 2);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 3), 0);
	reap_all(a, &log, 3);
	vblk_async_free(a);
}

Test(async, bad_arguments)
{
	struct vblk_async *a;

	cr_assert_eq(vblk_async_new(&be, id, 0, 0, &a), -EINVAL);
	cr_assert_eq(vblk_async_new(&be, id, 5000, 0, &a), -EINVAL);
	cr_assert_eq(vblk_async_new(&be, id, 4, 0x80, &a), -EINVAL);
	vblk_async_free(NULL);
}

Test(async, completion_is_announced_on_the_eventfd)
{
	static struct vblk_request req;
	struct vblk_async *a;
	struct done_log log = { 0 };
	struct pollfd p;

	cr_assert_eq(vblk_async_new(&be, id, 4, 0, &a), 0);
	p.fd = vblk_async_fd(a);
	p.events = POLLIN;
	cr_assert_eq(poll(&p, 1, 0), 0);
	make(&req, 0, VIRTIO_BLK_T_IN, 0, 4096);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 1), 0);
	cr_assert_eq(vblk_async_commit(a), 0);
	cr_assert_eq(poll(&p, 1, 5000), 1);
	reap_all(a, &log, 1);
	cr_assert_eq(poll(&p, 1, 0), 0);
	vblk_async_free(a);
}

Test(async, backend_without_fd_runs_through_ops)
{
	static struct vblk_request req;
	struct vblk_fault f;
	struct vblk_fault_rule r = { .ops = VBLK_FAULT_READ, .error = -EIO };
	struct vblk_backend fb;
	struct vblk_async *a;
	struct done_log log = { 0 };

	vblk_fault_init(&f, &be, &r);
	vblk_fault_backend(&f, &fb);
	cr_assert_eq(vblk_async_new(&fb, id, 4, 0, &a), 0);
	cr_assert_not(vblk_async_is_uring(a));
	make(&req, 0, VIRTIO_BLK_T_IN, 0, 512);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 1), 0);
	reap_all(a, &log, 1);
	cr_assert_eq(status_of(0), VIRTIO_BLK_S_IOERR);
	vblk_async_free(a);
}

Test(async, read_past_end_of_a_shrunk_file_is_ioerr)
{
	static struct vblk_request req;
	struct vblk_async *a;
	struct done_log log = { 0 };

	cr_assert_eq(vblk_async_new(&be, id, 4, 0, &a), 0);
	/* The image shrinks under the device: io_uring returns a short read
	 * and then nothing; the guest must see IOERR, not stale data. */
	cr_assert_eq(ftruncate(be.fd, 4096 + 1024), 0);
	make(&req, 0, VIRTIO_BLK_T_IN, 8, 4096);
	cr_assert_eq(vblk_async_submit(a, mem, &req, 1), 0);
	cr_assert_eq(vblk_async_commit(a), 0);
	reap_all(a, &log, 1);
	cr_assert_eq(status_of(0), VIRTIO_BLK_S_IOERR);
	vblk_async_free(a);
}
