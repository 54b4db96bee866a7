// SPDX-License-Identifier: MIT
// VM-fd wrappers on the real /dev/kvm, one test per wrapper and per
// rejection path the library adds in front of KVM (api.rst 4, "vm ioctl").
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include "guest.h"

static struct kvmw_system *sys;
static struct kvmw_vm *vm;
static uint8_t *mem;
#define MEM_SIZE (1u << 20)

static void setup(void)
{
	if (!tg_have_kvm())
		cr_skip_test("no /dev/kvm");
	cr_assert_eq(kvmw_system_open(&sys), 0);
	cr_assert_eq(kvmw_vm_create(sys, &vm), 0);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(mem, MAP_FAILED);
}

static void teardown(void)
{
	kvmw_vm_free(vm);
	kvmw_system_free(sys);
	if (mem)
		munmap(mem, MEM_SIZE);
	vm = NULL;
	sys = NULL;
	mem = NULL;
}

TestSuite(vm, .init = setup, .fini = teardown);

static struct kvmw_mem_region region(uint32_t slot, uint64_t gpa, uint64_t size, uint32_t flags)
{
	return (struct kvmw_mem_region){ .slot = slot, .gpa = gpa, .size = size,
					 .hva = mem, .flags = flags };
}

static void need_cap(int cap, const char *name)
{
	if (kvmw_vm_check_cap(vm, cap) <= 0)
		cr_skip_test("KVM_CAP_%s absent on this host", name);
}

Test(vm, fd_and_vm_check_cap)
{
	cr_assert_geq(kvmw_vm_fd(vm), 0);
	cr_assert_gt(kvmw_vm_check_cap(vm, KVM_CAP_NR_MEMSLOTS), 0);
	cr_assert_eq(kvmw_vm_check_cap(vm, -3), -EINVAL);
}

Test(vm, enable_cap_checks_arguments)
{
	uint64_t a[5] = { 0 };

	cr_assert_eq(kvmw_vm_enable_cap(vm, KVM_CAP_X86_DISABLE_EXITS, a, 5), -EINVAL);
	cr_assert_eq(kvmw_vm_enable_cap(vm, KVM_CAP_X86_DISABLE_EXITS, NULL, 1), -EINVAL);
	/* A capability KVM cannot enable on a VM comes back as KVM's own -EINVAL. */
	cr_assert_lt(kvmw_vm_enable_cap(vm, KVM_CAP_S390_PSW, NULL, 0), 0);
}

Test(vm, enable_cap_split_irqchip)
{
	uint64_t pins = 24;	/* IOAPIC pins routed through the userspace IOAPIC */

	need_cap(KVM_CAP_SPLIT_IRQCHIP, "SPLIT_IRQCHIP");
	cr_assert_eq(kvmw_vm_enable_cap(vm, KVM_CAP_SPLIT_IRQCHIP, &pins, 1), 0);
	/* With the LAPIC in the kernel, a full irqchip can no longer be created. */
	cr_assert_lt(kvmw_vm_create_irqchip(vm), 0);
}

Test(vm, memory_region_set_and_delete)
{
	struct kvmw_mem_region r = region(1, 0, MEM_SIZE, 0);

	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), 0);
	cr_assert_eq(kvmw_vm_delete_memory_region(vm, 1), 0);
	cr_assert_eq(kvmw_vm_delete_memory_region(vm, 1), -ENOENT);
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), 0, "the slot is free again");
}

Test(vm, memory_region_rejects_bad_geometry)
{
	struct kvmw_mem_region r = region(0, 0x1000, 0x1000, 0);

	r.gpa = 0x1001;
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), -EINVAL);
	r = region(0, 0, 0x1800, 0);
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), -EINVAL);
	r = region(0, 0, 0, 0);
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), -EINVAL);
	r = region(0, 0xfffffffffffff000ull, 0x2000, 0);
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), -EINVAL, "gpa + size wraps");
	r = region(KVMW_MAX_SLOTS, 0, 0x1000, 0);
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), -EINVAL);
	r = region(0, 0, 0x1000, 1u << 7);
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), -EINVAL);
	r = region(0, 0, 0x1000, 0);
	r.hva = mem + 8;
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), -EINVAL);
}

Test(vm, memory_region_overlap_is_eexist)
{
	struct kvmw_mem_region a = region(0, 0x100000, 0x10000, 0);
	struct kvmw_mem_region b = region(1, 0x10f000, 0x10000, 0);

	cr_assert_eq(kvmw_vm_set_memory_region(vm, &a), 0);
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &b), -EEXIST);
	b.gpa = 0x110000;
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &b), 0, "adjacent is fine");
}

