/* SPDX-License-Identifier: MIT */
/* ACPI configurations shared by the table tests. */
#ifndef LOADER_TEST_ACPI_CFG_H
#define LOADER_TEST_ACPI_CFG_H

#include <loader/acpi.h>
#include <loader/layout.h>

static struct loader_acpi_virtio_mmio fx_virtio[8];
static const struct loader_irq_override fx_iso[] = {
	{ .isa_irq = 9, .gsi = 9, .flags = LOADER_IRQ_LEVEL | LOADER_IRQ_ACTIVE_HIGH },
};

/* A full platform: cpus vCPUs, COM1, i8042 with aux, RTC, nvirtio devices. */
static inline struct loader_acpi_cfg fx_acpi_cfg(unsigned int cpus, size_t nvirtio)
{
	for (size_t i = 0; i < nvirtio && i < 8; i++)
		fx_virtio[i] = (struct loader_acpi_virtio_mmio){
			.base = LOADER_VIRTIO_MMIO_START + i * LOADER_VIRTIO_MMIO_STRIDE,
			.size = LOADER_VIRTIO_MMIO_STRIDE,
			.gsi = LOADER_VIRTIO_FIRST_GSI + (uint32_t)i, .level = i & 1,
		};
	return (struct loader_acpi_cfg){
		.cpus = cpus, .lapic_addr = LOADER_LAPIC_START,
		.ioapic_addr = LOADER_IOAPIC_START, .ioapic_id = (uint8_t)cpus,
		.overrides = fx_iso, .n_overrides = 1,
		.com1 = true, .i8042 = true, .i8042_aux = true, .rtc = true,
		.virtio = fx_virtio, .n_virtio = nvirtio,
		.reset_port = LOADER_ACPI_RESET_PORT, .reset_value = LOADER_ACPI_RESET_VALUE,
	};
}

#endif
