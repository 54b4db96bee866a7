/* SPDX-License-Identifier: MIT */
/*
 * The device model through its MMIO registers and one virtqueue (virtio
 * 1.2 §5.2, §4.2.2): identity, features, configuration space, every
 * request type end to end (synchronous and io_uring), indirect chains,
 * interrupt suppression, reset and save/restore.
 */
#include <errno.h>
#include <pthread.h>

#include "devharness.h"

static struct t_dev t;

#define BIT(n) (1ull << (n))

static uint32_t rd32(uint64_t off)
{
	uint64_t v = 0;

	cr_assert_eq(vblk_device_mmio_read(&t.dev, off, 4, &v), 0);
	return (uint32_t)v;
}

static void teardown(void)
{
	t_dev_close(&t);
}

static void setup_sync(void)
{
	t_dev_open(&t, false, false, 0);
}

TestSuite(device, .init = setup_sync, .fini = teardown);

Test(device, identifies_as_virtio_block)
{
	cr_assert_eq(rd32(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	cr_assert_eq(rd32(VIRTIO_MMIO_VERSION), 2);
	cr_assert_eq(rd32(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	cr_assert_eq(rd32(VIRTIO_MMIO_QUEUE_NUM_MAX), T_QSIZE);
}

Test(device, offers_the_block_features)
{
	t_bring_up(&t, VIRTQ_DRIVER_EVENT_IDX);
	uint64_t want = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_EVENT_IDX) |
			BIT(VIRTIO_F_INDIRECT_DESC) | BIT(VIRTIO_BLK_F_FLUSH) |
			BIT(VIRTIO_BLK_F_SEG_MAX) | BIT(VIRTIO_BLK_F_BLK_SIZE) |
			BIT(VIRTIO_BLK_F_SIZE_MAX) | BIT(VIRTIO_BLK_F_TOPOLOGY) |
			BIT(VIRTIO_BLK_F_DISCARD) | BIT(VIRTIO_BLK_F_WRITE_ZEROES);

	cr_assert_eq(t.features, want);
	cr_assert_eq(vblk_device_features(&t.dev), want);
}

Test(device, read_only_disk_offers_ro_and_no_discard)
{
	t_dev_close(&t);
	t_dev_open(&t, true, false, 0);
	cr_assert(t.features & BIT(VIRTIO_BLK_F_RO));
	cr_assert_not(t.features & BIT(VIRTIO_BLK_F_DISCARD));
	cr_assert_not(t.features & BIT(VIRTIO_BLK_F_WRITE_ZEROES));
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_OUT, 0, 512), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(t_request(&t, 2, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
}

/* Not offered on a read-only disk, so not negotiated: UNSUPP, not the
 * IOERR of a write (README, "Rules the parser and executor enforce"). */
Test(device, read_only_disk_discard_is_unsupp)
{
	uint8_t back[512];

	t_dev_close(&t);
	t_dev_open(&t, true, false, 0);
	t_dwz(t.mem, T_DATA, 8, 1, 0);
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_DISCARD, 0, 16), VIRTIO_BLK_S_UNSUPP);
	t_dwz(t.mem, T_DATA + 4096, 8, 1, 0);
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16),
		     VIRTIO_BLK_S_UNSUPP);
	cr_assert_eq(pread(t.be.fd, back, sizeof(back), 8 * 512), (ssize_t)sizeof(back));
	for (uint32_t i = 0; i < sizeof(back); i++)
		cr_assert_eq(back[i], t_pattern(8 * 512 + i));
}

/*
 * Write durability (virtio 1.2 §5.2.6.2): with FLUSH offered but not
 * negotiated, a completed write is stable, so the device commits it
 * before completing it.  A backend counting the calls that reach a file
 * backend records, at each flush, the writes done and the used entries
 * published so far.  It has no fd, so an async engine runs every request
 * through the ops as well.
 */
struct counting {
	struct vblk_backend inner;
	struct t_dev *t;
	unsigned int writes, flushes;
	unsigned int writes_at_flush;
	uint16_t used_at_flush;
};

static struct counting cnt;

static ssize_t cnt_readv(void *ctx, const struct iovec *iov, int iovcnt,
			 uint64_t offset)
{
	struct counting *c = ctx;

	return c->inner.ops->readv(c->inner.ctx, iov, iovcnt, offset);
}

