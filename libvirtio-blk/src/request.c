/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk request parser (virtio 1.2 §5.2.6 and its device
 * requirements §5.2.6.2).  Validation happens in a fixed order: first the
 * status byte is located (so that every outcome can be reported), then the
 * chain's shape (directions, lengths), then the header and the per-type
 * layout, and last the sector ranges against the capacity.  Nothing here
 * writes guest memory or touches the backend.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include <vblk/request.h>
#include <vmmem/access.h>

struct shape {
	uint32_t nread;		/* descriptors [0, nread) are device-readable */
	uint64_t rbytes;	/* bytes in those */
	uint64_t wbytes;	/* bytes in the writable ones, status included */
};

/*
 * The status byte is the last byte of the trailing writable descriptors.
 * Zero-length descriptors are skipped here (and rejected later) so that a
 * chain ending in one still gets its IOERR.
 */
static void locate_status(const struct vmmem_map *mem, const struct vblk_chain *c,
			  struct vblk_request *req)
{
	for (uint32_t i = c->n; i-- > 0;) {
		const struct vblk_desc *d = &c->d[i];

		if (!d->write)
			return;
		if (d->len == 0)
			continue;
		if (d->addr > UINT64_MAX - (d->len - 1u))
			return;
		if (!vmmem_range_is_backed(mem, d->addr + d->len - 1u, 1))
			return;
		req->has_status = true;
		req->status_addr = d->addr + d->len - 1u;
		return;
	}
}

/* Readable descriptors first, then writable ones; none empty. */
static int check_shape(const struct vblk_chain *c, struct shape *s)
{
	bool seen_write = false;

	memset(s, 0, sizeof(*s));
	if (c->overflow || c->bad || c->n == 0)
		return -EBADMSG;
	for (uint32_t i = 0; i < c->n; i++) {
		const struct vblk_desc *d = &c->d[i];

		if (d->len == 0)
			return -EBADMSG;
		if (d->write) {
			seen_write = true;
			s->wbytes += d->len;
		} else {
			if (seen_write)
				return -EBADMSG;
			s->nread++;
			s->rbytes += d->len;
		}
	}
	/* The used ring reports lengths in 32 bits (and virtq bounds a chain
	 * to 2^32 bytes); anything larger cannot be completed honestly. */
	if (s->rbytes > UINT32_MAX || s->wbytes > UINT32_MAX)
		return -EBADMSG;
	return 0;
}

/* Copies len bytes starting at byte off of descriptors [first, end). */
static int gather(const struct vmmem_map *mem, const struct vblk_chain *c,
		  uint32_t first, uint32_t end, uint64_t off, void *buf, size_t len)
{
	uint8_t *out = buf;

	for (uint32_t i = first; i < end && len; i++) {
		const struct vblk_desc *d = &c->d[i];
		size_t step;

		if (off >= d->len) {
			off -= d->len;
			continue;
		}
		step = d->len - off < len ? (size_t)(d->len - off) : len;
		if (vmmem_read(mem, d->addr + off, out, step))
			return -EFAULT;
		out += step;
		len -= step;
		off = 0;
	}
	return len ? -EBADMSG : 0;
}

/* Records take bytes of descriptors [first, end), after skip bytes, as data
 * segments.  The guest's framing is kept: one segment per descriptor. */
static int collect(const struct vblk_limits *lim, const struct vblk_chain *c,
		   uint32_t first, uint32_t end, uint64_t skip, uint64_t take,
		   struct vblk_request *req)
{
	uint32_t max = lim->seg_max < VBLK_MAX_SEGS ? lim->seg_max : VBLK_MAX_SEGS;

	req->data_len = take;
	for (uint32_t i = first; i < end && take; i++) {
		const struct vblk_desc *d = &c->d[i];
		uint64_t len;

		if (skip >= d->len) {
			skip -= d->len;
			continue;
		}
		len = d->len - skip < take ? d->len - skip : take;
		if (req->nseg == max)
			return -EBADMSG;
		req->seg[req->nseg].addr = d->addr + skip;
		req->seg[req->nseg].len = (uint32_t)len;
		req->nseg++;
		take -= len;
		skip = 0;
	}
	return 0;
}

