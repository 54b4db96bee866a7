/* SPDX-License-Identifier: MIT */
/*
 * A virtio 1.2 driver core for the kit: the MMIO transport (§4.2.2), device
 * initialisation in the order of §3.1.1, and a split virtqueue (§2.7) with
 * indirect descriptors (§2.7.5.3) and VIRTIO_F_EVENT_IDX (§2.7.7, §2.7.10),
 * usable polled or interrupt-driven, plus the virtio-blk request helpers
 * (§5.2.6).  Raw ring access is exposed on purpose: the hostile suite builds
 * broken chains by hand.
 */
#ifndef GK_VIRTIO_H
#define GK_VIRTIO_H

#include "gk.h"

/* MMIO registers, §4.2.2 */
#define VMMIO_MAGIC 0x000
#define VMMIO_VERSION 0x004
#define VMMIO_DEVICE_ID 0x008
#define VMMIO_VENDOR_ID 0x00c
#define VMMIO_DEV_FEATURES 0x010
#define VMMIO_DEV_FEATURES_SEL 0x014
#define VMMIO_DRV_FEATURES 0x020
#define VMMIO_DRV_FEATURES_SEL 0x024
#define VMMIO_QUEUE_SEL 0x030
#define VMMIO_QUEUE_NUM_MAX 0x034
#define VMMIO_QUEUE_NUM 0x038
#define VMMIO_QUEUE_READY 0x044
#define VMMIO_QUEUE_NOTIFY 0x050
#define VMMIO_INT_STATUS 0x060
#define VMMIO_INT_ACK 0x064
#define VMMIO_STATUS 0x070
#define VMMIO_QUEUE_DESC_LO 0x080
#define VMMIO_QUEUE_DESC_HI 0x084
#define VMMIO_QUEUE_DRIVER_LO 0x090
#define VMMIO_QUEUE_DRIVER_HI 0x094
#define VMMIO_QUEUE_DEVICE_LO 0x0a0
#define VMMIO_QUEUE_DEVICE_HI 0x0a4
#define VMMIO_CONFIG_GEN 0x0fc
#define VMMIO_CONFIG 0x100
#define VMMIO_MAGIC_VALUE 0x74726976u	/* "virt" */

/* Device status, §2.1 */
#define VSTAT_ACKNOWLEDGE 1u
#define VSTAT_DRIVER 2u
#define VSTAT_DRIVER_OK 4u
#define VSTAT_FEATURES_OK 8u
#define VSTAT_NEEDS_RESET 64u
#define VSTAT_FAILED 128u

/* Feature bits, §6 and §5.2.3 */
#define VF_BIT(n) (1ull << (n))
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_TOPOLOGY 10
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Split ring, §2.7 */
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1

#define GK_VQ_MAX 256
#define GK_IND_MAX 8

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vring_used_elem {
	uint32_t id, len;
};

/* One queue's memory; the device sees it by physical (= virtual) address. */
struct gk_vring_mem {
	struct vring_desc desc[GK_VQ_MAX] GK_ALIGNED(4096);
	struct {
		uint16_t flags, idx, ring[GK_VQ_MAX], used_event;
	} avail GK_ALIGNED(4096);
	struct {
		uint16_t flags, idx;
		struct vring_used_elem ring[GK_VQ_MAX];
		uint16_t avail_event;
	} used GK_ALIGNED(4096);
	struct vring_desc indirect[GK_VQ_MAX][GK_IND_MAX] GK_ALIGNED(4096);
};

struct gk_vdev;

struct gk_vq {
	struct gk_vdev *dev;
	struct gk_vring_mem *mem;
	uint16_t index, size, free_head, num_free, avail_idx, kicked_idx, last_used;
	bool event_idx, irq_on;
	/* dev->irqs when interrupts were turned on or the used ring was last
	 * read: an interrupt-driven wait reads the ring only once it moved. */
	unsigned irqs_seen;
	unsigned notifies, suppressed, bad_used;
	void *cookie[GK_VQ_MAX];
	uint16_t chain_len[GK_VQ_MAX];
};

struct gk_vdev {
	struct gk_mmio_dev mmio;
	uint32_t version, device_id;
	uint64_t offered, features;
	struct gk_vq vq;
	uint8_t vector;
	volatile unsigned irqs, config_irqs;
};

/* What each §3.1.1 step read back, for tests that check every step. */
struct gk_init_log {
	bool reset_ok;
	uint32_t ack, driver, features_ok, driver_ok;
	uint32_t queue_ready_before, queue_num_max, queue_ready;
	const char *failed_step;
};

static inline uint32_t gk_vdev_r32(const struct gk_vdev *d, uint32_t off)
{
	return gk_mmio_r32(d->mmio.base + off);
}
static inline void gk_vdev_w32(const struct gk_vdev *d, uint32_t off, uint32_t v)
{
	gk_mmio_w32(d->mmio.base + off, v);
}

