// SPDX-License-Identifier: MIT
// The virtio-mmio register file, version 2 (virtio 1.2 §4.2.2): identity,
// access widths, feature negotiation, interrupts, configuration space and
// the probe sequence of Linux's virtio_mmio driver end to end.
#include "mmio_harness.h"

static struct m_env m;

static void setup(void) { m_init(&m); }
static void teardown(void) { m_fini(&m); }

TestSuite(regs, .init = setup, .fini = teardown);
TestSuite(features, .init = setup, .fini = teardown);
TestSuite(irq, .init = setup, .fini = teardown);
TestSuite(config, .init = setup, .fini = teardown);
TestSuite(notify, .init = setup, .fini = teardown);
TestSuite(probe, .init = setup, .fini = teardown);

Test(regs, identity)
{
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_VERSION), 2);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_DEVICE_ID), ECHO_DEVICE_ID);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_VENDOR_ID), ECHO_VENDOR_ID);
}

Test(regs, narrow_control_read_refused)
{
	uint64_t v = 0xdead;

	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, VIRTIO_MMIO_MAGIC_VALUE, 1, &v), -EINVAL);
	cr_expect_eq(v, 0);
	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, VIRTIO_MMIO_MAGIC_VALUE, 2, &v), -EINVAL);
	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, VIRTIO_MMIO_MAGIC_VALUE, 8, &v), -EINVAL);
}

Test(regs, misaligned_control_read_refused)
{
	uint64_t v = 1;

	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, VIRTIO_MMIO_MAGIC_VALUE + 2, 4, &v), -EINVAL);
	cr_expect_eq(v, 0);
}

Test(regs, wrong_width_status_write_ignored)
{
	cr_expect_eq(virtq_mmio_write(&m.dev.mmio, VIRTIO_MMIO_STATUS, 1,
				      VIRTIO_CONFIG_S_ACKNOWLEDGE), -EINVAL);
	cr_expect_eq(virtq_mmio_write(&m.dev.mmio, VIRTIO_MMIO_STATUS, 8,
				      VIRTIO_CONFIG_S_ACKNOWLEDGE), -EINVAL);
	cr_expect_eq(virtq_mmio_write(&m.dev.mmio, VIRTIO_MMIO_STATUS + 1, 4,
				      VIRTIO_CONFIG_S_ACKNOWLEDGE), -EINVAL);
	cr_expect_eq(m_status(&m), 0);
}

Test(regs, write_to_read_only_register_refused)
{
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_MAGIC_VALUE, 0), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_DEVICE_FEATURES, 0), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_INTERRUPT_STATUS, 0), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_CONFIG_GENERATION, 0), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NUM_MAX, 0), -EINVAL);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
}

Test(regs, read_of_write_only_register_refused)
{
	uint64_t v = 1;

	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, VIRTIO_MMIO_QUEUE_NUM, 4, &v), -EINVAL);
	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 4, &v), -EINVAL);
	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, VIRTIO_MMIO_DRIVER_FEATURES, 4, &v), -EINVAL);
	cr_expect_eq(v, 0);
}

Test(regs, legacy_registers_absent)
{
	uint64_t v;

	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, VIRTIO_MMIO_QUEUE_PFN, 4, &v), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_ALIGN, 4096), -EINVAL);
}

Test(regs, no_shared_memory_regions)
{
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_SHM_SEL, 0), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffff);
}

Test(regs, queue_num_max_per_selected_queue)
{
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_QUEUE_NUM_MAX), ECHO_QUEUE_MAX);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_SEL, 1), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_QUEUE_NUM_MAX), ECHO_QUEUE_MAX);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_SEL, ECHO_QUEUES), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_QUEUE_NUM_MAX), 0, "no such queue");
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_QUEUE_READY), 0);
}

Test(regs, init_refuses_bad_configuration)
{
	struct virtq_mmio dev;
	struct virtq_device_ops old = echo_ops;
	struct virtq_mmio_config cfg = {
		.ops = &echo_ops, .ctx = &m.dev, .queues = m.dev.queues, .num_queues = 1,
		.mem = m.mem,
	};

	cr_expect_eq(virtq_mmio_init(&dev, &cfg), 0);
	cfg.num_queues = 0;
	cr_expect_eq(virtq_mmio_init(&dev, &cfg), -EINVAL);
	cfg.num_queues = VIRTQ_MMIO_MAX_QUEUES + 1;
	cr_expect_eq(virtq_mmio_init(&dev, &cfg), -EINVAL);
	cfg.num_queues = 1;
	cfg.config_size = 0xf01;
	cr_expect_eq(virtq_mmio_init(&dev, &cfg), -EINVAL);
	cfg.config_size = 0;
	old.version = VIRTQ_DEVICE_OPS_VERSION + 1;
	cfg.ops = &old;
	cr_expect_eq(virtq_mmio_init(&dev, &cfg), -EINVAL);
	cfg.ops = NULL;
	cr_expect_eq(virtq_mmio_init(&dev, &cfg), -EINVAL);
}

