// SPDX-License-Identifier: MIT
// The hostile cases of the quality bar, end to end through the virtio-mmio
// transport and a device: each ends in an error (the chain comes back with
// length 0) or in DEVICE_NEEDS_RESET, never in a crash, a hang or an
// access outside guest RAM; after a reset the device serves a good request.
#include "mmio_harness.h"

static struct m_env m;

static void setup(void)
{
	m_init(&m);
	m_probe(&m, M_OFFER);
}

static void teardown(void) { m_fini(&m); }

TestSuite(hostile, .init = setup, .fini = teardown);

static void raw(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { addr, len, flags, next };

	cr_assert_eq(virtq_driver_write_desc(m.drv, i, &d), 0);
}

static void table(uint64_t t, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		  uint16_t next)
{
	cr_assert_eq(vmmem_store_u64(m.mem, t + 16u * i, addr), 0);
	cr_assert_eq(vmmem_store_u32(m.mem, t + 16u * i + 8, len), 0);
	cr_assert_eq(vmmem_store_u16(m.mem, t + 16u * i + 12, flags), 0);
	cr_assert_eq(vmmem_store_u16(m.mem, t + 16u * i + 14, next), 0);
}

/* Publishes head, kicks, and expects it back with length 0 and the device
 * still healthy (the error is confined to the chain). */
static void expect_chain_error(uint16_t head)
{
	uint32_t len;
	uint16_t h;

	cr_assert_eq(virtq_driver_push_head(m.drv, head), 0);
	cr_assert_geq(virtq_driver_publish(m.drv), 0);
	cr_assert_eq(virtq_mmio_queue_notified(&m.dev.mmio, 0), 0);
	cr_expect_eq(m.dev.chain_errors, 1);
	cr_assert_eq(vmmem_load_u16(m.mem, virtq_driver_used_addr(m.drv) + 2, &h), 0);
	cr_expect_eq(h, 1, "the head went back to the used ring");
	cr_assert_eq(vmmem_load_u32(m.mem, virtq_driver_used_addr(m.drv) + 8, &len), 0);
	cr_expect_eq(len, 0);
	cr_expect_not(m_needs_reset(&m));
	m_recover(&m);
}

/* Kicks and expects the device to need a reset, with a config interrupt. */
static void expect_needs_reset(void)
{
	(void)!virtq_mmio_queue_notified(&m.dev.mmio, 0);
	cr_expect(m_needs_reset(&m));
	cr_expect(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	cr_expect_eq(virtq_mmio_queue_notified(&m.dev.mmio, 0), -EPERM,
		     "no more processing until reset");
	m_recover(&m);
}

Test(hostile, descriptor_loop)
{
	raw(0, T_DATA, 4, VIRTQ_DESC_F_NEXT, 1);
	raw(1, T_DATA, 4, VIRTQ_DESC_F_NEXT, 0);
	expect_chain_error(0);
}

Test(hostile, next_beyond_size)
{
	raw(0, T_DATA, 4, VIRTQ_DESC_F_NEXT, ECHO_QUEUE_MAX);
	expect_chain_error(0);
}

Test(hostile, next_at_0xffff)
{
	raw(0, T_DATA, 4, VIRTQ_DESC_F_NEXT, 0xffff);
	expect_chain_error(0);
}

Test(hostile, zero_length_descriptor)
{
	raw(0, T_DATA, 0, 0, 0);
	expect_chain_error(0);
}

Test(hostile, four_gib_descriptor)
{
	raw(0, T_DATA, 0xffffffffu, VIRTQ_DESC_F_WRITE, 0);
	expect_chain_error(0);
}

Test(hostile, address_outside_ram)
{
	raw(0, UINT64_C(1) << 40, 8, VIRTQ_DESC_F_WRITE, 0);
	expect_chain_error(0);
}

Test(hostile, address_in_mmio_hole)
{
	raw(0, T_HOLE, 8, VIRTQ_DESC_F_WRITE, 0);
	expect_chain_error(0);
}

Test(hostile, address_wrapping_2_64)
{
	raw(0, UINT64_MAX - 1, 8, 0, 0);
	expect_chain_error(0);
}

Test(hostile, nested_indirect_table)
{
	raw(0, T_TABLES, 16, VIRTQ_DESC_F_INDIRECT, 0);
	table(T_TABLES, 0, T_TABLES + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	table(T_TABLES + 0x100, 0, T_DATA, 8, 0, 0);
	expect_chain_error(0);
}

Test(hostile, indirect_table_loop)
{
	raw(0, T_TABLES, 32, VIRTQ_DESC_F_INDIRECT, 0);
	table(T_TABLES, 0, T_DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	table(T_TABLES, 1, T_DATA, 8, VIRTQ_DESC_F_NEXT, 0);
	expect_chain_error(0);
}

Test(hostile, avail_index_jump_beyond_size)
{
	cr_assert_eq(virtq_driver_set_avail_idx(m.drv, ECHO_QUEUE_MAX + 1), 0);
	expect_needs_reset();
}

Test(hostile, avail_index_jump_to_max)
{
	cr_assert_eq(virtq_driver_set_avail_idx(m.drv, 0xffff), 0);
	expect_needs_reset();
}

Test(hostile, head_beyond_size)
{
	cr_assert_eq(virtq_driver_push_head(m.drv, ECHO_QUEUE_MAX), 0);
	cr_assert_geq(virtq_driver_publish(m.drv), 0);
	expect_needs_reset();
}

Test(hostile, same_head_twice_in_flight)
{
	struct virtq_chain c;

	raw(2, T_DATA, 4, VIRTQ_DESC_F_WRITE, 0);
	cr_assert_eq(virtq_driver_push_head(m.drv, 2), 0);
	cr_assert_eq(virtq_driver_push_head(m.drv, 2), 0);
	cr_assert_geq(virtq_driver_publish(m.drv), 0);
	/* A slow device holds the first copy while the second arrives. */
	cr_assert_eq(virtq_queue_pop(&m.dev.queues[0], &c), 1);
	expect_needs_reset();
}

Test(hostile, ring_addresses_changed_after_driver_ok)
{
	uint64_t desc = m.dev.queues[0].desc_table;

	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_DESC_LOW, T_DATA), -EPERM);
	cr_expect_eq(m.dev.queues[0].desc_table, desc, "the validated address stays");
	cr_expect(m_needs_reset(&m));
	m_recover(&m);
}

Test(hostile, each_queue_register_after_driver_ok)
{
	static const uint32_t regs[] = {
		VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_DESC_HIGH,
		VIRTIO_MMIO_QUEUE_AVAIL_LOW, VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
		VIRTIO_MMIO_QUEUE_USED_LOW, VIRTIO_MMIO_QUEUE_USED_HIGH,
		VIRTIO_MMIO_QUEUE_READY,
	};

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		struct virtq_queue before = m.dev.queues[0];
		/* QueueReady = 0 stops the queue and is legal in any state
		 * (test_write_states.c); 1 would re-arm it. */
		uint32_t v = regs[i] == VIRTIO_MMIO_QUEUE_READY ? 1 : 0;

		cr_expect_eq(m_wr(&m, regs[i], v), -EPERM, "register 0x%x", regs[i]);
		cr_expect(m_needs_reset(&m));
		cr_expect_eq(m.dev.queues[0].size, before.size);
		cr_expect_eq(m.dev.queues[0].avail_ring, before.avail_ring);
		cr_expect_eq(m.dev.queues[0].used_ring, before.used_ring);
		cr_expect(m.dev.queues[0].ready);
		m_recover(&m);
	}
}

