// SPDX-License-Identifier: MIT
// Guest RAM (docs/boot-path.md): anonymous MAP_NORESERVE memory, or huge
// pages reserved from the host's pool (memory.hugepages), split around the
// 32-bit MMIO hole (LOADER_MMIO_HOLE_*): RAM below the hole, the rest above
// 4 GiB.  Each region becomes one KVM memory slot.
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm_internal.h"

struct slot_ctx {
	struct vmm *vm;
	uint32_t slot;
	char *err;
	size_t errlen;
};

static int register_slot(void *ctx, const struct vmmem_region_info *region)
{
	struct slot_ctx *sc = ctx;
	struct kvmw_mem_region r = {
		.slot = sc->slot++, .flags = 0, .gpa = region->gpa,
		.size = region->size, .hva = region->hva,
	};
	int ret = kvmw_vm_set_memory_region(sc->vm->kvm, &r);

	if (ret) {
		snprintf(sc->err, sc->errlen, "KVM_SET_USER_MEMORY_REGION at 0x%llx (%llu MiB): %s",
			 (unsigned long long)region->gpa,
			 (unsigned long long)(region->size >> 20), strerror(-ret));
		return -1;
	}
	return 0;
}

/* One region; the error line names memory.* and, for huge pages, the pool. */
static int map_region(struct vmm *vm, uint64_t gpa, uint64_t size, const char *where)
{
	struct vmmem_region_desc d = {
		.gpa = gpa, .size = size, .backing = VMMEM_BACKING_ANON,
		.flags = vm->cfg.mem_hugepages ? VMMEM_REGION_HUGEPAGES : 0,
	};
	int r = vmmem_map_add_region(vm->mem, &d);

	if (r == -ENOMEM && vm->cfg.mem_hugepages)
		return vmm__fail(vm, "memory.hugepages=on: cannot reserve %llu MiB%s of 2 MiB "
				 "huge pages: the host's pool is too small (HugePages_Free in "
				 "/proc/meminfo; sysctl vm.nr_hugepages)",
				 (unsigned long long)(size >> 20), where);
	if (r)
		return vmm__fail(vm, "memory.size_mib=%llu: cannot map %llu MiB%s: %s",
				 (unsigned long long)vm->cfg.mem_mib,
				 (unsigned long long)(size >> 20), where, strerror(-r));
	return 0;
}

int vmm__memory_map(struct vmm *vm)
{
	uint64_t total = vm->cfg.mem_mib << 20;
	uint64_t low = total < LOADER_MMIO_HOLE_START ? total : LOADER_MMIO_HOLE_START;
	int r;

	r = vmmem_map_new(&vm->mem);
	if (r)
		return vmm__fail(vm, "guest memory: %s", strerror(-r));
	if (map_region(vm, 0, low, ""))
		return -1;
	if (total > low && map_region(vm, LOADER_HIGH_RAM_START, total - low, " above 4 GiB"))
		return -1;
	return 0;
}

int vmm__memory_register_err(struct vmm *vm, char *err, size_t errlen)
{
	struct slot_ctx sc = { vm, 0, err, errlen };

	return vmmem_map_for_each_region(vm->mem, register_slot, &sc) ? -1 : 0;
}

int vmm__memory_register(struct vmm *vm)
{
	return vmm__memory_register_err(vm, vm->err, sizeof(vm->err));
}