/* [sector, sector + n) inside the disk, without overflowing. */
static bool in_range(const struct vblk_limits *lim, uint64_t sector, uint64_t n)
{
	return sector <= lim->capacity && n <= lim->capacity - sector;
}

static int parse_rw(const struct vblk_limits *lim, const struct vblk_chain *c,
		    const struct shape *s, struct vblk_request *req)
{
	bool in = req->type == VIRTIO_BLK_T_IN;
	uint64_t len = in ? s->wbytes - 1u : s->rbytes - VBLK_HDR_SIZE;

	/* A read carries nothing readable but the header; a write nothing
	 * writable but the status: anything else means the guest mixed up
	 * directions (a read into a device-readable buffer, say). */
	if (in ? s->rbytes != VBLK_HDR_SIZE : s->wbytes != 1u)
		return -EBADMSG;
	if (len % VBLK_SECTOR_SIZE)
		return -EBADMSG;
	if (!in_range(lim, req->sector, len >> VBLK_SECTOR_SHIFT))
		return -EBADMSG;
	if (!in && lim->read_only)
		return -EROFS;
	if (in)
		return collect(lim, c, s->nread, c->n, 0, len, req);
	req->write_through = lim->write_through;
	return collect(lim, c, 0, s->nread, VBLK_HDR_SIZE, len, req);
}

/* §5.2.6.2: unknown flags, and UNMAP on a discard, are UNSUPP. */
static bool dwz_flags_ok(bool discard, const struct vblk_dwz *z)
{
	uint32_t known = discard ? 0 : VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;

	return !(z->flags & ~known);
}

static int check_dwz(const struct vblk_limits *lim, bool discard,
		     const struct vblk_dwz *z)
{
	uint32_t max = discard ? lim->max_discard_sectors : lim->max_write_zeroes_sectors;

	if (z->num_sectors > max)
		return -EBADMSG;
	if (discard && lim->discard_sector_alignment &&
	    z->sector % lim->discard_sector_alignment)
		return -EBADMSG;
	return in_range(lim, z->sector, z->num_sectors) ? 0 : -EBADMSG;
}

/* Reads the first n segments (n <= VBLK_MAX_DWZ_SEGS) into req->dwz. */
static int read_dwz(const struct vmmem_map *mem, const struct vblk_chain *c,
		    const struct shape *s, uint32_t n, struct vblk_request *req)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t raw[VBLK_DWZ_SEG_SIZE];
		struct vblk_dwz *z = &req->dwz[i];
		int err = gather(mem, c, 0, s->nread,
				 VBLK_HDR_SIZE + (uint64_t)i * VBLK_DWZ_SEG_SIZE,
				 raw, sizeof(raw));

		if (err)
			return err;
		memcpy(&z->sector, raw, 8);
		memcpy(&z->num_sectors, raw + 8, 4);
		memcpy(&z->flags, raw + 12, 4);
		z->sector = le64toh(z->sector);
		z->num_sectors = le32toh(z->num_sectors);
		z->flags = le32toh(z->flags);
		req->ndwz = i + 1u;
	}
	return 0;
}

/*
 * Flags come first, so that UNSUPP wins over every IOERR a segment could
 * also earn: those of up to VBLK_MAX_DWZ_SEGS segments, even when there
 * are more than advertised (reading further would let one request make
 * the device walk up to 2^28 segments).
 */
static int parse_dwz(const struct vmmem_map *mem, const struct vblk_limits *lim,
		     const struct vblk_chain *c, const struct shape *s,
		     struct vblk_request *req)
{
	bool discard = req->type == VIRTIO_BLK_T_DISCARD;
	uint32_t max = discard ? lim->max_discard_seg : lim->max_write_zeroes_seg;
	uint64_t bytes = s->rbytes - VBLK_HDR_SIZE;
	uint64_t n = bytes / VBLK_DWZ_SEG_SIZE;
	int err;

