/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk executor: carries out a request the parser accepted
 * against a backend, and completes any request (accepted or not) by
 * writing its status byte (virtio 1.2 §5.2.6).  Data moves between the
 * backend and guest memory without a bounce buffer, through iovec lists
 * built by libvmmem's checked iovec builder.
 */
#ifndef VBLK_EXECUTOR_H
#define VBLK_EXECUTOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <vblk/backend.h>
#include <vblk/request.h>
#include <vmmem/map.h>

/* iovec entries one request can need: a segment may straddle two regions. */
#define VBLK_MAX_IOV (2u * VBLK_MAX_SEGS)

/*
 * Builds the iovec list for req's data segments (guest memory the backend
 * reads into for IN, writes from for OUT).  -EFAULT when a segment is not in
 * guest memory, -ENOSPC when cap is too small.
 */
VBLK_WUR int vblk_request_iovec(struct vmmem_map *mem, const struct vblk_request *req,
				struct iovec *iov, size_t cap, size_t *count);

/*
 * Runs req against be and returns the status byte for the guest:
 * VIRTIO_BLK_S_OK, IOERR (any backend or guest-memory failure) or UNSUPP
 * (the backend lacks the operation).  A request the parser rejected is not
 * executed; its parser status is returned.  id is the 20-byte serial
 * reported by GET_ID.  A successful write-through request
 * (req->write_through) is followed by the backend's flush, whose failure
 * (or absence) makes it IOERR.
 */
uint8_t vblk_execute(struct vmmem_map *mem, const struct vblk_backend *be,
		     const uint8_t id[VIRTIO_BLK_ID_BYTES],
		     const struct vblk_request *req);

/*
 * Maps a backend result (-errno) to a status byte, for asynchronous
 * engines that complete requests themselves.
 */
uint8_t vblk_status_from_errno(int err);

/*
 * Writes status into req's status byte and returns the used length to put
 * in the used ring, or 0 when the chain has no writable byte to report
 * into.  For a successful IN or GET_ID it counts the bytes written from
 * the start of the writable area: the data, plus the status byte when it
 * directly follows them (a GET_ID buffer larger than the 20-byte ID gets
 * 20).  Otherwise it is 1, also when the first writable byte is a data
 * byte that was not written (a failed IN, a FLUSH with data): 0 would
 * claim that no status byte was written (README, "Not modelled").
 */
uint32_t vblk_complete(struct vmmem_map *mem, const struct vblk_request *req,
		       uint8_t status);

/* Executes and completes; returns the used length. */
uint32_t vblk_process(struct vmmem_map *mem, const struct vblk_backend *be,
		      const uint8_t id[VIRTIO_BLK_ID_BYTES],
		      const struct vblk_request *req);

#endif
