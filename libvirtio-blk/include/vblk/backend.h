/* SPDX-License-Identifier: MIT */
/*
 * Block backends: where a virtio-blk device's sectors live.  A backend is an
 * ops table plus a context, so that a file, a fault injector for tests or a
 * user's own storage all plug into the same executor.  Offsets and lengths
 * are in bytes; the executor has already checked them against the size.
 *
 * The file backend does zero-copy preadv/pwritev straight into guest memory,
 * fdatasync for FLUSH and fallocate hole punching / zero ranges for DISCARD
 * and WRITE_ZEROES.
 */
#ifndef VBLK_BACKEND_H
#define VBLK_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifndef VBLK_WUR
#define VBLK_WUR __attribute__((warn_unused_result))
#endif

#define VBLK_BACKEND_OPS_VERSION 1u

/*
 * Every op returns 0 / a byte count or -errno.  A NULL op means the
 * operation is not supported: the guest gets VIRTIO_BLK_S_UNSUPP.  readv and
 * writev may transfer less than asked (the executor continues from there);
 * returning 0 means no progress is possible.
 */
struct vblk_backend_ops {
	unsigned int version;	/* VBLK_BACKEND_OPS_VERSION */
	ssize_t (*readv)(void *ctx, const struct iovec *iov, int iovcnt,
			 uint64_t offset);
	ssize_t (*writev)(void *ctx, const struct iovec *iov, int iovcnt,
			  uint64_t offset);
	/* Makes every completed write durable (fdatasync). */
	int (*flush)(void *ctx);
	/* Advisory deallocation; reads afterwards may return anything. */
	int (*discard)(void *ctx, uint64_t offset, uint64_t len);
	/* Reads afterwards return zeroes; unmap allows deallocation. */
	int (*write_zeroes)(void *ctx, uint64_t offset, uint64_t len, bool unmap);
};

struct vblk_backend {
	const struct vblk_backend_ops *ops;
	void *ctx;
	uint64_t size;		/* bytes; capacity is size / 512 */
	bool read_only;
	/* A file descriptor the asynchronous engine may use directly, with
	 * the same semantics as the ops; -1 when there is none. */
	int fd;
};

/* A disk image file, opaque. */
struct vblk_file;

/*
 * Opens path (O_RDWR, or O_RDONLY when read_only) with O_CLOEXEC.
 * -ENOENT etc. from open(2), -EINVAL when it is not a regular file or block
 * device or is smaller than one sector.
 */
VBLK_WUR int vblk_file_open(const char *path, bool read_only,
			    struct vblk_file **out);
/* Takes ownership of fd (closed by vblk_file_free, also on error). */
VBLK_WUR int vblk_file_open_fd(int fd, bool read_only, struct vblk_file **out);
/* Closes the file.  NULL is a no-op. */
void vblk_file_free(struct vblk_file *f);
/* The backend view of f, valid until vblk_file_free(f). */
void vblk_file_backend(struct vblk_file *f, struct vblk_backend *out);

#endif