	if (!(discard ? lim->discard : lim->write_zeroes))
		return -ENOTSUP;
	if (max > VBLK_MAX_DWZ_SEGS)
		max = VBLK_MAX_DWZ_SEGS;
	if (s->wbytes != 1u || bytes == 0 || bytes % VBLK_DWZ_SEG_SIZE)
		return -EBADMSG;
	if (lim->read_only)
		return -EROFS;
	err = read_dwz(mem, c, s, n < VBLK_MAX_DWZ_SEGS ? (uint32_t)n : VBLK_MAX_DWZ_SEGS,
		       req);
	if (err)
		return err;
	for (uint32_t i = 0; i < req->ndwz; i++)
		if (!dwz_flags_ok(discard, &req->dwz[i]))
			return -ENOTSUP;
	if (n > max)
		return -EBADMSG;
	for (uint32_t i = 0; i < req->ndwz; i++) {
		err = check_dwz(lim, discard, &req->dwz[i]);
		if (err)
			return err;
	}
	req->write_through = lim->write_through;
	return 0;
}

static int parse_type(const struct vmmem_map *mem, const struct vblk_limits *lim,
		      const struct vblk_chain *c, const struct shape *s,
		      struct vblk_request *req)
{
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		return parse_rw(lim, c, s, req);
	case VIRTIO_BLK_T_FLUSH:
		if (!lim->flush)
			return -ENOTSUP;
		/* §5.2.6.1: the driver MUST set sector 0, and only SHOULD NOT
		 * attach data: data is tolerated and ignored (as QEMU,
		 * Firecracker and Cloud Hypervisor do); only the status byte
		 * is written. */
		return req->sector ? -EBADMSG : 0;
	case VIRTIO_BLK_T_GET_ID:
		/* The ID is at most VIRTIO_BLK_ID_BYTES (NUL-padded when
		 * shorter).  A larger buffer gets those 20 bytes (Linux sizes
		 * it exactly, other drivers round up); a smaller one cannot
		 * hold an unterminated 20-byte ID and is refused, as
		 * Firecracker and Cloud Hypervisor do.  Nothing readable
		 * follows the header. */
		if (s->rbytes != VBLK_HDR_SIZE ||
		    s->wbytes < VIRTIO_BLK_ID_BYTES + 1u)
			return -EBADMSG;
		return collect(lim, c, s->nread, c->n, 0, VIRTIO_BLK_ID_BYTES, req);
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return parse_dwz(mem, lim, c, s, req);
	default:
		return -ENOTSUP;
	}
}

static uint8_t status_of(int err)
{
	if (err == 0)
		return VIRTIO_BLK_S_OK;
	return err == -ENOTSUP ? VIRTIO_BLK_S_UNSUPP : VIRTIO_BLK_S_IOERR;
}

int vblk_parse(const struct vmmem_map *mem, const struct vblk_limits *lim,
	       const struct vblk_chain *chain, struct vblk_request *req)
{
	uint8_t hdr[VBLK_HDR_SIZE];
	struct shape s;
	int err;

	req->type = UINT32_MAX;
	req->sector = 0;
	req->has_status = false;
	req->status_addr = 0;
	req->status_offset = 0;
	req->write_through = false;
	req->data_len = 0;
	req->nseg = 0;
	req->ndwz = 0;
	locate_status(mem, chain, req);
	err = check_shape(chain, &s);
	if (!err && (!req->has_status || s.rbytes < VBLK_HDR_SIZE))
		err = -EBADMSG;
	if (!err)
		req->status_offset = (uint32_t)(s.wbytes - 1u);
	if (!err)
		err = gather(mem, chain, 0, s.nread, 0, hdr, sizeof(hdr));
	if (!err) {
		uint32_t type;
		uint64_t sector;

		memcpy(&type, hdr, 4);
		memcpy(&sector, hdr + 8, 8);
		req->type = le32toh(type);
		req->sector = le64toh(sector);
		err = parse_type(mem, lim, chain, &s, req);
	}
	if (err) {
		req->nseg = 0;
		req->data_len = 0;
		req->write_through = false;
	}
	req->status = status_of(err);
	return err;
}
