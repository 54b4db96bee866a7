// SPDX-License-Identifier: MIT
// Split virtqueue configuration, validation and the avail/used rings
// (virtio 1.2 §2.7, §2.7.6, §2.7.8), including the contract violations
// that break a queue (index jump, head out of range, head twice in flight).
#include <errno.h>

#include "harness.h"

static struct t_env e;

static void unconfigured(void)
{
	e.mem = t_map();
	cr_assert_eq(virtq_queue_init(&e.q, 256), 0);
	cr_assert_eq(virtq_queue_set_desc_table(&e.q, 0x1000), 0);
	cr_assert_eq(virtq_queue_set_avail_ring(&e.q, 0x2000), 0);
	cr_assert_eq(virtq_queue_set_used_ring(&e.q, 0x3000), 0);
}

static void fini_unconfigured(void)
{
	vmmem_map_free(e.mem);
}

static void ready16(void) { t_setup(&e, 16, 0, 0); }
static void fini(void) { t_teardown(&e); }

Test(config, max_size_must_be_power_of_two)
{
	struct virtq_queue q;

	cr_expect_eq(virtq_queue_init(&q, 0), -EINVAL);
	cr_expect_eq(virtq_queue_init(&q, 3), -EINVAL);
	cr_expect_eq(virtq_queue_init(&q, 1000), -EINVAL);
	cr_expect_eq(virtq_queue_init(&q, 32768), 0);
	cr_expect_eq(q.size, 32768, "size defaults to the maximum");
}

Test(config, size_above_max_refused, .init = unconfigured, .fini = fini_unconfigured)
{
	cr_assert_eq(virtq_queue_set_size(&e.q, 512), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), -EINVAL);
	cr_expect_not(e.q.ready);
}

Test(config, size_not_power_of_two_refused, .init = unconfigured, .fini = fini_unconfigured)
{
	cr_assert_eq(virtq_queue_set_size(&e.q, 100), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), -EINVAL);
}

Test(config, size_zero_refused, .init = unconfigured, .fini = fini_unconfigured)
{
	cr_assert_eq(virtq_queue_set_size(&e.q, 0), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), -EINVAL);
}

Test(config, smaller_power_of_two_accepted, .init = unconfigured, .fini = fini_unconfigured)
{
	cr_assert_eq(virtq_queue_set_size(&e.q, 1), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), 0);
	cr_expect(virtq_queue_is_live(&e.q));
}

Test(config, desc_table_needs_16_byte_alignment, .init = unconfigured, .fini = fini_unconfigured)
{
	cr_assert_eq(virtq_queue_set_desc_table(&e.q, 0x1008), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), -EINVAL);
}

Test(config, avail_ring_needs_2_byte_alignment, .init = unconfigured, .fini = fini_unconfigured)
{
	cr_assert_eq(virtq_queue_set_avail_ring(&e.q, 0x2001), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), -EINVAL);
	cr_assert_eq(virtq_queue_set_avail_ring(&e.q, 0x2002), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), 0);
}

Test(config, used_ring_needs_4_byte_alignment, .init = unconfigured, .fini = fini_unconfigured)
{
	cr_assert_eq(virtq_queue_set_used_ring(&e.q, 0x3002), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), -EINVAL);
	cr_assert_eq(virtq_queue_set_used_ring(&e.q, 0x3004), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), 0);
}

Test(config, desc_table_in_mmio_hole_refused, .init = unconfigured, .fini = fini_unconfigured)
{
	cr_assert_eq(virtq_queue_set_desc_table(&e.q, T_HOLE), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), -EFAULT);
}

Test(config, avail_ring_partly_outside_ram_refused, .init = unconfigured, .fini = fini_unconfigured)
{
	/* The event field at the end is what falls off the end of RAM. */
	cr_assert_eq(virtq_queue_set_avail_ring(&e.q, T_LOW_END - 4 - 2 * 256), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), -EFAULT);
	cr_assert_eq(virtq_queue_set_avail_ring(&e.q, T_LOW_END - 6 - 2 * 256), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), 0);
}

Test(config, used_ring_wrapping_2_64_refused, .init = unconfigured, .fini = fini_unconfigured)
{
	cr_assert_eq(virtq_queue_set_used_ring(&e.q, UINT64_MAX - 7), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), -EFAULT);
}

Test(config, used_ring_beyond_ram_refused, .init = unconfigured, .fini = fini_unconfigured)
{
	cr_assert_eq(virtq_queue_set_used_ring(&e.q, T_HIGH_BASE + T_HIGH_SIZE), 0);
	cr_expect_eq(virtq_queue_set_ready(&e.q, e.mem), -EFAULT);
}

Test(config, setters_refused_while_ready, .init = ready16, .fini = fini)
{
	cr_expect_eq(virtq_queue_set_size(&e.q, 8), -EBUSY);
	cr_expect_eq(virtq_queue_set_desc_table(&e.q, 0x9000), -EBUSY);
	cr_expect_eq(virtq_queue_set_avail_ring(&e.q, 0x9000), -EBUSY);
	cr_expect_eq(virtq_queue_set_used_ring(&e.q, 0x9000), -EBUSY);
	cr_expect_eq(virtq_queue_set_features(&e.q, T_F_EVENT_IDX), -EBUSY);
	cr_expect_eq(e.q.size, 16);
}

