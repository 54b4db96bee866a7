// SPDX-License-Identifier: MIT
// Descriptor chain walking (virtio 1.2 §2.7.5, §2.7.5.3): good direct and
// indirect chains, and one test per malformed-chain rule.  A malformed
// chain fails on its own; its head stays returnable and the queue serves
// the next chain.
#include <errno.h>

#include "harness.h"

static struct t_env e;

static void plain(void) { t_setup(&e, 16, 0, 0); }
static void with_indirect(void) { t_setup(&e, 16, 0, T_F_INDIRECT); }
static void fini(void) { t_teardown(&e); }

/* Pops the chain at `head` (published just before) and walks it. */
static int pop_walk(uint16_t head, unsigned int *count)
{
	struct virtq_chain c;

	t_publish_head(&e, head);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_assert_eq(c.head, head);
	return t_walk(&c, count);
}

/* After a bad chain: its head goes back, and a good chain still works. */
static void expect_queue_still_serves(uint16_t bad_head)
{
	struct virtq_chain c;
	unsigned int n;

	cr_assert_eq(virtq_queue_add_used(&e.q, bad_head, 0), 0);
	t_raw(&e, 15, T_DATA, 64, VIRTQ_DESC_F_WRITE, 0);
	t_publish_head(&e, 15);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(t_walk(&c, &n), 0);
	cr_expect_eq(n, 1);
	cr_expect_eq(virtq_queue_add_used(&e.q, 15, 64), 0);
}

static void write_table_desc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
			     uint16_t flags, uint16_t next)
{
	uint64_t g = table + 16u * i;

	cr_assert_eq(vmmem_store_u64(e.mem, g, addr), 0);
	cr_assert_eq(vmmem_store_u32(e.mem, g + 8, len), 0);
	cr_assert_eq(vmmem_store_u16(e.mem, g + 12, flags), 0);
	cr_assert_eq(vmmem_store_u16(e.mem, g + 14, next), 0);
}

Test(chain, direct_chain_readable_then_writable, .init = plain, .fini = fini)
{
	struct virtq_buf b[3] = { { T_DATA, 16, false }, { T_DATA + 0x1000, 4096, true },
				  { T_DATA + 0x3000, 1, true } };
	struct virtq_chain c;
	struct virtq_desc d;
	uint16_t head;

	cr_assert_eq(virtq_driver_add(e.drv, b, 3, &head), 0);
	cr_assert_geq(virtq_driver_publish(e.drv), 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(virtq_chain_next(&c, &d), 1);
		cr_expect_eq(d.addr, b[i].addr);
		cr_expect_eq(d.len, b[i].len);
		cr_expect_eq(virtq_desc_is_writable(&d), b[i].writable);
	}
	cr_expect_eq(virtq_chain_next(&c, &d), 0);
	cr_expect_eq(virtq_chain_next(&c, &d), 0, "the end is sticky");
	cr_expect_eq(c.count, 3);
	cr_expect_eq(c.readable_bytes, 16);
	cr_expect_eq(c.writable_bytes, 4097);
}

Test(chain, indirect_chain_is_walked_transparently, .init = with_indirect, .fini = fini)
{
	struct virtq_buf b[4] = { { T_DATA, 16, false }, { T_DATA + 16, 100, false },
				  { T_DATA + 0x1000, 512, true }, { T_DATA + 0x2000, 1, true } };
	struct virtq_chain c;
	struct virtq_desc d;
	uint16_t head;

	cr_assert_eq(virtq_driver_add_indirect(e.drv, b, 4, T_TABLES, &head), 0);
	cr_assert_geq(virtq_driver_publish(e.drv), 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(virtq_chain_next(&c, &d), 1);
		cr_expect_eq(d.addr, b[i].addr);
		cr_expect_eq(d.len, b[i].len);
	}
	cr_expect_eq(virtq_chain_next(&c, &d), 0);
	cr_expect_eq(c.count, 4);
}

Test(chain, direct_descriptors_then_indirect_table, .init = with_indirect, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	t_raw(&e, 1, T_TABLES, 32, VIRTQ_DESC_F_INDIRECT, 0);
	write_table_desc(T_TABLES, 0, T_DATA + 0x100, 8, VIRTQ_DESC_F_NEXT, 1);
	write_table_desc(T_TABLES, 1, T_DATA + 0x200, 8, VIRTQ_DESC_F_WRITE, 0);
	cr_expect_eq(pop_walk(0, &n), 0);
	cr_expect_eq(n, 3);
}

Test(chain, descriptor_loop_ends_in_error, .init = plain, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	t_raw(&e, 1, T_DATA, 8, VIRTQ_DESC_F_NEXT, 0);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	cr_expect_leq(n, 16, "at most one visit per descriptor");
	expect_queue_still_serves(0);
}

