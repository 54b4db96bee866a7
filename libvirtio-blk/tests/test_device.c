/* SPDX-License-Identifier: MIT */
/*
 * The device model through its MMIO registers and one virtqueue (virtio
 * 1.2 §5.2, §4.2.2): identity, features, configuration space, every
 * request type end to end (synchronous and io_uring), indirect chains,
 * interrupt suppression, reset and save/restore.
 */
#include <errno.h>

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
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_DISCARD, 0, 16), VIRTIO_BLK_S_UNSUPP);
	cr_assert_eq(t_request(&t, 2, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
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

Test(device, get_id_larger_buffer_is_nul_padded_with_used_len_21)
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
	cr_assert_eq(len, 21, "20 ID bytes and the status byte");
	cr_assert_eq(t_status(&t, 0), VIRTIO_BLK_S_OK);
	cr_assert_eq(vmmem_read(t.mem, T_DATA, got, sizeof(got)), 0);
	cr_assert_str_eq((char *)got, "cvmm-test");
	for (size_t i = 9; i < 20; i++)
		cr_assert_eq(got[i], 0, "NUL padding at %zu", i);
	for (size_t i = 20; i < sizeof(got); i++)
		cr_assert_eq(got[i], 0xaa, "byte %zu beyond the ID is untouched", i);
	cr_assert_not(t_needs_reset(&t));
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
