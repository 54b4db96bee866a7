/* SPDX-License-Identifier: MIT */
/*
 * The request parser against virtio 1.2 §5.2.6: one test per layout rule,
 * range rule and rejection path, plus a randomized property test.
 */
#include <errno.h>

#include "harness.h"

static struct vmmem_map *mem;
static struct vblk_chain chain;
static struct vblk_request req;
static struct vblk_limits lim;

static void setup(void)
{
	mem = t_mem();
	lim = t_limits();
}

static void teardown(void)
{
	vmmem_map_free(mem);
}

TestSuite(request, .init = setup, .fini = teardown);

static int parse(void)
{
	return vblk_parse(mem, &lim, &chain, &req);
}

Test(request, read_is_accepted_with_segments_and_status)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 10);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	vblk_chain_push(&chain, T_DATA, 1024, true);
	vblk_chain_push(&chain, T_DATA + 4096, 512, true);
	vblk_chain_push(&chain, T_STATUS, 1, true);
	cr_assert_eq(parse(), 0);
	cr_assert_eq(req.status, VIRTIO_BLK_S_OK);
	cr_assert_eq(req.sector, 10);
	cr_assert_eq(req.nseg, 2);
	cr_assert_eq(req.data_len, 1536);
	cr_assert_eq(req.seg[1].addr, T_DATA + 4096);
	cr_assert(req.has_status);
	cr_assert_eq(req.status_addr, T_STATUS);
}

Test(request, read_data_and_status_may_share_a_descriptor)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	vblk_chain_push(&chain, T_DATA, 513, true);
	cr_assert_eq(parse(), 0);
	cr_assert_eq(req.nseg, 1);
	cr_assert_eq(req.seg[0].len, 512);
	cr_assert_eq(req.status_addr, T_DATA + 512);
}

Test(request, write_header_and_data_may_share_a_descriptor)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_OUT, 3);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16 + 1024, false);
	vblk_chain_push(&chain, T_STATUS, 1, true);
	cr_assert_eq(parse(), 0);
	cr_assert_eq(req.nseg, 1);
	cr_assert_eq(req.seg[0].addr, T_HDR + 16);
	cr_assert_eq(req.seg[0].len, 1024);
}

Test(request, header_may_span_two_descriptors)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 77);
	cr_assert_eq(vmmem_write(mem, T_HDR + 0x100, (uint8_t[8]){ 0 }, 8), 0);
	/* Move bytes 8..15 (the sector) to a second descriptor. */
	uint8_t sec[8];
	cr_assert_eq(vmmem_read(mem, T_HDR + 8, sec, 8), 0);
	cr_assert_eq(vmmem_write(mem, T_HDR + 0x100, sec, 8), 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 8, false);
	vblk_chain_push(&chain, T_HDR + 0x100, 8, false);
	vblk_chain_push(&chain, T_DATA, 512, true);
	vblk_chain_push(&chain, T_STATUS, 1, true);
	cr_assert_eq(parse(), 0);
	cr_assert_eq(req.sector, 77);
}

Test(request, short_header_is_ioerr)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 15, false);
	vblk_chain_push(&chain, T_STATUS, 1, true);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert_eq(req.status, VIRTIO_BLK_S_IOERR);
	cr_assert(req.has_status);
}

Test(request, header_outside_memory_is_ioerr)
{
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, 3ull << 30, 16, false);
	vblk_chain_push(&chain, T_STATUS, 1, true);
	cr_assert_eq(parse(), -EFAULT);
	cr_assert_eq(req.status, VIRTIO_BLK_S_IOERR);
	cr_assert(req.has_status);
}

Test(request, read_into_device_readable_buffer_is_ioerr)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	t_chain3(&chain, T_DATA, 512, false);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert_eq(req.status, VIRTIO_BLK_S_IOERR);
	cr_assert_eq(req.nseg, 0);
}

