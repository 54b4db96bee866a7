/* SPDX-License-Identifier: MIT */
/* Read-only file mappings for the *_load_file() helpers. */
#ifndef LOADER_FILE_H
#define LOADER_FILE_H

#include <stddef.h>

struct loader__file {
	void *data;	/* NULL for an empty file */
	size_t size;
};

/* Maps path read-only.  -errno from open/fstat/mmap; -EINVAL when it is
 * not a regular file. */
__attribute__((warn_unused_result))
int loader__file_map(const char *path, struct loader__file *f);
/* The same for a file the caller opened, which stays open. */
__attribute__((warn_unused_result))
int loader__file_map_fd(int fd, struct loader__file *f);
void loader__file_unmap(struct loader__file *f);

#endif
