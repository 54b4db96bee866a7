// SPDX-License-Identifier: MIT
/*
 * virtio-mmio transport, device initialisation and split virtqueue driver
 * (virtio 1.2 §2.7, §3.1.1, §4.2.2).  Ring updates follow the driver rules
 * of §2.7.13: descriptors and the avail ring entry are written before the
 * avail index; with EVENT_IDX the driver notifies only when the device's
 * avail_event lies in the newly published range (vring_need_event(), §2.7.10)
 * and asks for interrupts by writing used_event.  Anything the device writes
 * into the used ring is checked before use.
 */
#include "virtio.h"

int gk_vdev_probe(struct gk_vdev *d, const struct gk_mmio_dev *m)
{
	memset(d, 0, sizeof(*d));
	d->mmio = *m;
	if (gk_vdev_r32(d, VMMIO_MAGIC) != VMMIO_MAGIC_VALUE)
		return -1;
	d->version = gk_vdev_r32(d, VMMIO_VERSION);
	d->device_id = gk_vdev_r32(d, VMMIO_DEVICE_ID);
	return d->version == 2 ? 0 : -1;
}

int gk_vdev_find(struct gk_vdev *d, uint32_t id, unsigned idx)
{
	struct gk_mmio_dev m[16];
	unsigned n = gk_virtio_mmio_devices(m, GK_ARRAY_SIZE(m));

	for (unsigned i = 0; i < n; i++)
		if (!gk_vdev_probe(d, &m[i]) && d->device_id == id && !idx--)
			return 0;
	return -1;
}

uint32_t gk_vdev_status(const struct gk_vdev *d)
{
	return gk_vdev_r32(d, VMMIO_STATUS);
}

bool gk_vdev_reset(struct gk_vdev *d)
{
	gk_vdev_w32(d, VMMIO_STATUS, 0);
	/* §4.2.3.1: wait for a read of 0 before re-initialising. */
	for (unsigned i = 0; i < 100000; i++)
		if (gk_vdev_status(d) == 0)
			return true;
	return false;
}

static uint64_t read_features(const struct gk_vdev *d)
{
	uint64_t f;

	gk_vdev_w32(d, VMMIO_DEV_FEATURES_SEL, 1);
	f = (uint64_t)gk_vdev_r32(d, VMMIO_DEV_FEATURES) << 32;
	gk_vdev_w32(d, VMMIO_DEV_FEATURES_SEL, 0);
	return f | gk_vdev_r32(d, VMMIO_DEV_FEATURES);
}

static void write_features(const struct gk_vdev *d, uint64_t f)
{
	gk_vdev_w32(d, VMMIO_DRV_FEATURES_SEL, 1);
	gk_vdev_w32(d, VMMIO_DRV_FEATURES, (uint32_t)(f >> 32));
	gk_vdev_w32(d, VMMIO_DRV_FEATURES_SEL, 0);
	gk_vdev_w32(d, VMMIO_DRV_FEATURES, (uint32_t)f);
}

static void vq_setup(struct gk_vq *q, struct gk_vdev *d, uint16_t index,
		     struct gk_vring_mem *mem, uint16_t size)
{
	memset(q, 0, sizeof(*q));
	memset(mem, 0, sizeof(*mem));
	q->dev = d;
	q->mem = mem;
	q->index = index;
	q->size = size;
	q->num_free = size;
	q->event_idx = gk_vdev_has(d, VIRTIO_F_EVENT_IDX);
	for (uint16_t i = 0; i < size; i++)
		mem->desc[i].next = (uint16_t)(i + 1);
}

static void set_addr(const struct gk_vdev *d, uint32_t lo, const void *p)
{
	uint64_t a = (uintptr_t)p;

	gk_vdev_w32(d, lo, (uint32_t)a);
	gk_vdev_w32(d, lo + 4, (uint32_t)(a >> 32));
}

static int fail(struct gk_vdev *d, struct gk_init_log *log, const char *step)
{
	log->failed_step = step;
	gk_vdev_w32(d, VMMIO_STATUS, gk_vdev_status(d) | VSTAT_FAILED);
	return -1;
}

static int init_queue(struct gk_vdev *d, uint16_t index, struct gk_vq *q,
		      struct gk_vring_mem *mem, uint16_t qsize,
		      struct gk_init_log *log)
{
	uint32_t max;

