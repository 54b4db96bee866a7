/* SPDX-License-Identifier: MIT */
/*
 * A toy virtio device for testing the transport: each request chain's
 * device-readable bytes are copied into its device-writable buffers, and
 * the used length is the number of bytes written.  A malformed chain is
 * returned with length 0; a broken queue puts the device into
 * DEVICE_NEEDS_RESET.  It counts every callback so tests can check them.
 * Shared by the unit tests and the fuzz target.
 */
#ifndef VIRTQ_TEST_ECHO_DEV_H
#define VIRTQ_TEST_ECHO_DEV_H

#include <errno.h>
#include <string.h>

#include <virtq/virtq.h>

#define ECHO_DEVICE_ID	0x2a
#define ECHO_VENDOR_ID	0x554d4551u
#define ECHO_QUEUES	2
#define ECHO_QUEUE_MAX	16
#define ECHO_F_UPPER	0	/* a device-specific feature bit */
#define ECHO_CONFIG_SIZE 16

struct echo_dev {
	struct virtq_mmio mmio;
	struct virtq_queue queues[ECHO_QUEUES];
	uint64_t offer;		/* what ops->features returns */
	uint8_t config[ECHO_CONFIG_SIZE];
	int activate_ret;
	int activations, resets, notifies, irqs, chain_errors, stops;
	int stopped_index;	/* of the last queue_stop */
	bool stopped_while_ready; /* that queue still read ready then */
	uint64_t activated_features;
	uint32_t last_isr;
};

static inline uint64_t echo_features(void *ctx)
{
	return ((struct echo_dev *)ctx)->offer;
}

static inline void echo_config_read(void *ctx, uint32_t off, void *buf, size_t len)
{
	memcpy(buf, ((struct echo_dev *)ctx)->config + off, len);
}

static inline void echo_config_write(void *ctx, uint32_t off, const void *buf, size_t len)
{
	struct echo_dev *d = ctx;

	/* Bytes 8.. are writable; the first 8 are read-only identity. */
	if (off >= 8)
		memcpy(d->config + off, buf, len);
}

static inline int echo_activate(void *ctx, uint64_t features)
{
	struct echo_dev *d = ctx;

	d->activations++;
	d->activated_features = features;
	return d->activate_ret;
}

static inline void echo_reset(void *ctx)
{
	((struct echo_dev *)ctx)->resets++;
}

static inline void echo_queue_stop(void *ctx, uint16_t index)
{
	struct echo_dev *d = ctx;

	d->stops++;
	d->stopped_index = index;
	d->stopped_while_ready = d->queues[index].ready;
}

/* Serves one chain: readable bytes, in order, into the writable buffers. */
static inline int echo_serve(struct echo_dev *d, struct virtq_chain *c, uint32_t *written)
{
	uint8_t buf[4096];
	uint64_t have = 0, out = 0;
	struct virtq_desc desc;
	int r;

	while ((r = virtq_chain_next(c, &desc)) == 1) {
		uint64_t n;

		if (!virtq_desc_is_writable(&desc)) {
			n = desc.len < sizeof(buf) - have ? desc.len : sizeof(buf) - have;
			if (vmmem_read(c->mem, desc.addr, buf + have, n))
				return -EFAULT;
			have += n;
			continue;
		}
		n = desc.len < have - out ? desc.len : have - out;
		if (vmmem_write(c->mem, desc.addr, buf + out, n))
			return -EFAULT;
		out += n;
	}
	(void)d;
	*written = (uint32_t)out;
	return r;
}

static inline void echo_notify(void *ctx, uint16_t index)
{
	struct echo_dev *d = ctx;
	struct virtq_queue *q = &d->queues[index];
	struct virtq_chain c;
	int r;

	d->notifies++;
	do {
		if (virtq_queue_disable_notification(q) < 0)
			break;
		while ((r = virtq_queue_pop(q, &c)) == 1) {
			uint32_t written = 0;

			if (echo_serve(d, &c, &written) < 0) {
				d->chain_errors++;
				written = 0;
			}
			if (virtq_queue_add_used(q, c.head, written) < 0)
				break;
		}
	} while (r == 0 && virtq_queue_enable_notification(q) == 1);
	if (!virtq_queue_is_live(q))
		virtq_mmio_needs_reset(&d->mmio);
	else
		(void)!virtq_mmio_signal_used(&d->mmio, index);
}

static inline void echo_irq(void *ctx, uint32_t isr)
{
	struct echo_dev *d = ctx;

	d->irqs++;
	d->last_isr = isr;
}

static const struct virtq_device_ops echo_ops = {
	.version = VIRTQ_DEVICE_OPS_VERSION,
	.features = echo_features,
	.config_read = echo_config_read,
	.config_write = echo_config_write,
	.activate = echo_activate,
	.reset = echo_reset,
	.queue_notify = echo_notify,
	.queue_stop = echo_queue_stop,
};

/* Initialises d on mem, offering `offer`. */
static inline int echo_init(struct echo_dev *d, struct vmmem_map *mem, uint64_t offer)
{
	struct virtq_mmio_config cfg = {
		.device_id = ECHO_DEVICE_ID,
		.vendor_id = ECHO_VENDOR_ID,
		.ops = &echo_ops,
		.ctx = d,
		.queues = d->queues,
		.num_queues = ECHO_QUEUES,
		.config_size = ECHO_CONFIG_SIZE,
		.mem = mem,
		.irq = { echo_irq, d },
	};

	memset(d, 0, sizeof(*d));
	d->offer = offer;
	memcpy(d->config, "ECHOCONF", 8);
	for (int i = 0; i < ECHO_QUEUES; i++)
		if (virtq_queue_init(&d->queues[i], ECHO_QUEUE_MAX))
			return -1;
	return virtq_mmio_init(&d->mmio, &cfg);
}

#endif
