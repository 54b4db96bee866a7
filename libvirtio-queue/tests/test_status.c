// SPDX-License-Identifier: MIT
// The device status state machine (virtio 1.2 §2.1, §3.1.1) and the
// states in which queue configuration is accepted (§4.2.3.2).  One test
// per transition rule.
#include "mmio_harness.h"

static struct m_env m;

static void setup(void) { m_init(&m); }
static void teardown(void) { m_fini(&m); }

TestSuite(status, .init = setup, .fini = teardown);
TestSuite(queue_regs, .init = setup, .fini = teardown);

Test(status, reads_back_each_step)
{
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_STATUS), ACK);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | DRV), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_STATUS), ACK | DRV);
}

Test(status, several_steps_in_one_write_accepted)
{
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | DRV), 0);
	cr_expect_eq(m_status(&m), ACK | DRV);
}

Test(status, driver_without_acknowledge_refused)
{
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, DRV), -EINVAL);
	cr_expect_eq(m_status(&m), 0);
}

Test(status, features_ok_without_driver_refused)
{
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | FOK), -EINVAL);
	cr_expect_eq(m_status(&m), ACK);
}

Test(status, driver_ok_without_features_ok_refused)
{
	m_to_driver(&m);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | DRV | DOK), -EINVAL);
	cr_expect_eq(m_status(&m), ACK | DRV);
	cr_expect_eq(m.dev.activations, 0);
}

Test(status, clearing_a_bit_refused)
{
	m_to_features_ok(&m);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | FOK), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK), -EINVAL);
	cr_expect_eq(m_status(&m), ACK | DRV | FOK);
}

Test(status, unknown_bits_refused)
{
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | 0x10), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | 0x20), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0x100 | ACK), -EINVAL);
	cr_expect_eq(m_status(&m), 0);
}

Test(status, driver_may_not_set_needs_reset)
{
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | NRESET), -EINVAL);
	cr_expect_eq(m_status(&m), 0);
}

Test(status, driver_echoing_needs_reset_is_accepted)
{
	m_probe(&m, M_OFFER);
	virtq_mmio_needs_reset(&m.dev.mmio);
	/* Linux ORs a bit into what it read, NEEDS_RESET included. */
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, m_status(&m) | FAILED), 0);
	cr_expect_eq(m_status(&m), ACK | DRV | FOK | DOK | NRESET | FAILED);
}

Test(status, failed_accepted_any_time_then_only_reset)
{
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | FAILED), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | DRV | FAILED), -EPERM);
	cr_expect_eq(m_status(&m), ACK | FAILED);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0), 0);
	cr_expect_eq(m_status(&m), 0);
}

Test(status, rewriting_the_same_value_is_harmless)
{
	m_probe(&m, M_OFFER);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK), 0);
	cr_expect_eq(m.dev.activations, 1, "activate is not repeated");
}

Test(status, driver_ok_activates_with_negotiated_features)
{
	m_probe(&m, M_BIT(ECHO_F_UPPER));
	cr_expect_eq(m.dev.activations, 1);
	cr_expect_eq(m.dev.activated_features, M_BIT(ECHO_F_UPPER) | M_BIT(VIRTIO_F_VERSION_1));
}

Test(status, failed_activation_sets_needs_reset)
{
	uint64_t f;

	m.dev.activate_ret = -EIO;
	cr_assert_eq(virtq_driver_mmio_negotiate(&m.dev.mmio, 0, &f), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK), -EIO);
	cr_expect(m_needs_reset(&m));
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	m.dev.activate_ret = 0;
	m_recover(&m);
}

Test(status, write_zero_resets_everything)
{
	m_probe(&m, M_OFFER);
	m_echo_ok(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0), 0);
	cr_expect_eq(m.dev.resets, 2, "the probe's reset and this one");
	cr_expect_eq(m_status(&m), 0);
	cr_expect_eq(virtq_mmio_features(&m.dev.mmio), 0);
	cr_expect_not(m.dev.queues[0].ready);
	cr_expect_eq(m.dev.queues[0].desc_table, 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_QUEUE_READY), 0);
}

Test(status, config_generation_survives_reset)
{
	virtq_mmio_config_changed(&m.dev.mmio);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_CONFIG_GENERATION), 1);
}

