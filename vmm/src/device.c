// SPDX-License-Identifier: MIT
// The device registry of a VM (device.h): registration and the walks that
// attach, pause, resume, reset, save, restore, tick, count and tear down
// every device without knowing its kind.
#include <string.h>

#include "device.h"
#include "vmm_internal.h"

int vmm__device_add(struct vmm *vm, const struct vmm_device *dev)
{
	if (vm->ndevices >= VMM_MAX_DEVICES)
		return vmm__fail(vm, "%s[%u]: more than %u devices", dev->kind, dev->instance,
				 VMM_MAX_DEVICES);
	vm->devices[vm->ndevices++] = *dev;
	return 0;
}

const struct vmm_device *vmm__device_at(const struct vmm *vm, uint32_t i)
{
	return i < vm->ndevices ? &vm->devices[i] : NULL;
}

uint32_t vmm__device_count(const struct vmm *vm)
{
	return vm->ndevices;
}

int vmm__devices_attach(struct vmm *vm)
{
	for (uint32_t i = 0; i < vm->ndevices; i++) {
		const struct vmm_device *d = &vm->devices[i];

		/* The device has put its reason in vm->err. */
		if (d->ops->attach && d->ops->attach(d->ctx))
			return -1;
	}
	return 0;
}

int vmm__devices_pause(struct vmm *vm)
{
	for (uint32_t i = 0; i < vm->ndevices; i++) {
		const struct vmm_device *d = &vm->devices[i];

		if (d->ops->pause && d->ops->pause(d->ctx)) {
			/* Leave nothing half-paused. */
			while (i-- > 0)
				if (vm->devices[i].ops->resume)
					vm->devices[i].ops->resume(vm->devices[i].ctx);
			return vmm__fail(vm, "pausing %s[%u] failed", d->kind, d->instance);
		}
	}
	return 0;
}

void vmm__devices_resume(struct vmm *vm)
{
	for (uint32_t i = 0; i < vm->ndevices; i++)
		if (vm->devices[i].ops->resume)
			vm->devices[i].ops->resume(vm->devices[i].ctx);
}

void vmm__devices_reset(struct vmm *vm)
{
	for (uint32_t i = 0; i < vm->ndevices; i++)
		if (vm->devices[i].ops->reset)
			vm->devices[i].ops->reset(vm->devices[i].ctx);
}

int vmm__devices_save(struct vmm *vm, struct vmm__snapw *w)
{
	for (uint32_t i = 0; i < vm->ndevices; i++) {
		const struct vmm_device *d = &vm->devices[i];

		if (d->ops->save && d->ops->save(d->ctx, w))
			return vmm__fail(vm, "saving %s[%u] failed", d->kind, d->instance);
	}
	return 0;
}

int vmm__devices_restore(struct vmm *vm, const struct vmm__snapr *r)
{
	for (uint32_t i = 0; i < vm->ndevices; i++) {
		const struct vmm_device *d = &vm->devices[i];

		/* The device writes its own reason into vm->err. */
		if (d->ops->restore && d->ops->restore(d->ctx, r))
			return -1;
	}
	return 0;
}

void vmm__devices_tick(struct vmm *vm, uint64_t now_ns)
{
	for (uint32_t i = 0; i < vm->ndevices; i++)
		if (vm->devices[i].ops->tick)
			vm->devices[i].ops->tick(vm->devices[i].ctx, now_ns);
}

void vmm__devices_metrics(const struct vmm *vm, struct vmm_metrics *m)
{
	for (uint32_t i = 0; i < vm->ndevices; i++)
		if (vm->devices[i].ops->metrics)
			vm->devices[i].ops->metrics(vm->devices[i].ctx, m);
}

void vmm__devices_teardown_all(struct vmm *vm)
{
	while (vm->ndevices > 0) {
		struct vmm_device *d = &vm->devices[--vm->ndevices];

		if (d->ops->teardown)
			d->ops->teardown(d->ctx);
	}
}
