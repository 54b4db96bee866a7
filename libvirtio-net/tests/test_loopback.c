// SPDX-License-Identifier: MIT
/* The loopback backend on its own. */
#include <criterion/criterion.h>
#include <errno.h>

#include <vnet/vnet.h>

Test(loopback, fifo_order_capacity_and_truncation)
{
	struct vnet_loopback *lb;
	uint8_t a[20] = { 1 }, b[30] = { 2 }, out[64];

	cr_assert_eq(vnet_loopback_new(2, 0, &lb), 0);
	cr_expect_eq(vnet_loopback_pop(lb, out, sizeof(out)), -EAGAIN);
	cr_assert_eq(vnet_loopback_push(lb, a, sizeof(a)), 0);
	cr_assert_eq(vnet_loopback_push(lb, b, sizeof(b)), 0);
	cr_expect_eq(vnet_loopback_push(lb, a, sizeof(a)), -ENOSPC);
	cr_expect_eq(vnet_loopback_count(lb), 2);
	cr_expect_eq(vnet_loopback_pop(lb, out, sizeof(out)), 20);
	cr_expect_eq(out[0], 1);
	cr_expect_eq(vnet_loopback_pop(lb, out, 10), 10, "truncated to cap");
	cr_expect_eq(out[0], 2);
	vnet_loopback_free(lb);
}

Test(loopback, rejects_bad_sizes)
{
	struct vnet_loopback *lb;
	static uint8_t big[VNET_HDR_LEN + VNET_MAX_FRAME + 1];

	cr_expect_eq(vnet_loopback_new(0, 0, &lb), -EINVAL);
	cr_expect_eq(vnet_loopback_new(5000, 0, &lb), -EINVAL);
	cr_assert_eq(vnet_loopback_new(1, 0, &lb), 0);
	cr_expect_eq(vnet_loopback_push(lb, big, sizeof(big)), -EINVAL);
	vnet_loopback_free(lb);
	vnet_loopback_free(NULL);
}

Test(loopback, send_gathers_the_iovec_and_fails_on_request)
{
	struct vnet_loopback *lb;
	struct vnet_backend be;
	uint8_t h[12] = { 9 }, f[50] = { 8 }, out[100];
	struct iovec iov[2] = { { h, 12 }, { f, 50 } };

	cr_assert_eq(vnet_loopback_new(4, 3, &lb), 0);
	vnet_loopback_backend(lb, &be);
	cr_expect_eq(be.offloads, 3);
	cr_expect_eq(be.fd, -1);
	vnet_loopback_fail_sends(lb, 1, -EIO);
	cr_expect_eq(be.ops->send(be.ctx, iov, 2), -EIO);
	cr_expect_eq(be.ops->send(be.ctx, iov, 2), 62);
	cr_expect_eq(be.ops->recv(be.ctx, out, sizeof(out)), 62);
	cr_expect_eq(out[0], 9);
	cr_expect_eq(out[12], 8);
	cr_expect_eq(be.ops->set_offload(be.ctx, 5), 0);
	cr_expect_eq(vnet_loopback_offload(lb), 5);
	vnet_loopback_free(lb);
}