static ssize_t cnt_writev(void *ctx, const struct iovec *iov, int iovcnt,
			  uint64_t offset)
{
	struct counting *c = ctx;

	c->writes++;
	return c->inner.ops->writev(c->inner.ctx, iov, iovcnt, offset);
}

static int cnt_flush(void *ctx)
{
	struct counting *c = ctx;

	c->flushes++;
	c->writes_at_flush = c->writes;
	c->used_at_flush = t_used_idx(c->t);
	return c->inner.ops->flush(c->inner.ctx);
}

static int cnt_discard(void *ctx, uint64_t offset, uint64_t len)
{
	struct counting *c = ctx;

	c->writes++;
	return c->inner.ops->discard(c->inner.ctx, offset, len);
}

static int cnt_write_zeroes(void *ctx, uint64_t offset, uint64_t len, bool unmap)
{
	struct counting *c = ctx;

	c->writes++;
	return c->inner.ops->write_zeroes(c->inner.ctx, offset, len, unmap);
}

/* Data buffer of slot i holds 4096 bytes of v. */
static void check_filled(unsigned int slot, uint8_t v)
{
	uint8_t buf[4096];

	cr_assert_eq(vmmem_read(t.mem, T_DATA + 4096u * slot, buf, sizeof(buf)), 0);
	for (uint32_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], v, "byte %u", i);
}

static const struct vblk_backend_ops cnt_ops = {
	.version = VBLK_BACKEND_OPS_VERSION,
	.readv = cnt_readv,
	.writev = cnt_writev,
	.flush = cnt_flush,
	.discard = cnt_discard,
	.write_zeroes = cnt_write_zeroes,
};

/* Reopens t over the counting backend, the driver accepting FLUSH or not;
 * async: an engine that runs everything synchronously. */
static void open_counting(bool async, bool flush)
{
	t_dev_close(&t);
	memset(&t, 0, sizeof(t));
	memset(&cnt, 0, sizeof(cnt));
	t.mem = t_mem();
	t.file = t_disk(false, &cnt.inner);
	cnt.t = &t;
	t.be = (struct vblk_backend){ .ops = &cnt_ops, .ctx = &cnt,
				      .size = cnt.inner.size, .fd = -1 };
	t_dev_start(&t, async, VBLK_ASYNC_FORCE_SYNC, 0,
		    flush ? ~0ull : ~BIT(VIRTIO_BLK_F_FLUSH), NULL);
	cr_assert(vblk_device_features(&t.dev) & BIT(VIRTIO_BLK_F_DISCARD));
	cr_assert_eq(!!(vblk_device_features(&t.dev) & BIT(VIRTIO_BLK_F_FLUSH)), flush);
}

/* OUT, WRITE_ZEROES and DISCARD in slots 0..2, then a read in slot 3. */
static void three_writes_and_a_read(void)
{
	cr_assert_eq(vmmem_fill(t.mem, T_DATA, 0x5a, 4096), 0);
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_OUT, 8, 4096), VIRTIO_BLK_S_OK);
	t_dwz(t.mem, T_DATA + 4096, 64, 8, 0);
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16), VIRTIO_BLK_S_OK);
	t_dwz(t.mem, T_DATA + 2 * 4096, 128, 8, 0);
	cr_assert_eq(t_request(&t, 2, VIRTIO_BLK_T_DISCARD, 0, 16), VIRTIO_BLK_S_OK);
	cr_assert_eq(t_request(&t, 3, VIRTIO_BLK_T_IN, 8, 4096), VIRTIO_BLK_S_OK);
	check_filled(3, 0x5a);
	cr_assert_eq(cnt.writes, 3);
}

/* The driver flushes when it wants durability: nothing more is done. */
static void writes_are_not_flushed_when_negotiated(bool async)
{
	open_counting(async, true);
	three_writes_and_a_read();
	cr_assert_eq(cnt.flushes, 0);
	cr_assert_eq(t_request(&t, 4, VIRTIO_BLK_T_FLUSH, 0, 0), VIRTIO_BLK_S_OK);
	cr_assert_eq(cnt.flushes, 1);
}

/* Each write is flushed after it ran and before its used entry appears;
 * reads are not flushed. */