Test(regs, init_refuses_uninitialised_queue)
{
	struct virtq_queue q = { .max_size = 0 };
	struct virtq_mmio dev;
	struct virtq_mmio_config cfg = {
		.ops = &echo_ops, .ctx = &m.dev, .queues = &q, .num_queues = 1,
		.mem = m.mem,
	};

	cr_expect_eq(virtq_mmio_init(&dev, &cfg), -EINVAL);
	q.max_size = 12;
	cr_expect_eq(virtq_mmio_init(&dev, &cfg), -EINVAL);
	q.max_size = 8;
	cr_expect_eq(virtq_mmio_init(&dev, &cfg), 0);
}

static uint64_t offered(void)
{
	uint64_t lo, hi;

	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0), 0);
	lo = m_rd(&m, VIRTIO_MMIO_DEVICE_FEATURES);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1), 0);
	hi = m_rd(&m, VIRTIO_MMIO_DEVICE_FEATURES);
	return hi << 32 | lo;
}

Test(features, paged_device_features)
{
	cr_expect_eq(offered(), M_OFFER | M_BIT(VIRTIO_F_VERSION_1));
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_DEVICE_FEATURES), 0, "pages past 1 are empty");
}

Test(features, unimplemented_transport_bits_never_offered)
{
	m.dev.offer = M_BIT(VIRTIO_F_RING_PACKED) | M_BIT(VIRTIO_F_ACCESS_PLATFORM) |
		      M_BIT(VIRTIO_F_IN_ORDER) | M_BIT(VIRTIO_F_RING_RESET) |
		      M_BIT(VIRTIO_F_NOTIFY_ON_EMPTY) | M_BIT(3) | M_BIT(55);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0), 0);	/* re-read at reset */
	cr_expect_eq(offered(), M_BIT(3) | M_BIT(55) | M_BIT(VIRTIO_F_VERSION_1));
}

Test(features, version_1_always_offered)
{
	m.dev.offer = 0;
	virtq_mmio_reset(&m.dev.mmio);
	cr_expect_eq(offered(), M_BIT(VIRTIO_F_VERSION_1));
}

Test(features, features_ok_refused_for_unoffered_feature)
{
	m_to_driver(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0), 0);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES, 1u << 5), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0xb), -EINVAL);
	cr_expect_eq(m_status(&m), 0x3, "FEATURES_OK stays clear");
}

Test(features, features_ok_refused_without_version_1)
{
	m_to_driver(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1), 0);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES, 0), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0xb), -EINVAL);
	cr_expect_eq(m_status(&m), 0x3);
}

Test(features, features_ok_accepted_and_applied_to_queues)
{
	m_to_driver(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0), 0);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_F_EVENT_IDX), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0xb), 0);
	cr_expect_eq(m_status(&m), 0xb);
	cr_expect_eq(virtq_mmio_features(&m.dev.mmio),
		     M_BIT(VIRTIO_F_EVENT_IDX) | M_BIT(VIRTIO_F_VERSION_1));
	cr_expect(m.dev.queues[0].event_idx);
	cr_expect(m.dev.queues[1].event_idx);
	cr_expect_not(m.dev.queues[0].indirect);
}

Test(features, driver_features_write_before_driver_refused)
{
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES, 1), -EPERM);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 1), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES, 1), -EPERM);
}

Test(features, driver_features_frozen_after_features_ok)
{
	m_to_features_ok(&m);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES, 0), -EPERM);
	cr_expect_eq(virtq_mmio_features(&m.dev.mmio), M_BIT(VIRTIO_F_VERSION_1));
}

Test(features, driver_features_page_above_1_refused)
{
	m_to_driver(&m);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES, 1), -EINVAL);
}

