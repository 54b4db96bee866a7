// SPDX-License-Identifier: MIT
// Interrupt plumbing of an x86 VM: in-kernel irqchip and PIT2 with their
// snapshot state, IRQ lines, irqfd, ioeventfd, GSI routing and MSIs
// (api.rst 4.24-4.27 irqchip, 4.63/4.71/4.72 PIT2, 4.52 KVM_SET_GSI_ROUTING,
// 4.59 KVM_IOEVENTFD, 4.75 KVM_IRQFD, 4.71 KVM_SIGNAL_MSI).
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int kvmw_vm_create_irqchip(struct kvmw_vm *vm)
{
	if (!vm)
		return -EINVAL;
	return kvmw__ioctl(vm->fd, KVM_CREATE_IRQCHIP, NULL);
}

static bool chip_id_ok(uint32_t id)
{
	return id == KVM_IRQCHIP_PIC_MASTER || id == KVM_IRQCHIP_PIC_SLAVE ||
	       id == KVM_IRQCHIP_IOAPIC;
}

int kvmw_vm_get_irqchip(struct kvmw_vm *vm, struct kvm_irqchip *chip)
{
	uint32_t id;

	if (!vm || !chip || !chip_id_ok(chip->chip_id))
		return -EINVAL;
	id = chip->chip_id;
	memset(chip, 0, sizeof(*chip));
	chip->chip_id = id;
	return kvmw__ioctl(vm->fd, KVM_GET_IRQCHIP, chip);
}

int kvmw_vm_set_irqchip(struct kvmw_vm *vm, const struct kvm_irqchip *chip)
{
	struct kvm_irqchip c;

	if (!vm || !chip || !chip_id_ok(chip->chip_id))
		return -EINVAL;
	c = *chip;
	return kvmw__ioctl(vm->fd, KVM_SET_IRQCHIP, &c);
}

int kvmw_vm_create_pit2(struct kvmw_vm *vm, uint32_t flags)
{
	struct kvm_pit_config cfg;

	if (!vm || (flags & ~(uint32_t)KVM_PIT_SPEAKER_DUMMY))
		return -EINVAL;
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = flags;
	return kvmw__ioctl(vm->fd, KVM_CREATE_PIT2, &cfg);
}

int kvmw_vm_get_pit2(struct kvmw_vm *vm, struct kvm_pit_state2 *state)
{
	if (!vm || !state)
		return -EINVAL;
	memset(state, 0, sizeof(*state));
	return kvmw__ioctl(vm->fd, KVM_GET_PIT2, state);
}

int kvmw_vm_set_pit2(struct kvmw_vm *vm, const struct kvm_pit_state2 *state)
{
	struct kvm_pit_state2 s;

	if (!vm || !state)
		return -EINVAL;
	s = *state;
	return kvmw__ioctl(vm->fd, KVM_SET_PIT2, &s);
}

int kvmw_vm_irq_line(struct kvmw_vm *vm, uint32_t irq, bool level)
{
	struct kvm_irq_level l;

	if (!vm)
		return -EINVAL;
	memset(&l, 0, sizeof(l));
	l.irq = irq;
	l.level = level ? 1 : 0;
	return kvmw__ioctl(vm->fd, KVM_IRQ_LINE, &l);
}

static int irqfd(struct kvmw_vm *vm, int fd, int resamplefd, uint32_t gsi, uint32_t flags)
{
	struct kvm_irqfd req;

	if (!vm || fd < 0)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.fd = (uint32_t)fd;
	req.gsi = gsi;
	req.flags = flags;
	req.resamplefd = resamplefd < 0 ? 0 : (uint32_t)resamplefd;
	return kvmw__ioctl(vm->fd, KVM_IRQFD, &req);
}

int kvmw_vm_irqfd_assign(struct kvmw_vm *vm, int fd, uint32_t gsi)
{
	return irqfd(vm, fd, -1, gsi, 0);
}

int kvmw_vm_irqfd_assign_resample(struct kvmw_vm *vm, int fd, int resamplefd, uint32_t gsi)
{
	if (resamplefd < 0 || resamplefd == fd)
		return -EINVAL;
	return irqfd(vm, fd, resamplefd, gsi, KVM_IRQFD_FLAG_RESAMPLE);
}

