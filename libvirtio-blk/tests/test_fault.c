/* SPDX-License-Identifier: MIT */
/*
 * Data safety under backend failures: every injected fault (EIO, ENOSPC,
 * short transfers) becomes a status byte, short transfers are completed,
 * and a failing request never changes sectors outside its own range.
 */
#include <errno.h>

#include "harness.h"

static struct vmmem_map *mem;
static struct vblk_file *file;
static struct vblk_backend disk, be;
static struct vblk_fault fault;
static struct vblk_chain chain;
static struct vblk_request req;
static struct vblk_limits lim;
static const uint8_t id[VIRTIO_BLK_ID_BYTES] = "fault";

static void setup(void)
{
	mem = t_mem();
	lim = t_limits();
	file = t_disk(false, &disk);
}

static void teardown(void)
{
	vblk_file_free(file);
	vmmem_map_free(mem);
}

TestSuite(fault, .init = setup, .fini = teardown);

static void inject(uint32_t ops, uint32_t skip, uint32_t count, int error,
		   uint32_t short_bytes)
{
	struct vblk_fault_rule r = { .ops = ops, .skip = skip, .count = count,
				     .error = error, .short_bytes = short_bytes };

	vblk_fault_init(&fault, &disk, &r);
	vblk_fault_backend(&fault, &be);
}

static uint8_t run(uint32_t type, uint64_t sector, uint32_t len, bool write_data)
{
	uint8_t s;

	t_hdr(mem, T_HDR, type, sector);
	t_chain3(&chain, T_DATA, len, write_data);
	t_parse(mem, &lim, &chain, &req);
	(void)vblk_process(mem, &be, id, &req);
	cr_assert_eq(vmmem_load_u8(mem, T_STATUS, &s), 0);
	return s;
}

/* The whole disk still holds t_pattern() except [lo, hi) sectors. */
static void assert_disk_pattern_outside(uint64_t lo, uint64_t hi)
{
	static uint8_t buf[T_DISK_BYTES];

	cr_assert_eq(pread(disk.fd, buf, sizeof(buf), 0),
		     (ssize_t)sizeof(buf));
	for (uint64_t i = 0; i < T_DISK_BYTES; i++)
		if (i < lo * 512 || i >= hi * 512)
			cr_assert_eq(buf[i], t_pattern(i), "byte %llu",
				     (unsigned long long)i);
}

static void fill_guest(uint8_t byte, size_t len)
{
	cr_assert_eq(vmmem_fill(mem, T_DATA, byte, len), 0);
}

Test(fault, read_eio_is_ioerr)
{
	inject(VBLK_FAULT_READ, 0, 0, -EIO, 0);
	cr_assert_eq(run(VIRTIO_BLK_T_IN, 0, 4096, true), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(fault.fired, 1);
}

Test(fault, write_eio_is_ioerr_and_disk_unchanged)
{
	inject(VBLK_FAULT_WRITE, 0, 0, -EIO, 0);
	fill_guest(0x11, 4096);
	cr_assert_eq(run(VIRTIO_BLK_T_OUT, 100, 4096, false), VIRTIO_BLK_S_IOERR);
	assert_disk_pattern_outside(0, 0);
}

Test(fault, write_enospc_is_ioerr)
{
	inject(VBLK_FAULT_WRITE, 0, 0, -ENOSPC, 0);
	fill_guest(0x22, 512);
	cr_assert_eq(run(VIRTIO_BLK_T_OUT, 7, 512, false), VIRTIO_BLK_S_IOERR);
	assert_disk_pattern_outside(0, 0);
}

Test(fault, enospc_after_partial_write_touches_only_the_request)
{
	/* First call writes 1000 bytes, the continuation hits ENOSPC. */
	struct vblk_fault_rule r = { .ops = VBLK_FAULT_WRITE, .count = 1,
				     .short_bytes = 1000 };

	vblk_fault_init(&fault, &disk, &r);
	vblk_fault_backend(&fault, &be);
	fill_guest(0x33, 4096);
	cr_assert_eq(run(VIRTIO_BLK_T_OUT, 200, 4096, false), VIRTIO_BLK_S_OK);
	inject(VBLK_FAULT_WRITE, 0, 0, -ENOSPC, 0);
	cr_assert_eq(run(VIRTIO_BLK_T_OUT, 300, 4096, false), VIRTIO_BLK_S_IOERR);
	assert_disk_pattern_outside(200, 208);
}

Test(fault, short_read_is_completed)
{
	uint8_t buf[4096];

	inject(VBLK_FAULT_READ, 0, 3, 0, 700);
	cr_assert_eq(run(VIRTIO_BLK_T_IN, 16, 4096, true), VIRTIO_BLK_S_OK);
	cr_assert_eq(fault.fired, 3);
	cr_assert_eq(vmmem_read(mem, T_DATA, buf, sizeof(buf)), 0);
	for (uint32_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], t_pattern(16 * 512 + i));
}

Test(fault, short_write_is_completed)
{
	uint8_t back[4096];

	inject(VBLK_FAULT_WRITE, 0, 2, 0, 513);
	fill_guest(0x44, 4096);
	cr_assert_eq(run(VIRTIO_BLK_T_OUT, 32, 4096, false), VIRTIO_BLK_S_OK);
	cr_assert_eq(pread(disk.fd, back, sizeof(back), 32 * 512), (ssize_t)sizeof(back));
	for (uint32_t i = 0; i < sizeof(back); i++)
		cr_assert_eq(back[i], 0x44);
	assert_disk_pattern_outside(32, 40);
}

Test(fault, read_without_progress_is_ioerr)
{
	inject(VBLK_FAULT_READ, 0, 0, 0, 0);
	cr_assert_eq(run(VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_IOERR);
}

Test(fault, write_without_progress_is_ioerr)
{
	inject(VBLK_FAULT_WRITE, 0, 0, 0, 0);
	fill_guest(0x55, 512);
	cr_assert_eq(run(VIRTIO_BLK_T_OUT, 0, 512, false), VIRTIO_BLK_S_IOERR);
	assert_disk_pattern_outside(0, 0);
}

Test(fault, flush_eio_is_ioerr)
{
	inject(VBLK_FAULT_FLUSH, 0, 1, -EIO, 0);
	cr_assert_eq(run(VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(run(VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
}

Test(fault, discard_and_write_zeroes_errors_are_ioerr)
{
	t_dwz(mem, T_DATA, 8, 8, 0);
	inject(VBLK_FAULT_DISCARD, 0, 0, -EIO, 0);
	cr_assert_eq(run(VIRTIO_BLK_T_DISCARD, 0, 16, false), VIRTIO_BLK_S_IOERR);
	inject(VBLK_FAULT_WRITE_ZEROES, 0, 0, -ENOSPC, 0);
	cr_assert_eq(run(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), VIRTIO_BLK_S_IOERR);
	assert_disk_pattern_outside(0, 0);
}

Test(fault, skip_lets_calls_through_first)
{
	inject(VBLK_FAULT_READ, 2, 1, -EIO, 0);
	cr_assert_eq(run(VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
	cr_assert_eq(run(VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
	cr_assert_eq(run(VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(run(VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
}

Test(fault, other_operations_are_not_affected)
{
	inject(VBLK_FAULT_WRITE, 0, 0, -EIO, 0);
	cr_assert_eq(run(VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
	cr_assert_eq(run(VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
	cr_assert_eq(fault.fired, 0);
}
