// SPDX-License-Identifier: MIT
// Notification suppression in both directions (virtio 1.2 §2.7.7,
// §2.7.10): the NO_NOTIFY / NO_INTERRUPT flags, and EVENT_IDX with Linux's
// vring_need_event arithmetic, including across the 16-bit wrap.
#include <errno.h>

#include "harness.h"

static struct t_env e;

static void flags_mode(void) { t_setup(&e, 16, 0, 0); }
static void event_mode(void) { t_setup(&e, 16, VIRTQ_DRIVER_EVENT_IDX, T_F_EVENT_IDX); }
static void fini(void) { t_teardown(&e); }

static uint16_t used_ring_u16(uint64_t off)
{
	uint16_t v;

	cr_assert_eq(vmmem_load_u16(e.mem, virtq_driver_used_addr(e.drv) + off, &v), 0);
	return v;
}

static uint16_t avail_event(void)
{
	return used_ring_u16(4 + 8u * e.size);
}

static void set_used_event(uint16_t v)
{
	cr_assert_eq(vmmem_store_u16(e.mem, virtq_driver_avail_addr(e.drv) + 4 + 2u * e.size,
				     v), 0);
}

/* Driver submits one chain, device pops it and returns it. */
static void round_trip(void)
{
	struct virtq_buf b = { T_DATA, 8, true };
	struct virtq_chain c;
	uint16_t head;

	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_assert_geq(virtq_driver_publish(e.drv), 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_assert_eq(virtq_queue_add_used(&e.q, c.head, 8), 0);
}

static void reap(void)
{
	uint16_t head;
	uint32_t len;

	cr_assert_eq(virtq_driver_get_used(e.drv, &head, &len), 1);
}

Test(need_event, matches_linux_arithmetic)
{
	cr_expect(virtq_need_event(0, 1, 0));
	cr_expect_not(virtq_need_event(1, 1, 0));
	cr_expect(virtq_need_event(5, 10, 0));
	cr_expect_not(virtq_need_event(10, 10, 0));
	cr_expect(virtq_need_event(0xffff, 0, 0xfffe), "across the wrap");
	cr_expect_not(virtq_need_event(0, 0, 0xfffe));
	cr_expect_not(virtq_need_event(3, 3, 3), "nothing moved");
}

Test(flags, interrupt_by_default, .init = flags_mode, .fini = fini)
{
	round_trip();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 1);
}

Test(flags, no_interrupt_flag_suppresses, .init = flags_mode, .fini = fini)
{
	cr_assert_eq(virtq_driver_disable_interrupts(e.drv), 0);
	round_trip();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 0);
	cr_assert_eq(virtq_driver_enable_interrupts(e.drv), 0);
	round_trip();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 1);
}

Test(flags, nothing_new_means_no_interrupt, .init = flags_mode, .fini = fini)
{
	round_trip();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 1);
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 0);
}

Test(flags, disable_sets_no_notify_and_driver_skips_kick, .init = flags_mode, .fini = fini)
{
	struct virtq_buf b = { T_DATA, 8, true };
	uint16_t head;

	cr_assert_eq(virtq_queue_disable_notification(&e.q), 0);
	cr_expect_eq(used_ring_u16(0), VIRTQ_USED_F_NO_NOTIFY);
	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_expect_eq(virtq_driver_publish(e.drv), 0, "no kick needed");
}

Test(flags, enable_clears_no_notify_and_reports_new_entries, .init = flags_mode, .fini = fini)
{
	struct virtq_buf b = { T_DATA, 8, true };
	uint16_t head;

	cr_assert_eq(virtq_queue_disable_notification(&e.q), 0);
	cr_expect_eq(virtq_queue_enable_notification(&e.q), 0, "nothing pending");
	cr_expect_eq(used_ring_u16(0), 0);
	cr_assert_eq(virtq_queue_disable_notification(&e.q), 0);
	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_assert_geq(virtq_driver_publish(e.drv), 0);
	cr_expect_eq(virtq_queue_enable_notification(&e.q), 1, "drain again");
	cr_expect_eq(virtq_driver_publish(e.drv), 1, "kicks are wanted again");
}

Test(event_idx, first_completion_interrupts, .init = event_mode, .fini = fini)
{
	round_trip();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 1);
}

