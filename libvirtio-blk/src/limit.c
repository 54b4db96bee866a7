/* SPDX-License-Identifier: MIT */
/*
 * The price of a virtio-blk request (virtio 1.2 §5.2.6) for the device's
 * rate limiter.  As in Firecracker and Cloud Hypervisor, every request
 * costs one operation and only data moving to or from the disk costs
 * bytes: the data length of IN and OUT.  They do not implement
 * WRITE_ZEROES; here it costs its whole range, because the file backend
 * may write that many zeroes when the file system cannot zero a range
 * (QEMU's throttling counts write-zeroes bytes the same way).  DISCARD
 * only deallocates, FLUSH and GET_ID move no disk data: 0 bytes.
 */
#include <errno.h>

#include "limit.h"

uint64_t vblk__limit_bytes(const struct vblk_request *req)
{
	uint64_t bytes = 0;

	switch (req->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		return req->data_len;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		/* At most 16 segments of 2^32 - 1 sectors: no overflow. */
		for (uint32_t i = 0; i < req->ndwz && i < VBLK_MAX_DWZ_SEGS; i++)
			bytes += (uint64_t)req->dwz[i].num_sectors << VBLK_SECTOR_SHIFT;
		return bytes;
	default:
		return 0;
	}
}

int vblk__limit_charge(struct rlim_limiter *l, const struct vblk_request *req)
{
	return rlim_consume(l, 1, vblk__limit_bytes(req));
}

void vblk__limit_refund(struct rlim_limiter *l, const struct vblk_request *req)
{
	rlim_refund(l, 1, vblk__limit_bytes(req));
}