static void writes_are_flushed_when_not_negotiated(bool async)
{
	open_counting(async, false);
	cr_assert_eq(vmmem_fill(t.mem, T_DATA, 0x5a, 4096), 0);
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_OUT, 8, 4096), VIRTIO_BLK_S_OK);
	cr_assert_eq(cnt.flushes, 1);
	cr_assert_eq(cnt.writes_at_flush, 1, "after the write");
	cr_assert_eq(cnt.used_at_flush, 0, "before its used entry");
	t_dwz(t.mem, T_DATA + 4096, 64, 8, 0);
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16), VIRTIO_BLK_S_OK);
	cr_assert_eq(cnt.flushes, 2);
	cr_assert_eq(cnt.writes_at_flush, 2);
	cr_assert_eq(cnt.used_at_flush, 1);
	t_dwz(t.mem, T_DATA + 2 * 4096, 128, 8, 0);
	cr_assert_eq(t_request(&t, 2, VIRTIO_BLK_T_DISCARD, 0, 16), VIRTIO_BLK_S_OK);
	cr_assert_eq(cnt.flushes, 3);
	cr_assert_eq(cnt.writes_at_flush, 3);
	cr_assert_eq(cnt.used_at_flush, 2);
	cr_assert_eq(t_request(&t, 3, VIRTIO_BLK_T_IN, 8, 4096), VIRTIO_BLK_S_OK);
	check_filled(3, 0x5a);
	cr_assert_eq(cnt.flushes, 3, "a read is not flushed");
	/* The FLUSH request itself stays UNSUPP: it was not negotiated. */
	cr_assert_eq(t_request(&t, 4, VIRTIO_BLK_T_FLUSH, 0, 0), VIRTIO_BLK_S_UNSUPP);
}

Test(device, writes_are_not_flushed_when_flush_is_negotiated)
{
	writes_are_not_flushed_when_negotiated(false);
}

Test(device, writes_are_flushed_before_completion_when_flush_is_not_negotiated)
{
	writes_are_flushed_when_not_negotiated(false);
}

Test(device, async_writes_are_not_flushed_when_flush_is_negotiated)
{
	writes_are_not_flushed_when_negotiated(true);
}

Test(device, async_writes_are_flushed_before_completion_when_flush_is_not_negotiated)
{
	writes_are_flushed_when_not_negotiated(true);
}

Test(device, config_space_describes_the_disk)
{
	uint32_t gen = rd32(VIRTIO_MMIO_CONFIG_GENERATION);
	uint64_t cap = rd32(0x100) | (uint64_t)rd32(0x104) << 32;

	cr_assert_eq(rd32(VIRTIO_MMIO_CONFIG_GENERATION), gen);
	cr_assert_eq(cap, T_DISK_SECTORS);
	cr_assert_eq(vblk_device_capacity(&t.dev), T_DISK_SECTORS);
	cr_assert_eq(rd32(0x100 + offsetof(struct virtio_blk_config, size_max)), VBLK_SIZE_MAX);
	cr_assert_eq(rd32(0x100 + offsetof(struct virtio_blk_config, seg_max)), T_QSIZE - 2);
	cr_assert_eq(rd32(0x100 + offsetof(struct virtio_blk_config, blk_size)), 512);
	cr_assert_eq(rd32(0x100 + offsetof(struct virtio_blk_config, max_discard_seg)),
		     VBLK_MAX_DWZ_SEGS);
	cr_assert_eq(rd32(0x100 + offsetof(struct virtio_blk_config, max_write_zeroes_sectors)),
		     VBLK_MAX_DWZ_SECTORS);
	cr_assert_eq(rd32(0x100 + offsetof(struct virtio_blk_config, discard_sector_alignment)), 1);
}

Test(device, capacity_reads_as_one_64_bit_access)
{
	uint64_t v = 0;

	cr_assert_eq(vblk_device_mmio_read(&t.dev, 0x100, 8, &v), 0);
	cr_assert_eq(v, T_DISK_SECTORS);
}

Test(device, read_only_option_on_a_writable_file)
{
	static struct vblk_device d;
	struct vblk_device_config cfg = { .backend = &t.be, .mem = t.mem,
					  .queue_size = T_QSIZE, .read_only = true };
	uint64_t lo = 0;

	cr_assert_eq(vblk_device_init(&d, &cfg), 0);
	cr_assert_eq(vblk_device_mmio_write(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 0), 0);
	cr_assert_eq(vblk_device_mmio_read(&d, VIRTIO_MMIO_DEVICE_FEATURES, 4, &lo), 0);
	cr_assert(lo & BIT(VIRTIO_BLK_F_RO));
	cr_assert_not(lo & BIT(VIRTIO_BLK_F_DISCARD));
}

Test(device, config_space_is_read_only)
{
	uint32_t before = rd32(0x100);

	(void)!vblk_device_mmio_write(&t.dev, 0x100, 4, 0);
	cr_assert_eq(rd32(0x100), before);
}

