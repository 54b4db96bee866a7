/* SPDX-License-Identifier: MIT */
/*
 * The packet header parser (virtio 1.2 §5.10.6): wire layout, one test per
 * rejection rule of <vsock/packet.h>, and a randomized property test.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <vsock/packet.h>

#define CID 7u

static struct vsock_hdr good(uint16_t op, uint32_t len)
{
	return (struct vsock_hdr){
		.src_cid = CID, .dst_cid = VSOCK_HOST_CID, .src_port = 1000,
		.dst_port = 52, .len = len, .type = VIRTIO_VSOCK_TYPE_STREAM,
		.op = op, .buf_alloc = 4096, .fwd_cnt = 17,
	};
}

static enum vsock_pkt_verdict parse(const struct vsock_hdr *h, uint64_t payload)
{
	uint8_t raw[VSOCK_HDR_SIZE];
	struct vsock_hdr out;

	vsock_hdr_encode(h, raw);
	return vsock_pkt_parse(raw, sizeof(raw), CID, payload, &out);
}

Test(packet, wire_layout_is_little_endian_44_bytes)
{
	struct vsock_hdr h = {
		.src_cid = 0x0102030405060708ull, .dst_cid = 0x1112131415161718ull,
		.src_port = 0x21222324, .dst_port = 0x31323334, .len = 0x41424344,
		.type = 0x5152, .op = 0x6162, .flags = 0x71727374,
		.buf_alloc = 0x81828384, .fwd_cnt = 0x91929394,
	}, back;
	uint8_t raw[VSOCK_HDR_SIZE];

	vsock_hdr_encode(&h, raw);
	cr_assert_eq(raw[0], 0x08);	/* src_cid low byte first */
	cr_assert_eq(raw[8], 0x18);	/* dst_cid at 8 */
	cr_assert_eq(raw[16], 0x24);	/* src_port at 16 */
	cr_assert_eq(raw[20], 0x34);	/* dst_port at 20 */
	cr_assert_eq(raw[24], 0x44);	/* len at 24 */
	cr_assert_eq(raw[28], 0x52);	/* type at 28 */
	cr_assert_eq(raw[30], 0x62);	/* op at 30 */
	cr_assert_eq(raw[32], 0x74);	/* flags at 32 */
	cr_assert_eq(raw[36], 0x84);	/* buf_alloc at 36 */
	cr_assert_eq(raw[40], 0x94);	/* fwd_cnt at 40 */
	cr_assert_eq(raw[43], 0x91);
	vsock_hdr_decode(raw, &back);
	cr_assert_eq(memcmp(&h, &back, sizeof(h)), 0);
}

Test(packet, every_op_accepted_with_valid_fields)
{
	for (uint16_t op = VIRTIO_VSOCK_OP_REQUEST; op <= VIRTIO_VSOCK_OP_CREDIT_REQUEST; op++) {
		struct vsock_hdr h = good(op, op == VIRTIO_VSOCK_OP_RW ? 100 : 0);

		if (op == VIRTIO_VSOCK_OP_SHUTDOWN)
			h.flags = VIRTIO_VSOCK_SHUTDOWN_RCV;
		cr_assert_eq(parse(&h, 100), VSOCK_PKT_OK, "op %u", op);
	}
}

Test(packet, short_header_refused)
{
	uint8_t raw[VSOCK_HDR_SIZE] = { 0 };
	struct vsock_hdr out;

	cr_assert_eq(vsock_pkt_parse(raw, VSOCK_HDR_SIZE - 1, CID, 0, &out), VSOCK_PKT_SHORT);
	cr_assert_eq(vsock_pkt_parse(raw, 0, CID, 0, &out), VSOCK_PKT_SHORT);
}

Test(packet, src_cid_must_be_the_guests)
{
	struct vsock_hdr h = good(VIRTIO_VSOCK_OP_REQUEST, 0);

	h.src_cid = CID + 1;
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_SRC_CID);
	h.src_cid = CID | (1ull << 32);	/* upper bits are not ignored */
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_SRC_CID);
	h.src_cid = VSOCK_HOST_CID;		/* a guest posing as the host */
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_SRC_CID);
}

Test(packet, dst_cid_must_be_the_host)
{
	struct vsock_hdr h = good(VIRTIO_VSOCK_OP_REQUEST, 0);

	h.dst_cid = CID;	/* loopback to itself */
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_DST_CID);
	h.dst_cid = 4;		/* another guest */
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_DST_CID);
	h.dst_cid = VSOCK_HOST_CID | (1ull << 40);
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_DST_CID);
}

Test(packet, only_stream_type)
{
	struct vsock_hdr h = good(VIRTIO_VSOCK_OP_REQUEST, 0);

	h.type = VIRTIO_VSOCK_TYPE_SEQPACKET;	/* not offered */
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_TYPE);
	h.type = 0;
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_TYPE);
	h.type = 0xffff;
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_TYPE);
}

Test(packet, unknown_ops_refused)
{
	uint16_t bad[] = { VIRTIO_VSOCK_OP_INVALID, 8, 9, 0x100, 0xffff };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vsock_hdr h = good(bad[i], 0);

		cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_OP, "op %u", bad[i]);
	}
}

