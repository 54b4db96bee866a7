// SPDX-License-Identifier: MIT
// libvirtio-queue on its own: a tiny virtio device ("upper": it returns
// each request's text in upper case) behind the virtio-mmio transport, and
// a driver that probes it the way Linux does, submits direct and indirect
// requests through a split virtqueue in a libvmmem map, and prints the
// completions.  Follows virtio 1.2 §2.7 and §4.2.
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <virtq/virtq.h>

#define RAM_SIZE	(1u << 20)
#define RING_GPA	0x1000u
#define TABLE_GPA	0x8000u
#define IN_GPA		0x10000u
#define OUT_GPA		0x20000u
#define UPPER_ID	0x7f	/* an experimental device ID */

struct upper {
	struct virtq_mmio mmio;
	struct virtq_queue queue;
	unsigned int interrupts;
};

/* Uppercases the readable bytes into the writable ones of one chain. */
static uint32_t serve(struct virtq_chain *c)
{
	char text[256];
	size_t have = 0, out = 0;
	struct virtq_desc d;

	while (virtq_chain_next(c, &d) == 1) {
		size_t n;

		if (!virtq_desc_is_writable(&d)) {
			n = d.len < sizeof(text) - have ? d.len : sizeof(text) - have;
			if (vmmem_read(c->mem, d.addr, text + have, n))
				return 0;
			have += n;
			continue;
		}
		n = d.len < have - out ? d.len : have - out;
		for (size_t i = out; i < out + n; i++)
			text[i] = (char)toupper((unsigned char)text[i]);
		if (vmmem_write(c->mem, d.addr, text + out, n))
			return 0;
		out += n;
	}
	return (uint32_t)out;
}

static void upper_notify(void *ctx, uint16_t index)
{
	struct upper *u = ctx;
	struct virtq_chain c;
	int r;

	do {
		(void)!virtq_queue_disable_notification(&u->queue);
		while ((r = virtq_queue_pop(&u->queue, &c)) == 1)
			if (virtq_queue_add_used(&u->queue, c.head, serve(&c)))
				break;
	} while (r == 0 && virtq_queue_enable_notification(&u->queue) == 1);
	if (r < 0)
		virtq_mmio_needs_reset(&u->mmio);
	else
		(void)!virtq_mmio_signal_used(&u->mmio, index);
}

static uint64_t upper_features(void *ctx)
{
	(void)ctx;
	return (UINT64_C(1) << VIRTIO_F_EVENT_IDX) | (UINT64_C(1) << VIRTIO_F_INDIRECT_DESC);
}

static const struct virtq_device_ops upper_ops = {
	.version = VIRTQ_DEVICE_OPS_VERSION,
	.features = upper_features,
	.queue_notify = upper_notify,
};

static void interrupt(void *ctx, uint32_t isr)
{
	struct upper *u = ctx;

	u->interrupts++;
	printf("  interrupt: isr=%#x\n", isr);
}

/* The guest side of one request: text in, room for it out. */
static int submit(struct vmmem_map *mem, struct virtq_driver *drv, struct upper *u,
		  const char *text, bool indirect)
{
	uint32_t len = (uint32_t)strlen(text);
	struct virtq_buf b[2] = { { IN_GPA, len, false }, { OUT_GPA, len, true } };
	char out[256] = { 0 };
	uint16_t head;
	int kick;

	if (vmmem_write(mem, IN_GPA, text, len))
		return -EFAULT;
	if ((indirect ? virtq_driver_add_indirect(drv, b, 2, TABLE_GPA, &head)
		      : virtq_driver_add(drv, b, 2, &head)))
		return -ENOSPC;
	kick = virtq_driver_publish(drv);
	if (kick < 0)
		return kick;
	/* A VMM gets here from an MMIO exit or an ioeventfd. */
	if (kick && virtq_mmio_write(&u->mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0))
		return -EIO;
	while (virtq_driver_get_used(drv, &head, &len) == 1) {
		if (vmmem_read(mem, OUT_GPA, out, len < sizeof(out) ? len : sizeof(out) - 1))
			return -EFAULT;
		printf("  completion: head=%u len=%u %s \"%s\" -> \"%s\"%s\n", head, len,
		       indirect ? "indirect" : "direct  ", text, out,
		       kick ? "" : " (no kick needed)");
	}
	return 0;
}

int main(void)
{
	static const char *texts[] = { "hello, virtio", "split virtqueue", "event idx" };
	struct vmmem_region_desc ram = { .gpa = 0, .size = RAM_SIZE,
					 .backing = VMMEM_BACKING_ANON };
	struct vmmem_map *mem;
	struct virtq_driver *drv;
	static struct upper u;
	uint64_t features;
	struct virtq_mmio_config cfg = {
		.device_id = UPPER_ID, .ops = &upper_ops, .ctx = &u,
		.queues = &u.queue, .num_queues = 1, .irq = { interrupt, &u },
	};

	printf("libvirtio-queue %s: an uppercase device over virtio-mmio\n",
	       VIRTQ_VERSION_STRING);
	if (vmmem_map_new(&mem) || vmmem_map_add_region(mem, &ram))
		return 1;
	cfg.mem = mem;
	if (virtq_queue_init(&u.queue, 64) || virtq_mmio_init(&u.mmio, &cfg) ||
	    virtq_driver_mmio_negotiate(&u.mmio, UINT64_MAX, &features) ||
	    virtq_driver_new(mem, 64, RING_GPA, VIRTQ_DRIVER_EVENT_IDX, &drv) ||
	    virtq_driver_mmio_setup_queue(&u.mmio, 0, drv) ||
	    virtq_driver_mmio_driver_ok(&u.mmio)) {
		fprintf(stderr, "probe failed\n");
		return 1;
	}
	printf("  negotiated features: %#llx, status %#x\n", (unsigned long long)features,
	       virtq_mmio_status(&u.mmio));
	for (unsigned int i = 0; i < 3; i++)
		if (submit(mem, drv, &u, texts[i], i == 1)) {
			fprintf(stderr, "request %u failed\n", i);
			return 1;
		}
	printf("  %u interrupts for 3 requests\n", u.interrupts);
	virtq_driver_free(drv);
	vmmem_map_free(mem);
	return 0;
}
