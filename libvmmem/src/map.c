/* SPDX-License-Identifier: MIT */
/*
 * Building a guest memory map: mapping regions of each backing kind and
 * keeping them sorted by guest physical address, without overlap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map_internal.h"

#define VMMEM_HUGE_PAGE_SIZE (2u << 20)
#define VMMEM_KNOWN_FLAGS (VMMEM_REGION_HUGEPAGES | VMMEM_REGION_DIRTY_LOG | \
			   VMMEM_REGION_PRIVATE)

int vmmem_map_new(struct vmmem_map **out)
{
	struct vmmem_map *map = calloc(1, sizeof(*map));

	if (!map)
		return -ENOMEM;
	*out = map;
	return 0;
}

static void region_release(struct vmmem__region *r)
{
	munmap(r->hva, r->size);
	if (r->fd >= 0)
		close(r->fd);
	free(r->dirty);
}

void vmmem_map_free(struct vmmem_map *map)
{
	if (!map)
		return;
	for (size_t i = 0; i < map->count; i++)
		region_release(&map->regions[i]);
	free(map);
}

static int desc_check(const struct vmmem_region_desc *d)
{
	uint64_t align = (d->flags & VMMEM_REGION_HUGEPAGES) ? VMMEM_HUGE_PAGE_SIZE
							     : VMMEM_PAGE_SIZE;

	if (d->size == 0 || d->size % align || d->gpa % align)
		return -EINVAL;
	if (vmmem__wraps(d->gpa, d->size) || d->size > SIZE_MAX)
		return -EINVAL;
	if (d->flags & ~VMMEM_KNOWN_FLAGS)
		return -EINVAL;
	if (d->backing == VMMEM_BACKING_FILE) {
		if (d->fd < 0 || d->fd_offset % VMMEM_PAGE_SIZE)
			return -EINVAL;
		/* Huge pages come from hugetlbfs files the caller opened. */
		if (d->flags & VMMEM_REGION_HUGEPAGES)
			return -EINVAL;
	} else if (d->backing != VMMEM_BACKING_ANON &&
		   d->backing != VMMEM_BACKING_MEMFD) {
		return -EINVAL;
	} else if (d->flags & VMMEM_REGION_PRIVATE) {
		/* Anonymous memory is private already; a private memfd would
		 * hide guest writes from whoever maps the same fd. */
		return -EINVAL;
	}
	return 0;
}

/* Index where a region starting at gpa goes, or -EINVAL on overlap. */
static int insert_position(const struct vmmem_map *map, uint64_t gpa, uint64_t size)
{
	size_t i = 0;

	while (i < map->count && map->regions[i].gpa < gpa)
		i++;
	if (i > 0) {
		const struct vmmem__region *prev = &map->regions[i - 1];

		/* Differences, not sums: a region may end exactly at 2^64. */
		if (prev->size > gpa - prev->gpa)
			return -EINVAL;
	}
	if (i < map->count && size > map->regions[i].gpa - gpa)
		return -EINVAL;
	return (int)i;
}

/* A file mapping past EOF would SIGBUS the host on first touch. */
static int file_covers(int fd, uint64_t offset, uint64_t size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (offset > (uint64_t)st.st_size || size > (uint64_t)st.st_size - offset)
		return -EINVAL;
	return 0;
}

static int open_backing(const struct vmmem_region_desc *d, int *fd)
{
	int err;

	*fd = -1;
	switch (d->backing) {
	case VMMEM_BACKING_ANON:
		return 0;
	case VMMEM_BACKING_MEMFD: {
		unsigned int mfd = MFD_CLOEXEC;

		if (d->flags & VMMEM_REGION_HUGEPAGES)
			mfd |= MFD_HUGETLB;
		*fd = memfd_create("cvmm-guest-ram", mfd);
		if (*fd < 0)
			return -errno;
		if (ftruncate(*fd, (off_t)d->size) < 0)
			goto fail;
		return 0;
	}
	case VMMEM_BACKING_FILE:
		err = file_covers(d->fd, d->fd_offset, d->size);
		if (err)
			return err;
		*fd = fcntl(d->fd, F_DUPFD_CLOEXEC, 0);
		return *fd < 0 ? -errno : 0;
	}
	return -EINVAL;
fail:
	err = -errno;
	close(*fd);
	*fd = -1;
	return err;
}