static void check_pattern(unsigned int slot, uint64_t sector, uint32_t len)
{
	uint8_t buf[4096];

	cr_assert_eq(vmmem_read(t.mem, T_DATA + 4096u * slot, buf, len), 0);
	for (uint32_t i = 0; i < len; i++)
		cr_assert_eq(buf[i], t_pattern(sector * 512 + i), "byte %u", i);
}

Test(device, read_request_end_to_end)
{
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_IN, 12, 4096), VIRTIO_BLK_S_OK);
	check_pattern(0, 12, 4096);
}

Test(device, used_length_counts_data_and_status)
{
	uint16_t head, got;
	uint32_t used;

	head = t_add(&t, 0, VIRTIO_BLK_T_IN, 0, 2048, false);
	t_kick(&t);
	t_used(&t, &got, &used);
	cr_assert_eq(got, head);
	cr_assert_eq(used, 2049);
}

Test(device, write_flush_read_back)
{
	cr_assert_eq(vmmem_fill(t.mem, T_DATA, 0x3c, 4096), 0);
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_OUT, 100, 4096), VIRTIO_BLK_S_OK);
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_FLUSH, 0, 0), VIRTIO_BLK_S_OK);
	cr_assert_eq(t_request(&t, 2, VIRTIO_BLK_T_IN, 100, 4096), VIRTIO_BLK_S_OK);
	uint8_t buf[4096];
	cr_assert_eq(vmmem_read(t.mem, T_DATA + 2 * 4096, buf, sizeof(buf)), 0);
	for (uint32_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 0x3c);
}

Test(device, get_id_returns_the_serial)
{
	char got[20];

	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_GET_ID, 0, 20), VIRTIO_BLK_S_OK);
	cr_assert_eq(vmmem_read(t.mem, T_DATA, got, 20), 0);
	cr_assert_str_eq(got, "cvmm-test");
}

/* §2.7.8.2: the used length counts the bytes written from the start of
 * the writable area, so the status byte at the end of a larger buffer is
 * written but not counted, and the gap before it is not zero-filled. */
Test(device, get_id_larger_buffer_is_nul_padded_with_used_len_20)
{
	uint8_t got[512];
	uint16_t head, h;
	uint32_t len;

	memset(got, 0xaa, sizeof(got));
	cr_assert_eq(vmmem_write(t.mem, T_DATA, got, sizeof(got)), 0);
	head = t_add(&t, 0, VIRTIO_BLK_T_GET_ID, 0, sizeof(got), false);
	t_kick(&t);
	t_used(&t, &h, &len);
	cr_assert_eq(h, head);
	cr_assert_eq(len, 20, "the 20 ID bytes; byte 20 is not written");
	cr_assert_eq(t_status(&t, 0), VIRTIO_BLK_S_OK);
	cr_assert_eq(vmmem_read(t.mem, T_DATA, got, sizeof(got)), 0);
	cr_assert_str_eq((char *)got, "cvmm-test");
	for (size_t i = 9; i < 20; i++)
		cr_assert_eq(got[i], 0, "NUL padding at %zu", i);
	for (size_t i = 20; i < sizeof(got); i++)
		cr_assert_eq(got[i], 0xaa, "byte %zu beyond the ID is untouched", i);
	cr_assert_not(t_needs_reset(&t));
}

/* 20 ID bytes and the status byte right after them, in one descriptor. */
Test(device, get_id_exact_buffer_has_used_len_21)
{
	struct virtq_buf b[2] = {
		{ T_HDR, 16, false }, { T_DATA, VIRTIO_BLK_ID_BYTES + 1, true },
	};
	uint16_t head, h;
	uint32_t len;
	uint8_t status;

	t_hdr(t.mem, T_HDR, VIRTIO_BLK_T_GET_ID, 0);
	cr_assert_eq(vmmem_fill(t.mem, T_DATA, 0xaa, VIRTIO_BLK_ID_BYTES + 1), 0);
	cr_assert_eq(virtq_driver_add(t.drv, b, 2, &head), 0);
	t_kick(&t);
	t_used(&t, &h, &len);
	cr_assert_eq(h, head);
	cr_assert_eq(len, 21, "20 ID bytes and the status byte");
	cr_assert_eq(vmmem_load_u8(t.mem, T_DATA + VIRTIO_BLK_ID_BYTES, &status), 0);
	cr_assert_eq(status, VIRTIO_BLK_S_OK);
}

