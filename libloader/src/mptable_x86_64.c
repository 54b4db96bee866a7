// SPDX-License-Identifier: MIT
// MP table construction (MP spec 1.4 chapter 4).  The table is assembled in
// a host buffer and written in one checked copy.  ISA IRQs reach the IOAPIC
// pin of the same number unless an override says otherwise (the routing
// KVM's default GSI table implements); IOAPIC pins above 15 are listed as
// ISA-bus interrupts of the same number, as other VMMs do, so a kernel
// without ACPI can still use them for virtio-mmio devices.
#include <errno.h>
#include <string.h>

#include <vmmem/access.h>

#include <loader/acpi.h>
#include <loader/layout.h>
#include <loader/mptable.h>

#include "spec_mp.h"

#define ISA_BUS_ID 0
#define MP_MAX_BYTES (sizeof(struct mpf_intel) + sizeof(struct mpc_table) + \
		      LOADER_MPTABLE_MAX_CPUS * sizeof(struct mpc_cpu) +     \
		      sizeof(struct mpc_bus) + sizeof(struct mpc_ioapic) +    \
		      (LOADER_IOAPIC_PINS + 2) * sizeof(struct mpc_intsrc))

struct mp_builder {
	uint8_t buf[MP_MAX_BYTES];
	size_t len;
	uint16_t entries;
};

static void put(struct mp_builder *b, const void *e, size_t n)
{
	memcpy(b->buf + b->len, e, n);
	b->len += n;
	b->entries++;
}

static int check_cfg(const struct loader_mptable_cfg *cfg)
{
	if (cfg->cpus == 0 || cfg->cpus > LOADER_MPTABLE_MAX_CPUS ||
	    cfg->ioapic_pins == 0 || cfg->ioapic_pins > LOADER_IOAPIC_PINS ||
	    cfg->ioapic_id < cfg->cpus || cfg->ioapic_id == 0xff ||
	    (cfg->n_overrides && !cfg->overrides))
		return -EINVAL;
	for (size_t i = 0; i < cfg->n_overrides; i++)
		if (cfg->overrides[i].isa_irq > 15 ||
		    cfg->overrides[i].gsi >= cfg->ioapic_pins)
			return -EINVAL;
	return 0;
}

static void add_cpus(struct mp_builder *b, const struct loader_mptable_cfg *cfg)
{
	for (unsigned int i = 0; i < cfg->cpus; i++) {
		struct mpc_cpu c = {
			.type = MP_PROCESSOR, .apicid = (uint8_t)i,
			.apicver = MP_LAPIC_VERSION,
			.cpuflag = CPU_ENABLED | (i == 0 ? CPU_BOOTPROCESSOR : 0),
			.cpufeature = MP_CPU_SIGNATURE,
			.featureflag = MP_CPU_FEATURES,
		};
		put(b, &c, sizeof(c));
	}
}

/* The override for an ISA IRQ, or NULL when it is identity-mapped. */
static const struct loader_irq_override *
override_of(const struct loader_mptable_cfg *cfg, unsigned int irq)
{
	for (size_t i = 0; i < cfg->n_overrides; i++)
		if (cfg->overrides[i].isa_irq == irq)
			return &cfg->overrides[i];
	return NULL;
}

static void add_intsrc(struct mp_builder *b, const struct loader_mptable_cfg *cfg)
{
	for (unsigned int irq = 0; irq < cfg->ioapic_pins; irq++) {
		const struct loader_irq_override *o = irq < 16 ? override_of(cfg, irq) : NULL;
		struct mpc_intsrc s = {
			.type = MP_INTSRC, .irqtype = mp_INT,
			.irqflag = o ? o->flags : 0, .srcbus = ISA_BUS_ID,
			.srcbusirq = (uint8_t)irq, .dstapic = cfg->ioapic_id,
			.dstirq = (uint8_t)(o ? o->gsi : irq),
		};
		put(b, &s, sizeof(s));
	}
}

static void add_platform(struct mp_builder *b, const struct loader_mptable_cfg *cfg)
{
	struct mpc_bus bus = { .type = MP_BUS, .busid = ISA_BUS_ID };
	struct mpc_ioapic io = {
		.type = MP_IOAPIC, .apicid = cfg->ioapic_id,
		.apicver = MP_IOAPIC_VERSION, .flags = MPC_APIC_USABLE,
		.apicaddr = cfg->ioapic_addr,
	};
	/* LINT0 takes the 8259 (ExtINT), LINT1 the NMI, on every CPU. */
	struct mpc_lintsrc l0 = {
		.type = MP_LINTSRC, .irqtype = mp_ExtINT, .srcbusid = ISA_BUS_ID,
		.destapic = 0xff, .destapiclint = 0,
	};
	struct mpc_lintsrc l1 = {
		.type = MP_LINTSRC, .irqtype = mp_NMI, .srcbusid = ISA_BUS_ID,
		.destapic = 0xff, .destapiclint = 1,
	};

	memcpy(bus.bustype, "ISA   ", 6);
	put(b, &bus, sizeof(bus));
	put(b, &io, sizeof(io));
	add_intsrc(b, cfg);
	put(b, &l0, sizeof(l0));
	put(b, &l1, sizeof(l1));
}

static void finish(struct mp_builder *b, uint64_t gpa,
		   const struct loader_mptable_cfg *cfg)
{
	struct mpf_intel mpf = {
		.physptr = (uint32_t)(gpa + sizeof(mpf)), .length = 1,
		.specification = MPC_SPEC_1_4,
	};
	struct mpc_table mpc = {
		.length = (uint16_t)(b->len - sizeof(mpf)), .spec = MPC_SPEC_1_4,
		.oemcount = b->entries, .lapic = cfg->lapic_addr,
	};

	memcpy(mpf.signature, MPF_SIGNATURE, 4);
	memcpy(mpc.signature, MPC_SIGNATURE, 4);
	memcpy(mpc.oem, "CVMM    ", 8);
	memcpy(mpc.productid, "CVMM VMM    ", 12);
	memcpy(b->buf + sizeof(mpf), &mpc, sizeof(mpc));
	b->buf[sizeof(mpf) + offsetof(struct mpc_table, checksum)] =
		loader_acpi_checksum(b->buf + sizeof(mpf), mpc.length);
	mpf.checksum = loader_acpi_checksum(&mpf, sizeof(mpf));
	memcpy(b->buf, &mpf, sizeof(mpf));
}

int loader_mptable_write(struct vmmem_map *map, uint64_t gpa, uint64_t area_size,
			 const struct loader_mptable_cfg *cfg, size_t *used)
{
	struct mp_builder b; /* ~5 KiB: the largest table this builds */
	int err;

	if (!map || !cfg || (gpa & 15) || gpa + 16 > 0x100000000ull)
		return -EINVAL;
	err = check_cfg(cfg);
	if (err)
		return err;
	memset(&b, 0, sizeof(b));
	b.len = sizeof(struct mpf_intel) + sizeof(struct mpc_table);
	add_cpus(&b, cfg);
	add_platform(&b, cfg);
	finish(&b, gpa, cfg);
	if (b.len > area_size)
		return -ENOSPC;
	err = vmmem_write(map, gpa, b.buf, b.len);
	if (!err && used)
		*used = b.len;
	return err;
}
