/* SPDX-License-Identifier: MIT */
/*
 * The device's rate limiter (libratelimit) with an injected clock: what
 * each request type costs, the ops and bytes buckets, the one-time burst,
 * a refused chain left in the ring in order and taken again at the
 * deadline, an oversized request, notifications ignored while waiting, a
 * device reset that does not refill, save/restore, the io_uring engine,
 * and the configurations init refuses.
 */
#include <errno.h>

#include "devharness.h"
#include "limit.h"

#define MS 1000000ull
#define T0 (5000 * MS)

static struct t_dev t;
static uint64_t now;
static unsigned int clock_reads;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	clock_reads++;
	return now;
}

static void open_with(const struct rlim_bucket_config *bytes,
		      const struct rlim_bucket_config *ops, bool async)
{
	struct rlim_config c = { .clock = fake_clock };

	if (bytes)
		c.bytes = *bytes;
	if (ops)
		c.ops = *ops;
	now = T0;
	t_dev_open_limited(&t, false, async, 0, &c);
}

static void close_dev(void)
{
	if (t.mem)	/* the price test opens no device */
		t_dev_close(&t);
}

TestSuite(limit, .fini = close_dev);

/* The number of used entries the device has added so far. */
static uint16_t done(void)
{
	return t_used_idx(&t);
}

static uint64_t deadline(void)
{
	uint64_t at = 0;

	cr_assert_eq(vblk_device_deadline(&t.dev, &at), 1);
	return at;
}

static void no_deadline(void)
{
	uint64_t at = 0;

	cr_assert_eq(vblk_device_deadline(&t.dev, &at), 0);
}

/* The head of used slot i. */
static uint32_t used_head(uint16_t i)
{
	uint32_t id, len;

	t_used_elem(&t, i, &id, &len);
	return id;
}

/* The device waits until at: a timer then completes up to n chains. */
static void wait_out(uint64_t at, uint16_t n)
{
	cr_assert_eq(deadline(), at);
	now = at;
	vblk_device_timer(&t.dev);
	cr_assert_eq(done(), n);
}

/* One request per 100 ms: of two reads, the first passes, the second waits. */
static const struct rlim_bucket_config one_per_100ms = {
	.size = 1, .refill_time_ms = 100,
};

static void one_passes_one_waits(void)
{
	open_with(NULL, &one_per_100ms, false);
	(void)t_add(&t, 0, VIRTIO_BLK_T_IN, 0, 512, true);
	(void)t_add(&t, 1, VIRTIO_BLK_T_IN, 1, 512, true);
	t_kick(&t);
	cr_assert_eq(done(), 1);
}

Test(limit, no_limiter_never_waits)
{
	t_dev_open(&t, false, false, 0);
	for (unsigned int i = 0; i < 5; i++)
		(void)t_add(&t, i, VIRTIO_BLK_T_IN, i, 4096, true);
	t_kick(&t);
	cr_assert_eq(done(), 5);
	no_deadline();
	vblk_device_timer(&t.dev);	/* a stray timer changes nothing */
	cr_assert_eq(done(), 5);
	cr_assert_eq(vblk_device_stats(&t.dev)->throttled, 0);
}

Test(limit, ops_bucket_limits_requests)
{
	struct rlim_bucket_config ops = { .size = 2, .refill_time_ms = 1000 };

	open_with(NULL, &ops, false);
	for (unsigned int i = 0; i < 3; i++)
		(void)t_add(&t, i, VIRTIO_BLK_T_IN, i, 512, true);
	t_kick(&t);
	cr_assert_eq(done(), 2);
	cr_assert_eq(t_status(&t, 2), 0xee, "the third is not executed");
	cr_assert_eq(vblk_device_stats(&t.dev)->throttled, 1);
	/* 2 operations per second: one more after 500 ms. */
	wait_out(T0 + 500 * MS, 3);
	cr_assert_eq(t_status(&t, 2), VIRTIO_BLK_S_OK);
	no_deadline();
}

