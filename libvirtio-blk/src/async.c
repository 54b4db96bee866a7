/* SPDX-License-Identifier: MIT */
/*
 * The asynchronous request engine over io_uring, with a synchronous
 * fallback.  Each request in flight owns a slot holding its parsed request
 * and the iovec list into guest memory, which must stay valid until the
 * kernel completes the SQE.  A short io_uring read or write is finished
 * synchronously through the backend ops (rare: page cache or end of file),
 * so the guest never sees a partial transfer reported as success.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <liburing.h>

#include <vblk/async.h>
#include <vblk/executor.h>

#define MAX_DEPTH 4096u

struct slot {
	struct vblk_request req;
	struct iovec iov[VBLK_MAX_IOV];
	size_t iovcnt;
	struct vmmem_map *mem;
	uint64_t cookie;
	uint8_t status;
};

struct vblk_async {
	struct vblk_backend be;
	uint8_t id[VIRTIO_BLK_ID_BYTES];
	unsigned int depth;
	bool uring;
	struct io_uring ring;
	int efd;
	unsigned int inflight;
	unsigned int queued;	/* SQEs prepared but not submitted */
	/* Free slots (a stack) and synchronously finished ones (a FIFO). */
	uint32_t *free;
	unsigned int nfree;
	uint32_t *done;
	unsigned int done_head, ndone;
	struct slot *slots;
};

static void signal_fd(struct vblk_async *a)
{
	uint64_t one = 1;

	/* Cannot fail short of a counter overflow, which 2^64 wakeups rule out. */
	(void)!write(a->efd, &one, sizeof(one));
}

static void clear_fd(struct vblk_async *a)
{
	uint64_t v;

	(void)!read(a->efd, &v, sizeof(v));
}

static bool setup_uring(struct vblk_async *a)
{
	if (a->be.fd < 0 || io_uring_queue_init(a->depth, &a->ring, 0) < 0)
		return false;
	if (io_uring_register_eventfd(&a->ring, a->efd) < 0) {
		io_uring_queue_exit(&a->ring);
		return false;
	}
	return true;
}

int vblk_async_new(const struct vblk_backend *be,
		   const uint8_t id[VIRTIO_BLK_ID_BYTES], unsigned int depth,
		   unsigned int flags, struct vblk_async **out)
{
	struct vblk_async *a;

	if (depth == 0 || depth > MAX_DEPTH || (flags & ~VBLK_ASYNC_FORCE_SYNC))
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->slots = calloc(depth, sizeof(*a->slots));
	a->free = calloc(depth, sizeof(*a->free));
	a->done = calloc(depth, sizeof(*a->done));
	a->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!a->slots || !a->free || !a->done || a->efd < 0) {
		int err = a->efd < 0 ? -errno : -ENOMEM;

		if (a->efd >= 0)
			close(a->efd);
		free(a->slots);
		free(a->free);
		free(a->done);
		free(a);
		return err;
	}
	a->be = *be;
	memcpy(a->id, id, VIRTIO_BLK_ID_BYTES);
	a->depth = depth;
	for (unsigned int i = 0; i < depth; i++)
		a->free[i] = depth - 1u - i;
	a->nfree = depth;
	a->uring = !(flags & VBLK_ASYNC_FORCE_SYNC) && setup_uring(a);
	*out = a;
	return 0;
}

static void ignore_done(void *ctx, uint64_t cookie, uint8_t status,
			uint32_t used_len)
{
	(void)ctx;
	(void)cookie;
	(void)status;
	(void)used_len;
}

void vblk_async_free(struct vblk_async *a)
{
	if (!a)
		return;
	/* The kernel may still be writing into guest memory: wait it out. */
	while (a->inflight && vblk_async_reap(a, true, ignore_done, NULL) >= 0)
		;
	if (a->uring)
		io_uring_queue_exit(&a->ring);
	close(a->efd);
	free(a->slots);
	free(a->free);
	free(a->done);
	free(a);
}

bool vblk_async_is_uring(const struct vblk_async *a)
{
	return a->uring;
}

int vblk_async_fd(const struct vblk_async *a)
{
	return a->efd;
}

unsigned int vblk_async_inflight(const struct vblk_async *a)
{
	return a->inflight;
}

static void finish_sync(struct vblk_async *a, uint32_t idx)
{
	struct slot *s = &a->slots[idx];

	s->status = vblk_execute(s->mem, &a->be, a->id, &s->req);
	a->done[(a->done_head + a->ndone) % a->depth] = idx;
	a->ndone++;
	signal_fd(a);
}