Test(irq, raise_sets_status_and_calls_line)
{
	virtq_mmio_raise(&m.dev.mmio, VIRTIO_MMIO_INT_VRING);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	cr_expect_eq(m.dev.irqs, 1);
	cr_expect_eq(m.dev.last_isr, VIRTIO_MMIO_INT_VRING);
}

Test(irq, ack_clears_only_the_given_bits)
{
	virtq_mmio_raise(&m.dev.mmio, VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

Test(irq, completion_raises_vring_interrupt)
{
	m_probe(&m, M_OFFER);
	m_echo_ok(&m);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	cr_expect_eq(m.dev.irqs, 1);
}

Test(irq, suppressed_completion_raises_nothing)
{
	m_probe(&m, M_OFFER & ~M_BIT(VIRTIO_F_EVENT_IDX));
	cr_assert_eq(virtq_driver_disable_interrupts(m.drv), 0);
	m_echo_ok(&m);
	cr_expect_eq(m.dev.irqs, 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

Test(irq, event_idx_suppression_through_transport)
{
	m_probe(&m, M_OFFER);
	m_echo_ok(&m);
	cr_assert_eq(virtq_driver_disable_interrupts(m.drv), 0);
	m_echo_ok(&m);
	cr_expect_eq(m.dev.irqs, 1, "only the first completion interrupted");
	cr_assert_eq(virtq_driver_enable_interrupts(m.drv), 0);
	m_echo_ok(&m);
	cr_expect_eq(m.dev.irqs, 2);
}

Test(irq, reset_clears_interrupt_status)
{
	virtq_mmio_raise(&m.dev.mmio, VIRTIO_MMIO_INT_VRING);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

Test(config, reads_of_each_width)
{
	uint64_t v;

	cr_assert_eq(virtq_mmio_read(&m.dev.mmio, 0x100, 1, &v), 0);
	cr_expect_eq(v, 'E');
	cr_assert_eq(virtq_mmio_read(&m.dev.mmio, 0x102, 2, &v), 0);
	cr_expect_eq(v, 'H' | 'O' << 8);
	cr_assert_eq(virtq_mmio_read(&m.dev.mmio, 0x104, 4, &v), 0);
	cr_expect_eq(v, 0x464e4f43u);	/* "CONF" */
	cr_assert_eq(virtq_mmio_read(&m.dev.mmio, 0x100, 8, &v), 0);
	cr_expect_eq(v, 0x464e4f434f484345u);
}

Test(config, misaligned_access_refused)
{
	uint64_t v = 7;

	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, 0x101, 2, &v), -EINVAL);
	cr_expect_eq(v, 0);
	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, 0x102, 4, &v), -EINVAL);
	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, 0x100, 3, &v), -EINVAL);
	cr_expect_eq(virtq_mmio_write(&m.dev.mmio, 0x109, 2, 0xffff), -EINVAL);
	cr_expect_eq(m.dev.config[9], 0);
}

Test(config, access_beyond_config_size_refused)
{
	uint64_t v = 7;

	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, 0x100 + ECHO_CONFIG_SIZE, 1, &v), -EINVAL);
	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, 0x100 + ECHO_CONFIG_SIZE - 4, 8, &v), -EINVAL);
	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, UINT64_MAX - 3, 4, &v), -EINVAL);
	cr_expect_eq(virtq_mmio_write(&m.dev.mmio, 0x100 + ECHO_CONFIG_SIZE, 4, 1), -EINVAL);
}

Test(config, writes_reach_the_device)
{
	uint64_t v;

	cr_assert_eq(virtq_mmio_write(&m.dev.mmio, 0x108, 4, 0xa1b2c3d4), 0);
	cr_assert_eq(virtq_mmio_read(&m.dev.mmio, 0x108, 4, &v), 0);
	cr_expect_eq(v, 0xa1b2c3d4);
	cr_expect_eq(m.dev.config[8], 0xd4, "little endian");
}

Test(config, change_bumps_generation_and_interrupts)
{
	uint32_t g = m_rd(&m, VIRTIO_MMIO_CONFIG_GENERATION);

	virtq_mmio_config_changed(&m.dev.mmio);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_CONFIG_GENERATION), g + 1);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	cr_expect_eq(m.dev.last_isr, VIRTIO_MMIO_INT_CONFIG);
}

