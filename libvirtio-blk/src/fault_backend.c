/* SPDX-License-Identifier: MIT */
/*
 * The fault-injecting backend: forwards to an inner backend until its rule
 * fires, then returns the configured error or truncates the transfer.  A
 * short transfer passes a shortened iovec list down, so the inner backend
 * really moves only those bytes, as a real short write would.
 */
#include <errno.h>
#include <stddef.h>

#include <vblk/fault.h>

static bool fires(struct vblk_fault *f, uint32_t op)
{
	const struct vblk_fault_rule *r = &f->rule;

	if (!(r->ops & op))
		return false;
	if (f->seen++ < r->skip)
		return false;
	if (r->count && f->fired >= r->count)
		return false;
	f->fired++;
	return true;
}

/* Copies the first `limit` bytes of iov into out[]; returns the count. */
static int truncate_iov(const struct iovec *iov, int iovcnt, struct iovec *out,
			int cap, size_t limit)
{
	int n = 0;

	for (int i = 0; i < iovcnt && n < cap && limit; i++) {
		size_t len = iov[i].iov_len < limit ? iov[i].iov_len : limit;

		out[n].iov_base = iov[i].iov_base;
		out[n].iov_len = len;
		n++;
		limit -= len;
	}
	return n;
}

typedef ssize_t (*rw_fn)(void *ctx, const struct iovec *iov, int iovcnt,
			 uint64_t offset);

static ssize_t faulty_rw(struct vblk_fault *f, uint32_t op, rw_fn inner,
			 const struct iovec *iov, int iovcnt, uint64_t offset)
{
	struct iovec part[64];
	int n;

	if (!inner)
		return -ENOTSUP;
	if (!fires(f, op))
		return inner(f->inner.ctx, iov, iovcnt, offset);
	if (f->rule.error)
		return f->rule.error;
	n = truncate_iov(iov, iovcnt, part, 64, f->rule.short_bytes);
	return n ? inner(f->inner.ctx, part, n, offset) : 0;
}

static ssize_t fault_readv(void *ctx, const struct iovec *iov, int iovcnt,
			   uint64_t offset)
{
	struct vblk_fault *f = ctx;

	return faulty_rw(f, VBLK_FAULT_READ, f->inner.ops->readv, iov, iovcnt, offset);
}

static ssize_t fault_writev(void *ctx, const struct iovec *iov, int iovcnt,
			    uint64_t offset)
{
	struct vblk_fault *f = ctx;

	return faulty_rw(f, VBLK_FAULT_WRITE, f->inner.ops->writev, iov, iovcnt, offset);
}

/* Errors for the non-transfer ops; a "short" rule there means EIO. */
static int op_error(struct vblk_fault *f)
{
	return f->rule.error ? f->rule.error : -EIO;
}

static int fault_flush(void *ctx)
{
	struct vblk_fault *f = ctx;

	if (!f->inner.ops->flush)
		return -ENOTSUP;
	if (fires(f, VBLK_FAULT_FLUSH))
		return op_error(f);
	return f->inner.ops->flush(f->inner.ctx);
}

static int fault_discard(void *ctx, uint64_t offset, uint64_t len)
{
	struct vblk_fault *f = ctx;

	if (!f->inner.ops->discard)
		return -ENOTSUP;
	if (fires(f, VBLK_FAULT_DISCARD))
		return op_error(f);
	return f->inner.ops->discard(f->inner.ctx, offset, len);
}

static int fault_write_zeroes(void *ctx, uint64_t offset, uint64_t len, bool unmap)
{
	struct vblk_fault *f = ctx;

	if (!f->inner.ops->write_zeroes)
		return -ENOTSUP;
	if (fires(f, VBLK_FAULT_WRITE_ZEROES))
		return op_error(f);
	return f->inner.ops->write_zeroes(f->inner.ctx, offset, len, unmap);
}

static const struct vblk_backend_ops fault_ops = {
	.version = VBLK_BACKEND_OPS_VERSION,
	.readv = fault_readv,
	.writev = fault_writev,
	.flush = fault_flush,
	.discard = fault_discard,
	.write_zeroes = fault_write_zeroes,
};

void vblk_fault_init(struct vblk_fault *f, const struct vblk_backend *inner,
		     const struct vblk_fault_rule *rule)
{
	f->inner = *inner;
	f->rule = *rule;
	f->seen = 0;
	f->fired = 0;
}

void vblk_fault_backend(struct vblk_fault *f, struct vblk_backend *out)
{
	out->ops = &fault_ops;
	out->ctx = f;
	out->size = f->inner.size;
	out->read_only = f->inner.read_only;
	out->fd = -1;
}
