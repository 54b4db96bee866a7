/* SPDX-License-Identifier: MIT */
/*
 * The executor over the file backend (virtio 1.2 §5.2.6): data lands in
 * guest memory and on disk, status bytes and used lengths are right, and
 * rejected requests touch neither.
 */
#include <errno.h>

#include "harness.h"

static struct vmmem_map *mem;
static struct vblk_file *file;
static struct vblk_backend be;
static struct vblk_chain chain;
static struct vblk_request req;
static struct vblk_limits lim;
static const uint8_t id[VIRTIO_BLK_ID_BYTES] = "cvmm-test-disk-0001";

static void setup(void)
{
	mem = t_mem();
	lim = t_limits();
	file = t_disk(false, &be);
}

static void teardown(void)
{
	vblk_file_free(file);
	vmmem_map_free(mem);
}

TestSuite(executor, .init = setup, .fini = teardown);

static uint32_t run(void)
{
	cr_assert_eq(vmmem_store_u8(mem, T_STATUS, 0xee), 0);
	t_parse(mem, &lim, &chain, &req);
	return vblk_process(mem, &be, id, &req);
}

static uint8_t status(void)
{
	uint8_t s;

	cr_assert_eq(vmmem_load_u8(mem, T_STATUS, &s), 0);
	return s;
}

static void disk_read(uint64_t off, void *buf, size_t len)
{
	cr_assert_eq(be.ops->readv(be.ctx, &(struct iovec){ buf, len }, 1, off),
		     (ssize_t)len);
}

Test(executor, read_copies_disk_into_guest_memory)
{
	uint8_t buf[2048];

	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 5);
	t_chain3(&chain, T_DATA, 2048, true);
	cr_assert_eq(run(), 2049);
	cr_assert_eq(status(), VIRTIO_BLK_S_OK);
	cr_assert_eq(vmmem_read(mem, T_DATA, buf, sizeof(buf)), 0);
	for (uint32_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], t_pattern(5 * 512 + i), "byte %u", i);
}

Test(executor, read_straddling_two_regions_uses_both)
{
	uint8_t buf[1024];
	struct iovec iov[4];
	size_t n;

	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	t_chain3(&chain, T_REGION - 512, 1024, true);
	cr_assert_eq(vblk_parse(mem, &lim, &chain, &req), 0);
	cr_assert_eq(vblk_request_iovec(mem, &req, iov, 4, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(run(), 1025);
	cr_assert_eq(vmmem_read(mem, T_REGION - 512, buf, sizeof(buf)), 0);
	for (uint32_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], t_pattern(i));
}

Test(executor, write_reaches_the_disk_and_nothing_else)
{
	uint8_t data[1024], back[2048];

	memset(data, 0x5a, sizeof(data));
	cr_assert_eq(vmmem_write(mem, T_DATA, data, sizeof(data)), 0);
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_OUT, 9);
	t_chain3(&chain, T_DATA, 1024, false);
	cr_assert_eq(run(), 1);
	cr_assert_eq(status(), VIRTIO_BLK_S_OK);
	disk_read(8 * 512, back, sizeof(back));
	for (uint32_t i = 0; i < 512; i++) {
		cr_assert_eq(back[i], t_pattern(8 * 512 + i));
		cr_assert_eq(back[512 + i], 0x5a);
		cr_assert_eq(back[1024 + i], 0x5a);
		cr_assert_eq(back[1536 + i], t_pattern(11 * 512 + i));
	}
}

Test(executor, flush_succeeds)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_FLUSH, 0);
	t_chain3(&chain, 0, 0, false);
	cr_assert_eq(run(), 1);
	cr_assert_eq(status(), VIRTIO_BLK_S_OK);
}

Test(executor, get_id_writes_20_bytes)
{
	uint8_t got[20];

	t_hdr(mem, T_HDR, VIRTIO_BLK_T_GET_ID, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	vblk_chain_push(&chain, T_DATA, 7, true);
	vblk_chain_push(&chain, T_DATA + 100, 13, true);
	vblk_chain_push(&chain, T_STATUS, 1, true);
	cr_assert_eq(run(), 21);
	cr_assert_eq(vmmem_read(mem, T_DATA, got, 7), 0);
	cr_assert_eq(vmmem_read(mem, T_DATA + 100, got + 7, 13), 0);
	cr_assert_arr_eq(got, id, 20);
}

/* The status byte at the end of the buffer is written but not counted:
 * byte 20 of the writable area is not written (§2.7.8.2). */
Test(executor, get_id_larger_buffer_writes_20_bytes_used_len_20)
{
	uint8_t got[64];

	memset(got, 0xaa, sizeof(got));
	cr_assert_eq(vmmem_write(mem, T_DATA, got, sizeof(got)), 0);
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_GET_ID, 0);
	t_chain3(&chain, T_DATA, 64, true);
	cr_assert_eq(run(), 20, "the 20 ID bytes only");
	cr_assert_eq(status(), VIRTIO_BLK_S_OK);
	cr_assert_eq(vmmem_read(mem, T_DATA, got, sizeof(got)), 0);
	cr_assert_arr_eq(got, id, 20);
	for (size_t i = 20; i < sizeof(got); i++)
		cr_assert_eq(got[i], 0xaa, "byte %zu beyond the ID is untouched", i);
}

Test(executor, flush_with_data_completes_with_status_only)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_FLUSH, 0);
	t_chain3(&chain, T_DATA, 512, true);
	cr_assert_eq(run(), 1);
	cr_assert_eq(status(), VIRTIO_BLK_S_OK);
}