/* Reads magic, version and device ID; 0 when it is a virtio 1.x device. */
int gk_vdev_probe(struct gk_vdev *d, const struct gk_mmio_dev *m);
/* Finds the idx-th device with DeviceID id on the command line. */
int gk_vdev_find(struct gk_vdev *d, uint32_t id, unsigned idx);
bool gk_vdev_reset(struct gk_vdev *d);
/* Full §3.1.1 initialisation of queue 0; qsize 0 means QueueNumMax. */
int gk_vdev_init(struct gk_vdev *d, uint64_t want, struct gk_vring_mem *mem,
		 uint16_t qsize, struct gk_init_log *log);
/*
 * The same for a device with n queues: queue i is qs[i] on mems[i], all of
 * qsize entries (0: each queue's QueueNumMax); the log records the last one.
 */
int gk_vdev_init_queues(struct gk_vdev *d, uint64_t want, struct gk_vq *const *qs,
			struct gk_vring_mem *const *mems, unsigned n,
			uint16_t qsize, struct gk_init_log *log);
uint32_t gk_vdev_status(const struct gk_vdev *d);
uint32_t gk_vdev_cfg32(const struct gk_vdev *d, uint32_t off);
uint64_t gk_vdev_cfg64(const struct gk_vdev *d, uint32_t off);
/* Routes the device IRQ (level, active high) to vec and counts interrupts. */
int gk_vdev_irq_enable(struct gk_vdev *d, uint8_t vec);
void gk_vdev_irq_disable(struct gk_vdev *d);
static inline bool gk_vdev_has(const struct gk_vdev *d, unsigned bit)
{
	return d->features & VF_BIT(bit);
}

struct gk_buf {
	uint64_t addr;
	uint32_t len;
	bool device_writes;
};

/* Buffer i of a driver's pool as a cookie (never NULL), and back: -1 when
 * the cookie the device handed back is none of the pool's n buffers. */
static inline void *gk_vq_cookie(unsigned i)
{
	return (void *)(uintptr_t)(i + 1);
}
static inline int gk_vq_cookie_index(void *cookie, unsigned n)
{
	uintptr_t v = (uintptr_t)cookie;

	return v >= 1 && v <= n ? (int)(v - 1) : -1;
}

/* Adds a chain (in the indirect table of its head when indirect). */
int gk_vq_add(struct gk_vq *q, const struct gk_buf *b, unsigned n,
	      bool indirect, void *cookie);
/* Publishes added buffers and notifies unless EVENT_IDX/NO_NOTIFY says not to. */
void gk_vq_kick(struct gk_vq *q);
bool gk_vq_get(struct gk_vq *q, void **cookie, uint32_t *len);
/* Asks for (or suppresses) used-buffer notifications. */
void gk_vq_want_irq(struct gk_vq *q, bool on);
uint16_t gk_vq_used_idx(const struct gk_vq *q);
/* Raw access for hostile tests: put head in the avail ring, publish, notify. */
void gk_vq_publish_raw(struct gk_vq *q, uint16_t head);
void gk_vq_notify(struct gk_vq *q);

/* ---- virtio-blk, §5.2.6 ---------------------------------------------- */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define GK_BLK_NO_STATUS 0xff

#define VIRTIO_BLK_CFG_CAPACITY 0
#define VIRTIO_BLK_CFG_BLK_SIZE 20
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS 36
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG 40
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS 48
#define VIRTIO_BLK_CFG_MAX_WZ_SEG 52

struct gk_blk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

struct gk_blk_seg {
	uint64_t sector;
	uint32_t num_sectors, flags;
};

struct gk_blkreq {
	struct gk_blk_hdr hdr;
	uint8_t status;
	void *data;
	uint32_t len;
	volatile bool done;
	uint32_t used_len;
};

struct gk_blkmode {
	bool indirect, irq;
};

uint64_t gk_blk_wanted_features(void);
/* Queues one request (header, optional data, status). */
int gk_blk_submit(struct gk_vdev *d, struct gk_blkreq *r, uint32_t type,
		  uint64_t sector, void *data, uint32_t len, bool indirect);
/* Reaps completions; returns how many requests finished. */
unsigned gk_blk_reap(struct gk_vdev *d);
/* Waits until n requests in r[] are done; false on timeout.  With m->irq
 * the used ring is read only after an interrupt, so success proves the
 * device interrupted. */
bool gk_blk_wait(struct gk_vdev *d, struct gk_blkreq *r, unsigned n,
		 const struct gk_blkmode *m, uint64_t timeout_us);
/* Synchronous request; returns the status byte or -1 on timeout. */
int gk_blk_sync(struct gk_vdev *d, uint32_t type, uint64_t sector, void *data,
		uint32_t len, const struct gk_blkmode *m);

/* Fills/checks buf with magic | byte offset words for disk offset off. */
void gk_pattern_fill(void *buf, uint64_t off, uint32_t len, uint64_t magic);
/* Returns the index of the first bad word, or -1 when all match. */
long gk_pattern_check(const void *buf, uint64_t off, uint32_t len,
		      uint64_t magic);

#endif