Test(vm, memory_region_readonly_flag)
{
	struct kvmw_mem_region r = region(0, 0, 0x10000, KVMW_MEM_READONLY);

	need_cap(KVM_CAP_READONLY_MEM, "READONLY_MEM");
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), 0);
}

Test(vm, dirty_log_buffer_checks)
{
	struct kvmw_mem_region r = region(2, 0, 65 * 4096, KVMW_MEM_LOG_DIRTY);
	struct kvmw_mem_region plain = region(3, 0x100000, 4096, 0);
	uint64_t bm[2] = { 0 };

	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), 0);
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &plain), 0);
	cr_assert_eq(kvmw_vm_dirty_bitmap_words(vm, 2), 2);
	cr_assert_eq(kvmw_vm_dirty_bitmap_words(vm, 9), -ENOENT);
	cr_assert_eq(kvmw_vm_get_dirty_log(vm, 2, bm, 1), -ENOSPC);
	cr_assert_eq(kvmw_vm_get_dirty_log(vm, 2, NULL, 2), -EINVAL);
	cr_assert_eq(kvmw_vm_get_dirty_log(vm, 3, bm, 2), -EINVAL, "slot without dirty logging");
	cr_assert_eq(kvmw_vm_get_dirty_log(vm, 2, bm, 2), 0);
}

Test(vm, clear_dirty_log_needs_manual_mode_and_aligned_range)
{
	struct kvmw_mem_region r = region(0, 0, 128 * 4096, KVMW_MEM_LOG_DIRTY);
	uint64_t bm[2] = { ~0ull, ~0ull };

	need_cap(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, "MANUAL_DIRTY_LOG_PROTECT2");
	cr_assert_eq(kvmw_vm_enable_manual_dirty_clear(vm), 0);
	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), 0);
	cr_assert_eq(kvmw_vm_clear_dirty_log(vm, 0, 1, 64, bm), -EINVAL, "unaligned start");
	cr_assert_eq(kvmw_vm_clear_dirty_log(vm, 0, 0, 65, bm), -EINVAL, "ragged middle");
	cr_assert_eq(kvmw_vm_clear_dirty_log(vm, 0, 64, 128, bm), -EINVAL, "past the slot");
	cr_assert_eq(kvmw_vm_clear_dirty_log(vm, 0, 0, 128, bm), 0);
}

Test(vm, clear_dirty_log_without_manual_mode_is_rejected)
{
	struct kvmw_mem_region r = region(0, 0, 64 * 4096, KVMW_MEM_LOG_DIRTY);
	uint64_t bm[1] = { 1 };

	cr_assert_eq(kvmw_vm_set_memory_region(vm, &r), 0);
	cr_assert_eq(kvmw_vm_clear_dirty_log(vm, 0, 0, 64, bm), -EINVAL);
}

Test(vm, tss_and_identity_map)
{
	cr_assert_eq(kvmw_vm_set_tss_addr(vm, 0x1001), -EINVAL);
	cr_assert_eq(kvmw_vm_set_tss_addr(vm, 0xfffff000), -EINVAL, "three pages must fit below 4 GiB");
	cr_assert_eq(kvmw_vm_set_identity_map_addr(vm, 0x100000000ull), -EINVAL);
	cr_assert_eq(kvmw_vm_set_identity_map_addr(vm, 0xfffbc000), 0);
	cr_assert_eq(kvmw_vm_set_tss_addr(vm, 0xfffbd000), 0);
}

Test(vm, irqchip_state_round_trip)
{
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC }, back;

	cr_assert_eq(kvmw_vm_create_irqchip(vm), 0);
	cr_assert_eq(kvmw_vm_get_irqchip(vm, &chip), 0);
	chip.chip.ioapic.redirtbl[5].bits = 0x10035;	/* masked, vector 0x35 */
	cr_assert_eq(kvmw_vm_set_irqchip(vm, &chip), 0);
	back.chip_id = KVM_IRQCHIP_IOAPIC;
	cr_assert_eq(kvmw_vm_get_irqchip(vm, &back), 0);
	cr_assert_eq(back.chip.ioapic.redirtbl[5].bits, 0x10035);
	back.chip_id = 7;
	cr_assert_eq(kvmw_vm_get_irqchip(vm, &back), -EINVAL);
}

Test(vm, pit2_state_round_trip)
{
	struct kvm_pit_state2 st, back;

	cr_assert_eq(kvmw_vm_create_irqchip(vm), 0);
	cr_assert_eq(kvmw_vm_create_pit2(vm, 1u << 5), -EINVAL, "unknown flag");
	cr_assert_eq(kvmw_vm_create_pit2(vm, KVM_PIT_SPEAKER_DUMMY), 0);
	cr_assert_eq(kvmw_vm_get_pit2(vm, &st), 0);
	st.channels[2].count = 0x1234;
	cr_assert_eq(kvmw_vm_set_pit2(vm, &st), 0);
	cr_assert_eq(kvmw_vm_get_pit2(vm, &back), 0);
	cr_assert_eq(back.channels[2].count, 0x1234);
}

