// SPDX-License-Identifier: MIT
// ACPI table builder (ACPI 6.4 §5.2): RSDP, XSDT, FADT, MADT, DSDT laid out
// one after the other, 16-byte aligned, in a host buffer that mirrors the
// guest area, then written with one checked copy.  The FADT is
// hardware-reduced (no PM1/GPE blocks, no SCI, §4.1); Linux then powers off
// through the sleep control register using \_S5's SLP_TYP (§7.4.2,
// §4.8.3.7) and reboots through RESET_REG when one is given.
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vmmem/access.h>

#include <loader/acpi.h>
#include <loader/layout.h>
#include <loader/version.h>

#include "acpi_internal.h"
#include "spec_acpi.h"
#include "util.h"

#define XSDT_ENTRIES 2

bool loader_acpi_is_poweroff(uint8_t v)
{
	return (v & LOADER_ACPI_SLP_EN) &&
	       ((v & LOADER_ACPI_SLP_TYP_MASK) >> LOADER_ACPI_SLP_TYP_SHIFT) ==
		       LOADER_ACPI_S5_SLP_TYP;
}

void loader__acpi_sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t + SDT_SIGNATURE, sig, 4);
	loader__put32(t + SDT_LENGTH, len);
	t[SDT_REVISION] = rev;
	memcpy(t + SDT_OEMID, LOADER__ACPI_OEM_ID, 6);
	memcpy(t + SDT_OEM_TABLE_ID, "CVMM", 4);
	memcpy(t + SDT_OEM_TABLE_ID + 4, sig, 4);
	loader__put32(t + SDT_OEM_REVISION, 1);
	memcpy(t + SDT_CREATOR_ID, "CVMM", 4);
	loader__put32(t + SDT_CREATOR_REVISION, LOADER_VERSION_HEX);
}

void loader__acpi_sdt_checksum(uint8_t *t, uint32_t len)
{
	t[SDT_CHECKSUM] = 0;
	t[SDT_CHECKSUM] = loader_acpi_checksum(t, len);
}

static void put_gas_io(uint8_t *g, uint16_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = 8;	/* register bit width */
	g[2] = 0;	/* bit offset */
	g[3] = GAS_ACCESS_BYTE;
	loader__put64(g + 4, port);
}

static void build_rsdp(uint8_t *r, uint64_t xsdt)
{
	memcpy(r, RSDP_SIGNATURE, 8);
	memcpy(r + RSDP_OEMID, LOADER__ACPI_OEM_ID, 6);
	r[RSDP_REVISION] = 2;
	loader__put32(r + RSDP_LENGTH, RSDP_SIZE);
	loader__put64(r + RSDP_XSDT_ADDRESS, xsdt);
	r[RSDP_CHECKSUM] = loader_acpi_checksum(r, RSDP_V1_SIZE);
	r[RSDP_EXT_CHECKSUM] = loader_acpi_checksum(r, RSDP_SIZE);
}

static void build_xsdt(uint8_t *t, uint64_t fadt, uint64_t madt)
{
	uint32_t len = SDT_HEADER_SIZE + 8 * XSDT_ENTRIES;

	loader__acpi_sdt_header(t, "XSDT", len, XSDT_REVISION);
	loader__put64(t + SDT_HEADER_SIZE, fadt);
	loader__put64(t + SDT_HEADER_SIZE + 8, madt);
	loader__acpi_sdt_checksum(t, len);
}