	gk_vdev_w32(d, VMMIO_QUEUE_SEL, index);
	log->queue_ready_before = gk_vdev_r32(d, VMMIO_QUEUE_READY);
	max = log->queue_num_max = gk_vdev_r32(d, VMMIO_QUEUE_NUM_MAX);
	if (log->queue_ready_before != 0)
		return fail(d, log, "queue-ready-before");
	if (max == 0 || (max & (max - 1)))
		return fail(d, log, "queue-num-max");
	if (max > GK_VQ_MAX)
		max = GK_VQ_MAX;
	if (qsize == 0 || qsize > max)
		qsize = (uint16_t)max;
	vq_setup(q, d, index, mem, qsize);
	gk_vdev_w32(d, VMMIO_QUEUE_NUM, qsize);
	set_addr(d, VMMIO_QUEUE_DESC_LO, mem->desc);
	set_addr(d, VMMIO_QUEUE_DRIVER_LO, &mem->avail);
	set_addr(d, VMMIO_QUEUE_DEVICE_LO, &mem->used);
	gk_vdev_w32(d, VMMIO_QUEUE_READY, 1);
	log->queue_ready = gk_vdev_r32(d, VMMIO_QUEUE_READY);
	return log->queue_ready == 1 ? 0 : fail(d, log, "queue-ready");
}

int gk_vdev_init(struct gk_vdev *d, uint64_t want, struct gk_vring_mem *mem,
		 uint16_t qsize, struct gk_init_log *log)
{
	struct gk_vq *q = &d->vq;

	return gk_vdev_init_queues(d, want, &q, &mem, 1, qsize, log);
}

int gk_vdev_init_queues(struct gk_vdev *d, uint64_t want, struct gk_vq *const *qs,
			struct gk_vring_mem *const *mems, unsigned n,
			uint16_t qsize, struct gk_init_log *log)
{
	struct gk_init_log dummy;
	uint32_t s;

	if (!log)
		log = &dummy;
	memset(log, 0, sizeof(*log));
	log->reset_ok = gk_vdev_reset(d);
	if (!log->reset_ok)
		return fail(d, log, "reset");
	gk_vdev_w32(d, VMMIO_STATUS, VSTAT_ACKNOWLEDGE);
	log->ack = gk_vdev_status(d);
	if (log->ack != VSTAT_ACKNOWLEDGE)
		return fail(d, log, "acknowledge");
	s = VSTAT_ACKNOWLEDGE | VSTAT_DRIVER;
	gk_vdev_w32(d, VMMIO_STATUS, s);
	log->driver = gk_vdev_status(d);
	if (log->driver != s)
		return fail(d, log, "driver");
	d->offered = read_features(d);
	d->features = d->offered & want;
	if (!gk_vdev_has(d, VIRTIO_F_VERSION_1))
		return fail(d, log, "version-1-feature");
	write_features(d, d->features);
	s |= VSTAT_FEATURES_OK;
	gk_vdev_w32(d, VMMIO_STATUS, s);
	log->features_ok = gk_vdev_status(d);
	if (!(log->features_ok & VSTAT_FEATURES_OK))
		return fail(d, log, "features-ok");
	/* §3.1.1 step 7: every queue before DRIVER_OK; the log keeps the last. */
	for (unsigned i = 0; i < n; i++)
		if (init_queue(d, (uint16_t)i, qs[i], mems[i], qsize, log))
			return -1;
	s |= VSTAT_DRIVER_OK;
	gk_vdev_w32(d, VMMIO_STATUS, s);
	log->driver_ok = gk_vdev_status(d);
	if (log->driver_ok != s)
		return fail(d, log, "driver-ok");
	return 0;
}

uint32_t gk_vdev_cfg32(const struct gk_vdev *d, uint32_t off)
{
	return gk_vdev_r32(d, VMMIO_CONFIG + off);
}

uint64_t gk_vdev_cfg64(const struct gk_vdev *d, uint32_t off)
{
	uint32_t gen, lo, hi;

	/* §4.2.2.2 / §2.5.1: two 32-bit reads, retried across a generation change. */
	do {
		gen = gk_vdev_r32(d, VMMIO_CONFIG_GEN);
		lo = gk_vdev_cfg32(d, off);
		hi = gk_vdev_cfg32(d, off + 4);
	} while (gen != gk_vdev_r32(d, VMMIO_CONFIG_GEN));
	return ((uint64_t)hi << 32) | lo;
}

static void vdev_irq(void *ctx)
{
	struct gk_vdev *d = ctx;
	uint32_t isr = gk_vdev_r32(d, VMMIO_INT_STATUS);

	gk_vdev_w32(d, VMMIO_INT_ACK, isr);
	d->irqs++;
	if (isr & 2)
		d->config_irqs++;
}

int gk_vdev_irq_enable(struct gk_vdev *d, uint8_t vec)
{
	d->vector = vec;
	gk_irq_set(vec, vdev_irq, d);
	return gk_ioapic_route(d->mmio.irq, vec, true);
}

void gk_vdev_irq_disable(struct gk_vdev *d)
{
	gk_ioapic_mask(d->mmio.irq, true);
}