Test(device, discard_and_write_zeroes)
{
	uint8_t z[512];

	t_dwz(t.mem, T_DATA, 8, 8, 0);
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_DISCARD, 0, 16), VIRTIO_BLK_S_OK);
	t_dwz(t.mem, T_DATA + 4096, 64, 1, 0);
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16), VIRTIO_BLK_S_OK);
	cr_assert_eq(pread(t.be.fd, z, sizeof(z), 64 * 512), (ssize_t)sizeof(z));
	for (uint32_t i = 0; i < sizeof(z); i++)
		cr_assert_eq(z[i], 0);
}

Test(device, indirect_chain_is_served)
{
	uint16_t head, got;
	uint32_t used;

	head = t_add(&t, 0, VIRTIO_BLK_T_IN, 3, 1024, true);
	t_kick(&t);
	t_used(&t, &got, &used);
	cr_assert_eq(got, head);
	cr_assert_eq(t_status(&t, 0), VIRTIO_BLK_S_OK);
	check_pattern(0, 3, 1024);
}

Test(device, one_notification_drains_the_ring)
{
	uint16_t head, got;
	uint32_t used;

	for (unsigned int i = 0; i < 6; i++)
		(void)t_add(&t, i, VIRTIO_BLK_T_IN, i, 512, i % 2);
	t_kick(&t);
	for (unsigned int i = 0; i < 6; i++) {
		cr_assert_eq(virtq_driver_get_used(t.drv, &got, &used), 1);
		cr_assert_eq(t_status(&t, i), VIRTIO_BLK_S_OK);
		check_pattern(i, i, 512);
	}
	cr_assert_eq(virtq_driver_get_used(t.drv, &head, &used), 0);
	cr_assert_eq(vblk_device_stats(&t.dev)->requests, 6);
	cr_assert_eq(t.irqs, 1);
}

Test(device, interrupt_suppressed_with_no_interrupt_flag)
{
	cr_assert_eq(virtq_driver_disable_interrupts(t.drv), 0);
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
	cr_assert_eq(t.irqs, 0);
	cr_assert_eq(virtq_driver_enable_interrupts(t.drv), 0);
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
	cr_assert_eq(t.irqs, 1);
	cr_assert(t.isr & VIRTIO_MMIO_INT_VRING);
}

Test(device, interrupt_follows_event_idx)
{
	t_bring_up(&t, VIRTQ_DRIVER_EVENT_IDX);
	t.irqs = 0;
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
	cr_assert_eq(t.irqs, 1);
	cr_assert_eq(virtq_driver_disable_interrupts(t.drv), 0);
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
	cr_assert_eq(t.irqs, 1);
	cr_assert_eq(virtq_driver_enable_interrupts(t.drv), 0);
	cr_assert_eq(t_request(&t, 2, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
	cr_assert_eq(t.irqs, 2);
}

/* Regression: a drain that returned nothing used to ask the queue for an
 * interrupt decision, and the queue's first decision is always "yes". */
Test(device, empty_notification_raises_no_interrupt)
{
	cr_assert_eq(vblk_device_mmio_write(&t.dev, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0), 0);
	cr_assert_eq(vblk_device_notify(&t.dev), 0);
	cr_assert_eq(t.irqs, 0);
}

Test(device, notify_before_driver_ok_is_refused)
{
	vblk_device_reset(&t.dev);
	cr_assert_eq(vblk_device_notify(&t.dev), -EPERM);
}

Test(device, reset_then_serves_again)
{
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
	vblk_device_reset(&t.dev);
	cr_assert_eq(virtq_mmio_status(vblk_device_mmio(&t.dev)), 0);
	t_bring_up(&t, 0);
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_IN, 1, 512), VIRTIO_BLK_S_OK);
	check_pattern(1, 1, 512);
}

Test(device, save_and_restore_keep_the_queue_running)
{
	static struct vblk_device_state st;

	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
	cr_assert_eq(vblk_device_save(&t.dev, &st), 0);
	vblk_device_reset(&t.dev);
	cr_assert_eq(vblk_device_restore(&t.dev, &st), 0);
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_IN, 5, 512), VIRTIO_BLK_S_OK);
	check_pattern(1, 5, 512);
}