Test(config, device_without_config_ops_reads_zero)
{
	static const struct virtq_device_ops bare = { .version = VIRTQ_DEVICE_OPS_VERSION };
	struct virtq_mmio dev;
	struct virtq_mmio_config cfg = {
		.ops = &bare, .queues = m.dev.queues, .num_queues = 1,
		.mem = m.mem, .config_size = 8,
	};
	uint64_t v = 1;

	cr_assert_eq(virtq_mmio_init(&dev, &cfg), 0);
	cr_expect_eq(virtq_mmio_read(&dev, 0x100, 4, &v), 0);
	cr_expect_eq(v, 0);
	cr_expect_eq(virtq_mmio_write(&dev, 0x100, 4, 5), 0);
}

Test(notify, before_driver_ok_refused)
{
	m_to_features_ok(&m);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NOTIFY, 0), -EPERM);
	cr_expect_eq(virtq_mmio_queue_notified(&m.dev.mmio, 0), -EPERM);
	cr_expect_eq(m.dev.notifies, 0);
}

Test(notify, register_write_reaches_device)
{
	m_probe(&m, M_OFFER);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NOTIFY, 0), 0);
	cr_expect_eq(m.dev.notifies, 1);
}

Test(notify, index_out_of_range_refused)
{
	m_probe(&m, M_OFFER);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NOTIFY, ECHO_QUEUES), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NOTIFY, 0x10000), -EINVAL);
	cr_expect_eq(virtq_mmio_queue_notified(&m.dev.mmio, 0xffff), -EINVAL);
	cr_expect_eq(m.dev.notifies, 0);
}

Test(notify, queue_not_set_up_refused)
{
	m_probe(&m, M_OFFER);
	cr_expect_eq(virtq_mmio_queue_notified(&m.dev.mmio, 1), -EPERM);
	cr_expect_eq(m.dev.notifies, 0);
}

Test(notify, refused_while_needs_reset)
{
	m_probe(&m, M_OFFER);
	virtq_mmio_needs_reset(&m.dev.mmio);
	cr_expect_eq(virtq_mmio_queue_notified(&m.dev.mmio, 0), -EPERM);
	cr_expect_eq(m.dev.notifies, 0);
}

Test(probe, linux_sequence_then_echo)
{
	m_probe(&m, M_OFFER);
	cr_expect_eq(m_status(&m), 0xf);
	cr_expect_eq(m.dev.activations, 1);
	cr_expect_eq(m.dev.activated_features, M_OFFER | M_BIT(VIRTIO_F_VERSION_1));
	m_echo_ok(&m);
	m_echo_ok(&m);
}

Test(probe, indirect_request_end_to_end)
{
	struct virtq_buf b[2] = { { T_DATA, 3, false }, { T_DATA + 0x100, 3, true } };
	char out[4] = { 0 };
	uint16_t head;
	uint32_t len;

	m_probe(&m, M_OFFER);
	cr_assert_eq(vmmem_write(m.mem, T_DATA, "abc", 3), 0);
	cr_assert_eq(virtq_driver_add_indirect(m.drv, b, 2, T_TABLES, &head), 0);
	cr_assert_eq(virtq_driver_publish(m.drv), 1);
	cr_assert_eq(virtq_mmio_queue_notified(&m.dev.mmio, 0), 0);
	cr_assert_eq(virtq_driver_get_used(m.drv, &head, &len), 1);
	cr_expect_eq(len, 3);
	cr_assert_eq(vmmem_read(m.mem, T_DATA + 0x100, out, 3), 0);
	cr_expect_str_eq(out, "abc");
}

Test(probe, many_requests_with_event_idx_never_stall)
{
	m_probe(&m, M_OFFER);
	for (int i = 0; i < 1000; i++) {
		struct virtq_buf b[2] = { { T_DATA, 5, false }, { T_DATA + 0x100, 16, true } };
		uint16_t head;
		uint32_t len;

		cr_assert_eq(virtq_driver_add(m.drv, b, 2, &head), 0);
		/* Kick only when the device asked for it, as Linux does. */
		if (virtq_driver_publish(m.drv) == 1)
			cr_assert_eq(virtq_mmio_queue_notified(&m.dev.mmio, 0), 0);
		cr_assert_eq(virtq_driver_get_used(m.drv, &head, &len), 1, "request %d", i);
	}
}

Test(probe, bad_magic_driver_helper_reports_nodev)
{
	uint64_t f;

	/* A device of ID 0 is "no device" to Linux. */
	m.dev.mmio.cfg.device_id = 0;
	cr_expect_eq(virtq_driver_mmio_negotiate(&m.dev.mmio, 0, &f), -ENODEV);
}