/* ---- split virtqueue ---------------------------------------------------- */
int gk_vq_add(struct gk_vq *q, const struct gk_buf *b, unsigned n,
	      bool indirect, void *cookie)
{
	struct vring_desc *desc = q->mem->desc;
	unsigned need = indirect ? 1 : n;
	uint16_t head = q->free_head, i = head;

	if (n == 0 || need > q->num_free || (indirect && n > GK_IND_MAX))
		return -1;
	if (indirect) {
		struct vring_desc *t = q->mem->indirect[head];

		for (unsigned k = 0; k < n; k++) {
			t[k].addr = b[k].addr;
			t[k].len = b[k].len;
			t[k].flags = (uint16_t)((b[k].device_writes ? VRING_DESC_F_WRITE : 0) |
						(k + 1 < n ? VRING_DESC_F_NEXT : 0));
			t[k].next = (uint16_t)(k + 1);
		}
		desc[head].addr = (uintptr_t)t;
		desc[head].len = (uint32_t)(n * sizeof(*t));
		desc[head].flags = VRING_DESC_F_INDIRECT;
		q->free_head = desc[head].next;
	} else {
		uint16_t last = head;

		for (unsigned k = 0; k < n; k++) {
			desc[i].addr = b[k].addr;
			desc[i].len = b[k].len;
			desc[i].flags = (uint16_t)((b[k].device_writes ? VRING_DESC_F_WRITE : 0) |
						   (k + 1 < n ? VRING_DESC_F_NEXT : 0));
			last = i;
			i = desc[i].next;
		}
		q->free_head = desc[last].next;
	}
	q->num_free = (uint16_t)(q->num_free - need);
	q->chain_len[head] = (uint16_t)need;
	q->cookie[head] = cookie;
	q->mem->avail.ring[q->avail_idx & (q->size - 1)] = head;
	gk_barrier();
	q->avail_idx++;
	*(volatile uint16_t *)&q->mem->avail.idx = q->avail_idx;
	return 0;
}

void gk_vq_notify(struct gk_vq *q)
{
	/* The value written names the queue (§4.2.2), as ioeventfds match it. */
	gk_vdev_w32(q->dev, VMMIO_QUEUE_NOTIFY, q->index);
	q->notifies++;
}

void gk_vq_kick(struct gk_vq *q)
{
	uint16_t old = q->kicked_idx, now = q->avail_idx;
	bool need;

	/* The avail idx store must be visible before avail_event is read. */
	gk_mb();
	if (q->event_idx) {
		uint16_t ev = *(volatile uint16_t *)&q->mem->used.avail_event;

		need = (uint16_t)(now - ev - 1) < (uint16_t)(now - old);
	} else {
		need = !(*(volatile uint16_t *)&q->mem->used.flags &
			 VRING_USED_F_NO_NOTIFY);
	}
	q->kicked_idx = now;
	if (need)
		gk_vq_notify(q);
	else
		q->suppressed++;
}

uint16_t gk_vq_used_idx(const struct gk_vq *q)
{
	return *(volatile const uint16_t *)&q->mem->used.idx;
}

bool gk_vq_get(struct gk_vq *q, void **cookie, uint32_t *len)
{
	struct vring_used_elem e;
	uint16_t head, n, last;

	if (gk_vq_used_idx(q) == q->last_used)
		return false;
	gk_barrier();
	e = q->mem->used.ring[q->last_used & (q->size - 1)];
	q->last_used++;
	if (q->event_idx && q->irq_on) {
		*(volatile uint16_t *)&q->mem->avail.used_event = q->last_used;
		/* The used_event store must be visible before used->idx is read
		 * again, or an entry added meanwhile is neither seen nor
		 * interrupted for (the device fences the mirror-image pair). */
		gk_mb();
	}
	if (e.id >= q->size || !q->chain_len[e.id]) {
		q->bad_used++;	/* device returned a head that is not in flight */
		*cookie = NULL;
		return true;
	}
	head = (uint16_t)e.id;
	n = q->chain_len[head];
	last = head;
	for (uint16_t k = 1; k < n; k++)
		last = q->mem->desc[last].next;
	q->mem->desc[last].next = q->free_head;
	q->free_head = head;
	q->num_free = (uint16_t)(q->num_free + n);
	q->chain_len[head] = 0;
	*cookie = q->cookie[head];
	*len = e.len;
	return true;
}

void gk_vq_want_irq(struct gk_vq *q, bool on)
{
	q->irq_on = on;
	q->irqs_seen = q->dev->irqs;
	if (q->event_idx)
		*(volatile uint16_t *)&q->mem->avail.used_event =
			on ? q->last_used : (uint16_t)(q->last_used - 1);
	else
		*(volatile uint16_t *)&q->mem->avail.flags =
			on ? 0 : VRING_AVAIL_F_NO_INTERRUPT;
	gk_mb();
}