Test(limit, bytes_bucket_limits_data)
{
	struct rlim_bucket_config bytes = { .size = 4096, .refill_time_ms = 1000 };

	open_with(&bytes, NULL, false);
	(void)t_add(&t, 0, VIRTIO_BLK_T_IN, 0, 2048, true);
	(void)t_add(&t, 1, VIRTIO_BLK_T_OUT, 8, 2048, true);
	(void)t_add(&t, 2, VIRTIO_BLK_T_IN, 16, 1024, true);
	t_kick(&t);
	cr_assert_eq(done(), 2);
	/* 1024 of 4096 bytes per second: 250 ms. */
	wait_out(T0 + 250 * MS, 3);
	cr_assert_eq(t_status(&t, 2), VIRTIO_BLK_S_OK);
}

Test(limit, one_time_burst_is_spent_first_and_not_refilled)
{
	struct rlim_bucket_config bytes = { .size = 1024, .one_time_burst = 4096,
					    .refill_time_ms = 1000 };

	open_with(&bytes, NULL, false);
	(void)t_add(&t, 0, VIRTIO_BLK_T_IN, 0, 4096, true);	/* the burst */
	(void)t_add(&t, 1, VIRTIO_BLK_T_IN, 8, 1024, true);	/* the bucket */
	(void)t_add(&t, 2, VIRTIO_BLK_T_IN, 16, 512, true);
	t_kick(&t);
	cr_assert_eq(done(), 2);
	cr_assert_eq(deadline(), T0 + 500 * MS);
	/* A long pause refills the bucket only: 1024 + 512 > 1024 waits. */
	now = T0 + 60000 * MS;
	vblk_device_timer(&t.dev);
	cr_assert_eq(done(), 3);
	(void)t_add(&t, 3, VIRTIO_BLK_T_IN, 0, 1024, true);
	t_kick(&t);
	cr_assert_eq(done(), 3);
	cr_assert_eq(deadline(), now + 500 * MS);
}

/* A refused chain goes back to the ring: later chains, published while
 * the device waits, come after it, and notifications do nothing then. */
Test(limit, order_is_kept_across_the_wait)
{
	struct rlim_bucket_config ops = { .size = 1, .refill_time_ms = 100 };
	uint16_t heads[4];
	unsigned int reads;

	open_with(NULL, &ops, false);
	for (unsigned int i = 0; i < 3; i++)
		heads[i] = t_add(&t, i, VIRTIO_BLK_T_IN, i, 512, true);
	t_kick(&t);
	cr_assert_eq(done(), 1);
	heads[3] = t_add(&t, 3, VIRTIO_BLK_T_IN, 3, 512, true);
	reads = clock_reads;
	t_kick(&t);
	cr_assert_eq(vblk_device_notify(&t.dev), 0);
	cr_assert_eq(done(), 1, "a notification while waiting takes nothing");
	cr_assert_eq(clock_reads, reads, "and does not even ask the limiter");
	for (uint16_t n = 2; n <= 4; n++) {
		cr_assert_eq(deadline(), now + 100 * MS);
		now += 100 * MS;
		vblk_device_timer(&t.dev);
		cr_assert_eq(done(), n);
	}
	for (uint16_t i = 0; i < 4; i++) {
		cr_assert_eq(used_head(i), heads[i]);
		cr_assert_eq(t_status(&t, i), VIRTIO_BLK_S_OK);
	}
	cr_assert_eq(vblk_device_stats(&t.dev)->throttled, 3);
}

/* The timer only takes what fits: an early timer is refused again with
 * the same deadline, never a spin. */
Test(limit, early_timer_waits_again)
{
	struct rlim_bucket_config ops = { .size = 1, .refill_time_ms = 100 };

	open_with(NULL, &ops, false);
	(void)t_add(&t, 0, VIRTIO_BLK_T_IN, 0, 512, true);
	(void)t_add(&t, 1, VIRTIO_BLK_T_IN, 1, 512, true);
	t_kick(&t);
	cr_assert_eq(deadline(), T0 + 100 * MS);
	now = T0 + 100 * MS - 1;
	vblk_device_timer(&t.dev);
	cr_assert_eq(done(), 1);
	cr_assert_eq(deadline(), T0 + 100 * MS);
	cr_assert_eq(vblk_device_stats(&t.dev)->throttled, 2);
}

