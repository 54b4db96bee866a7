// SPDX-License-Identifier: MIT
// Queue save/restore: a round trip keeps the indices and the rings, and
// restore re-validates a state as untrusted input.
#include <errno.h>

#include "harness.h"

static struct t_env e;

static void ready(void) { t_setup(&e, 16, VIRTQ_DRIVER_EVENT_IDX, T_F_EVENT_IDX); }
static void fini(void) { t_teardown(&e); }

static void round_trip(void)
{
	struct virtq_buf b = { T_DATA, 8, true };
	struct virtq_chain c;
	uint16_t head;
	uint32_t len;

	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_assert_geq(virtq_driver_publish(e.drv), 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_assert_eq(virtq_queue_add_used(&e.q, c.head, 8), 0);
	cr_assert_eq(virtq_driver_get_used(e.drv, &head, &len), 1);
}

static struct virtq_queue_state saved(void)
{
	struct virtq_queue_state st;

	round_trip();
	round_trip();
	cr_assert_eq(virtq_queue_save(&e.q, &st), 0);
	return st;
}

Test(state, round_trip_continues_where_it_left, .init = ready, .fini = fini)
{
	struct virtq_queue_state st = saved();

	cr_expect_eq(st.next_avail, 2);
	cr_expect_eq(st.next_used, 2);
	virtq_queue_reset(&e.q);
	cr_assert_eq(virtq_queue_restore(&e.q, e.mem, &st), 0);
	cr_expect(virtq_queue_is_live(&e.q));
	cr_expect(e.q.event_idx);
	round_trip();
	cr_expect_eq(e.q.next_used, 3);
}

Test(state, not_ready_state_restores_configuration_only, .init = ready, .fini = fini)
{
	struct virtq_queue_state st;

	virtq_queue_set_not_ready(&e.q);
	cr_assert_eq(virtq_queue_save(&e.q, &st), 0);
	cr_assert_eq(virtq_queue_restore(&e.q, e.mem, &st), 0);
	cr_expect_not(e.q.ready);
	cr_expect_eq(e.q.desc_table, virtq_driver_desc_addr(e.drv));
}

Test(state, save_with_heads_in_flight_refused, .init = ready, .fini = fini)
{
	struct virtq_buf b = { T_DATA, 8, true };
	struct virtq_queue_state st;
	struct virtq_chain c;
	uint16_t head;

	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_assert_geq(virtq_driver_publish(e.drv), 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(virtq_queue_save(&e.q, &st), -EBUSY);
}

Test(state, restore_refuses_other_max_size, .init = ready, .fini = fini)
{
	struct virtq_queue_state st = saved();

	st.max_size = 32;
	cr_expect_eq(virtq_queue_restore(&e.q, e.mem, &st), -EINVAL);
	cr_expect_not(e.q.ready, "left reset");
	cr_expect_eq(e.q.desc_table, 0);
}

Test(state, restore_refuses_bad_size, .init = ready, .fini = fini)
{
	struct virtq_queue_state st = saved();

	st.size = 12;
	cr_expect_eq(virtq_queue_restore(&e.q, e.mem, &st), -EINVAL);
}

Test(state, restore_refuses_non_boolean_flags, .init = ready, .fini = fini)
{
	struct virtq_queue_state st = saved();

	st.event_idx = 2;
	cr_expect_eq(virtq_queue_restore(&e.q, e.mem, &st), -EINVAL);
}

Test(state, restore_refuses_misaligned_ring, .init = ready, .fini = fini)
{
	struct virtq_queue_state st = saved();

	st.used_ring += 2;
	cr_expect_eq(virtq_queue_restore(&e.q, e.mem, &st), -EINVAL);
}

Test(state, restore_refuses_ring_in_mmio_hole, .init = ready, .fini = fini)
{
	struct virtq_queue_state st = saved();

	st.desc_table = T_HOLE;
	cr_expect_eq(virtq_queue_restore(&e.q, e.mem, &st), -EFAULT);
	cr_expect_not(e.q.ready);
}

Test(state, restore_keeps_broken_queue_broken, .init = ready, .fini = fini)
{
	struct virtq_queue_state st = saved();

	st.broken = 1;
	cr_assert_eq(virtq_queue_restore(&e.q, e.mem, &st), 0);
	cr_expect_not(virtq_queue_is_live(&e.q));
}

Test(state, restore_refuses_indices_implying_heads_in_flight, .init = ready, .fini = fini)
{
	struct virtq_queue_state st = saved();

	st.next_avail = (uint16_t)(st.next_used + 3);
	cr_expect_eq(virtq_queue_restore(&e.q, e.mem, &st), -EINVAL);
	cr_expect_not(e.q.ready);
}

Test(state, restore_accepts_indices_near_the_wrap, .init = ready, .fini = fini)
{
	struct virtq_queue_state st = saved();

	st.next_avail = st.next_used = 0xffff;
	cr_assert_eq(virtq_queue_restore(&e.q, e.mem, &st), 0);
	cr_expect_eq(e.q.next_avail, 0xffff);
}
