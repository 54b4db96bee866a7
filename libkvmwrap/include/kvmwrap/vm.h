/* SPDX-License-Identifier: MIT */
/*
 * A KVM virtual machine: memory slots and dirty logging, the in-kernel
 * irqchip and PIT, interrupt lines, irqfd/ioeventfd, GSI routing, MSIs, the
 * VM clock, x86 TSS/identity-map addresses and device creation
 * (Linux Documentation/virt/kvm/api.rst, section 4, "vm ioctl").
 *
 * The VM remembers the slots it registered so that dirty-log calls can check
 * the caller's bitmap against the slot size before the kernel writes to it.
 */
#ifndef KVMWRAP_VM_H
#define KVMWRAP_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/kvm.h>

#include <kvmwrap/system.h>

/* Slots numbered 0..KVMW_MAX_SLOTS-1 can be registered through this library. */
#define KVMW_MAX_SLOTS 512u

/* Memory region flags (api.rst 4.35). */
#define KVMW_MEM_LOG_DIRTY (1u << 0)	/* KVM_MEM_LOG_DIRTY_PAGES */
#define KVMW_MEM_READONLY  (1u << 1)	/* KVM_MEM_READONLY: writes exit as MMIO */

/* Upper bound on GSI routing entries one call accepts (KVM's own cap is 4096). */
#define KVMW_MAX_GSI_ROUTES 4096u

struct kvmw_mem_region {
	uint32_t slot;		/* < KVMW_MAX_SLOTS */
	uint32_t flags;		/* KVMW_MEM_* */
	uint64_t gpa;		/* page aligned */
	uint64_t size;		/* page aligned, non-zero */
	void *hva;		/* page aligned host mapping of size bytes */
};

enum kvmw_io_space {
	KVMW_IO_PIO,		/* x86 port I/O */
	KVMW_IO_MMIO,		/* memory-mapped I/O */
};

/* What an ioeventfd listens for (api.rst 4.59). */
struct kvmw_ioeventfd {
	int fd;			/* eventfd to signal */
	enum kvmw_io_space space;
	uint64_t addr;		/* port or guest physical address */
	uint32_t len;		/* 0 (any length, MMIO only), 1, 2, 4 or 8 */
	bool datamatch;		/* signal only when the written value is data */
	uint64_t data;
};

struct kvmw_vm;

/*
 * KVM_CREATE_VM (default machine type).  The VM keeps its own fd, so sys may
 * be freed afterwards.  -EINVAL on NULL arguments, -errno from KVM.
 */
KVMW_WUR int kvmw_vm_create(const struct kvmw_system *sys, struct kvmw_vm **out);

/* Closes the VM fd and frees the handle.  vCPUs must be freed first.  NULL is a no-op. */
void kvmw_vm_free(struct kvmw_vm *vm);

/* The VM file descriptor, still owned by vm. */
int kvmw_vm_fd(const struct kvmw_vm *vm);

/* KVM_CHECK_EXTENSION on the VM fd (VM-specific answer); 0 = absent, >0 present, -errno. */
KVMW_WUR int kvmw_vm_check_cap(const struct kvmw_vm *vm, int cap);

/* KVM_ENABLE_CAP on the VM with up to four arguments (args may be NULL when nargs is 0). */
KVMW_WUR int kvmw_vm_enable_cap(struct kvmw_vm *vm, uint32_t cap, const uint64_t *args,
				size_t nargs);

/*
 * KVM_SET_USER_MEMORY_REGION: creates or replaces a slot.  Checks alignment,
 * wrap-around, flags and slot range; rejects a region that overlaps another
 * registered slot with -EEXIST.  KVMW_MEM_READONLY needs KVM_CAP_READONLY_MEM.
 */
KVMW_WUR int kvmw_vm_set_memory_region(struct kvmw_vm *vm, const struct kvmw_mem_region *r);

/* Deletes a slot (size 0).  -ENOENT when the slot is not registered. */
KVMW_WUR int kvmw_vm_delete_memory_region(struct kvmw_vm *vm, uint32_t slot);

/* Number of 64-bit words a dirty bitmap of slot needs, or -ENOENT. */
KVMW_WUR ssize_t kvmw_vm_dirty_bitmap_words(const struct kvmw_vm *vm, uint32_t slot);

/*
 * KVM_GET_DIRTY_LOG: one bit per page of the slot, bit i = page i was
 * written since the last call.  The slot needs KVMW_MEM_LOG_DIRTY (-EINVAL
 * otherwise); words must be at least kvmw_vm_dirty_bitmap_words() (-ENOSPC).
 */
KVMW_WUR int kvmw_vm_get_dirty_log(struct kvmw_vm *vm, uint32_t slot, uint64_t *bitmap,
				   size_t words);

/*
 * Turns on manual dirty-log clearing (KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2):
 * KVM_GET_DIRTY_LOG then leaves pages write-protected state alone and the
 * VMM re-arms them with kvmw_vm_clear_dirty_log().  Call before creating slots.
 */
KVMW_WUR int kvmw_vm_enable_manual_dirty_clear(struct kvmw_vm *vm);

/*
 * KVM_CLEAR_DIRTY_LOG for pages [first_page, first_page+num_pages) of slot,
 * bit i of bitmap standing for page first_page+i.  first_page and num_pages
 * must be multiples of 64 (or reach the slot's end); the range must be
 * inside the slot.
 */
KVMW_WUR int kvmw_vm_clear_dirty_log(struct kvmw_vm *vm, uint32_t slot, uint64_t first_page,
				     uint32_t num_pages, const uint64_t *bitmap);

