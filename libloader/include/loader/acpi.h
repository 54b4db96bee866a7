/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables for a hardware-reduced x86 guest (ACPI 6.4 chapter 5): RSDP
 * 2.0 (§5.2.5), XSDT (§5.2.8), FADT with HW_REDUCED_ACPI and the sleep
 * control/status registers (§5.2.9, §4.8.3.7), MADT (§5.2.12) with a local
 * APIC per vCPU, the IOAPIC, interrupt source overrides and the LINT1 NMI,
 * and a DSDT (§5.2.11.1) describing COM1 (PNP0501), the i8042 (PNP0303 and
 * PNP0F13), the CMOS RTC (PNP0B00), the \_S5 sleep state and virtio-mmio
 * devices (LNRO0005, as Linux's virtio_mmio ACPI match expects).
 */
#ifndef LOADER_ACPI_H
#define LOADER_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <loader/irq.h>
#include <loader/kernel.h>

/* Sleep type the DSDT's \_S5 package announces; a guest powering off
 * writes (SLP_TYP << 2) | SLP_EN to the sleep control register. */
#define LOADER_ACPI_S5_SLP_TYP		5u
#define LOADER_ACPI_SLP_EN		0x20u
#define LOADER_ACPI_SLP_TYP_SHIFT	2u
#define LOADER_ACPI_SLP_TYP_MASK	0x1cu
/* Default I/O ports for the FADT registers. */
#define LOADER_ACPI_SLEEP_CTL_PORT	0x3c0u
#define LOADER_ACPI_SLEEP_STS_PORT	0x3c1u
#define LOADER_ACPI_RESET_PORT		0x3c2u
#define LOADER_ACPI_RESET_VALUE		0x1u
/* APIC IDs in xAPIC entries are 8 bits, 0xff is broadcast. */
#define LOADER_ACPI_MAX_CPUS		254u

struct loader_acpi_virtio_mmio {
	uint64_t base;		/* below 4 GiB (Memory32Fixed) */
	uint32_t size;
	uint32_t gsi;
	bool level;		/* level-triggered; edge (irqfd) otherwise */
};

struct loader_acpi_cfg {
	unsigned int cpus;		/* 1..LOADER_ACPI_MAX_CPUS, APIC IDs 0..cpus-1 */
	uint32_t lapic_addr;		/* LOADER_LAPIC_START */
	uint32_t ioapic_addr;		/* LOADER_IOAPIC_START */
	uint8_t ioapic_id;
	uint32_t ioapic_gsi_base;	/* usually 0 */
	bool pcat_compat;		/* dual 8259 present (MADT flag) */
	const struct loader_irq_override *overrides;
	size_t n_overrides;
	bool com1;			/* 16550 at 0x3f8, IRQ 4 */
	bool i8042;			/* keyboard at 0x60/0x64, IRQ 1 */
	bool i8042_aux;			/* PS/2 mouse, IRQ 12 */
	bool rtc;			/* CMOS RTC at 0x70, IRQ 8 */
	const struct loader_acpi_virtio_mmio *virtio;
	size_t n_virtio;
	uint16_t sleep_ctl_port;	/* 0: LOADER_ACPI_SLEEP_CTL_PORT */
	uint16_t sleep_sts_port;	/* 0: LOADER_ACPI_SLEEP_STS_PORT */
	uint16_t reset_port;		/* 0: no reset register */
	uint8_t reset_value;
};

/* Where each table went (guest addresses and lengths). */
struct loader_acpi_layout {
	uint64_t rsdp, xsdt, fadt, madt, dsdt;
	uint32_t rsdp_len, xsdt_len, fadt_len, madt_len, dsdt_len;
	uint64_t size;			/* bytes from rsdp to the end */
};

/*
 * Builds every table in buf[cap] exactly as it will sit at guest address
 * gpa (RSDP first, each table 16-byte aligned, checksums set).  -EINVAL for
 * a bad configuration (CPU count, device above 4 GiB or zero-sized, GSI
 * beyond the IOAPIC), -ENOSPC when cap is too small.
 */
LOADER_WUR int loader_acpi_build(void *buf, size_t cap, uint64_t gpa,
				 const struct loader_acpi_cfg *cfg,
				 struct loader_acpi_layout *out);

/*
 * Builds the tables and writes them at gpa within area_size bytes
 * (LOADER_ACPI_START / LOADER_ACPI_SIZE).  The RSDP address for the boot
 * params or PVH start info is out->rsdp.  Errors as loader_acpi_build(),
 * -EFAULT when not backed.
 */
LOADER_WUR int loader_acpi_write(struct vmmem_map *map, uint64_t gpa,
				 uint64_t area_size,
				 const struct loader_acpi_cfg *cfg,
				 struct loader_acpi_layout *out);

/* True when a byte written to the sleep control register asks for S5
 * (soft off): SLP_EN set and SLP_TYP equal to LOADER_ACPI_S5_SLP_TYP. */
bool loader_acpi_is_poweroff(uint8_t sleep_ctl_value);

/* Computes the byte that makes len bytes sum to zero (ACPI checksum). */
uint8_t loader_acpi_checksum(const void *data, size_t len);

#endif
