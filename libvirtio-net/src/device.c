// SPDX-License-Identifier: MIT
/*
 * The virtio-net device model (virtio 1.2 §5.1) plugged into the
 * virtio-mmio transport through its const device ops table.  This file
 * owns the feature set (§5.1.3), the configuration space (§5.1.4), link
 * status with its configuration-change interrupt (§5.1.4.2), activation
 * (offloads pushed to the backend) and the event-loop entry points; the
 * queues themselves are in tx.c and rx.c.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/virtio_ids.h>

#include "device_internal.h"

#define BIT VNET_BIT

/* Offloads and the checksum feature each depends on (§5.1.3.1). */
static const struct {
	int feature, needs;
} deps[] = {
	{ VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_CSUM },
	{ VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_CSUM },
	{ VIRTIO_NET_F_HOST_UFO, VIRTIO_NET_F_CSUM },
	{ VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_CSUM },
	{ VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_CSUM },
	{ VIRTIO_NET_F_GUEST_UFO, VIRTIO_NET_F_GUEST_CSUM },
};

#define OFFLOADS (BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) | \
		  BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) | \
		  BIT(VIRTIO_NET_F_HOST_UFO) | BIT(VIRTIO_NET_F_GUEST_TSO4) | \
		  BIT(VIRTIO_NET_F_GUEST_TSO6) | BIT(VIRTIO_NET_F_GUEST_UFO))

static struct vnet_device *dev_of(void *ctx)
{
	return ctx;
}

static uint64_t effective(uint64_t features)
{
	for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++)
		if (!(features & BIT(deps[i].needs)))
			features &= ~BIT(deps[i].feature);
	return features;
}

bool vnet__running(const struct vnet_device *d)
{
	uint32_t s = virtq_mmio_status(&d->mmio);

	return (s & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(s & (VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED));
}

void vnet__needs_reset(struct vnet_device *d)
{
	d->stats.needs_reset++;
	virtq_mmio_needs_reset(&d->mmio);
}

int vnet__put_used(struct vnet_device *d, uint16_t q, uint16_t head, uint32_t len)
{
	int err = virtq_queue_add_used(&d->queues[q], head, len);

	if (!err)
		d->unsignalled[q] = true;
	return err;
}

void vnet__signal(struct vnet_device *d, uint16_t q)
{
	if (!d->unsignalled[q])
		return;
	d->unsignalled[q] = false;
	if (virtq_mmio_signal_used(&d->mmio, q) == 1)
		d->stats.interrupts++;
}

static uint64_t op_features(void *ctx)
{
	return dev_of(ctx)->offered;
}

static void op_config_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	const uint8_t *cfg = (const uint8_t *)&dev_of(ctx)->config;

	if (offset <= sizeof(struct virtio_net_config) &&
	    len <= sizeof(struct virtio_net_config) - offset)
		memcpy(buf, cfg + offset, len);
	else
		memset(buf, 0, len);
}

/* Every field is read-only for the driver (§5.1.4: mac is writable only
 * on legacy devices). */
static void op_config_write(void *ctx, uint32_t offset, const void *buf, size_t len)
{
	(void)ctx;
	(void)offset;
	(void)buf;
	(void)len;
}

static int op_activate(void *ctx, uint64_t features)
{
	struct vnet_device *d = dev_of(ctx);
	const struct vnet_backend *be = &d->backend;

	d->features = effective(features);
	if (be->ops->set_offload &&
	    be->ops->set_offload(be->ctx, d->features & OFFLOADS) < 0)
		return -EIO;
	return 0;
}

static void op_reset(void *ctx)
{
	struct vnet_device *d = dev_of(ctx);

	d->features = 0;
	d->tx.blocked = false;
	d->tx.backend_full = false;
	d->unsignalled[0] = d->unsignalled[1] = false;
	vnet__rx_clear(d);
}

static void op_queue_notify(void *ctx, uint16_t index)
{
	struct vnet_device *d = dev_of(ctx);

	if (index == VNET_RX_QUEUE)
		vnet__rx_process(d);
	else if (index == VNET_TX_QUEUE)
		vnet__tx_process(d);
}

static const struct virtq_device_ops net_ops = {
	.version = VIRTQ_DEVICE_OPS_VERSION,
	.features = op_features,
	.config_read = op_config_read,
	.config_write = op_config_write,
	.activate = op_activate,
	.reset = op_reset,
	.queue_notify = op_queue_notify,
};

static uint64_t offered_features(const struct vnet_device_config *cfg)
{
	uint64_t f = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_EVENT_IDX) |
		     BIT(VIRTIO_F_INDIRECT_DESC) | BIT(VIRTIO_NET_F_STATUS) |
		     BIT(VIRTIO_NET_F_MRG_RXBUF);

	if (cfg->has_mac)
		f |= BIT(VIRTIO_NET_F_MAC);
	if (cfg->mtu)
		f |= BIT(VIRTIO_NET_F_MTU);
	/* Offer an offload only with the feature it depends on. */
	return f | effective(cfg->backend->offloads & OFFLOADS);
}

static void fill_config(struct vnet_device *d, const struct vnet_device_config *cfg)
{
	struct virtio_net_config *c = &d->config;

	memset(c, 0, sizeof(*c));
	if (cfg->has_mac)
		memcpy(c->mac, cfg->mac, sizeof(c->mac));
	c->status = htole16(d->link_up ? VIRTIO_NET_S_LINK_UP : 0);
	c->max_virtqueue_pairs = htole16(1);
	c->mtu = htole16(cfg->mtu);
	/* Only meaningful with SPEED_DUPLEX (not offered): "unknown". */
	c->speed = htole32(UINT32_MAX);
	c->duplex = 0xff;
}