Test(vm, irq_line_drives_ioapic_pin)
{
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };

	cr_assert_eq(kvmw_vm_create_irqchip(vm), 0);
	cr_assert_eq(kvmw_vm_irq_line(vm, 9, true), 0);
	cr_assert_eq(kvmw_vm_get_irqchip(vm, &chip), 0);
	cr_assert(chip.chip.ioapic.irr & (1u << 9), "IRR bit of pin 9 latched");
	cr_assert_eq(kvmw_vm_irq_line(vm, 9, false), 0);
}

Test(vm, irqfd_assign_deassign)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	need_cap(KVM_CAP_IRQFD, "IRQFD");
	cr_assert_eq(kvmw_vm_create_irqchip(vm), 0);
	cr_assert_eq(kvmw_vm_irqfd_assign(vm, -1, 5), -EINVAL);
	cr_assert_eq(kvmw_vm_irqfd_assign(vm, fd, 5), 0);
	cr_assert_eq(kvmw_vm_irqfd_assign(vm, fd, 5), -EBUSY, "KVM rejects a duplicate");
	cr_assert_eq(kvmw_vm_irqfd_deassign(vm, fd, 5), 0);
	cr_assert_eq(kvmw_vm_irqfd_assign(vm, fd, 5), 0, "assignable again");
	close(fd);
}

Test(vm, irqfd_resample)
{
	int fd = eventfd(0, EFD_CLOEXEC), rfd = eventfd(0, EFD_CLOEXEC);

	need_cap(KVM_CAP_IRQFD_RESAMPLE, "IRQFD_RESAMPLE");
	cr_assert_eq(kvmw_vm_create_irqchip(vm), 0);
	cr_assert_eq(kvmw_vm_irqfd_assign_resample(vm, fd, fd, 10), -EINVAL);
	cr_assert_eq(kvmw_vm_irqfd_assign_resample(vm, fd, -1, 10), -EINVAL);
	cr_assert_eq(kvmw_vm_irqfd_assign_resample(vm, fd, rfd, 10), 0);
	cr_assert_eq(kvmw_vm_irqfd_deassign(vm, fd, 10), 0);
	close(fd);
	close(rfd);
}

Test(vm, ioeventfd_pio_and_mmio_with_and_without_datamatch)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	struct kvmw_ioeventfd pio = { .fd = fd, .space = KVMW_IO_PIO, .addr = 0x510, .len = 2 };
	struct kvmw_ioeventfd pio_dm = { .fd = fd, .space = KVMW_IO_PIO, .addr = 0x520,
					 .len = 1, .datamatch = true, .data = 0x7f };
	struct kvmw_ioeventfd mmio = { .fd = fd, .space = KVMW_IO_MMIO, .addr = 0xd0000050,
				       .len = 4 };
	struct kvmw_ioeventfd mmio_dm = { .fd = fd, .space = KVMW_IO_MMIO, .addr = 0xd0000060,
					  .len = 8, .datamatch = true, .data = ~0ull };
	struct kvmw_ioeventfd mmio_any = { .fd = fd, .space = KVMW_IO_MMIO, .addr = 0xd0000070 };

	need_cap(KVM_CAP_IOEVENTFD, "IOEVENTFD");
	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &pio), 0);
	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &pio), -EEXIST, "KVM rejects a duplicate");
	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &pio_dm), 0);
	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &mmio), 0);
	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &mmio_dm), 0);
	if (kvmw_vm_check_cap(vm, KVM_CAP_IOEVENTFD_ANY_LENGTH) > 0)
		cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &mmio_any), 0);
	cr_assert_eq(kvmw_vm_ioeventfd_deassign(vm, &pio), 0);
	cr_assert_eq(kvmw_vm_ioeventfd_deassign(vm, &pio_dm), 0);
	cr_assert_eq(kvmw_vm_ioeventfd_deassign(vm, &mmio), 0);
	cr_assert_eq(kvmw_vm_ioeventfd_deassign(vm, &mmio_dm), 0);
	cr_assert_eq(kvmw_vm_ioeventfd_deassign(vm, &mmio), -ENOENT);
	close(fd);
}