/* KVM_SET_TSS_ADDR: three pages of guest-physical space KVM reserves on Intel hosts. */
KVMW_WUR int kvmw_vm_set_tss_addr(struct kvmw_vm *vm, uint64_t gpa);

/* KVM_SET_IDENTITY_MAP_ADDR: one page for real-mode EPT identity tables; call before vCPUs. */
KVMW_WUR int kvmw_vm_set_identity_map_addr(struct kvmw_vm *vm, uint64_t gpa);

/* KVM_CREATE_IRQCHIP: in-kernel PIC pair, IOAPIC and per-vCPU LAPICs; GSIs 0-23 routed. */
KVMW_WUR int kvmw_vm_create_irqchip(struct kvmw_vm *vm);

/* KVM_GET_IRQCHIP: state of chip_id (KVM_IRQCHIP_PIC_MASTER/SLAVE/IOAPIC). */
KVMW_WUR int kvmw_vm_get_irqchip(struct kvmw_vm *vm, struct kvm_irqchip *chip);

/* KVM_SET_IRQCHIP: restores a state returned by kvmw_vm_get_irqchip(). */
KVMW_WUR int kvmw_vm_set_irqchip(struct kvmw_vm *vm, const struct kvm_irqchip *chip);

/* KVM_CREATE_PIT2 with flags (0 or KVM_PIT_SPEAKER_DUMMY). */
KVMW_WUR int kvmw_vm_create_pit2(struct kvmw_vm *vm, uint32_t flags);

/* KVM_GET_PIT2: the PIT state for a snapshot. */
KVMW_WUR int kvmw_vm_get_pit2(struct kvmw_vm *vm, struct kvm_pit_state2 *state);

/* KVM_SET_PIT2: restores a state returned by kvmw_vm_get_pit2(). */
KVMW_WUR int kvmw_vm_set_pit2(struct kvmw_vm *vm, const struct kvm_pit_state2 *state);

/* KVM_IRQ_LINE: drives GSI irq to level (true = asserted). */
KVMW_WUR int kvmw_vm_irq_line(struct kvmw_vm *vm, uint32_t irq, bool level);

/* KVM_IRQFD: signalling fd raises gsi (edge). */
KVMW_WUR int kvmw_vm_irqfd_assign(struct kvmw_vm *vm, int fd, uint32_t gsi);

/*
 * KVM_IRQFD with KVM_IRQFD_FLAG_RESAMPLE: fd asserts a level-triggered gsi,
 * and KVM signals resamplefd when the guest EOIs it so the device can
 * re-assert if still pending.  Needs the in-kernel irqchip.
 */
KVMW_WUR int kvmw_vm_irqfd_assign_resample(struct kvmw_vm *vm, int fd, int resamplefd,
					   uint32_t gsi);

/* KVM_IRQFD with KVM_IRQFD_FLAG_DEASSIGN: detaches fd from gsi. */
KVMW_WUR int kvmw_vm_irqfd_deassign(struct kvmw_vm *vm, int fd, uint32_t gsi);

/*
 * KVM_IOEVENTFD: guest writes matching io are absorbed by KVM and signal
 * io->fd without any exit to userspace.  Checks len (0 only for MMIO) and
 * that data fits in len bytes when datamatch is set.
 */
KVMW_WUR int kvmw_vm_ioeventfd_assign(struct kvmw_vm *vm, const struct kvmw_ioeventfd *io);

/* KVM_IOEVENTFD with KVM_IOEVENTFD_FLAG_DEASSIGN; io must match the assignment. */
KVMW_WUR int kvmw_vm_ioeventfd_deassign(struct kvmw_vm *vm, const struct kvmw_ioeventfd *io);

/* A routing entry sending gsi to pin of chip (KVM_IRQCHIP_*). */
struct kvm_irq_routing_entry kvmw_route_irqchip(uint32_t gsi, uint32_t chip, uint32_t pin);

/* A routing entry sending gsi as an MSI with the given address and data. */
struct kvm_irq_routing_entry kvmw_route_msi(uint32_t gsi, uint64_t addr, uint32_t data);

/*
 * KVM_SET_GSI_ROUTING: replaces the whole routing table with n entries
 * (n <= KVMW_MAX_GSI_ROUTES; n == 0 clears it).
 */
KVMW_WUR int kvmw_vm_set_gsi_routing(struct kvmw_vm *vm,
				     const struct kvm_irq_routing_entry *entries, size_t n);

/*
 * KVM_SIGNAL_MSI: injects one MSI.  Returns 1 when delivered, 0 when the
 * guest blocked it, -errno on failure.
 */
KVMW_WUR int kvmw_vm_signal_msi(struct kvmw_vm *vm, uint64_t addr, uint32_t data);

/* KVM_GET_CLOCK: the kvmclock base for a snapshot. */
KVMW_WUR int kvmw_vm_get_clock(struct kvmw_vm *vm, struct kvm_clock_data *clock);

/* KVM_SET_CLOCK: sets clock->clock (flags such as KVM_CLOCK_REALTIME honoured). */
KVMW_WUR int kvmw_vm_set_clock(struct kvmw_vm *vm, const struct kvm_clock_data *clock);

/*
 * KVM_CREATE_DEVICE of type (KVM_DEV_TYPE_*).  With test set, only asks
 * whether the type could be created (KVM_CREATE_DEVICE_TEST) and *fd_out is
 * untouched (may be NULL); otherwise *fd_out receives the device fd, owned
 * by the caller.
 */
KVMW_WUR int kvmw_vm_create_device(struct kvmw_vm *vm, uint32_t type, bool test, int *fd_out);

#endif
