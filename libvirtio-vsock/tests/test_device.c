/* SPDX-License-Identifier: MIT */
/*
 * The device model as a driver sees it (virtio 1.2 §5.10.1 - §5.10.5):
 * identity, offered features, configuration space, queues, the
 * transport-reset event, device reset, and the validation of
 * vsock_device_new()'s configuration.
 */
#include "harness.h"

static struct t_vsock t;

static void setup(void)
{
	t_open(&t, 0, 0);
}

static void teardown(void)
{
	t_close(&t);
}

TestSuite(device, .init = setup, .fini = teardown);

static uint64_t rd(uint64_t off, unsigned int size)
{
	uint64_t v;

	cr_assert_eq(vsock_device_mmio_read(t.dev, off, size, &v), 0);
	return v;
}

Test(device, identity_is_a_virtio_socket_device)
{
	cr_assert_eq(rd(VIRTIO_MMIO_MAGIC_VALUE, 4), VIRTQ_MMIO_MAGIC);
	cr_assert_eq(rd(VIRTIO_MMIO_VERSION, 4), 2u);
	cr_assert_eq(rd(VIRTIO_MMIO_DEVICE_ID, 4), (uint64_t)VIRTIO_ID_VSOCK);
}

Test(device, features_offered_only_as_implemented)
{
	struct virtq_mmio *m = vsock_device_mmio(t.dev);
	uint64_t lo, hi, f;

	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 0), 0);
	lo = rd(VIRTIO_MMIO_DEVICE_FEATURES, 4);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 1), 0);
	hi = rd(VIRTIO_MMIO_DEVICE_FEATURES, 4);
	f = lo | hi << 32;
	cr_assert_eq(f, (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_INDIRECT_DESC) |
			(1ull << VIRTIO_F_EVENT_IDX));
	cr_assert_not(f & (1ull << VIRTIO_VSOCK_F_SEQPACKET), "SEQPACKET is not implemented");
	/* A driver that acks SEQPACKET anyway is refused FEATURES_OK. */
	virtq_mmio_reset(m);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_STATUS, 4,
					     VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER), 0);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 0), 0);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_DRIVER_FEATURES, 4,
					     1u << VIRTIO_VSOCK_F_SEQPACKET), 0);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 1), 0);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_DRIVER_FEATURES, 4, 1), 0);
	(void)!vsock_device_mmio_write(t.dev, VIRTIO_MMIO_STATUS, 4,
				      VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
				      VIRTIO_CONFIG_S_FEATURES_OK);
	cr_assert_not(rd(VIRTIO_MMIO_STATUS, 4) & VIRTIO_CONFIG_S_FEATURES_OK);
}

Test(device, negotiated_features_reported)
{
	cr_assert_eq(vsock_device_features(t.dev),
		     (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_INDIRECT_DESC));
}

Test(device, config_space_holds_guest_cid)
{
	cr_assert_eq(rd(VIRTQ_MMIO_CONFIG_OFFSET, 8), (uint64_t)T_CID);
	cr_assert_eq(rd(VIRTQ_MMIO_CONFIG_OFFSET, 4), (uint64_t)T_CID);
	cr_assert_eq(rd(VIRTQ_MMIO_CONFIG_OFFSET + 4, 4), 0u);
	cr_assert_eq(rd(VIRTQ_MMIO_CONFIG_OFFSET, 1), (uint64_t)T_CID);
	cr_assert_eq(vsock_device_guest_cid(t.dev), (uint64_t)T_CID);
}

Test(device, config_space_is_read_only)
{
	(void)!vsock_device_mmio_write(t.dev, VIRTQ_MMIO_CONFIG_OFFSET, 4, 99);
	cr_assert_eq(rd(VIRTQ_MMIO_CONFIG_OFFSET, 8), (uint64_t)T_CID);
}

Test(device, three_queues_and_no_fourth)
{
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_QUEUE_SEL, 4, 2), 0);
	cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX, 4), T_QSIZE);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_QUEUE_SEL, 4, 3), 0);
	cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX, 4), 0u);
	cr_assert_eq(vsock_device_notify(t.dev, 3), -EINVAL);
	cr_assert_eq(vsock_device_notify(t.dev, VSOCK_QUEUE_EVENT), 0);
}

Test(device, listens_on_uds_path)
{
	cr_assert_eq(t.nwatch, 1u);
	cr_assert_eq(t.watch[0].events, VSOCK_EV_IN);
	cr_assert_eq(access(t.path, F_OK), 0);
}

