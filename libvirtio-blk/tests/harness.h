/* SPDX-License-Identifier: MIT */
/*
 * Shared fixtures for the virtio-blk tests: a two-region guest memory map
 * (regions adjacent in GPA space but not in host space, so a buffer can
 * straddle them), a scratch disk image filled with a position-dependent
 * pattern, and helpers to lay out request headers and chains.
 */
#ifndef VBLK_TEST_HARNESS_H
#define VBLK_TEST_HARNESS_H

#include <criterion/criterion.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vblk/vblk.h>
#include <vmmem/vmmem.h>

#define T_REGION (1u << 20)		/* each of the two RAM regions */
#define T_DISK_SECTORS 2048u		/* 1 MiB image */
#define T_DISK_BYTES (T_DISK_SECTORS * 512u)
#define T_HDR 0x1000u			/* where tests put request headers */
#define T_DATA 0x10000u			/* and data buffers */
#define T_STATUS 0x2000u		/* and status bytes */

static inline uint8_t t_pattern(uint64_t off)
{
	return (uint8_t)(off * 7u + (off >> 9) + 1u);
}

static inline struct vmmem_map *t_mem(void)
{
	struct vmmem_map *m;
	struct vmmem_region_desc a = { .gpa = 0, .size = T_REGION,
				       .backing = VMMEM_BACKING_ANON };
	struct vmmem_region_desc b = { .gpa = T_REGION, .size = T_REGION,
				       .backing = VMMEM_BACKING_ANON };

	cr_assert_eq(vmmem_map_new(&m), 0);
	cr_assert_eq(vmmem_map_add_region(m, &a), 0);
	cr_assert_eq(vmmem_map_add_region(m, &b), 0);
	return m;
}

/* A scratch image of T_DISK_BYTES holding t_pattern(); unlinked at once,
 * so the returned fd is the only reference. */
static inline int t_disk_fd(void)
{
	char path[] = "/tmp/vblk-test-XXXXXX";
	static uint8_t buf[T_DISK_BYTES];
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	unlink(path);
	for (uint32_t i = 0; i < T_DISK_BYTES; i++)
		buf[i] = t_pattern(i);
	cr_assert_eq(pwrite(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	return fd;
}

static inline struct vblk_file *t_disk(bool read_only, struct vblk_backend *be)
{
	struct vblk_file *f;

	cr_assert_eq(vblk_file_open_fd(t_disk_fd(), read_only, &f), 0);
	vblk_file_backend(f, be);
	return f;
}

static inline void t_hdr(struct vmmem_map *m, uint64_t gpa, uint32_t type,
			 uint64_t sector)
{
	uint8_t h[16] = { 0 };
	uint32_t t = htole32(type);
	uint64_t s = htole64(sector);

	memcpy(h, &t, 4);
	memcpy(h + 8, &s, 8);
	cr_assert_eq(vmmem_write(m, gpa, h, sizeof(h)), 0);
}

static inline void t_dwz(struct vmmem_map *m, uint64_t gpa, uint64_t sector,
			 uint32_t n, uint32_t flags)
{
	uint8_t s[16];
	uint64_t a = htole64(sector);
	uint32_t b = htole32(n), c = htole32(flags);

	memcpy(s, &a, 8);
	memcpy(s + 8, &b, 4);
	memcpy(s + 12, &c, 4);
	cr_assert_eq(vmmem_write(m, gpa, s, sizeof(s)), 0);
}

static inline struct vblk_limits t_limits(void)
{
	struct vblk_limits l = {
		.capacity = T_DISK_SECTORS, .seg_max = 8,
		.flush = true, .discard = true, .write_zeroes = true,
		.max_discard_sectors = 256, .max_discard_seg = 4,
		.discard_sector_alignment = 8,
		.max_write_zeroes_sectors = 256, .max_write_zeroes_seg = 4,
	};
	return l;
}

/* Header at T_HDR, one data buffer, status at T_STATUS. */
static inline void t_chain3(struct vblk_chain *c, uint64_t data, uint32_t len,
			    bool data_write)
{
	vblk_chain_reset(c);
	vblk_chain_push(c, T_HDR, 16, false);
	if (len)
		vblk_chain_push(c, data, len, data_write);
	vblk_chain_push(c, T_STATUS, 1, true);
}

/* Parses whatever the outcome; the verdict is in req->status. */
static inline void t_parse(struct vmmem_map *m, const struct vblk_limits *l,
			   const struct vblk_chain *c, struct vblk_request *r)
{
	int err = vblk_parse(m, l, c, r);

	cr_assert_eq(err == 0, r->status == VIRTIO_BLK_S_OK);
}

#endif
