/* SPDX-License-Identifier: MIT */
/* Shared between the ACPI table builder and the DSDT encoder. */
#ifndef LOADER_ACPI_INTERNAL_H
#define LOADER_ACPI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <loader/acpi.h>

#define LOADER__ACPI_OEM_ID "CVMM  "
/* Device names are V000..VFFF: three hex digits. */
#define LOADER__ACPI_MAX_VIRTIO 4096u
/* Largest table set loader_acpi_write() builds: 4096 virtio devices take
 * about 350 KiB of DSDT. */
#define LOADER__ACPI_MAX_BYTES (1u << 20)

/* Builds the whole DSDT (header and AML) into buf[cap]; *len its size. */
__attribute__((warn_unused_result))
int loader__acpi_build_dsdt(uint8_t *buf, size_t cap,
			    const struct loader_acpi_cfg *cfg, size_t *len);

/* Fills a System Description Table header (§5.2.6); the OEM table ID is
 * "CVMM" followed by the signature. */
void loader__acpi_sdt_header(uint8_t *t, const char *sig, uint32_t len,
			     uint8_t rev);
/* Sets the header checksum so the len bytes of the table sum to zero. */
void loader__acpi_sdt_checksum(uint8_t *t, uint32_t len);

#endif
