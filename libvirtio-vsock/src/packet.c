/* SPDX-License-Identifier: MIT */
/*
 * The virtio-vsock packet header (virtio 1.2 §5.10.6): conversion between
 * the 44-byte little-endian wire form and struct vsock_hdr, and the
 * validation of guest packets described in <vsock/packet.h>.  The checks
 * run in a fixed order (CIDs first) so that the caller knows, from the
 * verdict, whether it may answer the sender at all: a packet with a forged
 * CID gets no reply.
 */
#include <endian.h>
#include <string.h>

#include <vsock/packet.h>

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

/* Field offsets of struct virtio_vsock_hdr. */
enum { O_SRC_CID = 0, O_DST_CID = 8, O_SRC_PORT = 16, O_DST_PORT = 20, O_LEN = 24,
       O_TYPE = 28, O_OP = 30, O_FLAGS = 32, O_BUF_ALLOC = 36, O_FWD_CNT = 40 };

_Static_assert(sizeof(struct virtio_vsock_hdr) == VSOCK_HDR_SIZE, "wire header size");

void vsock_hdr_decode(const uint8_t raw[VSOCK_HDR_SIZE], struct vsock_hdr *h)
{
	h->src_cid = get64(raw + O_SRC_CID);
	h->dst_cid = get64(raw + O_DST_CID);
	h->src_port = get32(raw + O_SRC_PORT);
	h->dst_port = get32(raw + O_DST_PORT);
	h->len = get32(raw + O_LEN);
	h->type = get16(raw + O_TYPE);
	h->op = get16(raw + O_OP);
	h->flags = get32(raw + O_FLAGS);
	h->buf_alloc = get32(raw + O_BUF_ALLOC);
	h->fwd_cnt = get32(raw + O_FWD_CNT);
}

void vsock_hdr_encode(const struct vsock_hdr *h, uint8_t raw[VSOCK_HDR_SIZE])
{
	put64(raw + O_SRC_CID, h->src_cid);
	put64(raw + O_DST_CID, h->dst_cid);
	put32(raw + O_SRC_PORT, h->src_port);
	put32(raw + O_DST_PORT, h->dst_port);
	put32(raw + O_LEN, h->len);
	put16(raw + O_TYPE, h->type);
	put16(raw + O_OP, h->op);
	put32(raw + O_FLAGS, h->flags);
	put32(raw + O_BUF_ALLOC, h->buf_alloc);
	put32(raw + O_FWD_CNT, h->fwd_cnt);
}

static enum vsock_pkt_verdict check_op(const struct vsock_hdr *h, uint64_t payload_avail)
{
	const uint32_t shut = VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND;

	if (h->op < VIRTIO_VSOCK_OP_REQUEST || h->op > VIRTIO_VSOCK_OP_CREDIT_REQUEST)
		return VSOCK_PKT_BAD_OP;
	if (h->op == VIRTIO_VSOCK_OP_SHUTDOWN ? (h->flags == 0 || (h->flags & ~shut))
					      : h->flags != 0)
		return VSOCK_PKT_BAD_FLAGS;
	if (h->op != VIRTIO_VSOCK_OP_RW)
		return h->len ? VSOCK_PKT_BAD_LEN : VSOCK_PKT_OK;
	if (h->len > VSOCK_MAX_PKT_LEN || h->len > payload_avail)
		return VSOCK_PKT_BAD_LEN;
	return VSOCK_PKT_OK;
}

enum vsock_pkt_verdict vsock_pkt_parse(const void *raw, size_t raw_len,
				       uint64_t guest_cid, uint64_t payload_avail,
				       struct vsock_hdr *h)
{
	if (raw_len < VSOCK_HDR_SIZE)
		return VSOCK_PKT_SHORT;
	vsock_hdr_decode(raw, h);
	if (h->src_cid != guest_cid)
		return VSOCK_PKT_BAD_SRC_CID;
	if (h->dst_cid != VSOCK_HOST_CID)
		return VSOCK_PKT_BAD_DST_CID;
	if (h->type != VIRTIO_VSOCK_TYPE_STREAM)
		return VSOCK_PKT_BAD_TYPE;
	return check_op(h, payload_avail);
}

const char *vsock_pkt_verdict_name(enum vsock_pkt_verdict v)
{
	static const char *const names[VSOCK_PKT_NR_VERDICTS] = {
		"ok", "short", "bad-src-cid", "bad-dst-cid", "bad-type", "bad-op",
		"bad-flags", "bad-len",
	};

	return (unsigned int)v < VSOCK_PKT_NR_VERDICTS ? names[v] : "?";
}