static void build_fadt(uint8_t *t, uint64_t dsdt, const struct loader_acpi_cfg *cfg)
{
	uint32_t flags = FADT_F_HW_REDUCED_ACPI | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON;
	uint16_t boot_arch = IAPC_VGA_NOT_PRESENT;

	loader__acpi_sdt_header(t, "FACP", FADT_SIZE, FADT_REVISION);
	/* The 32-bit DSDT field equals X_DSDT: ACPICA warns when they differ. */
	loader__put32(t + FADT_DSDT, (uint32_t)dsdt);
	loader__put64(t + FADT_X_DSDT, dsdt);
	if (cfg->i8042)
		boot_arch |= IAPC_8042;
	if (!cfg->rtc)
		boot_arch |= IAPC_CMOS_RTC_NOT_PRESENT;
	loader__put16(t + FADT_IAPC_BOOT_ARCH, boot_arch);
	if (cfg->reset_port) {
		flags |= FADT_F_RESET_REG_SUP;
		put_gas_io(t + FADT_RESET_REG, cfg->reset_port);
		t[FADT_RESET_VALUE] = cfg->reset_value;
	}
	loader__put32(t + FADT_FLAGS, flags);
	t[FADT_MINOR_VERSION] = FADT_MINOR_REVISION;
	put_gas_io(t + FADT_SLEEP_CONTROL_REG,
		   cfg->sleep_ctl_port ? cfg->sleep_ctl_port : LOADER_ACPI_SLEEP_CTL_PORT);
	put_gas_io(t + FADT_SLEEP_STATUS_REG,
		   cfg->sleep_sts_port ? cfg->sleep_sts_port : LOADER_ACPI_SLEEP_STS_PORT);
	loader__acpi_sdt_checksum(t, FADT_SIZE);
}

static uint32_t madt_size(const struct loader_acpi_cfg *cfg)
{
	return (uint32_t)(MADT_HEADER_SIZE + cfg->cpus * MADT_LOCAL_APIC_SIZE +
			  MADT_IO_APIC_SIZE + cfg->n_overrides * MADT_ISO_SIZE +
			  MADT_LAPIC_NMI_SIZE);
}

static uint8_t *madt_entry(uint8_t *p, uint8_t type, uint8_t len)
{
	p[0] = type;
	p[1] = len;
	return p + 2;
}

static void build_madt(uint8_t *t, const struct loader_acpi_cfg *cfg)
{
	uint32_t len = madt_size(cfg);
	uint8_t *p = t + MADT_HEADER_SIZE, *e;

	loader__acpi_sdt_header(t, "APIC", len, MADT_REVISION);
	loader__put32(t + MADT_LAPIC_ADDRESS, cfg->lapic_addr);
	loader__put32(t + MADT_FLAGS, cfg->pcat_compat ? MADT_PCAT_COMPAT : 0);
	for (unsigned int i = 0; i < cfg->cpus; i++, p += MADT_LOCAL_APIC_SIZE) {
		e = madt_entry(p, MADT_LOCAL_APIC, MADT_LOCAL_APIC_SIZE);
		e[0] = (uint8_t)i;	/* ACPI processor UID */
		e[1] = (uint8_t)i;	/* APIC ID */
		loader__put32(e + 2, MADT_LAPIC_ENABLED);
	}
	e = madt_entry(p, MADT_IO_APIC, MADT_IO_APIC_SIZE);
	e[0] = cfg->ioapic_id;
	loader__put32(e + 2, cfg->ioapic_addr);
	loader__put32(e + 6, cfg->ioapic_gsi_base);
	p += MADT_IO_APIC_SIZE;
	for (size_t i = 0; i < cfg->n_overrides; i++, p += MADT_ISO_SIZE) {
		e = madt_entry(p, MADT_ISO, MADT_ISO_SIZE);
		e[0] = 0;	/* ISA bus */
		e[1] = cfg->overrides[i].isa_irq;
		loader__put32(e + 2, cfg->overrides[i].gsi);
		loader__put16(e + 6, cfg->overrides[i].flags);
	}
	/* LINT1 of every processor (UID 0xff) is the NMI input. */
	e = madt_entry(p, MADT_LAPIC_NMI, MADT_LAPIC_NMI_SIZE);
	e[0] = 0xff;
	loader__put16(e + 1, 0);
	e[3] = 1;
	loader__acpi_sdt_checksum(t, len);
}

