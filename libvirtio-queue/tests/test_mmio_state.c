// SPDX-License-Identifier: MIT
// Save and restore of a virtio-mmio device with its queues: a running
// device continues after a round trip, and restore refuses any state a
// driver could not have produced through the registers.
#include <stdlib.h>

#include "mmio_harness.h"

static struct m_env m;
static struct virtq_mmio_state st;

static void setup(void) { m_init(&m); }
static void teardown(void) { m_fini(&m); }

TestSuite(mmio_state, .init = setup, .fini = teardown);

static void save_running(void)
{
	m_probe(&m, M_OFFER);
	m_echo_ok(&m);
	cr_assert_eq(virtq_mmio_save(&m.dev.mmio, &st), 0);
}

static void expect_refused(void)
{
	int resets = m.dev.resets;

	cr_expect_eq(virtq_mmio_restore(&m.dev.mmio, &st), -EINVAL);
	cr_expect_eq(m_status(&m), 0, "left reset");
	cr_expect_not(m.dev.queues[0].ready);
	cr_expect_geq(m.dev.resets, resets + 1);
}

Test(mmio_state, round_trip_of_a_running_device)
{
	save_running();
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0), 0);
	m.dev.activations = 0;
	cr_assert_eq(virtq_mmio_restore(&m.dev.mmio, &st), 0);
	cr_expect_eq(m_status(&m), 0xf);
	cr_expect_eq(m.dev.activations, 1, "a restored DRIVER_OK device is activated");
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	m_echo_ok(&m);
}

Test(mmio_state, round_trip_into_a_fresh_device)
{
	struct echo_dev *other = calloc(1, sizeof(*other));

	save_running();
	cr_assert_eq(echo_init(other, m.mem, M_OFFER), 0);
	cr_assert_eq(virtq_mmio_restore(&other->mmio, &st), 0);
	cr_expect_eq(virtq_mmio_status(&other->mmio), 0xf);
	cr_expect_eq(other->queues[0].next_avail, 1);
	cr_expect_eq(other->queues[0].desc_table, m.dev.queues[0].desc_table);
	free(other);
}

Test(mmio_state, save_with_heads_in_flight_refused)
{
	struct virtq_buf b = { T_DATA, 8, true };
	struct virtq_chain c;
	uint16_t head;

	m_probe(&m, M_OFFER);
	cr_assert_eq(virtq_driver_add(m.drv, &b, 1, &head), 0);
	cr_assert_geq(virtq_driver_publish(m.drv), 0);
	cr_assert_eq(virtq_queue_pop(&m.dev.queues[0], &c), 1);
	cr_expect_eq(virtq_mmio_save(&m.dev.mmio, &st), -EBUSY);
}

Test(mmio_state, before_features_ok_any_driver_features_restore)
{
	/* Regression (found by the fuzzer): DriverFeatures may hold bits the
	 * device never offered until FEATURES_OK is attempted. */
	m_to_driver(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0), 0);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES, 1u << 27), 0);
	cr_assert_eq(virtq_mmio_save(&m.dev.mmio, &st), 0);
	cr_expect_eq(virtq_mmio_restore(&m.dev.mmio, &st), 0);
	cr_expect_eq(m_status(&m), 0x3);
}

Test(mmio_state, activation_failure_on_restore_resets)
{
	save_running();
	m.dev.activate_ret = -EIO;
	cr_expect_eq(virtq_mmio_restore(&m.dev.mmio, &st), -EIO);
	cr_expect_eq(m_status(&m), 0);
}

Test(mmio_state, other_offered_features_refused)
{
	save_running();
	st.device_features ^= M_BIT(ECHO_F_UPPER);
	expect_refused();
}

Test(mmio_state, acked_but_not_offered_refused)
{
	save_running();
	st.driver_features |= M_BIT(7);
	expect_refused();
}

Test(mmio_state, features_ok_without_version_1_refused)
{
	save_running();
	st.driver_features &= ~M_BIT(VIRTIO_F_VERSION_1);
	expect_refused();
}

Test(mmio_state, unreachable_status_refused)
{
	save_running();
	st.status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER_OK;
	expect_refused();
}

Test(mmio_state, unknown_status_bits_refused)
{
	save_running();
	st.status |= 0x10;
	expect_refused();
}

Test(mmio_state, unknown_interrupt_bits_refused)
{
	save_running();
	st.interrupt_status = 4;
	expect_refused();
}

Test(mmio_state, other_queue_count_refused)
{
	save_running();
	st.num_queues = 1;
	expect_refused();
}

Test(mmio_state, ready_queue_before_features_ok_refused)
{
	save_running();
	st.status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	st.queues[0].event_idx = 0;
	st.queues[0].indirect = 0;
	expect_refused();
}

Test(mmio_state, queue_features_differing_from_negotiated_refused)
{
	save_running();
	st.queues[1].event_idx = 0;
	expect_refused();
}

Test(mmio_state, queue_ring_in_mmio_hole_refused)
{
	save_running();
	st.queues[0].avail_ring = T_HOLE;
	cr_expect_eq(virtq_mmio_restore(&m.dev.mmio, &st), -EFAULT);
	cr_expect_eq(m_status(&m), 0);
}