Test(limit, oversized_request_passes_from_a_full_bucket_then_waits_out_the_debt)
{
	struct rlim_bucket_config bytes = { .size = 1024, .refill_time_ms = 1000 };

	open_with(&bytes, NULL, false);
	(void)t_add(&t, 0, VIRTIO_BLK_T_IN, 0, 4096, true);
	(void)t_add(&t, 1, VIRTIO_BLK_T_IN, 8, 512, true);
	t_kick(&t);
	cr_assert_eq(done(), 1);
	cr_assert_eq(t_status(&t, 0), VIRTIO_BLK_S_OK);
	/* 3072 bytes of debt plus 512: 3.5 s at 1024 bytes per second. */
	wait_out(T0 + 3500 * MS, 2);
}

Test(limit, oversized_request_waits_for_a_full_bucket_not_forever)
{
	struct rlim_bucket_config bytes = { .size = 1024, .refill_time_ms = 1000 };

	open_with(&bytes, NULL, false);
	(void)t_add(&t, 0, VIRTIO_BLK_T_IN, 0, 512, true);
	(void)t_add(&t, 1, VIRTIO_BLK_T_IN, 8, 4096, true);
	t_kick(&t);
	cr_assert_eq(done(), 1);
	wait_out(T0 + 500 * MS, 2);
	cr_assert_eq(t_status(&t, 1), VIRTIO_BLK_S_OK);
}

Test(limit, flush_and_get_id_cost_an_operation_and_no_bytes)
{
	struct rlim_bucket_config bytes = { .size = 512, .refill_time_ms = 1000 };
	struct rlim_bucket_config ops = { .size = 3, .refill_time_ms = 1000 };

	open_with(&bytes, &ops, false);
	(void)t_add(&t, 0, VIRTIO_BLK_T_IN, 0, 512, true);	/* bytes now 0 */
	(void)t_add(&t, 1, VIRTIO_BLK_T_FLUSH, 0, 0, true);
	(void)t_add(&t, 2, VIRTIO_BLK_T_GET_ID, 0, 20, true);
	(void)t_add(&t, 3, VIRTIO_BLK_T_FLUSH, 0, 0, true);	/* no op left */
	t_kick(&t);
	cr_assert_eq(done(), 3);
	for (unsigned int i = 0; i < 3; i++)
		cr_assert_eq(t_status(&t, i), VIRTIO_BLK_S_OK);
	cr_assert_eq(deadline(), T0 + 333333334);	/* 1 of 3 ops per second */
}

/* What the parser refuses is answered at once, costs nothing, and keeps
 * its place behind a refused chain. */