static int check_cfg(const struct loader_acpi_cfg *cfg)
{
	uint64_t pins_end = (uint64_t)cfg->ioapic_gsi_base + LOADER_IOAPIC_PINS;

	if (cfg->cpus == 0 || cfg->cpus > LOADER_ACPI_MAX_CPUS ||
	    cfg->ioapic_id < cfg->cpus || cfg->ioapic_id == 0xff ||
	    (cfg->n_overrides && !cfg->overrides) || (cfg->n_virtio && !cfg->virtio) ||
	    cfg->n_virtio > LOADER__ACPI_MAX_VIRTIO)
		return -EINVAL;
	for (size_t i = 0; i < cfg->n_overrides; i++)
		if (cfg->overrides[i].isa_irq > 15 || cfg->overrides[i].gsi >= pins_end)
			return -EINVAL;
	for (size_t i = 0; i < cfg->n_virtio; i++) {
		const struct loader_acpi_virtio_mmio *v = &cfg->virtio[i];

		if (v->size == 0 || v->base + v->size > 0x100000000ull ||
		    v->gsi < cfg->ioapic_gsi_base || v->gsi >= pins_end)
			return -EINVAL;
	}
	return 0;
}

static int place(size_t *off, size_t len, size_t cap, size_t *at)
{
	*off = loader__align_up(*off, 16);
	if (*off > cap || len > cap - *off)
		return -ENOSPC;
	*at = *off;
	*off += len;
	return 0;
}

int loader_acpi_build(void *buf, size_t cap, uint64_t gpa,
		      const struct loader_acpi_cfg *cfg, struct loader_acpi_layout *out)
{
	uint8_t *b = buf;
	size_t off = 0, rsdp, xsdt, fadt, madt, dsdt, dsdt_len;
	int err;

	if (!buf || !cfg || !out || (gpa & 15) || gpa >= 0x100000000ull)
		return -EINVAL;
	err = check_cfg(cfg);
	if (!err)
		err = place(&off, RSDP_SIZE, cap, &rsdp);
	if (!err)
		err = place(&off, SDT_HEADER_SIZE + 8 * XSDT_ENTRIES, cap, &xsdt);
	if (!err)
		err = place(&off, FADT_SIZE, cap, &fadt);
	if (!err)
		err = place(&off, madt_size(cfg), cap, &madt);
	if (!err)
		err = place(&off, SDT_HEADER_SIZE, cap, &dsdt);
	if (err)
		return err;
	memset(b, 0, off);
	err = loader__acpi_build_dsdt(b + dsdt, cap - dsdt, cfg, &dsdt_len);
	if (err)
		return err;
	if (gpa + dsdt + dsdt_len > 0x100000000ull)
		return -EINVAL;
	build_rsdp(b + rsdp, gpa + xsdt);
	build_xsdt(b + xsdt, gpa + fadt, gpa + madt);
	build_fadt(b + fadt, gpa + dsdt, cfg);
	build_madt(b + madt, cfg);
	*out = (struct loader_acpi_layout){
		.rsdp = gpa + rsdp, .xsdt = gpa + xsdt, .fadt = gpa + fadt,
		.madt = gpa + madt, .dsdt = gpa + dsdt,
		.rsdp_len = RSDP_SIZE, .xsdt_len = SDT_HEADER_SIZE + 8 * XSDT_ENTRIES,
		.fadt_len = FADT_SIZE, .madt_len = madt_size(cfg),
		.dsdt_len = (uint32_t)dsdt_len, .size = dsdt + dsdt_len,
	};
	return 0;
}

int loader_acpi_write(struct vmmem_map *map, uint64_t gpa, uint64_t area_size,
		      const struct loader_acpi_cfg *cfg, struct loader_acpi_layout *out)
{
	/* Built on the host, then copied in one checked write: the area may
	 * span regions, and nothing is read back from guest memory. */
	size_t cap = area_size < LOADER__ACPI_MAX_BYTES ? (size_t)area_size
							 : LOADER__ACPI_MAX_BYTES;
	struct loader_acpi_layout lay;
	uint8_t *buf;
	int err;

	if (!map || area_size == 0 || !out)
		return -EINVAL;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	err = loader_acpi_build(buf, cap, gpa, cfg, &lay);
	if (!err)
		err = vmmem_write(map, gpa, buf, lay.size);
	free(buf);
	if (!err)
		*out = lay;
	return err;
}