int kvmw_vm_irqfd_deassign(struct kvmw_vm *vm, int fd, uint32_t gsi)
{
	return irqfd(vm, fd, -1, gsi, KVM_IRQFD_FLAG_DEASSIGN);
}

static int ioeventfd(struct kvmw_vm *vm, const struct kvmw_ioeventfd *io, uint32_t flags)
{
	struct kvm_ioeventfd req;

	if (!vm || !io || io->fd < 0)
		return -EINVAL;
	switch (io->len) {
	case 0:
		/* A zero-length match is only defined for MMIO, and cannot carry data. */
		if (io->space != KVMW_IO_MMIO || io->datamatch)
			return -EINVAL;
		break;
	case 1: case 2: case 4: case 8:
		break;
	default:
		return -EINVAL;
	}
	if (io->space == KVMW_IO_PIO && (io->addr > 0xffff || io->len == 8))
		return -EINVAL;
	if (io->space != KVMW_IO_PIO && io->space != KVMW_IO_MMIO)
		return -EINVAL;
	if (io->datamatch && io->len < 8 && (io->data >> (8 * io->len)))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.fd = io->fd;
	req.addr = io->addr;
	req.len = io->len;
	req.datamatch = io->datamatch ? io->data : 0;
	req.flags = flags | (io->datamatch ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
		    (io->space == KVMW_IO_PIO ? KVM_IOEVENTFD_FLAG_PIO : 0);
	return kvmw__ioctl(vm->fd, KVM_IOEVENTFD, &req);
}

int kvmw_vm_ioeventfd_assign(struct kvmw_vm *vm, const struct kvmw_ioeventfd *io)
{
	return ioeventfd(vm, io, 0);
}

int kvmw_vm_ioeventfd_deassign(struct kvmw_vm *vm, const struct kvmw_ioeventfd *io)
{
	return ioeventfd(vm, io, KVM_IOEVENTFD_FLAG_DEASSIGN);
}

struct kvm_irq_routing_entry kvmw_route_irqchip(uint32_t gsi, uint32_t chip, uint32_t pin)
{
	struct kvm_irq_routing_entry e;

	memset(&e, 0, sizeof(e));
	e.gsi = gsi;
	e.type = KVM_IRQ_ROUTING_IRQCHIP;
	e.u.irqchip.irqchip = chip;
	e.u.irqchip.pin = pin;
	return e;
}

struct kvm_irq_routing_entry kvmw_route_msi(uint32_t gsi, uint64_t addr, uint32_t data)
{
	struct kvm_irq_routing_entry e;

	memset(&e, 0, sizeof(e));
	e.gsi = gsi;
	e.type = KVM_IRQ_ROUTING_MSI;
	e.u.msi.address_lo = (uint32_t)addr;
	e.u.msi.address_hi = (uint32_t)(addr >> 32);
	e.u.msi.data = data;
	return e;
}

int kvmw_vm_set_gsi_routing(struct kvmw_vm *vm, const struct kvm_irq_routing_entry *entries,
			    size_t n)
{
	struct kvm_irq_routing *table;
	int r;

	if (!vm || n > KVMW_MAX_GSI_ROUTES || (n && !entries))
		return -EINVAL;
	/* The routing table is set up at configuration time, so allocating is fine. */
	table = calloc(1, sizeof(*table) + n * sizeof(entries[0]));
	if (!table)
		return -ENOMEM;
	table->nr = (uint32_t)n;
	if (n)
		memcpy(table->entries, entries, n * sizeof(entries[0]));
	r = kvmw__ioctl(vm->fd, KVM_SET_GSI_ROUTING, table);
	free(table);
	return r;
}

int kvmw_vm_signal_msi(struct kvmw_vm *vm, uint64_t addr, uint32_t data)
{
	struct kvm_msi msi;

	if (!vm)
		return -EINVAL;
	memset(&msi, 0, sizeof(msi));
	msi.address_lo = (uint32_t)addr;
	msi.address_hi = (uint32_t)(addr >> 32);
	msi.data = data;
	return kvmw__ioctl(vm->fd, KVM_SIGNAL_MSI, &msi);
}