Test(device, init_rejects_bad_configuration)
{
	static struct vblk_device d;
	struct vblk_device_config cfg = { .backend = &t.be, .mem = t.mem,
					  .queue_size = 12 };

	cr_assert_eq(vblk_device_init(&d, &cfg), -EINVAL);
	cfg.queue_size = 0;
	cfg.mem = NULL;
	cr_assert_eq(vblk_device_init(&d, &cfg), -EINVAL);
	cfg.mem = t.mem;
	cfg.backend = NULL;
	cr_assert_eq(vblk_device_init(&d, &cfg), -EINVAL);
}

/* The fixture's device again, with an engine that finishes each request
 * synchronously but completes it only when it is reaped. */
static void reopen_with_sync_engine(void)
{
	t_dev_close(&t);
	memset(&t, 0, sizeof(t));
	t.mem = t_mem();
	t.file = t_disk(false, &t.be);
	t_dev_start(&t, true, VBLK_ASYNC_FORCE_SYNC, 0, ~0ull, NULL);
}

/*
 * Quiesce: a pause or snapshot needs nothing in flight.  An engine of
 * depth 8 that runs synchronously, 12 requests: the first completion
 * resumes the drain, which submits the 4 put back, and quiesce waits for
 * them too (one vblk_device_complete with wait leaves them in flight).
 */
Test(device, quiesce_lands_the_requests_a_full_engine_put_back)
{
	static struct vblk_device_state st;

	reopen_with_sync_engine();
	for (unsigned int i = 0; i < 12; i++)
		(void)t_add(&t, i, VIRTIO_BLK_T_IN, i, 512, true);
	t_kick(&t);
	cr_assert_eq(vblk_async_inflight(t.async), 8);
	cr_assert_eq(vblk_device_quiesce(&t.dev), 0);
	cr_assert_eq(vblk_async_inflight(t.async), 0);
	cr_assert_eq(t_used_idx(&t), 12);
	for (unsigned int i = 0; i < 12; i++)
		cr_assert_eq(t_status(&t, i), VIRTIO_BLK_S_OK);
	cr_assert_eq(vblk_device_save(&t.dev, &st), 0);
}

Test(device, quiesce_without_engine_is_a_no_op)
{
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
	cr_assert_eq(vblk_device_quiesce(&t.dev), 0);
	cr_assert_eq(t_used_idx(&t), 1);
}

/*
 * QueueReady = 0 with requests in flight (§4.2.2.1): they land before the
 * write returns, and nothing touches the guest's buffers afterwards.  The
 * engine runs synchronously: each request's status byte is written when
 * it is reaped, which used to happen after the stop.
 */
Test(device, queue_stop_waits_for_requests_in_flight)
{
	reopen_with_sync_engine();
	for (unsigned int i = 0; i < 3; i++)
		(void)t_add(&t, i, VIRTIO_BLK_T_IN, i, 512, false);
	t_kick(&t);
	cr_assert_eq(vblk_async_inflight(t.async), 3);
	cr_assert_eq(vblk_device_mmio_write(&t.dev, VIRTIO_MMIO_QUEUE_SEL, 4, 0), 0);
	cr_assert_eq(vblk_device_mmio_write(&t.dev, VIRTIO_MMIO_QUEUE_READY, 4, 0), 0);
	cr_assert_eq(vblk_async_inflight(t.async), 0);
	cr_assert_eq(t_used_idx(&t), 3);
	for (unsigned int i = 0; i < 3; i++) {
		cr_assert_eq(t_status(&t, i), VIRTIO_BLK_S_OK);
		check_pattern(i, i, 512);
		cr_assert_eq(vmmem_store_u8(t.mem, T_STATUS + i, 0xee), 0);
	}
	cr_assert_eq(vblk_device_complete(&t.dev, false), 0);
	for (unsigned int i = 0; i < 3; i++)
		cr_assert_eq(t_status(&t, i), 0xee, "nothing written after the stop");
	cr_assert_eq(t_used_idx(&t), 3);
}

/* The same requests through io_uring. */
static struct t_dev ta;

static void setup_async(void)
{
	t_dev_open(&ta, false, true, VIRTQ_DRIVER_EVENT_IDX);
}

static void teardown_async(void)
{
	t_dev_close(&ta);
}

TestSuite(device_async, .init = setup_async, .fini = teardown_async);