Test(hostile, queue_reconfigured_on_other_selector_after_driver_ok)
{
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_SEL, 1), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_DESC_LOW, T_DATA), -EPERM);
	cr_expect(m_needs_reset(&m));
	m_recover(&m);
}

Test(hostile, status_machine_abuse)
{
	/* Going back, skipping, inventing bits: all refused, none breaks. */
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0xff), -EINVAL);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0x4f), -EINVAL);
	cr_expect_eq(m_status(&m), 0xf);
	m_echo_ok(&m);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0x8f), 0, "FAILED");
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NOTIFY, 0), -EPERM);
	m_recover(&m);
}

Test(hostile, features_changed_after_features_ok)
{
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff), -EPERM);
	cr_expect_eq(virtq_mmio_features(&m.dev.mmio), M_OFFER | M_BIT(VIRTIO_F_VERSION_1));
	m_echo_ok(&m);
}

Test(hostile, wrong_access_widths_everywhere)
{
	uint64_t v;

	for (uint64_t off = 0; off < 0x100; off++) {
		for (unsigned int size = 1; size <= 8; size *= 2) {
			if (size == 4 && off % 4 == 0)
				continue;
			cr_expect_eq(virtq_mmio_read(&m.dev.mmio, off, size, &v), -EINVAL);
			cr_expect_eq(v, 0);
			cr_expect_eq(virtq_mmio_write(&m.dev.mmio, off, size, 0), -EINVAL);
		}
	}
	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, 0x100, 16, &v), -EINVAL);
	cr_expect_eq(virtq_mmio_read(&m.dev.mmio, 0x100, 0, &v), -EINVAL);
	cr_expect_eq(m_status(&m), 0xf, "nothing changed");
	m_echo_ok(&m);
}

Test(hostile, register_write_value_above_32_bits)
{
	cr_expect_eq(virtq_mmio_write(&m.dev.mmio, VIRTIO_MMIO_STATUS, 4, UINT64_C(1) << 32),
		     -EINVAL);
	cr_expect_eq(m_status(&m), 0xf);
}

Test(hostile, used_ring_write_into_readable_buffer_is_impossible)
{
	char out[6] = { 0 };
	uint32_t len;

	/* Only readable buffers: the echo device has nowhere to write. */
	cr_assert_eq(vmmem_write(m.mem, T_DATA, "hello", 5), 0);
	raw(0, T_DATA, 5, VIRTQ_DESC_F_NEXT, 1);
	raw(1, T_DATA + 0x100, 5, 0, 0);
	cr_assert_eq(virtq_driver_push_head(m.drv, 0), 0);
	cr_assert_geq(virtq_driver_publish(m.drv), 0);
	cr_assert_eq(virtq_mmio_queue_notified(&m.dev.mmio, 0), 0);
	cr_assert_eq(vmmem_load_u32(m.mem, virtq_driver_used_addr(m.drv) + 8, &len), 0);
	cr_expect_eq(len, 0);
	cr_assert_eq(vmmem_read(m.mem, T_DATA + 0x100, out, 5), 0);
	cr_expect_str_eq(out, "", "the readable buffer is untouched");
}