/* Prepares the SQE for s; false when the request must run synchronously. */
static bool prep_uring(struct vblk_async *a, struct slot *s, uint32_t idx)
{
	struct io_uring_sqe *sqe;
	uint32_t type = s->req.type;
	uint64_t off = s->req.sector << VBLK_SECTOR_SHIFT;

	if (!a->uring || s->req.status != VIRTIO_BLK_S_OK)
		return false;
	if (type == VIRTIO_BLK_T_FLUSH ? !a->be.ops->flush
	    : type == VIRTIO_BLK_T_IN ? !a->be.ops->readv || s->req.data_len == 0
	    : type == VIRTIO_BLK_T_OUT ? !a->be.ops->writev || a->be.read_only ||
					 s->req.data_len == 0
	    : true)
		return false;
	if (type != VIRTIO_BLK_T_FLUSH &&
	    (off > a->be.size || s->req.data_len > a->be.size - off))
		return false;
	if (type != VIRTIO_BLK_T_FLUSH &&
	    vblk_request_iovec(s->mem, &s->req, s->iov, VBLK_MAX_IOV, &s->iovcnt))
		return false;
	sqe = io_uring_get_sqe(&a->ring);
	if (!sqe)
		return false;
	if (type == VIRTIO_BLK_T_FLUSH)
		io_uring_prep_fsync(sqe, a->be.fd, IORING_FSYNC_DATASYNC);
	else if (type == VIRTIO_BLK_T_IN)
		io_uring_prep_readv(sqe, a->be.fd, s->iov, (unsigned int)s->iovcnt, off);
	else
		io_uring_prep_writev(sqe, a->be.fd, s->iov, (unsigned int)s->iovcnt, off);
	/* Durable before it completes, as the executor's flush would make
	 * it; a short write is finished through the executor, which
	 * flushes. */
	if (type == VIRTIO_BLK_T_OUT && s->req.write_through)
		sqe->rw_flags = RWF_DSYNC;
	io_uring_sqe_set_data64(sqe, idx);
	a->queued++;
	return true;
}

int vblk_async_submit(struct vblk_async *a, struct vmmem_map *mem,
		      const struct vblk_request *req, uint64_t cookie)
{
	uint32_t idx;
	struct slot *s;

	if (a->nfree == 0)
		return -EBUSY;
	idx = a->free[--a->nfree];
	s = &a->slots[idx];
	s->req = *req;
	s->mem = mem;
	s->cookie = cookie;
	a->inflight++;
	if (!prep_uring(a, s, idx))
		finish_sync(a, idx);
	return 0;
}

int vblk_async_commit(struct vblk_async *a)
{
	int n;

	if (!a->uring || a->queued == 0)
		return 0;
	do {
		n = io_uring_submit(&a->ring);
	} while (n == -EINTR);
	if (n < 0)
		return n;
	a->queued -= (unsigned int)n < a->queued ? (unsigned int)n : a->queued;
	return 0;
}

/* Finishes a transfer the kernel left short, through the backend ops. */
static uint8_t finish_short(struct vblk_async *a, struct slot *s, uint64_t done)
{
	struct vblk_request rest = s->req;
	uint64_t skip = done;
	uint32_t n = 0;

	if (done % VBLK_SECTOR_SIZE == 0 && done < s->req.data_len) {
		/* Whole sectors done: rerun the rest as its own request. */
		for (uint32_t i = 0; i < s->req.nseg; i++) {
			const struct vblk_seg *g = &s->req.seg[i];

			if (skip >= g->len) {
				skip -= g->len;
				continue;
			}
			rest.seg[n].addr = g->addr + skip;
			rest.seg[n].len = (uint32_t)(g->len - skip);
			skip = 0;
			n++;
		}
		rest.nseg = n;
		rest.sector += done >> VBLK_SECTOR_SHIFT;
		rest.data_len -= done;
		return vblk_execute(s->mem, &a->be, a->id, &rest);
	}
	/* Mid-sector: redo the whole request, which is idempotent. */
	return vblk_execute(s->mem, &a->be, a->id, &s->req);
}

static uint8_t uring_status(struct vblk_async *a, struct slot *s, int res)
{
	if (res < 0)
		return vblk_status_from_errno(res);
	if (s->req.type == VIRTIO_BLK_T_FLUSH || (uint64_t)res == s->req.data_len)
		return VIRTIO_BLK_S_OK;
	if (res == 0)
		return VIRTIO_BLK_S_IOERR;
	return finish_short(a, s, (uint64_t)res);
}

static void complete(struct vblk_async *a, uint32_t idx, vblk_async_done_fn done,
		     void *ctx)
{
	struct slot *s = &a->slots[idx];
	uint32_t used = vblk_complete(s->mem, &s->req, s->status);

	a->free[a->nfree++] = idx;
	a->inflight--;
	done(ctx, s->cookie, s->status, used);
}

static int reap_uring(struct vblk_async *a, bool wait, vblk_async_done_fn done,
		      void *ctx)
{
	struct io_uring_cqe *cqe;
	int count = 0, err;

	if (!a->uring || a->inflight == a->ndone)
		return 0;
	if (wait && a->ndone == 0) {
		err = io_uring_wait_cqe(&a->ring, &cqe);
		if (err < 0 && err != -EINTR)
			return err;
	}
	while (io_uring_peek_cqe(&a->ring, &cqe) == 0) {
		uint64_t idx = io_uring_cqe_get_data64(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&a->ring, cqe);
		if (idx >= a->depth)
			continue;
		a->slots[idx].status = uring_status(a, &a->slots[idx], res);
		complete(a, (uint32_t)idx, done, ctx);
		count++;
	}
	return count;
}

int vblk_async_reap(struct vblk_async *a, bool wait, vblk_async_done_fn done,
		    void *ctx)
{
	int count = 0, n;

	clear_fd(a);
	if (wait && a->queued) {
		n = vblk_async_commit(a);
		if (n < 0)
			return n;
	}
	while (a->ndone) {
		uint32_t idx = a->done[a->done_head];

		a->done_head = (a->done_head + 1u) % a->depth;
		a->ndone--;
		complete(a, idx, done, ctx);
		count++;
		wait = false;
	}
	n = reap_uring(a, wait, done, ctx);
	return n < 0 ? n : count + n;
}
