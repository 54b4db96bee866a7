/* SPDX-License-Identifier: MIT */
/*
 * Hostile drivers against the block device, one test per case of issue 6's
 * quality bar.  Each expects no crash, no hang and no out-of-bounds access
 * (the sanitizer build checks the last), then either an error status with
 * the head returned, or DEVICE_NEEDS_RESET; after a reset the device must
 * serve a good request again.
 */
#include <errno.h>

#include "devharness.h"

static struct t_dev t;

static void setup(void)
{
	t_dev_open(&t, false, false, 0);
}

static void teardown(void)
{
	t_dev_close(&t);
}

TestSuite(hostile, .init = setup, .fini = teardown);

/* Raw descriptors live at the top of the table, away from the helper's. */
#define RAW0 (T_QSIZE - 4u)

static void raw_desc(uint16_t idx, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	struct virtq_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };

	cr_assert_eq(virtq_driver_write_desc(t.drv, idx, &d), 0);
}

static void raw_kick(uint16_t head)
{
	cr_assert_eq(virtq_driver_push_head(t.drv, head), 0);
	t_kick(&t);
}

/* The head came back in the used ring, and its status (when it has one at
 * T_STATUS) is not OK. */
static void assert_returned_with_error(uint16_t head, bool status_at_slot0)
{
	uint32_t id, len;

	cr_assert_eq(t_used_idx(&t), 1, "head not returned");
	t_used_elem(&t, 0, &id, &len);
	cr_assert_eq(id, head);
	if (status_at_slot0)
		cr_assert_neq(t_status(&t, 0), VIRTIO_BLK_S_OK);
	cr_assert_not(t_needs_reset(&t));
}

/* The head came back with length 0: no status byte was reachable, so the
 * device must also ask for a reset, or the driver would read a stale status. */
static void assert_returned_then_needs_reset(uint16_t head)
{
	uint32_t id, len;

	cr_assert_eq(t_used_idx(&t), 1, "head not returned");
	t_used_elem(&t, 0, &id, &len);
	cr_assert_eq(id, head);
	cr_assert_eq(len, 0);
	cr_assert(t_needs_reset(&t), "no status written and no NEEDS_RESET");
}

/* After any hostile case: reset, bring up with fresh rings, good read. */
static void assert_recovers(void)
{
	uint8_t buf[512];

	t_bring_up(&t, 0);
	cr_assert_not(t_needs_reset(&t));
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_IN, 4, 512), VIRTIO_BLK_S_OK);
	cr_assert_eq(vmmem_read(t.mem, T_DATA + 4096, buf, sizeof(buf)), 0);
	for (uint32_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], t_pattern(4 * 512 + i));
}

