// SPDX-License-Identifier: MIT
// Example: builds the ACPI tables libloader would give a 2-vCPU guest with
// COM1, the i8042, the RTC and two virtio-mmio devices, and writes each
// table to <dir>/<SIG>.dat (default: the current directory), ready for
// `iasl -d` (ACPI 6.4 chapter 5 layouts; see libloader/README.md).
// Usage: loader-acpi-dump [DIR] [CPUS] [VIRTIO_DEVICES]
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <loader/loader.h>

static uint8_t tables[LOADER_ACPI_SIZE];

static int dump(const char *dir, const char *sig, uint64_t gpa, uint32_t len)
{
	char path[4096];
	FILE *f;
	size_t off = (size_t)(gpa - LOADER_ACPI_START);

	snprintf(path, sizeof(path), "%s/%s.dat", dir, sig);
	f = fopen(path, "wb");
	if (!f || fwrite(tables + off, 1, len, f) != len) {
		perror(path);
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	printf("%-4s  gpa %#08llx  %5u bytes  -> %s\n", sig, (unsigned long long)gpa,
	       len, path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	unsigned int cpus = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 0) : 2;
	size_t nvirtio = argc > 3 ? strtoul(argv[3], NULL, 0) : 2;
	struct loader_acpi_virtio_mmio virtio[64];
	struct loader_acpi_layout lay;
	int err;

	if (nvirtio > 64 || cpus == 0 || cpus > LOADER_ACPI_MAX_CPUS - 1) {
		fprintf(stderr, "usage: %s [DIR] [CPUS 1..%u] [VIRTIO_DEVICES 0..64]\n",
			argv[0], LOADER_ACPI_MAX_CPUS - 1);
		return 2;
	}
	for (size_t i = 0; i < nvirtio; i++)
		virtio[i] = (struct loader_acpi_virtio_mmio){
			.base = LOADER_VIRTIO_MMIO_START + i * LOADER_VIRTIO_MMIO_STRIDE,
			.size = LOADER_VIRTIO_MMIO_STRIDE,
			.gsi = LOADER_VIRTIO_FIRST_GSI + (uint32_t)(i % 8),
		};
	struct loader_acpi_cfg cfg = {
		.cpus = cpus, .lapic_addr = LOADER_LAPIC_START,
		.ioapic_addr = LOADER_IOAPIC_START, .ioapic_id = (uint8_t)cpus,
		.com1 = true, .i8042 = true, .rtc = true,
		.virtio = virtio, .n_virtio = nvirtio,
		.reset_port = LOADER_ACPI_RESET_PORT, .reset_value = LOADER_ACPI_RESET_VALUE,
	};
	err = loader_acpi_build(tables, sizeof(tables), LOADER_ACPI_START, &cfg, &lay);
	if (err) {
		fprintf(stderr, "loader_acpi_build: %s\n", strerror(-err));
		return 1;
	}
	printf("ACPI tables for %u vCPUs and %zu virtio-mmio devices (%llu bytes)\n",
	       cpus, nvirtio, (unsigned long long)lay.size);
	return dump(dir, "RSDP", lay.rsdp, lay.rsdp_len) ||
	       dump(dir, "XSDT", lay.xsdt, lay.xsdt_len) ||
	       dump(dir, "FACP", lay.fadt, lay.fadt_len) ||
	       dump(dir, "APIC", lay.madt, lay.madt_len) ||
	       dump(dir, "DSDT", lay.dsdt, lay.dsdt_len);
}
