/* SPDX-License-Identifier: MIT */
/*
 * Address buses for port I/O and MMIO exits.  Devices are registered on
 * ranges before the vCPUs start; ranges never overlap (-EEXIST).  Dispatch
 * finds the range by binary search and calls the device with the offset
 * into its range, holding that device's own lock, so two vCPUs touching
 * two devices never wait on each other while one device never sees two
 * accesses at once.  One device may own several ranges (the i8042 at 0x60
 * and 0x64) and still has one lock.
 */
#ifndef VMM_BUS_H
#define VMM_BUS_H

#include <pthread.h>
#include <stdint.h>

#include <vmm/config.h>

#define VMM_BUS_MAX_RANGES 64u

/*
 * base is the start of the range that was hit (a device with several
 * ranges tells them apart by it), offset the distance from it.  Reads fill
 * data[0..size), which arrives preset to all ones.
 */
typedef void (*vmm_bus_read_fn)(void *ctx, uint64_t base, uint64_t offset,
				uint8_t *data, uint32_t size);
typedef void (*vmm_bus_write_fn)(void *ctx, uint64_t base, uint64_t offset,
				 const uint8_t *data, uint32_t size);

struct vmm_bus_ops {
	vmm_bus_read_fn read;	/* NULL: reads return 0xff bytes */
	vmm_bus_write_fn write;	/* NULL: writes are ignored */
};

/* A device as the bus sees it; caller-allocated, lives as long as the bus. */
struct vmm_bus_device {
	const char *name;
	const struct vmm_bus_ops *ops;
	void *ctx;
	pthread_mutex_t lock;
	uint64_t accesses;	/* under lock; for metrics */
};

struct vmm_bus;

VMM_WUR int vmm_bus_new(const char *name, struct vmm_bus **out);
void vmm_bus_free(struct vmm_bus *bus);

/* Initialises the device's lock.  -errno from pthread. */
VMM_WUR int vmm_bus_device_init(struct vmm_bus_device *dev, const char *name,
				const struct vmm_bus_ops *ops, void *ctx);
void vmm_bus_device_destroy(struct vmm_bus_device *dev);

/*
 * Maps [base, base+len) to dev.  -EINVAL for len 0 or a wrapping range,
 * -EEXIST when it overlaps a range already registered, -ENOSPC when the
 * bus is full.  Not safe against concurrent dispatch: register first.
 */
VMM_WUR int vmm_bus_insert(struct vmm_bus *bus, struct vmm_bus_device *dev,
			   uint64_t base, uint64_t len);

/*
 * Dispatches an access of size 1..8 bytes.  The whole access must fall in
 * one range; -ENOENT otherwise (reads then leave data as all ones, which is
 * what an unclaimed ISA/MMIO address reads as).  -EINVAL for a bad size.
 */
VMM_WUR int vmm_bus_read(struct vmm_bus *bus, uint64_t addr, uint8_t *data,
			 uint32_t size);
VMM_WUR int vmm_bus_write(struct vmm_bus *bus, uint64_t addr,
			  const uint8_t *data, uint32_t size);

/* The device covering addr, or NULL. */
struct vmm_bus_device *vmm_bus_find(struct vmm_bus *bus, uint64_t addr);

#endif
