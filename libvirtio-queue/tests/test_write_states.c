// SPDX-License-Identifier: MIT
// Which register writes the virtio-mmio transport accepts in which device
// state (virtio 1.2 §4.2.2, §4.2.2.2, §3.1.1), written after a state check
// once ran before the case it should have let through (QueueReady = 0
// after DRIVER_OK, issue 13).  One test per rule:
//  - stopping a queue (QueueReady = 0) works in every state, reads back 0,
//    tells the device first (ops->queue_stop), quiesces the queue, and a
//    later reset brings the device back;
//  - a stopped queue is not revived after DRIVER_OK (no RING_RESET);
//  - the selectors and InterruptACK carry no state precondition;
//  - FAILED and a reset are accepted after NEEDS_RESET.
#include "mmio_harness.h"

static struct m_env m;

static void setup(void) { m_init(&m); }
static void teardown(void) { m_fini(&m); }

TestSuite(queue_stop, .init = setup, .fini = teardown);
TestSuite(write_states, .init = setup, .fini = teardown);

/* Linux's vm_del_vq: select, write 0, read back (WARN_ON if not 0). */
static void del_vq(uint32_t index)
{
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_SEL, index), 0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_READY, 0), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_QUEUE_READY), 0);
}

/* Publishes one echo request on queue 0 and returns its head. */
static uint16_t publish_one(void)
{
	struct virtq_buf b[2] = { { T_DATA, 5, false }, { T_DATA + 0x100, 16, true } };
	uint16_t head;

	cr_assert_eq(vmmem_write(m.mem, T_DATA, "hello", 5), 0);
	cr_assert_eq(virtq_driver_add(m.drv, b, 2, &head), 0);
	cr_assert_geq(virtq_driver_publish(m.drv), 0);
	return head;
}

static uint16_t used_idx(void)
{
	uint16_t idx;

	cr_assert_eq(vmmem_load_u16(m.mem, virtq_driver_used_addr(m.drv) + 2, &idx), 0);
	return idx;
}

Test(queue_stop, ready_0_after_driver_ok_accepted_and_reads_back_0)
{
	m_probe(&m, M_OFFER);
	del_vq(0);
	cr_expect_not(m.dev.queues[0].ready);
	cr_expect_eq(m_status(&m), ACK | DRV | FOK | DOK, "no NEEDS_RESET");
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG, 0,
		     "no configuration interrupt");
}

/* The device hears of the stop while it may still complete its chains
 * (§4.2.2.1), once, and only for a queue that was ready. */
Test(queue_stop, device_is_told_once_while_the_queue_is_still_ready)
{
	m_probe(&m, M_OFFER);
	del_vq(0);
	cr_expect_eq(m.dev.stops, 1);
	cr_expect_eq(m.dev.stopped_index, 0);
	cr_expect(m.dev.stopped_while_ready);
	del_vq(0);
	cr_expect_eq(m.dev.stops, 1, "a stopped queue is not stopped again");
	del_vq(1);
	cr_expect_eq(m.dev.stops, 1, "nor a queue that was never ready");
}

Test(queue_stop, stopped_queue_processes_no_chain)
{
	m_probe(&m, M_OFFER);
	del_vq(0);
	publish_one();
	cr_expect_eq(virtq_mmio_queue_notified(&m.dev.mmio, 0), -EPERM);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_NOTIFY, 0), -EPERM);
	cr_expect_eq(m.dev.notifies, 0, "the device never heard of the chain");
	cr_expect_eq(used_idx(), 0, "nothing came back");
	cr_expect_not(m_needs_reset(&m));
}

Test(queue_stop, chain_in_flight_at_stop_is_not_completed)
{
	struct virtq_chain chain;

	m_probe(&m, M_OFFER);
	publish_one();
	/* A device that popped a chain (an async backend, say) and finishes
	 * it after the driver stopped the queue. */
	cr_assert_eq(virtq_queue_pop(&m.dev.queues[0], &chain), 1);
	del_vq(0);
	cr_expect_eq(virtq_queue_add_used(&m.dev.queues[0], chain.head, 5), -EINVAL);
	cr_expect_eq(used_idx(), 0, "the stopped queue's used ring is untouched");
	cr_expect_eq(virtq_queue_pop(&m.dev.queues[0], &chain), -EINVAL);
}

Test(queue_stop, reset_after_stop_brings_the_device_back)
{
	m_probe(&m, M_OFFER);
	del_vq(0);
	del_vq(1);
	m_recover(&m);
}

