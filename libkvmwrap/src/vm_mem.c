// SPDX-License-Identifier: MIT
// Guest memory slots and dirty logging (api.rst 4.35
// KVM_SET_USER_MEMORY_REGION, 4.8 KVM_GET_DIRTY_LOG, 4.117
// KVM_CLEAR_DIRTY_LOG, 7.18 KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2).  Slots are
// recorded here so that a caller's bitmap is checked against the slot size
// before KVM writes into it.
#include <errno.h>
#include <string.h>

#include "internal.h"

#define PAGE_MASK 0xfffull

static bool overlaps(const struct kvmw__slot *s, uint64_t gpa, uint64_t size)
{
	return s->used && gpa < s->gpa + s->size && s->gpa < gpa + size;
}

static int check_region(const struct kvmw_vm *vm, const struct kvmw_mem_region *r)
{
	if (r->slot >= KVMW_MAX_SLOTS || r->size == 0 || !r->hva)
		return -EINVAL;
	if ((r->gpa | r->size | (uint64_t)(uintptr_t)r->hva) & PAGE_MASK)
		return -EINVAL;
	if (r->flags & ~(KVMW_MEM_LOG_DIRTY | KVMW_MEM_READONLY))
		return -EINVAL;
	if (r->gpa + r->size < r->gpa || (uintptr_t)r->hva + r->size < (uintptr_t)r->hva)
		return -EINVAL;
	for (uint32_t i = 0; i < KVMW_MAX_SLOTS; i++)
		if (i != r->slot && overlaps(&vm->slots[i], r->gpa, r->size))
			return -EEXIST;
	return 0;
}

int kvmw_vm_set_memory_region(struct kvmw_vm *vm, const struct kvmw_mem_region *r)
{
	struct kvm_userspace_memory_region m;
	int err;

	if (!vm || !r)
		return -EINVAL;
	err = check_region(vm, r);
	if (err)
		return err;
	memset(&m, 0, sizeof(m));
	m.slot = r->slot;
	m.flags = ((r->flags & KVMW_MEM_LOG_DIRTY) ? KVM_MEM_LOG_DIRTY_PAGES : 0) |
		  ((r->flags & KVMW_MEM_READONLY) ? KVM_MEM_READONLY : 0);
	m.guest_phys_addr = r->gpa;
	m.memory_size = r->size;
	m.userspace_addr = (uint64_t)(uintptr_t)r->hva;
	err = kvmw__ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &m);
	if (err < 0)
		return err;
	vm->slots[r->slot] = (struct kvmw__slot){ .used = true, .flags = r->flags,
						  .gpa = r->gpa, .size = r->size };
	return 0;
}

int kvmw_vm_delete_memory_region(struct kvmw_vm *vm, uint32_t slot)
{
	struct kvm_userspace_memory_region m;
	int err;

	if (!vm || slot >= KVMW_MAX_SLOTS)
		return -EINVAL;
	if (!vm->slots[slot].used)
		return -ENOENT;
	memset(&m, 0, sizeof(m));
	m.slot = slot;
	m.guest_phys_addr = vm->slots[slot].gpa;
	err = kvmw__ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &m);
	if (err < 0)
		return err;
	vm->slots[slot].used = false;
	return 0;
}

static uint64_t slot_pages(const struct kvmw__slot *s)
{
	return s->size >> 12;
}

ssize_t kvmw_vm_dirty_bitmap_words(const struct kvmw_vm *vm, uint32_t slot)
{
	if (!vm || slot >= KVMW_MAX_SLOTS)
		return -EINVAL;
	if (!vm->slots[slot].used)
		return -ENOENT;
	return (ssize_t)((slot_pages(&vm->slots[slot]) + 63) / 64);
}

int kvmw_vm_get_dirty_log(struct kvmw_vm *vm, uint32_t slot, uint64_t *bitmap, size_t words)
{
	struct kvm_dirty_log log;
	ssize_t need = kvmw_vm_dirty_bitmap_words(vm, slot);

	if (need < 0)
		return (int)need;
	if (!bitmap || !(vm->slots[slot].flags & KVMW_MEM_LOG_DIRTY))
		return -EINVAL;
	if (words < (size_t)need)
		return -ENOSPC;
	memset(&log, 0, sizeof(log));
	log.slot = slot;
	log.dirty_bitmap = bitmap;
	return kvmw__ioctl(vm->fd, KVM_GET_DIRTY_LOG, &log);
}

int kvmw_vm_enable_manual_dirty_clear(struct kvmw_vm *vm)
{
	uint64_t arg;
	int caps, err;

	if (!vm)
		return -EINVAL;
	caps = kvmw_vm_check_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);
	if (caps < 0)
		return caps;
	if (!(caps & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE))
		return -ENOTSUP;
	arg = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE;
	err = kvmw_vm_enable_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, &arg, 1);
	if (err == 0)
		vm->manual_dirty_clear = true;
	return err;
}

int kvmw_vm_clear_dirty_log(struct kvmw_vm *vm, uint32_t slot, uint64_t first_page,
			    uint32_t num_pages, const uint64_t *bitmap)
{
	struct kvm_clear_dirty_log c;
	ssize_t need = kvmw_vm_dirty_bitmap_words(vm, slot);
	uint64_t pages;

	if (need < 0)
		return (int)need;
	if (!bitmap || !vm->manual_dirty_clear || num_pages == 0)
		return -EINVAL;
	pages = slot_pages(&vm->slots[slot]);
	if (first_page >= pages || num_pages > pages - first_page)
		return -EINVAL;
	/* KVM works on whole bitmap words except for the slot's last one. */
	if ((first_page & 63) || ((num_pages & 63) && first_page + num_pages != pages))
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.slot = slot;
	c.first_page = first_page;
	c.num_pages = num_pages;
	c.dirty_bitmap = (void *)(uintptr_t)bitmap;
	return kvmw__ioctl(vm->fd, KVM_CLEAR_DIRTY_LOG, &c);
}