Test(event_idx, used_event_behind_suppresses, .init = event_mode, .fini = fini)
{
	round_trip();
	cr_assert_eq(virtq_queue_needs_notification(&e.q), 1);
	/* The driver asks to hear about used index 3 (after the 4th). */
	set_used_event(3);
	round_trip();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 0, "used idx 2");
	round_trip();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 0, "used idx 3");
	round_trip();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 1, "used idx 4 crosses 3");
}

Test(event_idx, batch_crossing_used_event_interrupts_once, .init = event_mode, .fini = fini)
{
	round_trip();
	cr_assert_eq(virtq_queue_needs_notification(&e.q), 1);
	set_used_event(2);
	round_trip();
	round_trip();
	round_trip();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 1);
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 0);
}

Test(event_idx, no_interrupt_flag_is_ignored, .init = event_mode, .fini = fini)
{
	cr_assert_eq(vmmem_store_u16(e.mem, virtq_driver_avail_addr(e.drv),
				     VIRTQ_AVAIL_F_NO_INTERRUPT), 0);
	round_trip();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 1);
}

Test(event_idx, used_event_across_index_wrap, .init = event_mode, .fini = fini)
{
	for (int i = 0; i < 65534; i++) {
		round_trip();
		reap();
	}
	cr_assert_eq(virtq_queue_needs_notification(&e.q), 1);	/* used idx 65534 */
	set_used_event(0xffff);
	round_trip();	/* 65535 */
	reap();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 0);
	round_trip();	/* 0: crosses 0xffff */
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 1);
}

/*
 * Entries the driver consumed before the device's decision are covered by
 * used_event, so no interrupt is due for them; the next one past it is.  A
 * driver that polls while it waits for an interrupt must expect this (the
 * guest kit's virtio-blk test once did not, and failed in CI).
 */
Test(event_idx, entries_reaped_before_the_decision_raise_none, .init = event_mode,
     .fini = fini)
{
	cr_assert_eq(virtq_driver_enable_interrupts(e.drv), 0);
	round_trip();
	cr_assert_eq(virtq_queue_needs_notification(&e.q), 1);
	reap();
	round_trip();
	round_trip();
	reap();
	reap();		/* used_event is now 3, the device's used idx */
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 0);
	round_trip();
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 1, "used idx 4 passes 3");
}

Test(event_idx, pop_keeps_avail_event_current, .init = event_mode, .fini = fini)
{
	round_trip();
	cr_expect_eq(avail_event(), 1);
	round_trip();
	cr_expect_eq(avail_event(), 2);
}

Test(event_idx, driver_kicks_only_when_crossing_avail_event, .init = event_mode, .fini = fini)
{
	struct virtq_buf b = { T_DATA, 8, true };
	uint16_t head;

	/* avail_event is 0: the first publish (0 -> 1) crosses it. */
	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_expect_eq(virtq_driver_publish(e.drv), 1);
	/* The device has not consumed: 1 -> 2 does not cross 0. */
	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_expect_eq(virtq_driver_publish(e.drv), 0);
}

Test(event_idx, enable_publishes_avail_event_and_rechecks, .init = event_mode, .fini = fini)
{
	struct virtq_buf b = { T_DATA, 8, true };
	struct virtq_chain c;
	uint16_t head;

	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_assert_geq(virtq_driver_publish(e.drv), 0);
	cr_assert_eq(virtq_queue_disable_notification(&e.q), 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(virtq_queue_enable_notification(&e.q), 1, "one still pending");
	cr_expect_eq(avail_event(), 1);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(virtq_queue_enable_notification(&e.q), 0);
	cr_expect_eq(avail_event(), 2);
}

Test(event_idx, disable_leaves_used_flags_alone, .init = event_mode, .fini = fini)
{
	cr_assert_eq(virtq_queue_disable_notification(&e.q), 0);
	cr_expect_eq(used_ring_u16(0), 0);
}

Test(event_idx, enable_on_corrupt_avail_index_breaks_queue, .init = event_mode, .fini = fini)
{
	cr_assert_eq(virtq_driver_set_avail_idx(e.drv, 40), 0);
	cr_expect_eq(virtq_queue_enable_notification(&e.q), -EBADMSG);
	cr_expect(e.q.broken);
	cr_expect_eq(virtq_queue_needs_notification(&e.q), -EBADMSG);
}

Test(flags, no_interrupt_before_anything_was_used, .init = flags_mode, .fini = fini)
{
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 0);
}

Test(event_idx, no_interrupt_before_anything_was_used, .init = event_mode, .fini = fini)
{
	cr_expect_eq(virtq_queue_needs_notification(&e.q), 0);
}