Test(chain, self_loop_ends_in_error, .init = plain, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 4, T_DATA, 8, VIRTQ_DESC_F_NEXT, 4);
	cr_expect_eq(pop_walk(4, &n), -EBADMSG);
	expect_queue_still_serves(4);
}

Test(chain, loop_inside_indirect_table_ends_in_error, .init = with_indirect, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_TABLES, 48, VIRTQ_DESC_F_INDIRECT, 0);
	write_table_desc(T_TABLES, 0, T_DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	write_table_desc(T_TABLES, 1, T_DATA, 8, VIRTQ_DESC_F_NEXT, 2);
	write_table_desc(T_TABLES, 2, T_DATA, 8, VIRTQ_DESC_F_NEXT, 0);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	cr_expect_leq(n, 3);
	expect_queue_still_serves(0);
}

Test(chain, next_beyond_queue_size_ends_in_error, .init = plain, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_DATA, 8, VIRTQ_DESC_F_NEXT, 16);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	cr_expect_eq(n, 1, "the good first descriptor was returned");
	expect_queue_still_serves(0);
}

Test(chain, next_beyond_indirect_table_ends_in_error, .init = with_indirect, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_TABLES, 32, VIRTQ_DESC_F_INDIRECT, 0);
	write_table_desc(T_TABLES, 0, T_DATA, 8, VIRTQ_DESC_F_NEXT, 2);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	expect_queue_still_serves(0);
}

Test(chain, zero_length_descriptor_ends_in_error, .init = plain, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_DATA, 0, VIRTQ_DESC_F_WRITE, 0);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	expect_queue_still_serves(0);
}

Test(chain, four_gib_descriptor_ends_in_error, .init = plain, .fini = fini)
{
	unsigned int n;

	/* Not backed: far larger than RAM. */
	t_raw(&e, 0, T_DATA, UINT32_MAX, VIRTQ_DESC_F_WRITE, 0);
	cr_expect_eq(pop_walk(0, &n), -EFAULT);
	expect_queue_still_serves(0);
}

Test(chain, total_length_of_2_32_ends_in_error, .init = plain, .fini = fini)
{
	struct vmmem_map *big;
	struct vmmem_region_desc r = { .gpa = 0, .size = UINT64_C(3) << 31,
				       .backing = VMMEM_BACKING_ANON };
	struct virtq_driver *drv;
	struct virtq_queue q;
	struct virtq_chain c;
	struct virtq_desc d;
	struct virtq_buf b[2] = { { 0x100000, 0x80000000u, true },
				  { 0x100000, 0x80000000u, true } };
	uint16_t head;

	/* 3 GiB of MAP_NORESERVE memory, never touched: both descriptors
	 * are backed, only their sum (exactly 2^32) is wrong. */
	cr_assert_eq(vmmem_map_new(&big), 0);
	cr_assert_eq(vmmem_map_add_region(big, &r), 0);
	cr_assert_eq(virtq_driver_new(big, 4, 0x1000, 0, &drv), 0);
	cr_assert_eq(virtq_queue_init(&q, 4), 0);
	cr_assert_eq(virtq_queue_set_desc_table(&q, virtq_driver_desc_addr(drv)), 0);
	cr_assert_eq(virtq_queue_set_avail_ring(&q, virtq_driver_avail_addr(drv)), 0);
	cr_assert_eq(virtq_queue_set_used_ring(&q, virtq_driver_used_addr(drv)), 0);
	cr_assert_eq(virtq_queue_set_ready(&q, big), 0);
	cr_assert_eq(virtq_driver_add(drv, b, 2, &head), 0);
	cr_assert_geq(virtq_driver_publish(drv), 0);
	cr_assert_eq(virtq_queue_pop(&q, &c), 1);
	cr_expect_eq(virtq_chain_next(&c, &d), 1);
	cr_expect_eq(virtq_chain_next(&c, &d), -EBADMSG);
	virtq_driver_free(drv);
	vmmem_map_free(big);
}

Test(chain, buffer_outside_ram_ends_in_error, .init = plain, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_HIGH_BASE + T_HIGH_SIZE, 8, VIRTQ_DESC_F_WRITE, 0);
	cr_expect_eq(pop_walk(0, &n), -EFAULT);
	expect_queue_still_serves(0);
}

Test(chain, buffer_in_mmio_hole_ends_in_error, .init = plain, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_HOLE, 8, 0, 0);
	cr_expect_eq(pop_walk(0, &n), -EFAULT);
	expect_queue_still_serves(0);
}

Test(chain, buffer_straddling_into_mmio_hole_ends_in_error, .init = plain, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_LOW_END - 4, 8, 0, 0);
	cr_expect_eq(pop_walk(0, &n), -EFAULT);
	expect_queue_still_serves(0);
}