Test(device, free_removes_the_socket_and_every_watch)
{
	vsock_device_free(t.dev);
	cr_assert_neq(access(t.path, F_OK), 0);
	cr_assert_eq(t.nwatch, 0u);
	t_open_cfg(&t, &(struct vsock_device_config){
		.mem = t.mem, .watch = { t_watch_fn, &t }, .guest_cid = T_CID,
		.uds_path = t.path, .queue_size = T_QSIZE });
}

static void write_event_buf(void)
{
	struct virtq_buf b = { T_EVENT_BUF, 4, true };
	uint16_t head;

	cr_assert_eq(vmmem_store_u32(t.mem, T_EVENT_BUF, 0xdeadbeef), 0);
	cr_assert_eq(virtq_driver_add(t.drv[VSOCK_QUEUE_EVENT], &b, 1, &head), 0);
	t_kick(&t, VSOCK_QUEUE_EVENT);
}

static void assert_event_delivered(void)
{
	uint16_t head;
	uint32_t len, id;

	cr_assert_eq(virtq_driver_get_used(t.drv[VSOCK_QUEUE_EVENT], &head, &len), 1);
	cr_assert_eq(len, 4u);
	cr_assert_eq(vmmem_load_u32(t.mem, T_EVENT_BUF, &id), 0);
	cr_assert_eq(id, (uint32_t)VIRTIO_VSOCK_EVENT_TRANSPORT_RESET);
	cr_assert_eq(t_stats(&t)->events, 1u);
}

Test(device, transport_reset_event_with_buffer_ready)
{
	unsigned int irqs;

	write_event_buf();
	cr_assert_eq(virtq_driver_used_pending(t.drv[VSOCK_QUEUE_EVENT]), 0,
		     "no event without a reason");
	irqs = t.irqs;
	vsock_device_transport_reset(t.dev);
	assert_event_delivered();
	cr_assert_gt(t.irqs, irqs);
}

Test(device, transport_reset_event_waits_for_a_buffer)
{
	vsock_device_transport_reset(t.dev);
	cr_assert_eq(t_stats(&t)->events, 0u);
	write_event_buf();
	assert_event_delivered();
}

Test(device, event_buffer_too_small_is_returned_empty)
{
	struct virtq_buf b = { T_EVENT_BUF, 2, true };
	uint16_t head;
	uint32_t len;

	cr_assert_eq(virtq_driver_add(t.drv[VSOCK_QUEUE_EVENT], &b, 1, &head), 0);
	t_kick(&t, VSOCK_QUEUE_EVENT);
	vsock_device_transport_reset(t.dev);
	cr_assert_eq(virtq_driver_get_used(t.drv[VSOCK_QUEUE_EVENT], &head, &len), 1);
	cr_assert_eq(len, 0u);
	cr_assert_eq(t_stats(&t)->malformed, 1u);
	write_event_buf();
	assert_event_delivered();
}

Test(device, transport_reset_closes_connections)
{
	int lfd = t_listen_port(&t, 52);

	t_post_rx(&t, 4);
	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 1000);
	cr_assert_eq(vsock_device_conn_count(t.dev), 1u);
	vsock_device_transport_reset(t.dev);
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
	cr_assert_eq(t.nwatch, 1u, "only the listener is watched");
	close(lfd);
}

Test(device, device_reset_closes_connections_and_host_sees_eof)
{
	int lfd = t_listen_port(&t, 52), afd;
	char c;

	t_post_rx(&t, 4);
	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 1000);
	afd = accept(lfd, NULL, NULL);
	cr_assert_geq(afd, 0);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_STATUS, 4, 0), 0);
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
	cr_assert_eq(recv(afd, &c, 1, 0), 0, "host peer sees end of file");
	close(afd);
	close(lfd);
	/* A fresh bring-up works again. */
	t_bring_up(&t);
	t_post_rx(&t, 1);
	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 52, 1000);
}

/* §2.1: FAILED means the driver gave up on the device; host data must
 * not reach its buffers any more. */
Test(device, host_data_not_delivered_after_driver_failed)
{
	struct virtq_mmio *m = vsock_device_mmio(t.dev);
	int lfd = t_listen_port(&t, 52), afd;
	unsigned int irqs;

	t_post_rx(&t, 4);
	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 1000);
	afd = accept(lfd, NULL, NULL);
	cr_assert_geq(afd, 0);
	cr_assert_eq(vsock_device_mmio_write(t.dev, VIRTIO_MMIO_STATUS, 4,
					     virtq_mmio_status(m) | VIRTIO_CONFIG_S_FAILED), 0);
	cr_assert(virtq_mmio_status(m) & VIRTIO_CONFIG_S_FAILED);
	irqs = t.irqs;
	cr_assert_eq(send(afd, "data", 4, 0), 4);
	t_expect_nothing(&t);
	cr_assert_eq(t.irqs, irqs, "interrupt after FAILED");
	close(afd);
	close(lfd);
}