Test(request, write_with_device_writable_data_is_ioerr)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_OUT, 0);
	t_chain3(&chain, T_DATA, 512, true);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert_eq(req.status, VIRTIO_BLK_S_IOERR);
}

Test(request, readable_after_writable_is_ioerr)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	vblk_chain_push(&chain, T_DATA, 512, true);
	vblk_chain_push(&chain, T_DATA + 512, 512, false);
	vblk_chain_push(&chain, T_STATUS, 1, true);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert(req.has_status);
}

Test(request, partial_sector_is_ioerr)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	t_chain3(&chain, T_DATA, 511, true);
	cr_assert_eq(parse(), -EBADMSG);
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_OUT, 0);
	t_chain3(&chain, T_DATA, 513, false);
	cr_assert_eq(parse(), -EBADMSG);
}

Test(request, read_ending_at_capacity_is_accepted)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, T_DISK_SECTORS - 2);
	t_chain3(&chain, T_DATA, 1024, true);
	cr_assert_eq(parse(), 0);
}

Test(request, read_past_capacity_is_ioerr)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, T_DISK_SECTORS - 1);
	t_chain3(&chain, T_DATA, 1024, true);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert_eq(req.status, VIRTIO_BLK_S_IOERR);
}

Test(request, sector_overflow_is_ioerr)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_OUT, UINT64_MAX);
	t_chain3(&chain, T_DATA, 512, false);
	cr_assert_eq(parse(), -EBADMSG);
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, UINT64_MAX >> 9);
	t_chain3(&chain, T_DATA, 512, true);
	cr_assert_eq(parse(), -EBADMSG);
}

Test(request, write_to_read_only_device_is_ioerr)
{
	lim.read_only = true;
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_OUT, 0);
	t_chain3(&chain, T_DATA, 512, false);
	cr_assert_eq(parse(), -EROFS);
	cr_assert_eq(req.status, VIRTIO_BLK_S_IOERR);
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	t_chain3(&chain, T_DATA, 512, true);
	cr_assert_eq(parse(), 0);
}

Test(request, more_segments_than_seg_max_is_ioerr)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	for (uint32_t i = 0; i <= lim.seg_max; i++)
		vblk_chain_push(&chain, T_DATA + i * 512u, 512, true);
	vblk_chain_push(&chain, T_STATUS, 1, true);
	cr_assert_eq(parse(), -EBADMSG);
	lim.seg_max = 9;
	cr_assert_eq(parse(), 0);
}

Test(request, overlong_chain_keeps_its_status_byte)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	for (uint32_t i = 0; i < VBLK_MAX_DESCS + 5; i++)
		vblk_chain_push(&chain, T_DATA + i * 512u, 512, true);
	vblk_chain_push(&chain, T_STATUS, 1, true);
	cr_assert(chain.overflow);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert_eq(req.status_addr, T_STATUS);
}

Test(request, chain_refused_by_queue_is_ioerr_with_status)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	t_chain3(&chain, T_DATA, 512, true);
	chain.bad = true;
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert(req.has_status);
	cr_assert_eq(req.status_addr, T_STATUS);
}

Test(request, zero_length_status_descriptor_is_ioerr_in_previous_byte)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_IN, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	vblk_chain_push(&chain, T_DATA, 512, true);
	vblk_chain_push(&chain, T_STATUS, 0, true);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert_eq(req.status, VIRTIO_BLK_S_IOERR);
	cr_assert_eq(req.status_addr, T_DATA + 511);
}

Test(request, chain_without_writable_byte_has_no_status)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_OUT, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	vblk_chain_push(&chain, T_STATUS, 0, true);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert_not(req.has_status);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16 + 512, false);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert_not(req.has_status);
}

Test(request, status_outside_memory_is_not_reported)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_FLUSH, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	vblk_chain_push(&chain, 2ull * T_REGION, 1, true);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert_not(req.has_status);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	vblk_chain_push(&chain, UINT64_MAX - 2, 8, true);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert_not(req.has_status);
}