Test(chain, buffer_wrapping_2_64_ends_in_error, .init = plain, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, UINT64_MAX - 3, 8, VIRTQ_DESC_F_WRITE, 0);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	expect_queue_still_serves(0);
}

Test(chain, readable_after_writable_ends_in_error, .init = plain, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_DATA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	t_raw(&e, 1, T_DATA + 8, 8, 0, 0);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	cr_expect_eq(n, 1);
	expect_queue_still_serves(0);
}

Test(chain, nested_indirect_table_ends_in_error, .init = with_indirect, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_TABLES, 16, VIRTQ_DESC_F_INDIRECT, 0);
	write_table_desc(T_TABLES, 0, T_TABLES + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	write_table_desc(T_TABLES + 0x100, 0, T_DATA, 8, 0, 0);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	cr_expect_eq(n, 0);
	expect_queue_still_serves(0);
}

Test(chain, indirect_without_the_feature_ends_in_error, .init = plain, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_TABLES, 16, VIRTQ_DESC_F_INDIRECT, 0);
	write_table_desc(T_TABLES, 0, T_DATA, 8, 0, 0);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	expect_queue_still_serves(0);
}

Test(chain, indirect_with_next_flag_ends_in_error, .init = with_indirect, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_TABLES, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	t_raw(&e, 1, T_DATA, 8, 0, 0);
	write_table_desc(T_TABLES, 0, T_DATA, 8, 0, 0);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	expect_queue_still_serves(0);
}

Test(chain, indirect_length_not_multiple_of_16_ends_in_error, .init = with_indirect, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_TABLES, 24, VIRTQ_DESC_F_INDIRECT, 0);
	write_table_desc(T_TABLES, 0, T_DATA, 8, 0, 0);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	expect_queue_still_serves(0);
}

Test(chain, indirect_length_zero_ends_in_error, .init = with_indirect, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_TABLES, 0, VIRTQ_DESC_F_INDIRECT, 0);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	expect_queue_still_serves(0);
}

Test(chain, indirect_table_above_65535_entries_ends_in_error, .init = with_indirect, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, 0, 16u * 65536u, VIRTQ_DESC_F_INDIRECT, 0);
	cr_expect_eq(pop_walk(0, &n), -EBADMSG);
	expect_queue_still_serves(0);
}

Test(chain, indirect_table_in_mmio_hole_ends_in_error, .init = with_indirect, .fini = fini)
{
	unsigned int n;

	t_raw(&e, 0, T_HOLE, 64, VIRTQ_DESC_F_INDIRECT, 0);
	cr_expect_eq(pop_walk(0, &n), -EFAULT);
	expect_queue_still_serves(0);
}

