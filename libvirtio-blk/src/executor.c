/* SPDX-License-Identifier: MIT */
/*
 * Executes parsed virtio-blk requests (virtio 1.2 §5.2.6) against a
 * backend.  Every failure becomes a status byte: the guest sees IOERR or
 * UNSUPP, the host sees no error.  Short transfers are continued from where
 * they stopped, so a backend that returns partial counts is not an error.
 */
#include <errno.h>
#include <string.h>

#include <vblk/executor.h>
#include <vmmem/access.h>

int vblk_request_iovec(struct vmmem_map *mem, const struct vblk_request *req,
		       struct iovec *iov, size_t cap, size_t *count)
{
	enum vmmem_access acc = req->type == VIRTIO_BLK_T_OUT ? VMMEM_READ : VMMEM_WRITE;
	struct vmmem_iovec v;

	vmmem_iovec_init(&v, iov, cap);
	for (uint32_t i = 0; i < req->nseg; i++) {
		int err = vmmem_iovec_append(mem, &v, req->seg[i].addr,
					     req->seg[i].len, acc);

		if (err)
			return err;
	}
	*count = v.count;
	return 0;
}

uint8_t vblk_status_from_errno(int err)
{
	if (err >= 0)
		return VIRTIO_BLK_S_OK;
	if (err == -ENOTSUP || err == -EOPNOTSUPP)
		return VIRTIO_BLK_S_UNSUPP;
	return VIRTIO_BLK_S_IOERR;
}

/* Drops n transferred bytes from the front of iov[*first..count). */
static void advance(struct iovec *iov, size_t count, size_t *first, size_t n)
{
	while (n && *first < count) {
		struct iovec *e = &iov[*first];
		size_t step = n < e->iov_len ? n : e->iov_len;

		e->iov_base = (uint8_t *)e->iov_base + step;
		e->iov_len -= step;
		n -= step;
		if (e->iov_len == 0)
			(*first)++;
	}
}

static int transfer(struct vmmem_map *mem, const struct vblk_backend *be,
		    const struct vblk_request *req)
{
	bool in = req->type == VIRTIO_BLK_T_IN;
	ssize_t (*op)(void *, const struct iovec *, int, uint64_t) =
		in ? be->ops->readv : be->ops->writev;
	uint64_t offset = req->sector << VBLK_SECTOR_SHIFT;
	uint64_t left = req->data_len;
	struct iovec iov[VBLK_MAX_IOV];
	size_t count = 0, first = 0;
	int err;

	if (!op)
		return -ENOTSUP;
	if (!in && be->read_only)
		return -EROFS;
	if (offset > be->size || left > be->size - offset)
		return -EIO;
	err = vblk_request_iovec(mem, req, iov, VBLK_MAX_IOV, &count);
	if (err)
		return err;
	while (left) {
		ssize_t n = op(be->ctx, iov + first, (int)(count - first), offset);

		if (n < 0)
			return (int)n;
		if (n == 0 || (uint64_t)n > left)
			return -EIO;
		advance(iov, count, &first, (size_t)n);
		offset += (uint64_t)n;
		left -= (uint64_t)n;
	}
	return 0;
}

static int get_id(struct vmmem_map *mem, const uint8_t *id,
		  const struct vblk_request *req)
{
	uint32_t done = 0;

	for (uint32_t i = 0; i < req->nseg; i++) {
		if (vmmem_write(mem, req->seg[i].addr, id + done, req->seg[i].len))
			return -EFAULT;
		done += req->seg[i].len;
	}
	return 0;
}

static int dwz(const struct vblk_backend *be, const struct vblk_request *req)
{
	bool discard = req->type == VIRTIO_BLK_T_DISCARD;

	if (discard ? !be->ops->discard : !be->ops->write_zeroes)
		return -ENOTSUP;
	if (be->read_only)
		return -EROFS;
	for (uint32_t i = 0; i < req->ndwz; i++) {
		const struct vblk_dwz *z = &req->dwz[i];
		uint64_t off = z->sector << VBLK_SECTOR_SHIFT;
		uint64_t len = (uint64_t)z->num_sectors << VBLK_SECTOR_SHIFT;
		int err;

		if (len == 0)
			continue;
		if (off > be->size || len > be->size - off)
			return -EIO;
		err = discard ? be->ops->discard(be->ctx, off, len)
			      : be->ops->write_zeroes(be->ctx, off, len,
						      z->flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
		if (err)
			return err;
	}
	return 0;
}

static int run(struct vmmem_map *mem, const struct vblk_backend *be,
	       const uint8_t *id, const struct vblk_request *req)
{
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		return transfer(mem, be, req);
	case VIRTIO_BLK_T_FLUSH:
		return be->ops->flush ? be->ops->flush(be->ctx) : -ENOTSUP;
	case VIRTIO_BLK_T_GET_ID:
		return get_id(mem, id, req);
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return dwz(be, req);
	default:
		return -ENOTSUP;
	}
}

/* A write-through request is committed before it completes (§5.2.6.2:
 * FLUSH offered, not negotiated).  Without a flush op nothing can commit
 * it, and reporting it stable would be a lie. */
static int commit(const struct vblk_backend *be, const struct vblk_request *req)
{
	if (!req->write_through)
		return 0;
	return be->ops->flush ? be->ops->flush(be->ctx) : -EIO;
}

uint8_t vblk_execute(struct vmmem_map *mem, const struct vblk_backend *be,
		     const uint8_t id[VIRTIO_BLK_ID_BYTES],
		     const struct vblk_request *req)
{
	int err;

	if (req->status != VIRTIO_BLK_S_OK)
		return req->status;
	err = run(mem, be, id, req);
	if (!err)
		err = commit(be, req);
	return vblk_status_from_errno(err);
}

uint32_t vblk_complete(struct vmmem_map *mem, const struct vblk_request *req,
		       uint8_t status)
{
	bool data_in = req->type == VIRTIO_BLK_T_IN || req->type == VIRTIO_BLK_T_GET_ID;

	if (!req->has_status || vmmem_store_u8(mem, req->status_addr, status))
		return 0;
	if (status != VIRTIO_BLK_S_OK || !data_in)
		return 1;
	/* §2.7.8.2: the bytes written from the start of the writable area.
	 * A GET_ID buffer larger than the ID leaves a gap before the status
	 * byte; the gap is not written (zero-filling it could mean gigabytes
	 * of memset for a hostile driver), so only the ID counts.  An IN's
	 * status byte always follows its data. */
	if (req->status_offset == req->data_len)
		return (uint32_t)req->data_len + 1u;
	return (uint32_t)req->data_len;
}

uint32_t vblk_process(struct vmmem_map *mem, const struct vblk_backend *be,
		      const uint8_t id[VIRTIO_BLK_ID_BYTES],
		      const struct vblk_request *req)
{
	return vblk_complete(mem, req, vblk_execute(mem, be, id, req));
}