Test(packet, shutdown_flags_nonempty_subset_of_rcv_send)
{
	struct vsock_hdr h = good(VIRTIO_VSOCK_OP_SHUTDOWN, 0);

	h.flags = 0;
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_FLAGS);
	h.flags = 4;
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_FLAGS);
	h.flags = VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND;
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_OK);
	h.flags = VIRTIO_VSOCK_SHUTDOWN_SEND;
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_OK);
}

Test(packet, flags_on_other_ops_refused)
{
	/* EOM/EOR belong to SEQPACKET, which is not offered. */
	struct vsock_hdr h = good(VIRTIO_VSOCK_OP_RW, 10);

	h.flags = VIRTIO_VSOCK_SEQ_EOM;
	cr_assert_eq(parse(&h, 10), VSOCK_PKT_BAD_FLAGS);
	h = good(VIRTIO_VSOCK_OP_REQUEST, 0);
	h.flags = 1;
	cr_assert_eq(parse(&h, 0), VSOCK_PKT_BAD_FLAGS);
}

Test(packet, len_on_control_op_refused)
{
	struct vsock_hdr h = good(VIRTIO_VSOCK_OP_CREDIT_UPDATE, 1);

	cr_assert_eq(parse(&h, 100), VSOCK_PKT_BAD_LEN);
}

Test(packet, len_beyond_chain_refused)
{
	struct vsock_hdr h = good(VIRTIO_VSOCK_OP_RW, 101);

	cr_assert_eq(parse(&h, 100), VSOCK_PKT_BAD_LEN);
	cr_assert_eq(parse(&h, 101), VSOCK_PKT_OK);
	/* More bytes in the chain than len is fine: len says what counts. */
	cr_assert_eq(parse(&h, 4096), VSOCK_PKT_OK);
}

Test(packet, len_beyond_max_refused_even_with_a_big_chain)
{
	struct vsock_hdr h = good(VIRTIO_VSOCK_OP_RW, VSOCK_MAX_PKT_LEN + 1);

	cr_assert_eq(parse(&h, 1ull << 32), VSOCK_PKT_BAD_LEN);
	h.len = VSOCK_MAX_PKT_LEN;
	cr_assert_eq(parse(&h, VSOCK_MAX_PKT_LEN), VSOCK_PKT_OK);
	h.len = UINT32_MAX;
	cr_assert_eq(parse(&h, UINT64_MAX), VSOCK_PKT_BAD_LEN);
}

Test(packet, verdict_names)
{
	cr_assert_str_eq(vsock_pkt_verdict_name(VSOCK_PKT_OK), "ok");
	cr_assert_str_eq(vsock_pkt_verdict_name(VSOCK_PKT_BAD_LEN), "bad-len");
	cr_assert_str_eq(vsock_pkt_verdict_name(VSOCK_PKT_NR_VERDICTS), "?");
}

/* Property: for random headers (biased towards valid fields), the verdict
 * is OK exactly when every rule holds, and decode(encode(h)) == h. */
Test(packet, randomized_rules_hold)
{
	srand(12345);
	for (int i = 0; i < 200000; i++) {
		uint8_t raw[VSOCK_HDR_SIZE], again[VSOCK_HDR_SIZE];
		struct vsock_hdr h;
		uint64_t payload = (uint64_t)(rand() % 70000);
		enum vsock_pkt_verdict v;
		bool ok;

		for (size_t k = 0; k < sizeof(raw); k++)
			raw[k] = (uint8_t)rand();
		vsock_hdr_decode(raw, &h);
		if (rand() % 2) h.src_cid = CID;
		if (rand() % 2) h.dst_cid = VSOCK_HOST_CID;
		if (rand() % 2) h.type = VIRTIO_VSOCK_TYPE_STREAM;
		if (rand() % 2) h.op = (uint16_t)(rand() % 9);
		if (rand() % 2) h.flags = (uint32_t)(rand() % 4);
		if (rand() % 2) h.len = (uint32_t)(rand() % 70000);
		if (rand() % 3 == 0) h.len = 0;
		vsock_hdr_encode(&h, raw);
		v = vsock_pkt_parse(raw, sizeof(raw), CID, payload, &h);
		ok = h.src_cid == CID && h.dst_cid == VSOCK_HOST_CID &&
		     h.type == VIRTIO_VSOCK_TYPE_STREAM && h.op >= 1 && h.op <= 7 &&
		     (h.op == VIRTIO_VSOCK_OP_SHUTDOWN ? h.flags >= 1 && h.flags <= 3
						       : h.flags == 0) &&
		     (h.op == VIRTIO_VSOCK_OP_RW
			      ? h.len <= VSOCK_MAX_PKT_LEN && h.len <= payload
			      : h.len == 0);
		cr_assert_eq(v == VSOCK_PKT_OK, ok, "iteration %d verdict %s", i,
			     vsock_pkt_verdict_name(v));
		vsock_hdr_encode(&h, again);
		cr_assert_eq(memcmp(raw, again, sizeof(raw)), 0);
	}
}
