// SPDX-License-Identifier: MIT
/*
 * The in-memory loopback backend: a FIFO of frames (header included).
 * What the device sends is queued and comes back as received, which is
 * enough to test both queues against each other without a kernel
 * interface; tests also push frames "from the host" and pop what the
 * device sent.  It honours whatever offloads it was created with, like a
 * tap that never segments anything.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vnet/backend.h>
#include <vnet/hdr.h>

#define LB_FRAME_MAX (VNET_HDR_LEN + VNET_MAX_FRAME)
#define LB_MAX_CAPACITY 4096u

struct vnet_loopback {
	unsigned int capacity, head, count;
	uint64_t offloads, offload_set;
	unsigned int fail_sends;
	int fail_err;
	uint32_t *len;
	uint8_t *data;	/* capacity slots of LB_FRAME_MAX bytes */
};

static uint8_t *slot(struct vnet_loopback *lb, unsigned int i)
{
	return lb->data + (size_t)(i % lb->capacity) * LB_FRAME_MAX;
}

static ssize_t lb_send(void *ctx, const struct iovec *iov, int iovcnt)
{
	struct vnet_loopback *lb = ctx;
	unsigned int tail = lb->head + lb->count;
	size_t total = 0;
	uint8_t *dst;

	if (lb->fail_sends) {
		lb->fail_sends--;
		return lb->fail_err;
	}
	if (lb->count == lb->capacity)
		return -EAGAIN;
	dst = slot(lb, tail);
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > LB_FRAME_MAX - total)
			return -EMSGSIZE;
		memcpy(dst + total, iov[i].iov_base, iov[i].iov_len);
		total += iov[i].iov_len;
	}
	lb->len[tail % lb->capacity] = (uint32_t)total;
	lb->count++;
	return (ssize_t)total;
}

static ssize_t lb_recv(void *ctx, void *buf, size_t len)
{
	return vnet_loopback_pop(ctx, buf, len);
}

static int lb_set_offload(void *ctx, uint64_t features)
{
	struct vnet_loopback *lb = ctx;

	lb->offload_set = features;
	return 0;
}

static const struct vnet_backend_ops lb_ops = {
	.version = VNET_BACKEND_OPS_VERSION,
	.send = lb_send,
	.recv = lb_recv,
	.set_offload = lb_set_offload,
};

int vnet_loopback_new(unsigned int capacity, uint64_t offloads,
		      struct vnet_loopback **out)
{
	struct vnet_loopback *lb;

	if (capacity == 0 || capacity > LB_MAX_CAPACITY)
		return -EINVAL;
	lb = calloc(1, sizeof(*lb));
	if (!lb)
		return -ENOMEM;
	lb->capacity = capacity;
	lb->offloads = offloads;
	lb->len = calloc(capacity, sizeof(*lb->len));
	lb->data = malloc((size_t)capacity * LB_FRAME_MAX);
	if (!lb->len || !lb->data) {
		vnet_loopback_free(lb);
		return -ENOMEM;
	}
	*out = lb;
	return 0;
}

void vnet_loopback_free(struct vnet_loopback *lb)
{
	if (!lb)
		return;
	free(lb->len);
	free(lb->data);
	free(lb);
}

void vnet_loopback_backend(struct vnet_loopback *lb, struct vnet_backend *out)
{
	*out = (struct vnet_backend){
		.ops = &lb_ops, .ctx = lb, .offloads = lb->offloads, .fd = -1,
	};
}

int vnet_loopback_push(struct vnet_loopback *lb, const void *buf, size_t len)
{
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	unsigned int fail = lb->fail_sends;
	ssize_t n;

	if (len > LB_FRAME_MAX)
		return -EINVAL;
	lb->fail_sends = 0;	/* injected failures are for the device */
	n = lb_send(lb, &iov, 1);
	lb->fail_sends = fail;
	return n < 0 ? (n == -EAGAIN ? -ENOSPC : (int)n) : 0;
}

ssize_t vnet_loopback_pop(struct vnet_loopback *lb, void *buf, size_t cap)
{
	uint32_t len;

	if (lb->count == 0)
		return -EAGAIN;
	len = lb->len[lb->head % lb->capacity];
	if (len > cap)
		len = (uint32_t)cap;
	memcpy(buf, slot(lb, lb->head), len);
	lb->head = (lb->head + 1) % lb->capacity;
	lb->count--;
	return len;
}

unsigned int vnet_loopback_count(const struct vnet_loopback *lb)
{
	return lb->count;
}

uint64_t vnet_loopback_offload(const struct vnet_loopback *lb)
{
	return lb->offload_set;
}

void vnet_loopback_fail_sends(struct vnet_loopback *lb, unsigned int n, int err)
{
	lb->fail_sends = n;
	lb->fail_err = err;
}