void gk_vq_publish_raw(struct gk_vq *q, uint16_t head)
{
	q->mem->avail.ring[q->avail_idx & (q->size - 1)] = head;
	gk_barrier();
	q->avail_idx++;
	*(volatile uint16_t *)&q->mem->avail.idx = q->avail_idx;
	q->kicked_idx = q->avail_idx;
	gk_vq_notify(q);
}

/* ---- virtio-blk requests ------------------------------------------------ */
uint64_t gk_blk_wanted_features(void)
{
	return VF_BIT(VIRTIO_F_VERSION_1) | VF_BIT(VIRTIO_F_INDIRECT_DESC) |
	       VF_BIT(VIRTIO_F_EVENT_IDX) | VF_BIT(VIRTIO_BLK_F_SIZE_MAX) |
	       VF_BIT(VIRTIO_BLK_F_SEG_MAX) | VF_BIT(VIRTIO_BLK_F_RO) |
	       VF_BIT(VIRTIO_BLK_F_BLK_SIZE) | VF_BIT(VIRTIO_BLK_F_FLUSH) |
	       VF_BIT(VIRTIO_BLK_F_TOPOLOGY) | VF_BIT(VIRTIO_BLK_F_DISCARD) |
	       VF_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
}

int gk_blk_submit(struct gk_vdev *d, struct gk_blkreq *r, uint32_t type,
		  uint64_t sector, void *data, uint32_t len, bool indirect)
{
	struct gk_buf b[3];
	unsigned n = 0;
	bool dev_writes = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;

	r->hdr.type = type;
	r->hdr.reserved = 0;
	r->hdr.sector = sector;
	r->status = GK_BLK_NO_STATUS;
	r->data = data;
	r->len = len;
	r->done = false;
	r->used_len = 0;
	b[n++] = (struct gk_buf){ (uintptr_t)&r->hdr, sizeof(r->hdr), false };
	if (len)
		b[n++] = (struct gk_buf){ (uintptr_t)data, len, dev_writes };
	b[n++] = (struct gk_buf){ (uintptr_t)&r->status, 1, true };
	return gk_vq_add(&d->vq, b, n, indirect, r);
}

unsigned gk_blk_reap(struct gk_vdev *d)
{
	unsigned n = 0;
	void *cookie;
	uint32_t len;

	d->vq.irqs_seen = d->irqs;
	while (gk_vq_get(&d->vq, &cookie, &len)) {
		struct gk_blkreq *r = cookie;

		if (!r)
			continue;
		r->used_len = len;
		gk_barrier();
		r->done = true;
		n++;
	}
	return n;
}

struct wait_ctx {
	struct gk_vdev *d;
	struct gk_blkreq *r;
	unsigned n;
	bool irq;
};

/*
 * Interrupt-driven, the ring is read only after an interrupt.  Polling it
 * earlier could consume entries the device has added but not yet decided
 * to interrupt for; used_event then already covers them, and with
 * EVENT_IDX the device rightly stays silent (virtio 1.2 §2.7.10).
 */
static bool all_done(void *p)
{
	struct wait_ctx *w = p;

	if (w->irq && w->d->irqs == w->d->vq.irqs_seen)
		return false;
	gk_blk_reap(w->d);
	for (unsigned i = 0; i < w->n; i++)
		if (!w->r[i].done)
			return false;
	return true;
}

bool gk_blk_wait(struct gk_vdev *d, struct gk_blkreq *r, unsigned n,
		 const struct gk_blkmode *m, uint64_t timeout_us)
{
	struct wait_ctx w = { d, r, n, m->irq };
	uint64_t t0, span;

	if (m->irq)
		return gk_wait(all_done, &w, timeout_us);
	t0 = gk_rdtsc();
	span = gk_tsc_khz * timeout_us / 1000;
	while (!all_done(&w))
		if (gk_rdtsc() - t0 >= span)
			return false;
	return true;
}

int gk_blk_sync(struct gk_vdev *d, uint32_t type, uint64_t sector, void *data,
		uint32_t len, const struct gk_blkmode *m)
{
	static struct gk_blkreq r;

	gk_vq_want_irq(&d->vq, m->irq);
	if (gk_blk_submit(d, &r, type, sector, data, len, m->indirect))
		return -1;
	gk_vq_kick(&d->vq);
	if (!gk_blk_wait(d, &r, 1, m, 5000000))
		return -1;
	return r.status;
}

void gk_pattern_fill(void *buf, uint64_t off, uint32_t len, uint64_t magic)
{
	uint64_t *w = buf;

	for (uint32_t i = 0; i < len / 8; i++)
		w[i] = magic | (off + 8ull * i);
}

long gk_pattern_check(const void *buf, uint64_t off, uint32_t len,
		      uint64_t magic)
{
	const uint64_t *w = buf;

	for (uint32_t i = 0; i < len / 8; i++)
		if (w[i] != (magic | (off + 8ull * i)))
			return (long)i;
	return -1;
}
