/* SPDX-License-Identifier: MIT */
/*
 * Fixture for transport tests: the echo device on the shared memory map,
 * plus a driver-side queue, and helpers to walk the device through
 * Linux's probe sequence and to run one echo request end to end.
 */
#ifndef VIRTQ_TEST_MMIO_HARNESS_H
#define VIRTQ_TEST_MMIO_HARNESS_H

#include <errno.h>

#include "echo_dev.h"
#include "harness.h"

#define M_BIT(n) (UINT64_C(1) << (n))

/* Status bits, short, for tables of status values. */
#define ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define DRV VIRTIO_CONFIG_S_DRIVER
#define FOK VIRTIO_CONFIG_S_FEATURES_OK
#define DOK VIRTIO_CONFIG_S_DRIVER_OK
#define FAILED VIRTIO_CONFIG_S_FAILED
#define NRESET VIRTIO_CONFIG_S_NEEDS_RESET
#define M_OFFER (M_BIT(ECHO_F_UPPER) | M_BIT(VIRTIO_F_INDIRECT_DESC) | M_BIT(VIRTIO_F_EVENT_IDX))

struct m_env {
	struct vmmem_map *mem;
	struct echo_dev dev;
	struct virtq_driver *drv;
	uint64_t features;
};

static inline uint32_t m_rd(struct m_env *m, uint64_t off)
{
	uint64_t v;

	cr_assert_eq(virtq_mmio_read(&m->dev.mmio, off, 4, &v), 0, "read 0x%llx",
		     (unsigned long long)off);
	return (uint32_t)v;
}

static inline int m_wr(struct m_env *m, uint64_t off, uint32_t v)
{
	return virtq_mmio_write(&m->dev.mmio, off, 4, v);
}

static inline void m_init(struct m_env *m)
{
	m->mem = t_map();
	cr_assert_eq(echo_init(&m->dev, m->mem, M_OFFER), 0);
	m->drv = NULL;
}

static inline void m_fini(struct m_env *m)
{
	virtq_driver_free(m->drv);
	vmmem_map_free(m->mem);
}

/* Negotiates `wanted`, lays out and sets up queue 0, sets DRIVER_OK. */
static inline void m_probe(struct m_env *m, uint64_t wanted)
{
	uint32_t flags = (wanted & M_BIT(VIRTIO_F_EVENT_IDX)) ? VIRTQ_DRIVER_EVENT_IDX : 0;

	virtq_driver_free(m->drv);
	cr_assert_eq(virtq_driver_mmio_negotiate(&m->dev.mmio, wanted, &m->features), 0);
	cr_assert_eq(virtq_driver_new(m->mem, ECHO_QUEUE_MAX, T_RING_BASE, flags, &m->drv), 0);
	cr_assert_eq(virtq_driver_mmio_setup_queue(&m->dev.mmio, 0, m->drv), 0);
	cr_assert_eq(virtq_driver_mmio_driver_ok(&m->dev.mmio), 0);
}

/* Puts the device up to (not including) FEATURES_OK, with VERSION_1 acked. */
static inline void m_to_driver(struct m_env *m)
{
	cr_assert_eq(m_wr(m, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE), 0);
	cr_assert_eq(m_wr(m, VIRTIO_MMIO_STATUS,
			  VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER), 0);
	cr_assert_eq(m_wr(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1), 0);
	cr_assert_eq(m_wr(m, VIRTIO_MMIO_DRIVER_FEATURES, 1), 0);	/* VERSION_1 */
}

static inline void m_to_features_ok(struct m_env *m)
{
	m_to_driver(m);
	cr_assert_eq(m_wr(m, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
			  VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK), 0);
}

/* Sends "hello" through queue 0 via the ioeventfd entry point and checks
 * the echo comes back. */
static inline void m_echo_ok(struct m_env *m)
{
	struct virtq_buf b[2] = { { T_DATA, 5, false }, { T_DATA + 0x100, 16, true } };
	char out[6] = { 0 };
	uint16_t head, h;
	uint32_t len;

	cr_assert_eq(vmmem_write(m->mem, T_DATA, "hello", 5), 0);
	cr_assert_eq(virtq_driver_add(m->drv, b, 2, &head), 0);
	cr_assert_geq(virtq_driver_publish(m->drv), 0);
	cr_assert_eq(virtq_mmio_queue_notified(&m->dev.mmio, 0), 0);
	cr_assert_eq(virtq_driver_get_used(m->drv, &h, &len), 1);
	cr_assert_eq(h, head);
	cr_assert_eq(len, 5);
	cr_assert_eq(vmmem_read(m->mem, T_DATA + 0x100, out, 5), 0);
	cr_assert_str_eq(out, "hello");
}

static inline uint32_t m_status(struct m_env *m)
{
	return virtq_mmio_status(&m->dev.mmio);
}

static inline bool m_needs_reset(struct m_env *m)
{
	return m_status(m) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* The recovery every hostile test ends with: reset, probe, a good request. */
static inline void m_recover(struct m_env *m)
{
	cr_assert_eq(m_wr(m, VIRTIO_MMIO_STATUS, 0), 0);
	cr_assert_eq(m_status(m), 0);
	m_probe(m, M_OFFER);
	m_echo_ok(m);
	cr_assert_not(m_needs_reset(m));
}

#endif