Test(vm, ioeventfd_rejects_bad_arguments)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	struct kvmw_ioeventfd io = { .fd = fd, .space = KVMW_IO_PIO, .addr = 0x510, .len = 3 };

	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &io), -EINVAL, "length 3");
	io.len = 0;
	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &io), -EINVAL, "any-length PIO");
	io.len = 8;
	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &io), -EINVAL, "8-byte port");
	io.len = 1;
	io.addr = 0x10000;
	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &io), -EINVAL, "port beyond 16 bits");
	io.addr = 0x510;
	io.datamatch = true;
	io.data = 0x100;
	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &io), -EINVAL, "data wider than len");
	io.space = KVMW_IO_MMIO;
	io.len = 0;
	io.data = 0;
	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &io), -EINVAL, "any-length with datamatch");
	io.fd = -1;
	io.len = 4;
	cr_assert_eq(kvmw_vm_ioeventfd_assign(vm, &io), -EINVAL);
	close(fd);
}

Test(vm, gsi_routing_table)
{
	struct kvm_irq_routing_entry e[3];

	need_cap(KVM_CAP_IRQ_ROUTING, "IRQ_ROUTING");
	cr_assert_eq(kvmw_vm_create_irqchip(vm), 0);
	e[0] = kvmw_route_irqchip(4, KVM_IRQCHIP_IOAPIC, 4);
	e[1] = kvmw_route_irqchip(4, KVM_IRQCHIP_PIC_MASTER, 4);
	e[2] = kvmw_route_msi(24, 0xfee00000, 0x41);
	cr_assert_eq(e[2].u.msi.address_lo, 0xfee00000);
	cr_assert_eq(e[2].u.msi.address_hi, 0);
	cr_assert_eq(kvmw_vm_set_gsi_routing(vm, e, 3), 0);
	cr_assert_eq(kvmw_vm_set_gsi_routing(vm, e, KVMW_MAX_GSI_ROUTES + 1), -EINVAL);
	cr_assert_eq(kvmw_vm_set_gsi_routing(vm, NULL, 2), -EINVAL);
	e[0] = kvmw_route_irqchip(1, 9, 1);	/* no such chip: KVM refuses */
	cr_assert_lt(kvmw_vm_set_gsi_routing(vm, e, 1), 0);
	cr_assert_eq(kvmw_vm_set_gsi_routing(vm, NULL, 0), 0, "empty table");
}

Test(vm, signal_msi)
{
	struct kvm_lapic_state l;
	struct kvmw_vcpu *v;

	need_cap(KVM_CAP_SIGNAL_MSI, "SIGNAL_MSI");
	cr_assert_eq(kvmw_vm_create_irqchip(vm), 0);
	cr_assert_eq(kvmw_vcpu_create(vm, 0, &v), 0);
	/* A fresh LAPIC is software-disabled and refuses fixed interrupts: 0 = blocked. */
	cr_assert_eq(kvmw_vm_signal_msi(vm, 0xfee00000, 0x41), 0);
	cr_assert_eq(kvmw_vcpu_get_lapic(v, &l), 0);
	kvmw_lapic_set_reg(&l, 0xf0, 0x1ff);
	cr_assert_eq(kvmw_vcpu_set_lapic(v, &l), 0);
	cr_assert_eq(kvmw_vm_signal_msi(vm, 0xfee00000, 0x41), 1, "delivered");
	cr_assert_eq(kvmw_vcpu_get_lapic(v, &l), 0);
	cr_assert(kvmw_lapic_reg(&l, 0x200 + 0x20) & (1u << 1), "IRR bit of vector 0x41");
	kvmw_vcpu_free(v);
}

Test(vm, clock_get_set)
{
	struct kvm_clock_data c, back;

	need_cap(KVM_CAP_ADJUST_CLOCK, "ADJUST_CLOCK");
	cr_assert_eq(kvmw_vm_get_clock(vm, &c), 0);
	c.clock += 1000000000ull;	/* one second ahead */
	c.flags = 0;
	cr_assert_eq(kvmw_vm_set_clock(vm, &c), 0);
	cr_assert_eq(kvmw_vm_get_clock(vm, &back), 0);
	cr_assert_geq(back.clock, c.clock);
}

Test(vm, create_device)
{
	int fd = -1, r;

	need_cap(KVM_CAP_DEVICE_CTRL, "DEVICE_CTRL");
	cr_assert_eq(kvmw_vm_create_device(vm, KVM_DEV_TYPE_VFIO, false, NULL), -EINVAL);
	r = kvmw_vm_create_device(vm, KVM_DEV_TYPE_VFIO, true, NULL);
	if (r == -ENODEV)
		cr_skip_test("KVM_DEV_TYPE_VFIO not built into this host's KVM");
	cr_assert_eq(r, 0);
	cr_assert_eq(kvmw_vm_create_device(vm, KVM_DEV_TYPE_VFIO, false, &fd), 0);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_lt(kvmw_vm_create_device(vm, 0xffff, true, NULL), 0, "unknown type");
}
