/* SPDX-License-Identifier: MIT */
/*
 * Intel MultiProcessor Specification 1.4 tables for kernels that find CPUs
 * and the IOAPIC that way: the floating pointer (§4.1) and a configuration
 * table (§4.2, §4.3) with one processor entry per vCPU, an ISA bus, the
 * IOAPIC, an I/O interrupt entry per IOAPIC pin and the local interrupts
 * (LINT0 ExtINT, LINT1 NMI).
 */
#ifndef LOADER_MPTABLE_H
#define LOADER_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#include <loader/irq.h>
#include <loader/kernel.h>

/* APIC IDs are 8 bits in the MP table and 0xff is the broadcast ID. */
#define LOADER_MPTABLE_MAX_CPUS 254u

struct loader_mptable_cfg {
	unsigned int cpus;		/* 1..LOADER_MPTABLE_MAX_CPUS, APIC IDs 0..cpus-1 */
	uint32_t lapic_addr;		/* LOADER_LAPIC_START */
	uint32_t ioapic_addr;		/* LOADER_IOAPIC_START */
	uint8_t ioapic_id;		/* must differ from every APIC ID */
	unsigned int ioapic_pins;	/* 1..LOADER_IOAPIC_PINS */
	const struct loader_irq_override *overrides; /* ISA IRQs not identity-mapped */
	size_t n_overrides;
};

/*
 * Writes the floating pointer at gpa and the configuration table right
 * after it, within area_size bytes; *used (may be NULL) gets the bytes
 * written.  -EINVAL for a bad configuration, -ENOSPC when it does not fit,
 * -EFAULT when not backed.
 */
LOADER_WUR int loader_mptable_write(struct vmmem_map *map, uint64_t gpa,
				    uint64_t area_size,
				    const struct loader_mptable_cfg *cfg,
				    size_t *used);

#endif