Test(queue_stop, stopped_queue_not_revived_after_driver_ok)
{
	m_probe(&m, M_OFFER);
	del_vq(0);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_QUEUE_READY, 1), -EPERM);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_QUEUE_READY), 0);
	cr_expect(m_needs_reset(&m));
	m_recover(&m);
}

Test(queue_stop, ready_0_accepted_after_needs_reset)
{
	m_probe(&m, M_OFFER);
	virtq_mmio_needs_reset(&m.dev.mmio);
	del_vq(0);
	m_recover(&m);
}

Test(queue_stop, ready_0_accepted_after_failed)
{
	m_probe(&m, M_OFFER);
	cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, m_status(&m) | FAILED), 0);
	del_vq(0);
	m_recover(&m);
}

Test(queue_stop, ready_0_accepted_before_features_ok)
{
	m_to_driver(&m);
	del_vq(0);
	cr_expect_eq(m_status(&m), ACK | DRV);
}

/* Brings the device to one of the states below. */
enum st { ST_RESET, ST_DRIVER, ST_FEATURES_OK, ST_DRIVER_OK, ST_NEEDS_RESET,
	  ST_FAILED, ST_COUNT };

static void enter(enum st s)
{
	switch (s) {
	case ST_RESET:
		break;
	case ST_DRIVER:
		m_to_driver(&m);
		break;
	case ST_FEATURES_OK:
		m_to_features_ok(&m);
		break;
	case ST_DRIVER_OK:
		m_probe(&m, M_OFFER);
		break;
	case ST_NEEDS_RESET:
		m_probe(&m, M_OFFER);
		virtq_mmio_needs_reset(&m.dev.mmio);
		break;
	case ST_FAILED:
		m_probe(&m, M_OFFER);
		cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, m_status(&m) | FAILED), 0);
		break;
	case ST_COUNT:
		break;
	}
}

/* A write with no state precondition must be accepted in state s without
 * changing the status (no NEEDS_RESET appears). */
static void expect_stateless(uint32_t reg, uint32_t value)
{
	for (int s = 0; s < ST_COUNT; s++) {
		uint32_t before;

		cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0), 0);
		enter((enum st)s);
		before = m_status(&m);
		cr_expect_eq(m_wr(&m, reg, value), 0, "reg 0x%x state %d", reg, s);
		cr_expect_eq(m_status(&m), before, "reg 0x%x state %d", reg, s);
	}
}

Test(write_states, queue_sel_accepted_in_every_state)
{
	expect_stateless(VIRTIO_MMIO_QUEUE_SEL, 1);
}

Test(write_states, device_features_sel_accepted_in_every_state)
{
	expect_stateless(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
}

Test(write_states, driver_features_sel_accepted_in_every_state)
{
	expect_stateless(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
}

Test(write_states, interrupt_ack_accepted_in_every_state)
{
	expect_stateless(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
}

Test(write_states, shm_sel_accepted_in_every_state)
{
	expect_stateless(VIRTIO_MMIO_SHM_SEL, 0);
}

Test(write_states, config_space_write_accepted_in_every_state)
{
	for (int s = 0; s < ST_COUNT; s++) {
		cr_assert_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0), 0);
		enter((enum st)s);
		/* The echo device's writable bytes start at 8. */
		cr_expect_eq(virtq_mmio_write(&m.dev.mmio, VIRTQ_MMIO_CONFIG_OFFSET + 8, 1,
					      0x5a), 0, "state %d", s);
		cr_expect_eq(m.dev.config[8], 0x5a, "state %d", s);
		m.dev.config[8] = 0;
	}
}

Test(write_states, reset_accepted_in_every_state)
{
	for (int s = 0; s < ST_COUNT; s++) {
		enter((enum st)s);
		cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, 0), 0, "state %d", s);
		cr_expect_eq(m_status(&m), 0, "state %d", s);
	}
}

Test(write_states, failed_accepted_after_needs_reset_without_echo)
{
	enter(ST_NEEDS_RESET);
	/* A driver that ORs FAILED into its own copy of the status, without
	 * the device's NEEDS_RESET bit. */
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK | FAILED), 0);
	cr_expect(m_status(&m) & FAILED);
}

Test(write_states, interrupt_ack_after_needs_reset_clears_config_bit)
{
	enter(ST_NEEDS_RESET);
	cr_assert(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	cr_expect_eq(m_wr(&m, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG), 0);
	cr_expect_eq(m_rd(&m, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG, 0);
}