static void assert_zero(uint64_t off, size_t len)
{
	uint8_t buf[8192];

	disk_read(off, buf, len);
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(buf[i], 0, "byte %zu", i);
}

Test(executor, discard_leaves_neighbours_alone)
{
	uint8_t edge[512];

	t_dwz(mem, T_DATA, 16, 8, 0);
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_DISCARD, 0);
	t_chain3(&chain, T_DATA, 16, false);
	cr_assert_eq(run(), 1);
	cr_assert_eq(status(), VIRTIO_BLK_S_OK);
	disk_read(15 * 512, edge, sizeof(edge));
	for (uint32_t i = 0; i < 512; i++)
		cr_assert_eq(edge[i], t_pattern(15 * 512 + i));
	disk_read(24 * 512, edge, sizeof(edge));
	for (uint32_t i = 0; i < 512; i++)
		cr_assert_eq(edge[i], t_pattern(24 * 512 + i));
}

Test(executor, write_zeroes_reads_back_zero)
{
	t_dwz(mem, T_DATA, 3, 5, 0);
	t_dwz(mem, T_DATA + 16, 40, 9, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_WRITE_ZEROES, 0);
	t_chain3(&chain, T_DATA, 32, false);
	cr_assert_eq(run(), 1);
	cr_assert_eq(status(), VIRTIO_BLK_S_OK);
	assert_zero(3 * 512, 5 * 512);
	assert_zero(40 * 512, 9 * 512);
	uint8_t b;
	disk_read(8 * 512, &b, 1);
	cr_assert_eq(b, t_pattern(8 * 512));
}

Test(executor, rejected_request_writes_status_only)
{
	uint8_t before[512], after[512];

	cr_assert_eq(vmmem_fill(mem, T_DATA, 0xab, 512), 0);
	cr_assert_eq(vmmem_read(mem, T_DATA, before, 512), 0);
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, T_DISK_SECTORS);
	t_chain3(&chain, T_DATA, 512, true);
	cr_assert_eq(run(), 1);
	cr_assert_eq(status(), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(vmmem_read(mem, T_DATA, after, 512), 0);
	cr_assert_arr_eq(before, after, 512);
}

Test(executor, write_into_device_readable_buffer_is_refused)
{
	uint8_t before[512], after[512];

	cr_assert_eq(vmmem_read(mem, T_DATA, before, 512), 0);
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	t_chain3(&chain, T_DATA, 512, false);
	cr_assert_eq(run(), 1);
	cr_assert_eq(status(), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(vmmem_read(mem, T_DATA, after, 512), 0);
	cr_assert_arr_eq(before, after, 512);
}

Test(executor, unknown_type_gets_unsupp)
{
	t_hdr(mem, T_HDR, 42, 0);
	t_chain3(&chain, 0, 0, false);
	cr_assert_eq(run(), 1);
	cr_assert_eq(status(), VIRTIO_BLK_S_UNSUPP);
}

Test(executor, no_writable_byte_means_used_length_zero)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_FLUSH, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	cr_assert_eq(run(), 0);
	cr_assert_eq(status(), 0xee);
}

static const struct vblk_backend_ops read_only_ops = {
	.version = VBLK_BACKEND_OPS_VERSION,
};

Test(executor, backend_without_an_op_gives_unsupp)
{
	be.ops = &read_only_ops;
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_FLUSH, 0);
	t_chain3(&chain, 0, 0, false);
	cr_assert_eq(run(), 1);
	cr_assert_eq(status(), VIRTIO_BLK_S_UNSUPP);
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	t_chain3(&chain, T_DATA, 512, true);
	cr_assert_eq(run(), 1);
	cr_assert_eq(status(), VIRTIO_BLK_S_UNSUPP);
}

Test(executor, read_only_file_refuses_writes_even_if_parser_allowed)
{
	struct vblk_file *ro = t_disk(true, &be);
	uint8_t back[512];

	t_hdr(mem, T_HDR, VIRTIO_BLK_T_OUT, 0);
	t_chain3(&chain, T_DATA, 512, false);
	cr_assert_eq(run(), 1);
	cr_assert_eq(status(), VIRTIO_BLK_S_IOERR);
	disk_read(0, back, sizeof(back));
	for (uint32_t i = 0; i < 512; i++)
		cr_assert_eq(back[i], t_pattern(i));
	vblk_file_free(ro);
}

Test(executor, file_open_rejects_missing_and_tiny_files)
{
	struct vblk_file *f = NULL;
	char path[] = "/tmp/vblk-tiny-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_eq(vblk_file_open("/nonexistent/disk.img", true, &f), -ENOENT);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "x", 1), 1);
	close(fd);
	cr_assert_eq(vblk_file_open(path, false, &f), -EINVAL);
	unlink(path);
	cr_assert_eq(vblk_file_open("/tmp", false, &f), -EISDIR);
	vblk_file_free(NULL);
}

Test(executor, status_mapping)
{
	cr_assert_eq(vblk_status_from_errno(0), VIRTIO_BLK_S_OK);
	cr_assert_eq(vblk_status_from_errno(-EIO), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(vblk_status_from_errno(-ENOSPC), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(vblk_status_from_errno(-ENOTSUP), VIRTIO_BLK_S_UNSUPP);
	cr_assert_eq(vblk_status_from_errno(-EOPNOTSUPP), VIRTIO_BLK_S_UNSUPP);
}