Test(config, not_ready_queue_refuses_use, .init = unconfigured, .fini = fini_unconfigured)
{
	struct virtq_chain c;

	cr_expect_eq(virtq_queue_pop(&e.q, &c), -EINVAL);
	cr_expect_eq(virtq_queue_add_used(&e.q, 0, 0), -EINVAL);
	cr_expect_eq(virtq_queue_pending(&e.q), -EINVAL);
	cr_expect_eq(virtq_queue_needs_notification(&e.q), -EINVAL);
}

Test(config, reset_keeps_max_size_and_clears_the_rest, .init = ready16, .fini = fini)
{
	virtq_queue_reset(&e.q);
	cr_expect_eq(e.q.max_size, 16);
	cr_expect_eq(e.q.size, 16);
	cr_expect_eq(e.q.desc_table, 0);
	cr_expect_not(e.q.ready);
	cr_expect_not(e.q.event_idx);
}

Test(ring, empty_ring_pops_nothing, .init = ready16, .fini = fini)
{
	struct virtq_chain c;

	cr_expect_eq(virtq_queue_pending(&e.q), 0);
	cr_expect_eq(virtq_queue_pop(&e.q, &c), 0);
}

Test(ring, pop_and_add_used_round_trip, .init = ready16, .fini = fini)
{
	struct virtq_buf b[2] = { { T_DATA, 16, false }, { T_DATA + 16, 512, true } };
	struct virtq_chain c;
	uint16_t head, h2;
	uint32_t len;

	cr_assert_eq(virtq_driver_add(e.drv, b, 2, &head), 0);
	cr_assert_geq(virtq_driver_publish(e.drv), 0);
	cr_expect_eq(virtq_queue_pending(&e.q), 1);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(c.head, head);
	cr_expect_eq(e.q.inflight_count, 1);
	cr_assert_eq(virtq_queue_add_used(&e.q, c.head, 100), 0);
	cr_expect_eq(e.q.inflight_count, 0);
	cr_assert_eq(virtq_driver_get_used(e.drv, &h2, &len), 1);
	cr_expect_eq(h2, head);
	cr_expect_eq(len, 100);
	cr_expect_eq(virtq_queue_pop(&e.q, &c), 0);
}

Test(ring, indices_wrap_at_2_16, .init = ready16, .fini = fini)
{
	struct virtq_buf b = { T_DATA, 8, true };
	struct virtq_chain c;
	uint16_t head;
	uint32_t len;

	/* 70000 round trips cross the 16-bit wrap of every index. */
	for (int i = 0; i < 70000; i++) {
		cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
		cr_assert_geq(virtq_driver_publish(e.drv), 0);
		cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
		cr_assert_eq(virtq_queue_add_used(&e.q, c.head, 8), 0);
		cr_assert_eq(virtq_driver_get_used(e.drv, &head, &len), 1);
	}
	cr_expect_eq(e.q.next_avail, (uint16_t)70000);
	cr_expect(virtq_queue_is_live(&e.q));
}

Test(ring, full_ring_of_size_entries_accepted, .init = ready16, .fini = fini)
{
	struct virtq_buf b = { T_DATA, 8, true };
	struct virtq_chain c;
	uint16_t head;

	for (int i = 0; i < 16; i++)
		cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_assert_geq(virtq_driver_publish(e.drv), 0);
	cr_expect_eq(virtq_queue_pending(&e.q), 16);
	for (int i = 0; i < 16; i++)
		cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(virtq_queue_pop(&e.q, &c), 0);
}

Test(hostile, avail_index_jump_beyond_size_breaks_queue, .init = ready16, .fini = fini)
{
	struct virtq_chain c;

	cr_assert_eq(virtq_driver_set_avail_idx(e.drv, 17), 0);
	cr_expect_eq(virtq_queue_pop(&e.q, &c), -EBADMSG);
	cr_expect(e.q.broken);
	cr_expect_eq(virtq_queue_pop(&e.q, &c), -EBADMSG, "stays broken");
	cr_expect_eq(virtq_queue_pending(&e.q), -EBADMSG);
}

Test(hostile, avail_index_going_backwards_breaks_queue, .init = ready16, .fini = fini)
{
	struct virtq_chain c;

	cr_assert_eq(virtq_driver_set_avail_idx(e.drv, 0xffff), 0);
	cr_expect_eq(virtq_queue_pop(&e.q, &c), -EBADMSG);
}

Test(hostile, head_out_of_range_breaks_queue, .init = ready16, .fini = fini)
{
	struct virtq_chain c;

	t_publish_head(&e, 16);
	cr_expect_eq(virtq_queue_pop(&e.q, &c), -EBADMSG);
	cr_expect(e.q.broken);
	cr_expect_eq(e.q.inflight_count, 0);
}