Test(request, flush_at_sector_zero_is_accepted)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_FLUSH, 0);
	t_chain3(&chain, 0, 0, false);
	cr_assert_eq(parse(), 0);
}

Test(request, flush_at_nonzero_sector_is_ioerr)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_FLUSH, 1);
	t_chain3(&chain, 0, 0, false);
	cr_assert_eq(parse(), -EBADMSG);
	cr_assert_eq(req.status, VIRTIO_BLK_S_IOERR);
}

Test(request, flush_with_data_is_tolerated)
{
	/* §5.2.6.1: the driver only SHOULD NOT attach data to a flush. */
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_FLUSH, 0);
	t_chain3(&chain, T_DATA, 512, false);
	cr_assert_eq(parse(), 0);
	cr_assert_eq(req.data_len, 0, "the data is ignored");
	t_chain3(&chain, T_DATA, 512, true);
	cr_assert_eq(parse(), 0);
	cr_assert_eq(req.status_addr, T_STATUS);
}

Test(request, flush_not_negotiated_is_unsupp)
{
	lim.flush = false;
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_FLUSH, 0);
	t_chain3(&chain, 0, 0, false);
	cr_assert_eq(parse(), -ENOTSUP);
	cr_assert_eq(req.status, VIRTIO_BLK_S_UNSUPP);
}

/* GET_ID by the size of its writable buffer (status byte apart): below 20
 * bytes IOERR; 20 or more gets the 20-byte ID at the buffer's start. */
Test(request, get_id_buffer_sizes)
{
	static const struct { uint32_t len; int err; } cases[] = {
		{ 1, -EBADMSG }, { 19, -EBADMSG }, { 20, 0 }, { 21, 0 }, { 512, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_hdr(mem, T_HDR, VIRTIO_BLK_T_GET_ID, 0);
		t_chain3(&chain, T_DATA, cases[i].len, true);
		cr_assert_eq(parse(), cases[i].err, "len %u", cases[i].len);
		if (cases[i].err) {
			cr_assert_eq(req.status, VIRTIO_BLK_S_IOERR);
			continue;
		}
		cr_assert_eq(req.data_len, 20, "len %u", cases[i].len);
		cr_assert_eq(req.nseg, 1);
		cr_assert_eq(req.seg[0].addr, T_DATA);
		cr_assert_eq(req.seg[0].len, 20);
	}
}

Test(request, get_id_with_readable_data_is_ioerr)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_GET_ID, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16 + 20, false);
	vblk_chain_push(&chain, T_DATA, 20, true);
	vblk_chain_push(&chain, T_STATUS, 1, true);
	cr_assert_eq(parse(), -EBADMSG);
}

Test(request, unknown_type_is_unsupp)
{
	uint32_t types[] = { 2, 3, 5, 9, 14, VIRTIO_BLK_T_BARRIER, UINT32_MAX };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		t_hdr(mem, T_HDR, types[i], 0);
		t_chain3(&chain, 0, 0, false);
		cr_assert_eq(parse(), -ENOTSUP, "type %u", types[i]);
		cr_assert_eq(req.status, VIRTIO_BLK_S_UNSUPP);
	}
}

static void dwz_chain(uint32_t type, uint32_t nseg)
{
	t_hdr(mem, T_HDR, type, 0);
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, T_HDR, 16, false);
	vblk_chain_push(&chain, T_DATA, nseg * 16u, false);
	vblk_chain_push(&chain, T_STATUS, 1, true);
}

Test(request, discard_segments_are_read)
{
	t_dwz(mem, T_DATA, 8, 16, 0);
	t_dwz(mem, T_DATA + 16, 64, 256, 0);
	dwz_chain(VIRTIO_BLK_T_DISCARD, 2);
	cr_assert_eq(parse(), 0);
	cr_assert_eq(req.ndwz, 2);
	cr_assert_eq(req.dwz[1].sector, 64);
	cr_assert_eq(req.dwz[1].num_sectors, 256);
}