Test(device, used_buffers_raise_interrupts)
{
	unsigned int irqs = t.irqs;

	t_post_rx(&t, 1);
	t_send_op(&t, VIRTIO_VSOCK_OP_RW, 1, 2, 0);	/* no connection: RST */
	cr_assert_gt(t.irqs, irqs);
	cr_assert_eq(t_stats(&t)->interrupts, t.irqs - irqs);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RST, 2, 1);
}

Test(device, process_fd_refuses_foreign_fds)
{
	cr_assert_eq(vsock_device_process_fd(t.dev, 0, VSOCK_EV_IN), -ENOENT);
}

static void assert_new_fails(struct vsock_device_config cfg, int err)
{
	struct vsock_device *d = NULL;

	cr_assert_eq(vsock_device_new(&cfg, &d), err);
	cr_assert_null(d);
}

Test(device, new_validates_its_configuration)
{
	struct vsock_device_config c = t_config(&t);
	char longpath[120];

	c.uds_path = "/nonexistent-dir/x.sock";
	c.guest_cid = 2;
	assert_new_fails(c, -EINVAL);
	c.guest_cid = 0xffffffffu;
	assert_new_fails(c, -EINVAL);
	c.guest_cid = 1ull << 32;
	assert_new_fails(c, -EINVAL);
	c.guest_cid = 3;
	c.queue_size = 3;
	assert_new_fails(c, -EINVAL);
	c.queue_size = 0;
	c.buf_alloc = 100;
	assert_new_fails(c, -EINVAL);
	c.buf_alloc = 0;
	c.max_conns = VSOCK_MAX_CONNS + 1;
	assert_new_fails(c, -EINVAL);
	c.max_conns = 0;
	c.mem = NULL;
	assert_new_fails(c, -EINVAL);
	c.mem = t.mem;
	c.uds_path = NULL;
	assert_new_fails(c, -EINVAL);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = 0;
	longpath[0] = '/';
	c.uds_path = longpath;
	assert_new_fails(c, -ENAMETOOLONG);
	c.uds_path = "/nonexistent-dir/x.sock";
	assert_new_fails(c, -ENOENT);
	c.uds_path = t.path;	/* in use by the fixture */
	assert_new_fails(c, -EADDRINUSE);
}

Test(device, save_restore_keeps_queues_and_sends_transport_reset)
{
	struct vsock_device_state st;
	struct vsock_device_config cfg = t_config(&t);
	char path2[128];
	int lfd = t_listen_port(&t, 52);

	write_event_buf();
	t_post_rx(&t, 4);
	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1000, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 1000);
	cr_assert_eq(vsock_device_save(t.dev, &st), 0);
	cr_assert_eq(st.guest_cid, (uint64_t)T_CID);

	/* The same device restored onto itself loses its connections and
	 * tells the guest through the event queue. */
	cr_assert_eq(vsock_device_restore(t.dev, &st), 0);
	cr_assert_eq(vsock_device_conn_count(t.dev), 0u);
	assert_event_delivered();
	/* rx and tx still work: the queues came back as they were. */
	t_send_op(&t, VIRTIO_VSOCK_OP_REQUEST, 1001, 52, 0);
	t_expect_op(&t, VIRTIO_VSOCK_OP_RESPONSE, 52, 1001);

	/* Another CID is refused and leaves the device untouched. */
	snprintf(path2, sizeof(path2), "%s/w.sock", t.dir);
	cfg.uds_path = path2;
	cfg.guest_cid = T_CID + 1;
	{
		struct vsock_device *other;

		cr_assert_eq(vsock_device_new(&cfg, &other), 0);
		cr_assert_eq(vsock_device_restore(other, &st), -EINVAL);
		vsock_device_free(other);
	}
	close(lfd);
}

Test(device, restore_validates_the_state)
{
	struct vsock_device_state st;

	cr_assert_eq(vsock_device_save(t.dev, &st), 0);
	st.mmio.status = 0xff;	/* unreachable status */
	cr_assert_eq(vsock_device_restore(t.dev, &st), -EINVAL);
}