Test(hostile, same_head_twice_in_flight_breaks_queue, .init = ready16, .fini = fini)
{
	struct virtq_chain c;

	t_raw(&e, 3, T_DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	t_publish_head(&e, 3);
	t_publish_head(&e, 3);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(virtq_queue_pop(&e.q, &c), -EBADMSG);
	cr_expect(e.q.broken);
}

Test(hostile, same_head_again_after_return_is_fine, .init = ready16, .fini = fini)
{
	struct virtq_chain c;

	t_raw(&e, 3, T_DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	t_publish_head(&e, 3);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_assert_eq(virtq_queue_add_used(&e.q, 3, 0), 0);
	t_publish_head(&e, 3);
	cr_expect_eq(virtq_queue_pop(&e.q, &c), 1);
}

Test(hostile, broken_queue_works_after_reset, .init = ready16, .fini = fini)
{
	struct virtq_buf b = { T_DATA, 8, true };
	struct virtq_chain c;
	uint16_t head;

	cr_assert_eq(virtq_driver_set_avail_idx(e.drv, 100), 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), -EBADMSG);
	/* What a driver does after NEEDS_RESET: reset, lay out again. */
	virtq_driver_free(e.drv);
	virtq_queue_reset(&e.q);
	cr_assert_eq(virtq_driver_new(e.mem, 16, T_RING_BASE, 0, &e.drv), 0);
	cr_assert_eq(virtq_queue_set_desc_table(&e.q, virtq_driver_desc_addr(e.drv)), 0);
	cr_assert_eq(virtq_queue_set_avail_ring(&e.q, virtq_driver_avail_addr(e.drv)), 0);
	cr_assert_eq(virtq_queue_set_used_ring(&e.q, virtq_driver_used_addr(e.drv)), 0);
	cr_assert_eq(virtq_queue_set_ready(&e.q, e.mem), 0);
	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_assert_geq(virtq_driver_publish(e.drv), 0);
	cr_expect_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(virtq_queue_add_used(&e.q, c.head, 8), 0);
}

Test(used, add_used_of_head_not_in_flight_refused, .init = ready16, .fini = fini)
{
	uint16_t idx;

	cr_expect_eq(virtq_queue_add_used(&e.q, 2, 0), -EINVAL);
	cr_expect_eq(virtq_queue_add_used(&e.q, 16, 0), -EINVAL);
	cr_assert_eq(vmmem_load_u16(e.mem, virtq_driver_used_addr(e.drv) + 2, &idx), 0);
	cr_expect_eq(idx, 0, "the used ring is untouched");
	cr_expect_not(e.q.broken, "a device bug is not the driver's fault");
}

Test(used, add_used_writes_element_and_index, .init = ready16, .fini = fini)
{
	struct virtq_chain c;
	uint64_t used = virtq_driver_used_addr(e.drv);
	uint32_t id, len;
	uint16_t idx;

	t_raw(&e, 5, T_DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	t_publish_head(&e, 5);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_assert_eq(virtq_queue_add_used(&e.q, 5, 0x1234), 0);
	cr_assert_eq(vmmem_load_u32(e.mem, used + 4, &id), 0);
	cr_assert_eq(vmmem_load_u32(e.mem, used + 8, &len), 0);
	cr_assert_eq(vmmem_load_u16(e.mem, used + 2, &idx), 0);
	cr_expect_eq(id, 5);
	cr_expect_eq(len, 0x1234);
	cr_expect_eq(idx, 1);
}

Test(used, unpop_returns_the_same_head_again, .init = ready16, .fini = fini)
{
	struct virtq_chain c, c2;

	t_raw(&e, 7, T_DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	t_publish_head(&e, 7);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_assert_eq(virtq_queue_unpop(&e.q, &c), 0);
	cr_expect_eq(e.q.inflight_count, 0);
	cr_expect_eq(virtq_queue_unpop(&e.q, &c), -EINVAL, "only once");
	cr_assert_eq(virtq_queue_pop(&e.q, &c2), 1);
	cr_expect_eq(c2.head, 7);
}

Test(used, unpop_of_an_older_chain_refused, .init = ready16, .fini = fini)
{
	struct virtq_chain c1, c2;

	t_raw(&e, 1, T_DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	t_raw(&e, 2, T_DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	t_publish_head(&e, 1);
	t_publish_head(&e, 2);
	cr_assert_eq(virtq_queue_pop(&e.q, &c1), 1);
	cr_assert_eq(virtq_queue_pop(&e.q, &c2), 1);
	cr_expect_eq(virtq_queue_unpop(&e.q, &c1), -EINVAL);
	cr_expect_eq(virtq_queue_unpop(&e.q, &c2), 0);
}

Test(used, set_not_ready_forgets_in_flight_heads, .init = ready16, .fini = fini)
{
	struct virtq_chain c;

	t_raw(&e, 1, T_DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	t_publish_head(&e, 1);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	virtq_queue_set_not_ready(&e.q);
	cr_expect_eq(e.q.inflight_count, 0);
	cr_expect_eq(virtq_queue_add_used(&e.q, 1, 0), -EINVAL);
}