/* Header, then `mid` as the data descriptor, then the status. */
static uint16_t raw_read_chain(uint64_t addr, uint32_t len, uint16_t flags)
{
	t_hdr(t.mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	cr_assert_eq(vmmem_store_u8(t.mem, T_STATUS, 0xee), 0);
	raw_desc(RAW0, T_HDR, 16, VIRTQ_DESC_F_NEXT, RAW0 + 1);
	raw_desc(RAW0 + 1, addr, len, flags | VIRTQ_DESC_F_NEXT, RAW0 + 2);
	raw_desc(RAW0 + 2, T_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	return RAW0;
}

Test(hostile, descriptor_loop)
{
	t_hdr(t.mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	raw_desc(RAW0, T_HDR, 16, VIRTQ_DESC_F_NEXT, RAW0 + 1);
	raw_desc(RAW0 + 1, T_DATA, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, RAW0);
	raw_kick(RAW0);
	assert_returned_then_needs_reset(RAW0);
	assert_recovers();
}

Test(hostile, next_beyond_queue_size)
{
	t_hdr(t.mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	raw_desc(RAW0, T_HDR, 16, VIRTQ_DESC_F_NEXT, T_QSIZE + 3);
	raw_kick(RAW0);
	assert_returned_then_needs_reset(RAW0);
	assert_recovers();
}

Test(hostile, zero_length_descriptor)
{
	raw_kick(raw_read_chain(T_DATA, 0, VIRTQ_DESC_F_WRITE));
	assert_returned_then_needs_reset(RAW0);
	assert_recovers();
}

Test(hostile, four_gib_descriptor)
{
	raw_kick(raw_read_chain(T_DATA, UINT32_MAX, VIRTQ_DESC_F_WRITE));
	assert_returned_then_needs_reset(RAW0);
	assert_recovers();
}

Test(hostile, address_outside_ram)
{
	raw_kick(raw_read_chain(64ull << 30, 512, VIRTQ_DESC_F_WRITE));
	assert_returned_then_needs_reset(RAW0);
	assert_recovers();
}

Test(hostile, address_in_mmio_hole)
{
	raw_kick(raw_read_chain(0xd0000000ull, 512, VIRTQ_DESC_F_WRITE));
	assert_returned_then_needs_reset(RAW0);
	assert_recovers();
}

Test(hostile, address_wrapping_2_64)
{
	raw_kick(raw_read_chain(UINT64_MAX - 255, 512, VIRTQ_DESC_F_WRITE));
	assert_returned_then_needs_reset(RAW0);
	assert_recovers();
}

Test(hostile, nested_indirect_tables)
{
	struct virtq_desc inner[2] = {
		{ .addr = T_TABLE + 0x100, .len = 32, .flags = VIRTQ_DESC_F_INDIRECT },
	};

	cr_assert_eq(vmmem_write(t.mem, T_TABLE, inner, sizeof(inner)), 0);
	raw_desc(RAW0, T_TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	raw_kick(RAW0);
	assert_returned_then_needs_reset(RAW0);
	assert_recovers();
}

Test(hostile, avail_index_jumps_past_queue_size)
{
	(void)t_add(&t, 0, VIRTIO_BLK_T_IN, 0, 512, false);
	cr_assert_geq(virtq_driver_publish(t.drv), 0);
	cr_assert_eq(virtq_driver_set_avail_idx(t.drv, T_QSIZE + 5), 0);
	cr_assert_eq(vblk_device_mmio_write(&t.dev, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0), 0);
	cr_assert(t_needs_reset(&t));
	cr_assert_eq(t_used_idx(&t), 0);
	cr_assert_eq(vblk_device_notify(&t.dev), -EPERM);
	assert_recovers();
}

Test(hostile, head_beyond_queue_size)
{
	raw_kick(T_QSIZE + 1);
	cr_assert(t_needs_reset(&t));
	cr_assert_eq(t_used_idx(&t), 0);
	assert_recovers();
}

Test(hostile, same_head_twice_in_flight)
{
	/* Only an asynchronous device has a head still in flight when the
	 * next avail entry is read. */
	t_dev_close(&t);
	t_dev_open(&t, false, true, 0);
	uint16_t head = t_add(&t, 0, VIRTIO_BLK_T_IN, 0, 4096, false);
	cr_assert_eq(virtq_driver_push_head(t.drv, head), 0);
	t_kick(&t);
	cr_assert(t_needs_reset(&t));
	/* The first copy is still completed once, the second never. */
	while (vblk_async_inflight(t.async))
		cr_assert_geq(vblk_device_complete(&t.dev, true), 0);
	cr_assert_leq(vblk_device_stats(&t.dev)->requests, 1);
	assert_recovers();
}

Test(hostile, ring_address_changed_after_driver_ok)
{
	cr_assert_eq(vblk_device_mmio_write(&t.dev, VIRTIO_MMIO_QUEUE_DESC_LOW, 4,
					    0x40000), -EPERM);
	cr_assert(t_needs_reset(&t));
	cr_assert_eq(vblk_device_notify(&t.dev), -EPERM);
	assert_recovers();
}

Test(hostile, write_into_device_readable_buffer)
{
	uint8_t before[512], after[512];

	cr_assert_eq(vmmem_fill(t.mem, T_DATA, 0x99, 512), 0);
	cr_assert_eq(vmmem_read(t.mem, T_DATA, before, 512), 0);
	raw_kick(raw_read_chain(T_DATA, 512, 0));
	assert_returned_with_error(RAW0, true);
	cr_assert_eq(t_status(&t, 0), VIRTIO_BLK_S_IOERR);
	cr_assert_eq(vmmem_read(t.mem, T_DATA, after, 512), 0);
	cr_assert_arr_eq(before, after, 512);
	assert_recovers();
}

Test(hostile, status_descriptor_of_length_zero)
{
	uint8_t before[512], after[512];

	cr_assert_eq(vmmem_fill(t.mem, T_DATA, 0x77, 512), 0);
	cr_assert_eq(vmmem_read(t.mem, T_DATA, before, 512), 0);
	t_hdr(t.mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	raw_desc(RAW0, T_HDR, 16, VIRTQ_DESC_F_NEXT, RAW0 + 1);
	raw_desc(RAW0 + 1, T_DATA, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, RAW0 + 2);
	raw_desc(RAW0 + 2, T_STATUS, 0, VIRTQ_DESC_F_WRITE, 0);
	raw_kick(RAW0);
	/* The queue refuses the zero-length descriptor, so the request has
	 * no status byte: nothing is read or guessed into the data buffer. */
	assert_returned_then_needs_reset(RAW0);
	cr_assert_eq(vmmem_read(t.mem, T_DATA, after, 512), 0);
	cr_assert_arr_eq(before, after, 512);
	assert_recovers();
}

Test(hostile, chain_without_any_writable_byte)
{
	uint32_t id, len;

	t_hdr(t.mem, T_HDR, VIRTIO_BLK_T_OUT, 0);
	raw_desc(RAW0, T_HDR, 16 + 512, 0, 0);
	raw_kick(RAW0);
	assert_returned_then_needs_reset(RAW0);
	t_used_elem(&t, 0, &id, &len);
	cr_assert_eq(len, 0);
	assert_recovers();
}

Test(hostile, sector_past_capacity)
{
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_IN, T_DISK_SECTORS, 512),
		     VIRTIO_BLK_S_IOERR);
	cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_OUT, UINT64_MAX, 512),
		     VIRTIO_BLK_S_IOERR);
	cr_assert_not(t_needs_reset(&t));
	assert_recovers();
}

/*
 * Status bytes aimed into the used ring (fuzz-virtio-blk-device, issue 18).
 * The used ring is guest memory, so the device writes each status where the
 * driver asked, but in order: the status first, then the element naming the
 * head it took, so a request's own status never spoils its own element.  A
 * later request's status can still change an element published before;
 * that is the driver's doing, and why the fuzz target reads each element
 * right after its notify rather than after a batch.
 */
Test(hostile, status_byte_inside_used_ring)
{
	uint64_t used = virtq_driver_used_addr(t.drv);
	/* Requests 0 and 1 aim at byte 1 of their own element's id, request
	 * 2 at element 0's; all fail with IOERR (1): past the end. */
	const unsigned int aim[3] = { 0, 1, 0 };
	uint16_t heads[3];
	uint32_t id, len;

	for (unsigned int i = 0; i < 3; i++) {
		struct virtq_buf b[3] = {
			{ T_HDR + 32u * i, 16, false },
			{ T_DATA + 4096u * i, 512, true },
			{ used + 4 + 8u * aim[i] + 1, 1, true },
		};

		t_hdr(t.mem, T_HDR + 32u * i, VIRTIO_BLK_T_IN, T_DISK_SECTORS);
		cr_assert_eq(virtq_driver_add(t.drv, b, 3, &heads[i]), 0);
	}
	t_kick(&t);
	cr_assert_not(t_needs_reset(&t));
	cr_assert_eq(t_used_idx(&t), 3);
	cr_assert_eq(vblk_device_stats(&t.dev)->requests, 3);
	for (uint16_t slot = 1; slot < 3; slot++) {
		t_used_elem(&t, slot, &id, &len);
		cr_assert_eq(id, heads[slot], "element %u spoilt by its own status", slot);
	}
	t_used_elem(&t, 0, &id, &len);
	cr_assert_eq(id, heads[0] | (uint32_t)VIRTIO_BLK_S_IOERR << 8);
	assert_recovers();
}

/*
 * A driver may write the disk, in any framing (virtio 1.2 §2.6.4): here the
 * header and 4 sectors of data share one readable descriptor, as in the
 * input the fuzz target found (issue 18).  The write lands, and a read
 * after a reset returns it, so the target compares its recovery read with
 * the image rather than with the image's first contents.
 */
Test(hostile, write_in_one_descriptor_survives_reset)
{
	uint8_t data[2048], got[512];

	for (uint32_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13u + 5u);
	t_hdr(t.mem, T_HDR, VIRTIO_BLK_T_OUT, 4);
	cr_assert_eq(vmmem_write(t.mem, T_HDR + 16, data, sizeof(data)), 0);
	cr_assert_eq(vmmem_store_u8(t.mem, T_STATUS, 0xee), 0);
	raw_desc(RAW0, T_HDR, 16 + sizeof(data), VIRTQ_DESC_F_NEXT, RAW0 + 1);
	raw_desc(RAW0 + 1, T_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	raw_kick(RAW0);
	cr_assert_eq(t_used_idx(&t), 1);
	cr_assert_not(t_needs_reset(&t));
	cr_assert_eq(t_status(&t, 0), VIRTIO_BLK_S_OK);
	t_bring_up(&t, 0);
	cr_assert_eq(t_request(&t, 1, VIRTIO_BLK_T_IN, 5, 512), VIRTIO_BLK_S_OK);
	cr_assert_eq(vmmem_read(t.mem, T_DATA + 4096, got, sizeof(got)), 0);
	cr_assert_arr_eq(got, data + 512, sizeof(got));
}

/*
 * Status bytes aimed at the driver's own avail->idx (fuzz-virtio-blk-device,
 * issue 18).  The available ring is guest memory too: the device writes the
 * status where the driver asked, and avail->idx is then whatever that byte
 * made it.  The device goes by the ring, not by what the driver meant to
 * publish; the fuzz target's count of published entries therefore comes
 * from avail->idx after each notify.
 */
#define T_TYPE_UNKNOWN 0x99u	/* not a request type: UNSUPP (2) */

/* Request slot 0 of an unknown type whose status byte is `status_at`. */
static uint16_t status_aimed_at(uint64_t status_at)
{
	struct virtq_buf b[2] = { { T_HDR, 16, false }, { status_at, 1, true } };
	uint16_t head;

	t_hdr(t.mem, T_HDR, T_TYPE_UNKNOWN, 0);
	cr_assert_eq(virtq_driver_add(t.drv, b, 2, &head), 0);
	return head;
}

/* UNSUPP (2) lands on the low byte of avail->idx, which was 1: the entry
 * behind it is now published, and the same notify serves it. */
Test(hostile, status_byte_on_avail_index_publishes_the_next_entry)
{
	uint64_t avail = virtq_driver_avail_addr(t.drv);
	uint8_t buf[512];
	uint16_t first = status_aimed_at(avail + 2), second, idx;
	uint32_t id, len;

	second = t_add(&t, 1, VIRTIO_BLK_T_IN, 0, 512, false);
	/* Only the first entry is published; the second waits in slot 1. */
	cr_assert_eq(virtq_driver_set_avail_idx(t.drv, 1), 0);
	cr_assert_eq(vblk_device_notify(&t.dev), 0);
	cr_assert_not(t_needs_reset(&t));
	cr_assert_eq(vmmem_load_u16(t.mem, avail + 2, &idx), 0);
	cr_assert_eq(idx, VIRTIO_BLK_S_UNSUPP);
	cr_assert_eq(t_used_idx(&t), 2);
	cr_assert_eq(vblk_device_stats(&t.dev)->requests, 2);
	t_used_elem(&t, 0, &id, &len);
	cr_assert_eq(id, first);
	cr_assert_eq(len, 1);
	t_used_elem(&t, 1, &id, &len);
	cr_assert_eq(id, second);
	cr_assert_eq(len, 513);
	cr_assert_eq(t_status(&t, 1), VIRTIO_BLK_S_OK);
	cr_assert_eq(vmmem_read(t.mem, T_DATA + 4096, buf, sizeof(buf)), 0);
	for (uint32_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], t_pattern(i));
	assert_recovers();
}

/* UNSUPP on the high byte makes avail->idx 0x201, 512 entries ahead of the
 * device on a 16-slot ring: a driver error, since the ring cannot hold more
 * entries than it has slots (virtio 1.2 §2.7.6).  The request that did it
 * is answered, nothing else is taken, and the device asks for a reset
 * rather than read slots the driver never filled. */
Test(hostile, status_byte_moves_avail_index_past_queue_size)
{
	uint64_t avail = virtq_driver_avail_addr(t.drv);
	uint16_t head = status_aimed_at(avail + 3), idx;
	uint32_t id, len;

	t_kick(&t);
	cr_assert_eq(vmmem_load_u16(t.mem, avail + 2, &idx), 0);
	cr_assert_eq(idx, 1u | VIRTIO_BLK_S_UNSUPP << 8);
	cr_assert(t_needs_reset(&t));
	cr_assert_eq(t_used_idx(&t), 1);
	cr_assert_eq(vblk_device_stats(&t.dev)->requests, 1);
	t_used_elem(&t, 0, &id, &len);
	cr_assert_eq(id, head);
	cr_assert_eq(len, 1);
	cr_assert_eq(vblk_device_notify(&t.dev), -EPERM);
	assert_recovers();
}

/* The shape of the issue-18 run without the aliasing: more entries in all
 * than the ring has slots, one per notify, each returned before the next
 * is published.  The slots are reused (virtio 1.2 §2.7.13.2: the driver
 * fills ring[idx & (size - 1)]); each notify returns exactly one element. */
Test(hostile, more_entries_than_slots_one_per_notify)
{
	for (uint16_t n = 1; n <= T_QSIZE + 1; n++) {
		cr_assert_eq(t_request(&t, 0, VIRTIO_BLK_T_IN, n, 512), VIRTIO_BLK_S_OK);
		cr_assert_eq(t_used_idx(&t), n);
	}
	cr_assert_not(t_needs_reset(&t));
	cr_assert_eq(vblk_device_stats(&t.dev)->requests, T_QSIZE + 1);
}
