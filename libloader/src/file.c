// SPDX-License-Identifier: MIT
// Read-only file mappings: images are parsed in place, never trusted, and
// a private read-only mapping keeps the host copy immutable while we parse
// (a concurrent writer of the file is the caller's problem, as for read()).
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

int loader__file_map(const char *path, struct loader__file *f)
{
	int fd, err;

	f->data = NULL;
	f->size = 0;
	if (!path)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = loader__file_map_fd(fd, f);
	close(fd);
	return err;
}

int loader__file_map_fd(int fd, struct loader__file *f)
{
	struct stat st;
	int err = 0;

	f->data = NULL;
	f->size = 0;
	if (fd < 0)
		return -EBADF;
	if (fstat(fd, &st) < 0) {
		err = -errno;
	} else if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
		   (uint64_t)st.st_size > SIZE_MAX) {
		err = -EINVAL;
	} else if (st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
			       fd, 0);
		if (p == MAP_FAILED) {
			err = -errno;
		} else {
			f->data = p;
			f->size = (size_t)st.st_size;
		}
	}
	return err;
}

void loader__file_unmap(struct loader__file *f)
{
	if (f->data)
		munmap(f->data, f->size);
	f->data = NULL;
	f->size = 0;
}