static int map_backing(const struct vmmem_region_desc *d, int fd, uint8_t **hva)
{
	int flags = fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE : MAP_SHARED;
	off_t offset = d->backing == VMMEM_BACKING_FILE ? (off_t)d->fd_offset : 0;
	void *p;

	/* Huge pages are reserved from the host's pool here, so that a pool
	 * too small fails this call (-ENOMEM) instead of the guest's first
	 * touch of an unbacked page killing the process with SIGBUS. */
	if (fd < 0 && (d->flags & VMMEM_REGION_HUGEPAGES))
		flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
	/* Copy-on-write pages are only charged when the guest writes them. */
	if (d->flags & VMMEM_REGION_PRIVATE)
		flags = MAP_PRIVATE | MAP_NORESERVE;
	p = mmap(NULL, d->size, PROT_READ | PROT_WRITE, flags, fd, offset);
	if (p == MAP_FAILED)
		return -errno;
	*hva = p;
	return 0;
}

static int region_create(const struct vmmem_region_desc *d, struct vmmem__region *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	err = open_backing(d, &r->fd);
	if (err)
		return err;
	err = map_backing(d, r->fd, &r->hva);
	if (err)
		goto fail;
	if (d->flags & VMMEM_REGION_DIRTY_LOG) {
		uint64_t pages = d->size / VMMEM_PAGE_SIZE;

		r->dirty_words = (size_t)((pages + 63) / 64);
		r->dirty = calloc(r->dirty_words, sizeof(*r->dirty));
		if (!r->dirty) {
			munmap(r->hva, d->size);
			err = -ENOMEM;
			goto fail;
		}
	}
	r->gpa = d->gpa;
	r->size = d->size;
	r->fd_offset = d->backing == VMMEM_BACKING_FILE ? d->fd_offset : 0;
	r->flags = d->flags;
	return 0;
fail:
	if (r->fd >= 0)
		close(r->fd);
	return err;
}

int vmmem_map_add_region(struct vmmem_map *map, const struct vmmem_region_desc *desc)
{
	struct vmmem__region r;
	int pos, err;

	if (!map || !desc)
		return -EINVAL;
	err = desc_check(desc);
	if (err)
		return err;
	if (map->count == VMMEM_MAX_REGIONS)
		return -EINVAL;
	pos = insert_position(map, desc->gpa, desc->size);
	if (pos < 0)
		return pos;
	err = region_create(desc, &r);
	if (err)
		return err;
	memmove(&map->regions[pos + 1], &map->regions[pos],
		(map->count - (size_t)pos) * sizeof(r));
	memmove(&map->starts[pos + 1], &map->starts[pos],
		(map->count - (size_t)pos) * sizeof(map->starts[0]));
	map->regions[pos] = r;
	map->starts[pos] = r.gpa;
	map->count++;
	map->total_size += r.size;
	return 0;
}

size_t vmmem_map_region_count(const struct vmmem_map *map)
{
	return map->count;
}

static void region_info(const struct vmmem__region *r, struct vmmem_region_info *out)
{
	out->gpa = r->gpa;
	out->size = r->size;
	out->hva = r->hva;
	out->fd = r->fd;
	out->fd_offset = r->fd_offset;
	out->flags = r->flags;
}

int vmmem_map_region_info(const struct vmmem_map *map, size_t idx,
			  struct vmmem_region_info *out)
{
	if (idx >= map->count)
		return -EINVAL;
	region_info(&map->regions[idx], out);
	return 0;
}

int vmmem_map_for_each_region(const struct vmmem_map *map, vmmem_region_fn fn, void *ctx)
{
	struct vmmem_region_info info;

	for (size_t i = 0; i < map->count; i++) {
		int ret;

		region_info(&map->regions[i], &info);
		ret = fn(ctx, &info);
		if (ret)
			return ret;
	}
	return 0;
}

uint64_t vmmem_map_total_size(const struct vmmem_map *map)
{
	return map->total_size;
}