Test(request, discard_with_unmap_flag_is_unsupp)
{
	t_dwz(mem, T_DATA, 8, 16, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	dwz_chain(VIRTIO_BLK_T_DISCARD, 1);
	cr_assert_eq(parse(), -ENOTSUP);
	cr_assert_eq(req.status, VIRTIO_BLK_S_UNSUPP);
}

Test(request, write_zeroes_unmap_flag_is_accepted_but_unknown_flags_are_not)
{
	t_dwz(mem, T_DATA, 8, 16, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	dwz_chain(VIRTIO_BLK_T_WRITE_ZEROES, 1);
	cr_assert_eq(parse(), 0);
	t_dwz(mem, T_DATA, 8, 16, 2);
	cr_assert_eq(parse(), -ENOTSUP);
}

/* §5.2.6.2: UNMAP on a discard, or an unknown flag, is UNSUPP whatever
 * else is wrong with the request's segments: all flags are checked
 * before any count, size, alignment or range. */
Test(request, discard_unmap_flag_wins_over_an_earlier_segment_past_capacity)
{
	t_dwz(mem, T_DATA, T_DISK_SECTORS + 8, 8, 0);
	t_dwz(mem, T_DATA + 16, 0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	dwz_chain(VIRTIO_BLK_T_DISCARD, 2);
	cr_assert_eq(parse(), -ENOTSUP);
	cr_assert_eq(req.status, VIRTIO_BLK_S_UNSUPP);
}

Test(request, write_zeroes_unknown_flag_wins_over_too_many_segments)
{
	t_dwz(mem, T_DATA, 0, 8, 0x80000000u);
	for (uint32_t i = 1; i < 5; i++)
		t_dwz(mem, T_DATA + 16 * i, 8 * i, 8, 0);
	dwz_chain(VIRTIO_BLK_T_WRITE_ZEROES, 5);	/* 4 advertised */
	cr_assert_eq(parse(), -ENOTSUP);
	cr_assert_eq(req.status, VIRTIO_BLK_S_UNSUPP);
}

Test(request, discard_more_segments_than_advertised_is_ioerr)
{
	for (uint32_t i = 0; i < 5; i++)
		t_dwz(mem, T_DATA + 16 * i, 8 * i, 8, 0);
	dwz_chain(VIRTIO_BLK_T_DISCARD, 5);
	cr_assert_eq(parse(), -EBADMSG);
	dwz_chain(VIRTIO_BLK_T_DISCARD, 4);
	cr_assert_eq(parse(), 0);
}

Test(request, discard_over_max_sectors_is_ioerr)
{
	t_dwz(mem, T_DATA, 0, 264, 0);
	dwz_chain(VIRTIO_BLK_T_DISCARD, 1);
	cr_assert_eq(parse(), -EBADMSG);
	t_dwz(mem, T_DATA, 0, 264, 0);
	dwz_chain(VIRTIO_BLK_T_WRITE_ZEROES, 1);
	cr_assert_eq(parse(), -EBADMSG);
}

Test(request, discard_misaligned_is_ioerr)
{
	t_dwz(mem, T_DATA, 4, 8, 0);
	dwz_chain(VIRTIO_BLK_T_DISCARD, 1);
	cr_assert_eq(parse(), -EBADMSG);
}

Test(request, discard_past_capacity_is_ioerr)
{
	t_dwz(mem, T_DATA, T_DISK_SECTORS - 8, 16, 0);
	dwz_chain(VIRTIO_BLK_T_DISCARD, 1);
	cr_assert_eq(parse(), -EBADMSG);
	t_dwz(mem, T_DATA, UINT64_MAX - 7, 16, 0);
	cr_assert_eq(parse(), -EBADMSG);
}

Test(request, discard_payload_not_whole_segments_is_ioerr)
{
	t_hdr(mem, T_HDR, VIRTIO_BLK_T_DISCARD, 0);
	t_chain3(&chain, T_DATA, 24, false);
	cr_assert_eq(parse(), -EBADMSG);
	t_chain3(&chain, 0, 0, false);
	cr_assert_eq(parse(), -EBADMSG);
}

Test(request, discard_not_negotiated_is_unsupp)
{
	lim.discard = false;
	lim.write_zeroes = false;
	t_dwz(mem, T_DATA, 8, 8, 0);
	dwz_chain(VIRTIO_BLK_T_DISCARD, 1);
	cr_assert_eq(parse(), -ENOTSUP);
	dwz_chain(VIRTIO_BLK_T_WRITE_ZEROES, 1);
	cr_assert_eq(parse(), -ENOTSUP);
}

Test(request, discard_on_read_only_device_is_ioerr)
{
	lim.read_only = true;
	t_dwz(mem, T_DATA, 8, 8, 0);
	dwz_chain(VIRTIO_BLK_T_DISCARD, 1);
	cr_assert_eq(parse(), -EROFS);
	cr_assert_eq(req.status, VIRTIO_BLK_S_IOERR);
}

/*
 * Property: for random chains over random memory, an accepted request's
 * segments lie inside its chain's buffers in the right direction, add up to
 * data_len, cover whole sectors inside the capacity, and the status byte is
 * the last writable byte.
 */
static void check_accepted(void)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < req.nseg; i++) {
		bool inside = false;

		for (uint32_t j = 0; j < chain.n; j++) {
			const struct vblk_desc *d = &chain.d[j];

			if (req.seg[i].addr >= d->addr &&
			    req.seg[i].addr + req.seg[i].len <= d->addr + d->len &&
			    d->write == (req.type != VIRTIO_BLK_T_OUT))
				inside = true;
		}
		cr_assert(inside, "segment %u outside the chain", i);
		sum += req.seg[i].len;
	}
	cr_assert_eq(sum, req.data_len);
	if (req.type == VIRTIO_BLK_T_IN || req.type == VIRTIO_BLK_T_OUT) {
		cr_assert_eq(req.data_len % 512, 0);
		cr_assert_leq(req.sector + (req.data_len >> 9), lim.capacity);
	}
	cr_assert(req.has_status);
	const struct vblk_desc *last = &chain.d[chain.n - 1];
	cr_assert(last->write);
	cr_assert_eq(req.status_addr, last->addr + last->len - 1);
}

Test(request, random_chains_hold_the_invariants)
{
	uint32_t types[] = { 0, 1, 4, 8, 11, 13, 99 };
	unsigned int seed = 12345;

	for (int iter = 0; iter < 20000; iter++) {
		uint32_t n = 1 + (uint32_t)rand_r(&seed) % 6;

		t_hdr(mem, T_HDR, types[rand_r(&seed) % 7],
		      (uint64_t)(rand_r(&seed) % 2100) - (rand_r(&seed) % 2 ? 0 : 50));
		t_dwz(mem, T_DATA, (uint64_t)(rand_r(&seed) % 2100),
		      (uint32_t)(rand_r(&seed) % 300), (uint32_t)(rand_r(&seed) % 3));
		vblk_chain_reset(&chain);
		vblk_chain_push(&chain, T_HDR, 16 + (uint32_t)(rand_r(&seed) % 3) * 8, false);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t len = (uint32_t)(rand_r(&seed) % 3) * 512u +
				       (uint32_t)(rand_r(&seed) % 4 == 0 ? rand_r(&seed) % 21 : 0);
			uint64_t addr = rand_r(&seed) % 16 ? T_DATA + i * 0x1000u
							   : 2ull * T_REGION - 256;

			vblk_chain_push(&chain, addr, len, i > 0 && rand_r(&seed) % 4 != 0);
		}
		vblk_chain_push(&chain, T_STATUS, (uint32_t)(rand_r(&seed) % 8 == 0 ? 0 : 1),
				rand_r(&seed) % 16 != 0);
		int err = parse();

		if (err == 0)
			check_accepted();
		else
			cr_assert_neq(req.status, VIRTIO_BLK_S_OK);
	}
}