Test(status, needs_reset_before_driver_ok_blocks_progress)
{
	m_to_features_ok(&m);
	virtq_mmio_needs_reset(&m.dev.mmio);
	cr_expect_eq(m.dev.irqs, 0, "no config interrupt before DRIVER_OK");
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK | NRESET), -EPERM);
	cr_expect_eq(m.dev.activations, 0);
	m_recover(&m);
}

Test(queue_regs, refused_before_features_ok)
{
	m_to_driver(&m);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NUM, 8), -EPERM);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000), -EPERM);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_READY, 1), -EPERM);
	cr_expect_eq(m.dev.queues[0].size, ECHO_QUEUE_MAX);
	cr_expect_eq(m.dev.queues[0].desc_table, 0);
	cr_expect_not(m.dev.queues[0].ready);
}

Test(queue_regs, refused_after_failed)
{
	m_to_features_ok(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, m_status(&m) | FAILED), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NUM, 8), -EPERM);
}

Test(queue_regs, addresses_are_assembled_from_halves)
{
	m_to_features_ok(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x12345670), 0);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x9), 0);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0x1), 0);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_AVAIL_LOW, 0x2), 0);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_USED_LOW, 0x4), 0);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_USED_HIGH, 0xffffffff), 0);
	cr_expect_eq(m.dev.queues[0].desc_table, 0x912345670ull);
	cr_expect_eq(m.dev.queues[0].avail_ring, 0x100000002ull);
	cr_expect_eq(m.dev.queues[0].used_ring, 0xffffffff00000004ull);
}

Test(queue_regs, selector_picks_the_queue)
{
	m_to_features_ok(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_SEL, 1), 0);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NUM, 4), 0);
	cr_expect_eq(m.dev.queues[1].size, 4);
	cr_expect_eq(m.dev.queues[0].size, ECHO_QUEUE_MAX);
}

Test(queue_regs, write_to_missing_queue_refused)
{
	m_to_features_ok(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_SEL, 7), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NUM, 4), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_READY, 1), -EINVAL);
}

Test(queue_regs, queue_num_above_16_bits_refused)
{
	m_to_features_ok(&m);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NUM, 0x10008), -EINVAL);
	cr_expect_eq(m.dev.queues[0].size, ECHO_QUEUE_MAX);
}

Test(queue_regs, ready_validates_and_bad_queue_needs_reset)
{
	m_to_features_ok(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NUM, 12), 0);	/* not a power of 2 */
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_READY, 1), -EINVAL);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_QUEUE_READY), 0);
	cr_expect(m_needs_reset(&m));
	m_recover(&m);
}

Test(queue_regs, ring_in_mmio_hole_never_becomes_ready)
{
	m_to_features_ok(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_DESC_LOW, T_HOLE), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_READY, 1), -EFAULT);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_QUEUE_READY), 0);
	cr_expect(m_needs_reset(&m));
	m_recover(&m);
}

Test(queue_regs, ready_value_other_than_0_1_refused)
{
	m_to_features_ok(&m);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_READY, 2), -EINVAL);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_QUEUE_READY), 0);
}

Test(queue_regs, ready_queue_not_reconfigured_before_driver_ok)
{
	struct virtq_driver *drv;
	uint64_t f;

	cr_assert_eq(virtq_driver_mmio_negotiate(&m.dev.mmio, 0, &f), 0);
	cr_assert_eq(virtq_driver_new(m.mem, 16, T_RING_BASE, 0, &drv), 0);
	cr_assert_eq(virtq_driver_mmio_setup_queue(&m.dev.mmio, 0, drv), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x8000), -EBUSY);
	cr_expect_eq(m.dev.queues[0].desc_table, virtq_driver_desc_addr(drv));
	cr_expect_not(m_needs_reset(&m));
	/* Deactivating and reprogramming is allowed before DRIVER_OK. */
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_READY, 0), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x8000), 0);
	virtq_driver_free(drv);
}

Test(queue_regs, queue_ready_0_after_reset_is_harmless)
{
	m_probe(&m, M_OFFER);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0), 0);
	/* Linux's vm_del_vq after the reset of a removal. */
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_SEL, 0), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_READY, 0), 0);
	cr_expect_eq(m_status(&m), 0);
}