Test(limit, malformed_requests_are_not_charged_and_keep_their_place)
{
	struct rlim_bucket_config ops = { .size = 1, .refill_time_ms = 100 };

	open_with(NULL, &ops, false);
	(void)t_add(&t, 0, VIRTIO_BLK_T_IN, T_DISK_SECTORS, 512, true);
	(void)t_add(&t, 1, 0x7777, 0, 0, true);
	(void)t_add(&t, 2, VIRTIO_BLK_T_IN, 0, 512, true);
	(void)t_add(&t, 3, VIRTIO_BLK_T_IN, 1, 512, true);
	(void)t_add(&t, 4, VIRTIO_BLK_T_IN, T_DISK_SECTORS, 512, true);
	t_kick(&t);
	cr_assert_eq(done(), 3);
	cr_assert_eq(t_status(&t, 0), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(t_status(&t, 1), VIRTIO_BLK_S_UNSUPP);
	cr_assert_eq(t_status(&t, 2), VIRTIO_BLK_S_OK);
	cr_assert_eq(t_status(&t, 4), 0xee, "behind the refused one");
	now += 100 * MS;
	vblk_device_timer(&t.dev);
	cr_assert_eq(done(), 5);
	cr_assert_eq(t_status(&t, 3), VIRTIO_BLK_S_OK);
	cr_assert_eq(t_status(&t, 4), VIRTIO_BLK_S_IOERR);
	cr_assert_not(t_needs_reset(&t));
}

/* A chain with nowhere to put a status byte still puts the device in
 * NEEDS_RESET, with a limiter that has no token left for it. */
Test(limit, chain_without_status_keeps_its_outcome)
{
	struct rlim_bucket_config ops = { .size = 1, .refill_time_ms = 100 };
	struct virtq_buf b = { T_HDR, 16, false };	/* no writable byte */
	uint16_t head;

	open_with(NULL, &ops, false);
	(void)t_add(&t, 0, VIRTIO_BLK_T_IN, 0, 512, true);
	cr_assert_eq(virtq_driver_add(t.drv, &b, 1, &head), 0);
	t_kick(&t);
	cr_assert_eq(done(), 2);
	cr_assert_eq(used_head(1), head);
	cr_assert(t_needs_reset(&t));
	cr_assert_eq(vblk_device_stats(&t.dev)->throttled, 0);
	no_deadline();
}

Test(limit, device_reset_does_not_refill_the_buckets)
{
	one_passes_one_waits();
	t_bring_up(&t, 0);	/* reset through Status, fresh rings */
	no_deadline();
	vblk_device_timer(&t.dev);	/* a stale timer after the reset */
	(void)t_add(&t, 2, VIRTIO_BLK_T_IN, 2, 512, true);
	t_kick(&t);
	cr_assert_eq(done(), 0, "still no token");
	wait_out(T0 + 100 * MS, 1);
}

/* The refused chain is not in flight, so the device can be saved while it
 * waits; the restored device takes it with its own (full) buckets. */
Test(limit, save_while_waiting_and_restore)
{
	static struct vblk_device_state st;
	struct rlim_config c = { .ops = one_per_100ms, .clock = fake_clock };
	struct vblk_device_config cfg = {
		.backend = &t.be, .irq = { t_irq, &t }, .queue_size = T_QSIZE,
		.limit = &c,
	};

	one_passes_one_waits();
	cr_assert_eq(vblk_device_save(&t.dev, &st), 0);
	cfg.mem = t.mem;
	cr_assert_eq(vblk_device_init(&t.dev, &cfg), 0);
	cr_assert_eq(vblk_device_restore(&t.dev, &st), 0);
	no_deadline();
	cr_assert_eq(vblk_device_notify(&t.dev), 0);
	cr_assert_eq(done(), 2);
	cr_assert_eq(t_status(&t, 1), VIRTIO_BLK_S_OK);
}

/* Restoring into the same device ends its wait: the kick that follows a
 * restore takes the chain once the buckets allow it. */
Test(limit, restore_ends_the_wait)
{
	static struct vblk_device_state st;

	one_passes_one_waits();
	cr_assert_eq(vblk_device_save(&t.dev, &st), 0);
	cr_assert_eq(vblk_device_restore(&t.dev, &st), 0);
	no_deadline();
	now = T0 + 100 * MS;
	cr_assert_eq(vblk_device_notify(&t.dev), 0);
	cr_assert_eq(done(), 2);
}

/* With io_uring: a refused chain waits, and a chain put back because the
 * engine was full is refunded, so each request is paid exactly once. */
Test(limit, async_engine_full_refunds_the_charge)
{
	struct rlim_bucket_config ops = { .size = 100, .refill_time_ms = 1000 };
	uint16_t got;
	uint32_t used;

	open_with(NULL, &ops, true);
	/* 12 requests against an engine of depth 8. */
	for (unsigned int i = 0; i < 12; i++)
		(void)t_add(&t, i, VIRTIO_BLK_T_IN, i, 512, true);
	t_kick(&t);
	for (unsigned int i = 0; i < 12; i++)
		t_used(&t, &got, &used);
	for (unsigned int i = 0; i < 12; i++)
		cr_assert_eq(t_status(&t, i), VIRTIO_BLK_S_OK);
	cr_assert_eq(t.dev.limit.ops.budget, 100 - 12);
}

Test(limit, async_waits_for_the_limiter)
{
	struct rlim_bucket_config ops = { .size = 2, .refill_time_ms = 1000 };
	uint16_t got;
	uint32_t used;

	open_with(NULL, &ops, true);
	for (unsigned int i = 0; i < 3; i++)
		(void)t_add(&t, i, VIRTIO_BLK_T_IN, i, 512, true);
	t_kick(&t);
	t_used(&t, &got, &used);
	t_used(&t, &got, &used);
	cr_assert_eq(deadline(), T0 + 500 * MS);
	now = T0 + 500 * MS;
	vblk_device_timer(&t.dev);
	t_used(&t, &got, &used);
	cr_assert_eq(t_status(&t, 2), VIRTIO_BLK_S_OK);
}

/*
 * A device that is not running (the driver set FAILED, or the device
 * asked for a reset) takes nothing, whatever calls it: the timer does not
 * run the write the limiter held back, exactly as a notification is
 * refused then.  Slot 1 would write 0x22 over sector 8.
 */
static void held_back_write(void)
{
	open_with(NULL, &one_per_100ms, false);
	cr_assert_eq(vmmem_fill(t.mem, T_DATA, 0x11, 512), 0);
	cr_assert_eq(vmmem_fill(t.mem, T_DATA + 4096, 0x22, 512), 0);
	(void)t_add(&t, 0, VIRTIO_BLK_T_OUT, 0, 512, true);
	(void)t_add(&t, 1, VIRTIO_BLK_T_OUT, 8, 512, true);
	t_kick(&t);
	cr_assert_eq(done(), 1);
}

/* Disk sector 8 still holds the image's pattern. */
static void sector_8_untouched(void)
{
	uint8_t back[512];

	cr_assert_eq(pread(t.be.fd, back, sizeof(back), 8 * 512), (ssize_t)sizeof(back));
	for (uint32_t i = 0; i < sizeof(back); i++)
		cr_assert_eq(back[i], t_pattern(8 * 512 + i), "byte %u", i);
}

static void set_status_bit(uint32_t bit)
{
	uint64_t st = 0;

	cr_assert_eq(vblk_device_mmio_read(&t.dev, VIRTIO_MMIO_STATUS, 4, &st), 0);
	cr_assert_eq(vblk_device_mmio_write(&t.dev, VIRTIO_MMIO_STATUS, 4, st | bit), 0);
}

/* The device refuses notifications now; its limiter's timer, due, must
 * not take the held-back write either. */
static void timer_takes_nothing(void)
{
	cr_assert_eq(vblk_device_notify(&t.dev), -EPERM);
	now += 100 * MS;
	vblk_device_timer(&t.dev);
	cr_assert_eq(done(), 1);
	cr_assert_eq(t_status(&t, 1), 0xee);
	sector_8_untouched();
}

Test(limit, timer_after_failed_does_nothing)
{
	held_back_write();
	set_status_bit(VIRTIO_CONFIG_S_FAILED);
	timer_takes_nothing();
}

Test(limit, timer_after_needs_reset_does_nothing)
{
	held_back_write();
	/* A queue register written after DRIVER_OK: the transport refuses
	 * it and sets DEVICE_NEEDS_RESET; the queue itself stays live. */
	cr_assert_neq(vblk_device_mmio_write(&t.dev, VIRTIO_MMIO_QUEUE_NUM, 4, 8), 0);
	cr_assert(t_needs_reset(&t));
	timer_takes_nothing();
}

/* The other resume path: an engine that was full resumes the drain on
 * its next completion, but not after the driver set FAILED.  The 8
 * requests in flight still complete into the ring; slots 8..11, writes
 * to sectors 8..11, are never taken. */
Test(limit, async_resume_after_failed_does_nothing)
{
	open_with(NULL, NULL, true);
	cr_assert_eq(vmmem_fill(t.mem, T_DATA, 0x22, 4096 * 12), 0);
	for (unsigned int i = 0; i < 8; i++)
		(void)t_add(&t, i, VIRTIO_BLK_T_IN, i, 512, true);
	for (unsigned int i = 8; i < 12; i++)
		(void)t_add(&t, i, VIRTIO_BLK_T_OUT, i, 512, true);
	t_kick(&t);
	cr_assert_eq(vblk_async_inflight(t.async), 8);
	set_status_bit(VIRTIO_CONFIG_S_FAILED);
	while (vblk_async_inflight(t.async))
		cr_assert_geq(vblk_device_complete(&t.dev, true), 0);
	cr_assert_eq(done(), 8);
	for (unsigned int i = 8; i < 12; i++)
		cr_assert_eq(t_status(&t, i), 0xee, "slot %u", i);
	sector_8_untouched();
}

Test(limit, prices_of_each_request_type)
{
	static struct vblk_request r;

	r.data_len = 8192;
	r.type = VIRTIO_BLK_T_IN;
	cr_assert_eq(vblk__limit_bytes(&r), 8192);
	r.type = VIRTIO_BLK_T_OUT;
	cr_assert_eq(vblk__limit_bytes(&r), 8192);
	r.data_len = 0;
	r.type = VIRTIO_BLK_T_FLUSH;
	cr_assert_eq(vblk__limit_bytes(&r), 0);
	r.type = VIRTIO_BLK_T_GET_ID;
	cr_assert_eq(vblk__limit_bytes(&r), 0);
	r.ndwz = 2;
	r.dwz[0].num_sectors = 8;
	r.dwz[1].num_sectors = UINT32_MAX;
	r.type = VIRTIO_BLK_T_DISCARD;
	cr_assert_eq(vblk__limit_bytes(&r), 0);
	r.type = VIRTIO_BLK_T_WRITE_ZEROES;
	cr_assert_eq(vblk__limit_bytes(&r), (8ull + UINT32_MAX) * 512);
}

Test(limit, write_zeroes_costs_its_range)
{
	struct rlim_bucket_config bytes = { .size = 64 * 512, .refill_time_ms = 1000 };

	open_with(&bytes, NULL, false);
	t_dwz(t.mem, T_DATA, 0, 32, 0);
	(void)t_add(&t, 0, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, true);
	t_dwz(t.mem, T_DATA + 4096, 100, 33, 0);
	(void)t_add(&t, 1, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, true);
	t_kick(&t);
	cr_assert_eq(done(), 1);
	cr_assert_eq(t_status(&t, 0), VIRTIO_BLK_S_OK);
	/* 1 sector of 64 per second is missing. */
	cr_assert_eq(deadline(), T0 + 15625 * 1000);
}

Test(limit, init_rejects_bad_limits)
{
	static struct vblk_device d;
	struct rlim_config c = { .bytes = { .size = RLIM_MAX_TOKENS + 1,
					    .refill_time_ms = 1 },
				 .clock = fake_clock };
	struct vblk_device_config cfg = { .irq = { t_irq, &t }, .limit = &c };

	t_dev_open(&t, false, false, 0);
	cfg.backend = &t.be;
	cfg.mem = t.mem;
	cr_assert_eq(vblk_device_init(&d, &cfg), -EINVAL, "bucket too large");
	c.bytes = (struct rlim_bucket_config){ .size = 1,
					       .one_time_burst = RLIM_MAX_TOKENS + 1,
					       .refill_time_ms = 1 };
	cr_assert_eq(vblk_device_init(&d, &cfg), -EINVAL, "burst too large");
	c.bytes = (struct rlim_bucket_config){ .size = 1,
					       .refill_time_ms = RLIM_MAX_REFILL_MS + 1 };
	cr_assert_eq(vblk_device_init(&d, &cfg), -EINVAL, "refill too long");
	c.bytes = (struct rlim_bucket_config){ 0 };
	c.ops = (struct rlim_bucket_config){ .size = 1, .refill_time_ms = 1 };
	c.clock = NULL;
	cr_assert_eq(vblk_device_init(&d, &cfg), -EINVAL, "limiting without a clock");
	/* Unlimited buckets need no clock. */
	c.ops = (struct rlim_bucket_config){ 0 };
	cr_assert_eq(vblk_device_init(&d, &cfg), 0);
}
