// SPDX-License-Identifier: MIT
// Guest RAM (docs/boot-path.md): anonymous MAP_NORESERVE memory split around the
// 32-bit MMIO hole (LOADER_MMIO_HOLE_*): RAM below the hole, the rest above
// 4 GiB.  Each region becomes one KVM memory slot.
#include <errno.h>
#include <string.h>

#include "vmm_internal.h"

struct slot_ctx {
	struct vmm *vm;
	uint32_t slot;
};

static int register_slot(void *ctx, const struct vmmem_region_info *region)
{
	struct slot_ctx *sc = ctx;
	struct kvmw_mem_region r = {
		.slot = sc->slot++, .flags = 0, .gpa = region->gpa,
		.size = region->size, .hva = region->hva,
	};
	int ret = kvmw_vm_set_memory_region(sc->vm->kvm, &r);

	if (ret)
		return vmm__fail(sc->vm, "KVM_SET_USER_MEMORY_REGION at 0x%llx (%llu MiB): %s",
				 (unsigned long long)region->gpa,
				 (unsigned long long)(region->size >> 20), strerror(-ret));
	return 0;
}

int vmm__memory_map(struct vmm *vm)
{
	uint64_t total = vm->cfg.mem_mib << 20;
	uint64_t low = total < LOADER_MMIO_HOLE_START ? total : LOADER_MMIO_HOLE_START;
	struct vmmem_region_desc d = { .gpa = 0, .size = low, .backing = VMMEM_BACKING_ANON };
	int r;

	r = vmmem_map_new(&vm->mem);
	if (r)
		return vmm__fail(vm, "guest memory: %s", strerror(-r));
	r = vmmem_map_add_region(vm->mem, &d);
	if (r)
		return vmm__fail(vm, "memory.size_mib=%llu: cannot map %llu MiB: %s",
				 (unsigned long long)vm->cfg.mem_mib,
				 (unsigned long long)(low >> 20), strerror(-r));
	if (total > low) {
		d.gpa = LOADER_HIGH_RAM_START;
		d.size = total - low;
		r = vmmem_map_add_region(vm->mem, &d);
		if (r)
			return vmm__fail(vm, "memory.size_mib=%llu: cannot map %llu MiB above 4 GiB: %s",
					 (unsigned long long)vm->cfg.mem_mib,
					 (unsigned long long)(d.size >> 20), strerror(-r));
	}
	return 0;
}

int vmm__memory_register(struct vmm *vm)
{
	struct slot_ctx sc = { vm, 0 };

	return vmmem_map_for_each_region(vm->mem, register_slot, &sc) ? -1 : 0;
}
