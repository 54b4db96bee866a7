/* SPDX-License-Identifier: MIT */
/*
 * Dump/restore of guest memory.  Stream layout (little-endian):
 *   "CVMMMEM1"  u32 version (1)  u32 region count
 *   count x { u64 gpa, u64 size }
 *   the bytes of each region, in GPA order
 * Restore accepts only a stream whose layout equals the map's, so a
 * snapshot can never write outside the regions it was taken from.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <vmmem/snapshot.h>

#include "map_internal.h"

static const char vmmem_magic[8] = { 'C', 'V', 'M', 'M', 'M', 'E', 'M', '1' };
#define VMMEM_SNAPSHOT_VERSION 1u

struct snapshot_header {
	char magic[8];
	uint32_t version;
	uint32_t count;
	struct {
		uint64_t gpa;
		uint64_t size;
	} regions[VMMEM_MAX_REGIONS];
};

static int write_all(int fd, const void *buf, uint64_t len)
{
	const uint8_t *p = buf;

	while (len) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : (size_t)len;
		ssize_t n = write(fd, p, chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (uint64_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, uint64_t len)
{
	uint8_t *p = buf;

	while (len) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : (size_t)len;
		ssize_t n = read(fd, p, chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO; /* EOF: truncated stream */
		p += n;
		len -= (uint64_t)n;
	}
	return 0;
}

static size_t header_size(uint32_t count)
{
	return offsetof(struct snapshot_header, regions) + count * 16u;
}

static void header_build(const struct vmmem_map *map, struct snapshot_header *h)
{
	memcpy(h->magic, vmmem_magic, sizeof(vmmem_magic));
	h->version = htole32(VMMEM_SNAPSHOT_VERSION);
	h->count = htole32((uint32_t)map->count);
	for (size_t i = 0; i < map->count; i++) {
		h->regions[i].gpa = htole64(map->regions[i].gpa);
		h->regions[i].size = htole64(map->regions[i].size);
	}
}

int vmmem_dump(const struct vmmem_map *map, int fd)
{
	struct snapshot_header h;
	int err;

	header_build(map, &h);
	err = write_all(fd, &h, header_size((uint32_t)map->count));
	for (size_t i = 0; !err && i < map->count; i++)
		err = write_all(fd, map->regions[i].hva, map->regions[i].size);
	return err;
}

int vmmem_restore(struct vmmem_map *map, int fd)
{
	struct snapshot_header want, got;
	size_t fixed = offsetof(struct snapshot_header, regions);
	int err;

	header_build(map, &want);
	err = read_all(fd, &got, fixed);
	if (err)
		return err;
	if (memcmp(got.magic, want.magic, sizeof(got.magic)) ||
	    got.version != want.version || got.count != want.count)
		return -EINVAL;
	err = read_all(fd, got.regions, header_size((uint32_t)map->count) - fixed);
	if (err)
		return err;
	if (memcmp(got.regions, want.regions, map->count * sizeof(got.regions[0])))
		return -EINVAL;
	for (size_t i = 0; !err && i < map->count; i++) {
		const struct vmmem__region *r = &map->regions[i];

		err = read_all(fd, r->hva, r->size);
		vmmem__mark_dirty(r, r->gpa, r->size);
	}
	return err;
}