Test(device_async, requests_complete_through_the_completion_fd)
{
	uint16_t got;
	uint32_t used;

	cr_assert_geq(vblk_device_completion_fd(&ta.dev), 0);
	cr_assert_eq(vmmem_fill(ta.mem, T_DATA, 0x42, 4096), 0);
	cr_assert_eq(t_request(&ta, 0, VIRTIO_BLK_T_OUT, 7, 4096), VIRTIO_BLK_S_OK);
	cr_assert_eq(t_request(&ta, 1, VIRTIO_BLK_T_FLUSH, 0, 0), VIRTIO_BLK_S_OK);
	for (unsigned int i = 2; i < 8; i++)
		(void)t_add(&ta, i, VIRTIO_BLK_T_IN, 7, 4096, i % 2);
	t_kick(&ta);
	for (unsigned int i = 2; i < 8; i++) {
		uint8_t buf[4096];

		t_used(&ta, &got, &used);
		cr_assert_eq(used, 4097);
		cr_assert_eq(vmmem_read(ta.mem, T_DATA + 4096u * i, buf, sizeof(buf)), 0);
		for (uint32_t j = 0; j < sizeof(buf); j++)
			cr_assert_eq(buf[j], 0x42);
	}
	cr_assert_geq(ta.irqs, 1);
}

Test(device_async, a_full_engine_resumes_after_completions)
{
	uint16_t got;
	uint32_t used;

	/* 12 requests against an engine of depth 8. */
	for (unsigned int i = 0; i < 12; i++)
		(void)t_add(&ta, i, VIRTIO_BLK_T_IN, i, 512, true);
	t_kick(&ta);
	for (unsigned int i = 0; i < 12; i++)
		t_used(&ta, &got, &used);
	for (unsigned int i = 0; i < 12; i++)
		cr_assert_eq(t_status(&ta, i), VIRTIO_BLK_S_OK);
	cr_assert_not(t_needs_reset(&ta));
}

Test(device_async, reset_waits_for_requests_in_flight)
{
	for (unsigned int i = 0; i < 4; i++)
		(void)t_add(&ta, i, VIRTIO_BLK_T_IN, i, 4096, false);
	t_kick(&ta);
	vblk_device_reset(&ta.dev);
	cr_assert_eq(vblk_async_inflight(ta.async), 0);
	t_bring_up(&ta, 0);
	cr_assert_eq(t_request(&ta, 0, VIRTIO_BLK_T_IN, 1, 512), VIRTIO_BLK_S_OK);
}

Test(device_async, completion_interrupt_follows_event_idx)
{
	uint16_t got;
	uint32_t used;

	cr_assert_eq(virtq_driver_enable_interrupts(ta.drv), 0);
	cr_assert_eq(t_request(&ta, 0, VIRTIO_BLK_T_IN, 0, 4096), VIRTIO_BLK_S_OK);
	cr_assert_eq(ta.irqs, 1);
	/* used_event parked far ahead: completions must not interrupt. */
	cr_assert_eq(virtq_driver_disable_interrupts(ta.drv), 0);
	for (unsigned int i = 1; i < 4; i++)
		(void)t_add(&ta, i, VIRTIO_BLK_T_IN, i, 4096, false);
	t_kick(&ta);
	for (unsigned int i = 1; i < 4; i++)
		t_used(&ta, &got, &used);
	cr_assert_eq(ta.irqs, 1);
	cr_assert_eq(virtq_driver_enable_interrupts(ta.drv), 0);
	cr_assert_eq(t_request(&ta, 4, VIRTIO_BLK_T_IN, 0, 4096), VIRTIO_BLK_S_OK);
	cr_assert_eq(ta.irqs, 2);
}

/* For io_uring, durability itself cannot be observed here: the write
 * carries RWF_DSYNC, and the test shows that such a write completes with
 * OK and its data on disk (without io_uring, the synchronous path that
 * the counting-backend tests cover runs instead). */
Test(device_async, write_through_write_reaches_the_disk)
{
	uint8_t back[4096];

	t_dev_close(&ta);
	memset(&ta, 0, sizeof(ta));
	ta.mem = t_mem();
	ta.file = t_disk(false, &ta.be);
	t_dev_start(&ta, true, 0, VIRTQ_DRIVER_EVENT_IDX, ~BIT(VIRTIO_BLK_F_FLUSH), NULL);
	cr_assert_not(ta.features & BIT(VIRTIO_BLK_F_FLUSH));
	cr_assert_eq(vmmem_fill(ta.mem, T_DATA, 0x6b, 4096), 0);
	cr_assert_eq(t_request(&ta, 0, VIRTIO_BLK_T_OUT, 40, 4096), VIRTIO_BLK_S_OK);
	cr_assert_eq(pread(ta.be.fd, back, sizeof(back), 40 * 512), (ssize_t)sizeof(back));
	for (uint32_t i = 0; i < sizeof(back); i++)
		cr_assert_eq(back[i], 0x6b, "byte %u", i);
}

