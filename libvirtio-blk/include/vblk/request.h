/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk request parser (virtio 1.2 §5.2.6): turns a descriptor
 * chain into a validated request, or into the status byte the guest gets
 * back.  It reads the header and discard/write-zeroes segments from guest
 * memory but performs no I/O, so it can be tested and fuzzed on its own.
 *
 * Framing follows VIRTIO_F_VERSION_1 (any layout): the device-readable bytes
 * are the 16-byte header followed by write data or discard segments; the
 * device-writable bytes are read data or the ID buffer (at least 20 bytes,
 * of which the device fills 20) followed by the status byte, which is the
 * last writable byte of the chain.  A flush's data, which the driver
 * SHOULD NOT attach, is ignored.
 *
 * Discard and write-zeroes flags are checked before anything else about
 * the segments (count, size, alignment, range), so that an unknown flag,
 * or UNMAP on a discard, is always UNSUPP (§5.2.6.2).  The flags of the
 * first VBLK_MAX_DWZ_SEGS segments are read even when the request has
 * more segments than advertised; beyond those, the device reads nothing.
 */
#ifndef VBLK_REQUEST_H
#define VBLK_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_blk.h>
#include <vmmem/map.h>

#ifndef VBLK_WUR
#define VBLK_WUR __attribute__((warn_unused_result))
#endif

#define VBLK_SECTOR_SHIFT 9
#define VBLK_SECTOR_SIZE 512u
#define VBLK_HDR_SIZE 16u
#define VBLK_DWZ_SEG_SIZE 16u

/* Data descriptors one request may carry; the device advertises seg_max no
 * larger than this. */
#define VBLK_MAX_SEGS 128u
/* Descriptors the parser looks at: header, data, status. */
#define VBLK_MAX_DESCS (VBLK_MAX_SEGS + 2u)
/* Discard / write-zeroes segments per request (max_discard_seg bound). */
#define VBLK_MAX_DWZ_SEGS 16u

/* One descriptor of a chain, as the virtqueue handed it over. */
struct vblk_desc {
	uint64_t addr;
	uint32_t len;
	bool write;	/* device-writable (VIRTQ_DESC_F_WRITE) */
};

/*
 * A chain collected for the parser.  When a chain has more than
 * VBLK_MAX_DESCS descriptors the extra ones are dropped, but the last slot
 * always holds the chain's final descriptor so that the status byte can
 * still be found and written.
 */
struct vblk_chain {
	struct vblk_desc d[VBLK_MAX_DESCS];
	uint32_t n;
	bool overflow;
	/* The queue refused a descriptor (loop, bad address, ...); the chain
	 * is malformed even though the descriptors kept so far are fine. */
	bool bad;
};

static inline void vblk_chain_reset(struct vblk_chain *c)
{
	c->n = 0;
	c->overflow = false;
	c->bad = false;
}

static inline void vblk_chain_push(struct vblk_chain *c, uint64_t addr,
				   uint32_t len, bool write)
{
	if (c->n == VBLK_MAX_DESCS) {
		c->overflow = true;
		c->n--;
	}
	c->d[c->n].addr = addr;
	c->d[c->n].len = len;
	c->d[c->n].write = write;
	c->n++;
}

/* What the device offers and the driver negotiated; the parser's limits. */
struct vblk_limits {
	uint64_t capacity;		/* 512-byte sectors */
	uint32_t seg_max;		/* data descriptors per request */
	bool read_only;
	bool flush;			/* VIRTIO_BLK_F_FLUSH negotiated */
	bool discard;			/* VIRTIO_BLK_F_DISCARD negotiated */
	bool write_zeroes;		/* VIRTIO_BLK_F_WRITE_ZEROES negotiated */
	/*
	 * FLUSH offered but not negotiated (§5.2.6.2): a completed write is
	 * stable, so OUT, DISCARD and WRITE_ZEROES must be durable before
	 * they complete.  The parser copies it into the request.
	 */
	bool write_through;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
};

/* A guest data buffer (after the header and status byte are cut off). */
struct vblk_seg {
	uint64_t addr;
	uint32_t len;
};

struct vblk_dwz {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

struct vblk_request {
	uint32_t type;		/* VIRTIO_BLK_T_*, as the guest wrote it */
	uint64_t sector;
	/*
	 * The parser's verdict: VIRTIO_BLK_S_OK when the request may be
	 * executed, otherwise the status to report without doing any I/O.
	 */
	uint8_t status;
	bool has_status;	/* false: no writable byte to report into */
	uint64_t status_addr;
	/* Device-writable bytes before the status byte (when has_status). */
	uint32_t status_offset;
	/* A write (OUT, DISCARD, WRITE_ZEROES) the executor makes durable
	 * before it completes: vblk_limits.write_through. */
	bool write_through;
	uint64_t data_len;	/* bytes over seg[] */
	uint32_t nseg;
	uint32_t ndwz;
	struct vblk_seg seg[VBLK_MAX_SEGS];
	struct vblk_dwz dwz[VBLK_MAX_DWZ_SEGS];
};

/*
 * Parses chain into req.  req is always filled in (status location first),
 * whatever the outcome:
 *   0         executable, req->status == VIRTIO_BLK_S_OK;
 *   -EBADMSG  malformed (layout, direction, range): status IOERR;
 *   -ENOTSUP  unknown or not negotiated type, bad flags: status UNSUPP;
 *   -EFAULT   header or segments not in guest memory: status IOERR;
 *   -EROFS    write to a read-only device: status IOERR.
 */
VBLK_WUR int vblk_parse(const struct vmmem_map *mem, const struct vblk_limits *lim,
			const struct vblk_chain *chain, struct vblk_request *req);

/* Sectors the request covers (IN/OUT), for logging and tests. */
static inline uint64_t vblk_request_sectors(const struct vblk_request *req)
{
	return req->data_len >> VBLK_SECTOR_SHIFT;
}

#endif
