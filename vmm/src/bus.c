// SPDX-License-Identifier: MIT
// PIO/MMIO bus: a sorted, fixed-capacity array of ranges built before the
// vCPUs start and read-only afterwards, so dispatch needs no bus-wide lock;
// only the target device's mutex is taken.
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/bus.h>

struct bus_range {
	uint64_t base;
	uint64_t len;
	struct vmm_bus_device *dev;
};

struct vmm_bus {
	const char *name;
	size_t count;
	struct bus_range ranges[VMM_BUS_MAX_RANGES];
};

int vmm_bus_new(const char *name, struct vmm_bus **out)
{
	struct vmm_bus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return -ENOMEM;
	bus->name = name;
	*out = bus;
	return 0;
}

void vmm_bus_free(struct vmm_bus *bus)
{
	free(bus);
}

int vmm_bus_device_init(struct vmm_bus_device *dev, const char *name,
			const struct vmm_bus_ops *ops, void *ctx)
{
	memset(dev, 0, sizeof(*dev));
	dev->name = name;
	dev->ops = ops;
	dev->ctx = ctx;
	return -pthread_mutex_init(&dev->lock, NULL);
}

void vmm_bus_device_destroy(struct vmm_bus_device *dev)
{
	pthread_mutex_destroy(&dev->lock);
}

int vmm_bus_insert(struct vmm_bus *bus, struct vmm_bus_device *dev,
		   uint64_t base, uint64_t len)
{
	size_t i;

	if (!dev || len == 0 || base + len - 1 < base)
		return -EINVAL;
	if (bus->count == VMM_BUS_MAX_RANGES)
		return -ENOSPC;
	for (i = 0; i < bus->count; i++)
		if (bus->ranges[i].base > base)
			break;
	/* Only the neighbours can overlap a range in a sorted, disjoint set. */
	if (i > 0 && bus->ranges[i - 1].base + bus->ranges[i - 1].len - 1 >= base)
		return -EEXIST;
	if (i < bus->count && base + len - 1 >= bus->ranges[i].base)
		return -EEXIST;
	memmove(&bus->ranges[i + 1], &bus->ranges[i],
		(bus->count - i) * sizeof(bus->ranges[0]));
	bus->ranges[i] = (struct bus_range){ base, len, dev };
	bus->count++;
	return 0;
}

static const struct bus_range *lookup(const struct vmm_bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &bus->ranges[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

struct vmm_bus_device *vmm_bus_find(struct vmm_bus *bus, uint64_t addr)
{
	const struct bus_range *r = lookup(bus, addr);

	return r ? r->dev : NULL;
}

/* The range that holds all of [addr, addr+size), or NULL. */
static const struct bus_range *lookup_access(const struct vmm_bus *bus,
					     uint64_t addr, uint32_t size)
{
	const struct bus_range *r = lookup(bus, addr);

	if (!r || addr - r->base + size > r->len)
		return NULL;
	return r;
}

int vmm_bus_read(struct vmm_bus *bus, uint64_t addr, uint8_t *data, uint32_t size)
{
	const struct bus_range *r;
	struct vmm_bus_device *dev;

	if (size == 0 || size > 8)
		return -EINVAL;
	memset(data, 0xff, size);
	r = lookup_access(bus, addr, size);
	if (!r)
		return -ENOENT;
	dev = r->dev;
	pthread_mutex_lock(&dev->lock);
	dev->accesses++;
	if (dev->ops->read)
		dev->ops->read(dev->ctx, r->base, addr - r->base, data, size);
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

int vmm_bus_write(struct vmm_bus *bus, uint64_t addr, const uint8_t *data,
		  uint32_t size)
{
	const struct bus_range *r;
	struct vmm_bus_device *dev;

	if (size == 0 || size > 8)
		return -EINVAL;
	r = lookup_access(bus, addr, size);
	if (!r)
		return -ENOENT;
	dev = r->dev;
	pthread_mutex_lock(&dev->lock);
	dev->accesses++;
	if (dev->ops->write)
		dev->ops->write(dev->ctx, r->base, addr - r->base, data, size);
	pthread_mutex_unlock(&dev->lock);
	return 0;
}
