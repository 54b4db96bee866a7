/* SPDX-License-Identifier: MIT */
/*
 * The file backend: a raw disk image (regular file or block device).
 * Reads and writes go straight between the file and guest memory with
 * preadv/pwritev; FLUSH is fdatasync, which is what makes data written
 * before it survive a crash of this process or of the host.  DISCARD punches
 * holes; WRITE_ZEROES uses FALLOC_FL_ZERO_RANGE (or a hole when the guest
 * allows unmapping), falling back to writing zeroes where the file system
 * cannot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/falloc.h>
#include <linux/fs.h>

#include <vblk/backend.h>

struct vblk_file {
	int fd;
	uint64_t size;
	bool read_only;
};

/* preadv/pwritev take at most IOV_MAX entries and an off_t offset. */
static bool io_args_ok(int iovcnt, uint64_t offset)
{
	return iovcnt > 0 && iovcnt <= IOV_MAX && offset <= INT64_MAX;
}

static ssize_t file_readv(void *ctx, const struct iovec *iov, int iovcnt,
			  uint64_t offset)
{
	struct vblk_file *f = ctx;
	ssize_t n;

	if (!io_args_ok(iovcnt, offset))
		return -EINVAL;
	do {
		n = preadv(f->fd, iov, iovcnt, (off_t)offset);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static ssize_t file_writev(void *ctx, const struct iovec *iov, int iovcnt,
			   uint64_t offset)
{
	struct vblk_file *f = ctx;
	ssize_t n;

	if (!io_args_ok(iovcnt, offset))
		return -EINVAL;
	do {
		n = pwritev(f->fd, iov, iovcnt, (off_t)offset);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static int file_flush(void *ctx)
{
	struct vblk_file *f = ctx;

	return fdatasync(f->fd) ? -errno : 0;
}

static int punch(struct vblk_file *f, int mode, uint64_t offset, uint64_t len)
{
	if (offset > INT64_MAX || len > INT64_MAX - offset)
		return -EINVAL;
	return fallocate(f->fd, mode | FALLOC_FL_KEEP_SIZE, (off_t)offset,
			 (off_t)len) ? -errno : 0;
}

static int file_discard(void *ctx, uint64_t offset, uint64_t len)
{
	int err = punch(ctx, FALLOC_FL_PUNCH_HOLE, offset, len);

	/* Discard is a hint (§5.2.6.2 "MAY deallocate"): a file system that
	 * cannot punch holes just keeps the data. */
	return err == -EOPNOTSUPP ? 0 : err;
}

static int write_zero_bytes(struct vblk_file *f, uint64_t offset, uint64_t len)
{
	static const uint8_t zeroes[65536];

	while (len) {
		size_t step = len < sizeof(zeroes) ? (size_t)len : sizeof(zeroes);
		ssize_t n = pwrite(f->fd, zeroes, step, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		offset += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

static int file_write_zeroes(void *ctx, uint64_t offset, uint64_t len, bool unmap)
{
	struct vblk_file *f = ctx;
	int err = -EOPNOTSUPP;

	if (unmap)
		err = punch(f, FALLOC_FL_PUNCH_HOLE, offset, len);
	if (err == -EOPNOTSUPP)
		err = punch(f, FALLOC_FL_ZERO_RANGE, offset, len);
	if (err == -EOPNOTSUPP)
		err = write_zero_bytes(f, offset, len);
	return err;
}

static const struct vblk_backend_ops file_ops = {
	.version = VBLK_BACKEND_OPS_VERSION,
	.readv = file_readv,
	.writev = file_writev,
	.flush = file_flush,
	.discard = file_discard,
	.write_zeroes = file_write_zeroes,
};

static int file_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size) ? -errno : 0;
	return -EINVAL;
}

int vblk_file_open_fd(int fd, bool read_only, struct vblk_file **out)
{
	struct vblk_file *f;
	uint64_t size = 0;
	int err = file_size(fd, &size);

	if (!err && size < 512)
		err = -EINVAL;
	f = err ? NULL : calloc(1, sizeof(*f));
	if (!err && !f)
		err = -ENOMEM;
	if (err) {
		close(fd);
		return err;
	}
	f->fd = fd;
	f->size = size;
	f->read_only = read_only;
	*out = f;
	return 0;
}

int vblk_file_open(const char *path, bool read_only, struct vblk_file **out)
{
	int fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return vblk_file_open_fd(fd, read_only, out);
}

void vblk_file_free(struct vblk_file *f)
{
	if (!f)
		return;
	close(f->fd);
	free(f);
}

void vblk_file_backend(struct vblk_file *f, struct vblk_backend *out)
{
	out->ops = &file_ops;
	out->ctx = f;
	out->size = f->size;
	out->read_only = f->read_only;
	out->fd = f->fd;
}
