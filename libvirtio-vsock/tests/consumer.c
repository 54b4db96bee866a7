// SPDX-License-Identifier: MIT
// Built by tests/check-install.sh against the installed libvirtio-vsock
// alone: encodes a guest REQUEST header and parses it back.
#include <stdio.h>

#include <vsock/vsock.h>

int main(void)
{
	struct vsock_hdr h = {
		.src_cid = 3, .dst_cid = VSOCK_HOST_CID, .src_port = 1234,
		.dst_port = 52, .type = VIRTIO_VSOCK_TYPE_STREAM,
		.op = VIRTIO_VSOCK_OP_REQUEST, .buf_alloc = 4096,
	}, back;
	uint8_t raw[VSOCK_HDR_SIZE];

	vsock_hdr_encode(&h, raw);
	if (vsock_pkt_parse(raw, sizeof(raw), 3, 0, &back) != VSOCK_PKT_OK ||
	    back.dst_port != 52)
		return 1;
	printf("libvirtio-vsock %s\n", VSOCK_VERSION_STRING);
	return 0;
}
