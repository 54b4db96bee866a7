// SPDX-License-Identifier: MIT
// The driver-side helper (virtio 1.2 §2.7.13, §2.7.14): ring layout,
// descriptor bookkeeping, kick decisions, and its own distrust of what a
// device writes to the used ring.
#include <errno.h>

#include "harness.h"

static struct t_env e;

static void setup(void) { t_setup(&e, 8, 0, T_F_INDIRECT); }
static void fini(void) { t_teardown(&e); }

TestSuite(driver, .init = setup, .fini = fini);

Test(driver, layout_is_contiguous_and_aligned)
{
	cr_expect_eq(virtq_driver_desc_addr(e.drv), T_RING_BASE);
	cr_expect_eq(virtq_driver_avail_addr(e.drv), T_RING_BASE + 16 * 8);
	cr_expect_eq(virtq_driver_used_addr(e.drv) % 4, 0);
	cr_expect_geq(virtq_driver_used_addr(e.drv), T_RING_BASE + 16 * 8 + 6 + 2 * 8);
	cr_expect_eq(virtq_driver_ring_bytes(8),
		     virtq_driver_used_addr(e.drv) - T_RING_BASE + 6 + 8 * 8);
	cr_expect_eq(virtq_driver_size(e.drv), 8);
}

Test(driver, new_refuses_bad_arguments)
{
	struct virtq_driver *d;

	cr_expect_eq(virtq_driver_new(e.mem, 6, 0x10000, 0, &d), -EINVAL);
	cr_expect_eq(virtq_driver_new(e.mem, 0, 0x10000, 0, &d), -EINVAL);
	cr_expect_eq(virtq_driver_new(e.mem, 8, 0x10008, 0, &d), -EINVAL);
	cr_expect_eq(virtq_driver_new(e.mem, 8, 0x10000, 0x80, &d), -EINVAL);
	cr_expect_eq(virtq_driver_new(e.mem, 8, T_HOLE, 0, &d), -EFAULT);
	virtq_driver_free(NULL);
}

Test(driver, descriptors_are_recycled)
{
	struct virtq_buf b[3] = { { T_DATA, 1, false }, { T_DATA, 1, false }, { T_DATA, 1, true } };
	struct virtq_chain c;
	uint16_t head;
	uint32_t len;

	for (int round = 0; round < 10; round++) {
		cr_assert_eq(virtq_driver_add(e.drv, b, 3, &head), 0);
		cr_assert_eq(virtq_driver_add(e.drv, b, 3, &head), 0);
		cr_expect_eq(virtq_driver_num_free(e.drv), 2);
		cr_expect_eq(virtq_driver_add(e.drv, b, 3, &head), -ENOSPC);
		cr_assert_geq(virtq_driver_publish(e.drv), 0);
		while (virtq_queue_pop(&e.q, &c) == 1)
			cr_assert_eq(virtq_queue_add_used(&e.q, c.head, 1), 0);
		cr_assert_eq(virtq_driver_get_used(e.drv, &head, &len), 1);
		cr_assert_eq(virtq_driver_get_used(e.drv, &head, &len), 1);
		cr_expect_eq(virtq_driver_num_free(e.drv), 8);
	}
}

Test(driver, add_refuses_empty_chain)
{
	uint16_t head;

	cr_expect_eq(virtq_driver_add(e.drv, NULL, 0, &head), -EINVAL);
	cr_expect_eq(virtq_driver_add_indirect(e.drv, NULL, 0, T_TABLES, &head), -EINVAL);
}

Test(driver, indirect_uses_one_ring_descriptor)
{
	struct virtq_buf b[5] = { { T_DATA, 1, false }, { T_DATA, 1, false }, { T_DATA, 1, false },
				  { T_DATA, 1, true }, { T_DATA, 1, true } };
	uint16_t head;

	cr_assert_eq(virtq_driver_add_indirect(e.drv, b, 5, T_TABLES, &head), 0);
	cr_expect_eq(virtq_driver_num_free(e.drv), 7);
	cr_expect_eq(virtq_driver_add_indirect(e.drv, b, 5, T_TABLES + 8, &head), -EINVAL,
		     "tables are 16-byte aligned");
}

Test(driver, used_entry_for_unknown_head_refused)
{
	uint64_t used = virtq_driver_used_addr(e.drv);
	uint16_t head;
	uint32_t len;

	cr_assert_eq(vmmem_store_u32(e.mem, used + 4, 3), 0);
	cr_assert_eq(vmmem_store_u16(e.mem, used + 2, 1), 0);
	cr_expect_eq(virtq_driver_get_used(e.drv, &head, &len), -EBADMSG);
}

Test(driver, used_index_running_ahead_refused)
{
	uint16_t head;
	uint32_t len;

	cr_assert_eq(vmmem_store_u16(e.mem, virtq_driver_used_addr(e.drv) + 2, 9), 0);
	cr_expect_eq(virtq_driver_get_used(e.drv, &head, &len), -EBADMSG);
}

Test(driver, nothing_used_yet)
{
	uint16_t head;
	uint32_t len;

	cr_expect_eq(virtq_driver_get_used(e.drv, &head, &len), 0);
}

Test(driver, raw_descriptor_index_checked)
{
	struct virtq_desc d = { 0, 0, 0, 0 };

	cr_expect_eq(virtq_driver_write_desc(e.drv, 8, &d), -EINVAL);
}

Test(driver, publish_kicks_unless_device_says_no_notify)
{
	struct virtq_buf b = { T_DATA, 1, true };
	uint16_t head;

	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_expect_eq(virtq_driver_publish(e.drv), 1);
	cr_assert_eq(virtq_queue_disable_notification(&e.q), 0);
	cr_assert_eq(virtq_driver_add(e.drv, &b, 1, &head), 0);
	cr_expect_eq(virtq_driver_publish(e.drv), 0);
}