static int check_config(const struct vnet_device_config *cfg, uint16_t qsize)
{
	const struct vnet_backend *be = cfg->backend;

	if (!be || !be->ops || be->ops->version != VNET_BACKEND_OPS_VERSION ||
	    !be->ops->send || !be->ops->recv || !cfg->mem)
		return -EINVAL;
	if (cfg->mtu && cfg->mtu < 68)	/* the IPv4 minimum */
		return -EINVAL;
	if (qsize == 0 || qsize > VNET_MAX_QUEUE_SIZE || (qsize & (qsize - 1)))
		return -EINVAL;
	return 0;
}

int vnet_device_init(struct vnet_device *d, const struct vnet_device_config *cfg)
{
	uint16_t qsize = cfg->queue_size ? cfg->queue_size : VNET_DEFAULT_QUEUE_SIZE;
	struct virtq_mmio_config mc;
	int err = check_config(cfg, qsize);

	if (err)
		return err;
	memset(d, 0, offsetof(struct vnet_device, tx));
	vnet__rx_clear(d);
	d->tx.blocked = d->tx.backend_full = false;
	d->backend = *cfg->backend;
	d->mem = cfg->mem;
	d->mtu = cfg->mtu;
	d->link_up = !cfg->link_down;
	d->offered = offered_features(cfg);
	fill_config(d, cfg);
	err = rlim_init(&d->rx_limit, cfg->rx_limit);
	if (!err)
		err = rlim_init(&d->tx_limit, cfg->tx_limit);
	for (uint16_t i = 0; !err && i < VNET_NUM_QUEUES; i++)
		err = virtq_queue_init(&d->queues[i], qsize);
	if (err)
		return err;
	mc = (struct virtq_mmio_config){
		.device_id = VIRTIO_ID_NET,
		.vendor_id = cfg->vendor_id,
		.ops = &net_ops,
		.ctx = d,
		.queues = d->queues,
		.num_queues = VNET_NUM_QUEUES,
		.config_size = sizeof(struct virtio_net_config),
		.mem = cfg->mem,
		.irq = cfg->irq,
	};
	return virtq_mmio_init(&d->mmio, &mc);
}

void vnet_device_reset(struct vnet_device *d)
{
	virtq_mmio_reset(&d->mmio);
}

struct virtq_mmio *vnet_device_mmio(struct vnet_device *d)
{
	return &d->mmio;
}

int vnet_device_mmio_read(struct vnet_device *d, uint64_t offset,
			  unsigned int size, uint64_t *value)
{
	return virtq_mmio_read(&d->mmio, offset, size, value);
}

int vnet_device_mmio_write(struct vnet_device *d, uint64_t offset,
			   unsigned int size, uint64_t value)
{
	return virtq_mmio_write(&d->mmio, offset, size, value);
}

int vnet_device_notify(struct vnet_device *d, uint16_t queue)
{
	return virtq_mmio_queue_notified(&d->mmio, queue);
}

void vnet_device_rx_ready(struct vnet_device *d)
{
	vnet__rx_process(d);
}

void vnet_device_tx_ready(struct vnet_device *d)
{
	d->tx.backend_full = false;
	vnet__tx_process(d);
}

void vnet_device_timer(struct vnet_device *d)
{
	/* Retry both: each limiter decides again with the current time. */
	d->rx.blocked = false;
	d->tx.blocked = false;
	vnet__tx_process(d);
	vnet__rx_process(d);
}

int vnet_device_deadline(const struct vnet_device *d, uint64_t *at_ns)
{
	uint64_t rx = rlim_retry_at(&d->rx_limit), tx = rlim_retry_at(&d->tx_limit);

	if (d->rx.blocked && d->tx.blocked)
		*at_ns = rx < tx ? rx : tx;
	else if (d->rx.blocked)
		*at_ns = rx;
	else if (d->tx.blocked)
		*at_ns = tx;
	else
		return 0;
	return 1;
}

void vnet_device_set_link(struct vnet_device *d, bool up)
{
	if (d->link_up == up)
		return;
	d->link_up = up;
	d->config.status = htole16(up ? VIRTIO_NET_S_LINK_UP : 0);
	if (vnet__running(d) && d->features & BIT(VIRTIO_NET_F_STATUS))
		virtq_mmio_config_changed(&d->mmio);
	if (up)
		vnet__rx_process(d);
}

bool vnet_device_link_up(const struct vnet_device *d)
{
	return d->link_up;
}

uint64_t vnet_device_features(const struct vnet_device *d)
{
	return d->features;
}

const struct vnet_device_stats *vnet_device_stats(const struct vnet_device *d)
{
	return &d->stats;
}

int vnet_device_save(const struct vnet_device *d, struct vnet_device_state *st)
{
	if (d->rx.nbufs)
		return -EBUSY;
	st->link_up = d->link_up;
	return virtq_mmio_save(&d->mmio, &st->mmio);
}

int vnet_device_restore(struct vnet_device *d, const struct vnet_device_state *st)
{
	if (st->link_up > 1)
		return -EINVAL;
	vnet__rx_clear(d);
	d->link_up = st->link_up;
	d->config.status = htole16(d->link_up ? VIRTIO_NET_S_LINK_UP : 0);
	return virtq_mmio_restore(&d->mmio, &st->mmio);
}
