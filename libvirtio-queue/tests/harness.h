/* SPDX-License-Identifier: MIT */
/*
 * Shared test fixture: a guest memory map shaped like an x86 guest's (RAM
 * below an MMIO hole, more RAM above it) and a split virtqueue whose rings
 * a driver-side helper laid out, ready on the device side.
 */
#ifndef VIRTQ_TEST_HARNESS_H
#define VIRTQ_TEST_HARNESS_H

#include <criterion/criterion.h>

#include <virtq/virtq.h>

/* RAM [0, LOW_END), a hole [LOW_END, HIGH_BASE), RAM [HIGH_BASE, +HIGH_SIZE). */
#define T_LOW_END	0x200000u
#define T_HOLE		0x300000u	/* an address inside the hole */
#define T_HIGH_BASE	0x400000u
#define T_HIGH_SIZE	0x100000u
#define T_RING_BASE	0x1000u		/* rings of the fixture queue */
#define T_TABLES	0x40000u	/* indirect tables live from here */
#define T_DATA		0x80000u	/* data buffers live from here */

struct t_env {
	struct vmmem_map *mem;
	struct virtq_driver *drv;
	struct virtq_queue q;
	uint16_t size;
};

static inline struct vmmem_map *t_map(void)
{
	struct vmmem_map *m;
	struct vmmem_region_desc lo = { .gpa = 0, .size = T_LOW_END,
					.backing = VMMEM_BACKING_ANON };
	struct vmmem_region_desc hi = { .gpa = T_HIGH_BASE, .size = T_HIGH_SIZE,
					.backing = VMMEM_BACKING_ANON };

	cr_assert_eq(vmmem_map_new(&m), 0);
	cr_assert_eq(vmmem_map_add_region(m, &lo), 0);
	cr_assert_eq(vmmem_map_add_region(m, &hi), 0);
	return m;
}

/* Sets e up with a queue of `size` entries; flags as for virtq_driver_new;
 * features are the negotiated ring features. */
static inline void t_setup(struct t_env *e, uint16_t size, uint32_t flags,
			   uint64_t features)
{
	e->mem = t_map();
	e->size = size;
	cr_assert_eq(virtq_driver_new(e->mem, size, T_RING_BASE, flags, &e->drv), 0);
	cr_assert_eq(virtq_queue_init(&e->q, size), 0);
	cr_assert_eq(virtq_queue_set_desc_table(&e->q, virtq_driver_desc_addr(e->drv)), 0);
	cr_assert_eq(virtq_queue_set_avail_ring(&e->q, virtq_driver_avail_addr(e->drv)), 0);
	cr_assert_eq(virtq_queue_set_used_ring(&e->q, virtq_driver_used_addr(e->drv)), 0);
	cr_assert_eq(virtq_queue_set_features(&e->q, features), 0);
	cr_assert_eq(virtq_queue_set_ready(&e->q, e->mem), 0);
}

static inline void t_teardown(struct t_env *e)
{
	virtq_driver_free(e->drv);
	vmmem_map_free(e->mem);
}

#define T_F_INDIRECT (UINT64_C(1) << VIRTIO_F_INDIRECT_DESC)
#define T_F_EVENT_IDX (UINT64_C(1) << VIRTIO_F_EVENT_IDX)

/* Writes a raw descriptor and publishes `head` as the next avail entry. */
static inline void t_raw(struct t_env *e, uint16_t idx, uint64_t addr, uint32_t len,
			 uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { addr, len, flags, next };

	cr_assert_eq(virtq_driver_write_desc(e->drv, idx, &d), 0);
}

static inline void t_publish_head(struct t_env *e, uint16_t head)
{
	cr_assert_eq(virtq_driver_push_head(e->drv, head), 0);
	cr_assert_geq(virtq_driver_publish(e->drv), 0);
}

/* Walks the whole chain; returns the first non-1 result (0 at the end). */
static inline int t_walk(struct virtq_chain *c, unsigned int *count)
{
	struct virtq_desc d;
	int r;

	*count = 0;
	while ((r = virtq_chain_next(c, &d)) == 1)
		(*count)++;
	return r;
}

#endif