Test(chain, indirect_write_flag_is_ignored, .init = with_indirect, .fini = fini)
{
	unsigned int n;

	/* §2.7.5.3.2: the device ignores F_WRITE on the table descriptor. */
	t_raw(&e, 0, T_TABLES, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	write_table_desc(T_TABLES, 0, T_DATA, 8, 0, 0);
	cr_expect_eq(pop_walk(0, &n), 0);
	cr_expect_eq(n, 1);
}

Test(chain, errors_are_sticky, .init = plain, .fini = fini)
{
	struct virtq_chain c;
	struct virtq_desc d;

	t_raw(&e, 0, T_DATA, 8, VIRTQ_DESC_F_NEXT, 99);
	t_publish_head(&e, 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(virtq_chain_next(&c, &d), 1);
	cr_expect_eq(virtq_chain_next(&c, &d), -EBADMSG);
	cr_expect_eq(virtq_chain_next(&c, &d), -EBADMSG);
}

Test(chain, longest_legal_chain_is_accepted, .init = plain, .fini = fini)
{
	unsigned int n;

	for (uint16_t i = 0; i < 16; i++)
		t_raw(&e, i, T_DATA + 8u * i, 8, i < 15 ? VIRTQ_DESC_F_NEXT : 0,
		      (uint16_t)(i + 1));
	cr_expect_eq(pop_walk(0, &n), 0);
	cr_expect_eq(n, 16);
}

Test(iovec, collect_splits_directions, .init = plain, .fini = fini)
{
	struct virtq_buf b[3] = { { T_DATA, 16, false }, { T_DATA + 0x1000, 4096, true },
				  { T_DATA + 0x3000, 1, true } };
	struct iovec rio[4], wio[4];
	struct vmmem_iovec rd, wr;
	struct virtq_chain c;
	uint16_t head;

	vmmem_iovec_init(&rd, rio, 4);
	vmmem_iovec_init(&wr, wio, 4);
	cr_assert_eq(virtq_driver_add(e.drv, b, 3, &head), 0);
	cr_assert_geq(virtq_driver_publish(e.drv), 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(virtq_chain_collect(&c, &rd, &wr), 3);
	cr_expect_eq(rd.bytes, 16);
	cr_expect_eq(wr.bytes, 4097);
	cr_expect_eq(wr.count, 2);
}

Test(iovec, collect_without_writable_array_refuses_writable, .init = plain, .fini = fini)
{
	struct iovec rio[4];
	struct vmmem_iovec rd;
	struct virtq_chain c;

	vmmem_iovec_init(&rd, rio, 4);
	t_raw(&e, 0, T_DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	t_publish_head(&e, 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(virtq_chain_collect(&c, &rd, NULL), -EBADMSG);
}

Test(iovec, collect_reports_full_iovec, .init = plain, .fini = fini)
{
	struct iovec wio[1];
	struct vmmem_iovec wr;
	struct virtq_chain c;

	vmmem_iovec_init(&wr, wio, 1);
	t_raw(&e, 0, T_DATA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	/* Not host-contiguous with the first, so it needs a second entry. */
	t_raw(&e, 1, T_DATA + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
	t_publish_head(&e, 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_expect_eq(virtq_chain_collect(&c, NULL, &wr), -ENOSPC);
}

Test(iovec, write_into_device_readable_buffer_refused, .init = plain, .fini = fini)
{
	struct iovec io[2];
	struct vmmem_iovec v;
	struct virtq_chain c;
	struct virtq_desc d;

	vmmem_iovec_init(&v, io, 2);
	t_raw(&e, 0, T_DATA, 8, 0, 0);
	t_publish_head(&e, 0);
	cr_assert_eq(virtq_queue_pop(&e.q, &c), 1);
	cr_assert_eq(virtq_chain_next(&c, &d), 1);
	cr_expect_eq(virtq_desc_append_iovec(e.mem, &d, true, &v), -EBADMSG);
	cr_expect_eq(v.count, 0);
	cr_expect_eq(virtq_desc_append_iovec(e.mem, &d, false, &v), 0);
	cr_expect_eq(v.bytes, 8);
}

Test(chain, indirect_table_straddling_adjacent_regions_is_read)
{
	struct vmmem_region_desc a = { .gpa = 0, .size = 0x10000, .backing = VMMEM_BACKING_ANON };
	struct vmmem_region_desc b = { .gpa = 0x10000, .size = 0x10000,
				       .backing = VMMEM_BACKING_ANON };
	struct virtq_driver *drv;
	struct vmmem_map *mem;
	struct virtq_queue q;
	struct virtq_chain c;
	struct virtq_desc d;
	/* An unaligned table whose first descriptor spans the boundary. */
	uint64_t t = 0x10000 - 8;
	struct virtq_desc in = { 0x3000, 64, VIRTQ_DESC_F_WRITE, 0 };

	cr_assert_eq(vmmem_map_new(&mem), 0);
	cr_assert_eq(vmmem_map_add_region(mem, &a), 0);
	cr_assert_eq(vmmem_map_add_region(mem, &b), 0);
	cr_assert_eq(virtq_driver_new(mem, 4, 0x1000, 0, &drv), 0);
	cr_assert_eq(virtq_queue_init(&q, 4), 0);
	cr_assert_eq(virtq_queue_set_desc_table(&q, virtq_driver_desc_addr(drv)), 0);
	cr_assert_eq(virtq_queue_set_avail_ring(&q, virtq_driver_avail_addr(drv)), 0);
	cr_assert_eq(virtq_queue_set_used_ring(&q, virtq_driver_used_addr(drv)), 0);
	cr_assert_eq(virtq_queue_set_features(&q, T_F_INDIRECT), 0);
	cr_assert_eq(virtq_queue_set_ready(&q, mem), 0);
	cr_assert_eq(vmmem_store_u64(mem, t, in.addr), 0);
	cr_assert_eq(vmmem_store_u32(mem, t + 8, in.len), 0);
	cr_assert_eq(vmmem_store_u16(mem, t + 12, in.flags), 0);
	cr_assert_eq(vmmem_store_u16(mem, t + 14, 0), 0);
	in = (struct virtq_desc){ t, 16, VIRTQ_DESC_F_INDIRECT, 0 };
	cr_assert_eq(virtq_driver_write_desc(drv, 0, &in), 0);
	cr_assert_eq(virtq_driver_push_head(drv, 0), 0);
	cr_assert_geq(virtq_driver_publish(drv), 0);
	cr_assert_eq(virtq_queue_pop(&q, &c), 1);
	cr_expect_eq(virtq_chain_next(&c, &d), 1);
	cr_expect_eq(d.addr, 0x3000);
	cr_expect_eq(d.len, 64);
	cr_expect_eq(virtq_chain_next(&c, &d), 0);
	virtq_driver_free(drv);
	vmmem_map_free(mem);
}