/*
 * Quiesce with io_uring: the backend fd is a pipe, so each read stays in
 * flight until a sector is written into it.  One sector is there at once,
 * the other comes 100 ms later from a thread: quiesce must wait for it,
 * after which the device can be saved.
 */
static int pipefd[2];

static ssize_t pipe_readv(void *ctx, const struct iovec *iov, int iovcnt,
			  uint64_t offset)
{
	(void)ctx;
	(void)offset;
	return readv(pipefd[0], iov, iovcnt);
}

static const struct vblk_backend_ops pipe_ops = {
	.version = VBLK_BACKEND_OPS_VERSION,
	.readv = pipe_readv,
};

static void *late_sector(void *arg)
{
	static uint8_t sector[512];

	(void)arg;
	usleep(100 * 1000);
	memset(sector, 0x22, sizeof(sector));
	return (void *)(intptr_t)write(pipefd[1], sector, sizeof(sector));
}

/* Reopens ta over the pipe backend with two reads in flight, one sector
 * in the pipe and the other coming from a thread 100 ms later. */
static void two_reads_in_the_pipe(pthread_t *th)
{
	uint8_t sector[512];

	t_dev_close(&ta);
	memset(&ta, 0, sizeof(ta));
	ta.mem = t_mem();
	cr_assert_eq(pipe(pipefd), 0);
	ta.be = (struct vblk_backend){ .ops = &pipe_ops, .size = T_DISK_BYTES,
				       .read_only = true, .fd = pipefd[0] };
	t_dev_start(&ta, true, 0, 0, ~0ull, NULL);
	if (!vblk_async_is_uring(ta.async)) {
		close(pipefd[0]);
		close(pipefd[1]);
		cr_skip_test("io_uring is not available to this process: the "
			     "pipe backend needs it (the synchronous engine is "
			     "covered in the device suite)");
	}
	(void)t_add(&ta, 0, VIRTIO_BLK_T_IN, 0, 512, false);
	(void)t_add(&ta, 1, VIRTIO_BLK_T_IN, 0, 512, false);
	t_kick(&ta);
	cr_assert_eq(vblk_async_inflight(ta.async), 2);
	memset(sector, 0x11, sizeof(sector));
	cr_assert_eq(write(pipefd[1], sector, sizeof(sector)), (ssize_t)sizeof(sector));
	cr_assert_eq(pthread_create(th, NULL, late_sector, NULL), 0);
}

/* Both reads completed OK, the late sector was written, the pipe closed. */
static void both_reads_landed(pthread_t th)
{
	void *wrote;

	cr_assert_eq(pthread_join(th, &wrote), 0);
	cr_assert_eq((intptr_t)wrote, 512);
	cr_assert_eq(t_status(&ta, 0), VIRTIO_BLK_S_OK);
	cr_assert_eq(t_status(&ta, 1), VIRTIO_BLK_S_OK);
	close(pipefd[0]);
	close(pipefd[1]);
}

Test(device_async, quiesce_waits_for_every_request_in_flight)
{
	static struct vblk_device_state st;
	pthread_t th;

	two_reads_in_the_pipe(&th);
	cr_assert_eq(vblk_device_quiesce(&ta.dev), 0);
	cr_assert_eq(vblk_async_inflight(ta.async), 0);
	cr_assert_eq(t_used_idx(&ta), 2);
	cr_assert_eq(vblk_device_save(&ta.dev, &st), 0);
	both_reads_landed(th);
}

/* QueueReady = 0 while the kernel still reads into a guest buffer: the
 * write returns once both reads landed (§4.2.2.1). */
Test(device_async, queue_stop_waits_for_io_uring_requests_in_flight)
{
	pthread_t th;

	two_reads_in_the_pipe(&th);
	cr_assert_eq(vblk_device_mmio_write(&ta.dev, VIRTIO_MMIO_QUEUE_SEL, 4, 0), 0);
	cr_assert_eq(vblk_device_mmio_write(&ta.dev, VIRTIO_MMIO_QUEUE_READY, 4, 0), 0);
	cr_assert_eq(vblk_async_inflight(ta.async), 0);
	cr_assert_eq(t_used_idx(&ta), 2);
	both_reads_landed(th);
}
