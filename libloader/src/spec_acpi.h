/* SPDX-License-Identifier: MIT */
/*
 * ACPI 6.4 table layouts used by the table builder, as byte offsets with
 * the spec's field names (chapter 5.2; not exported by linux-libc-dev).
 * Tables are assembled with explicit little-endian stores at these
 * offsets, so host struct padding never matters.
 */
#ifndef LOADER_SPEC_ACPI_H
#define LOADER_SPEC_ACPI_H

/* Root System Description Pointer, revision 2 (§5.2.5.3). */
#define RSDP_SIGNATURE		"RSD PTR "
#define RSDP_CHECKSUM		8
#define RSDP_OEMID		9
#define RSDP_REVISION		15
#define RSDP_RSDT_ADDRESS	16
#define RSDP_LENGTH		20
#define RSDP_XSDT_ADDRESS	24
#define RSDP_EXT_CHECKSUM	32
#define RSDP_V1_SIZE		20
#define RSDP_SIZE		36

/* System Description Table Header (§5.2.6). */
#define SDT_SIGNATURE		0
#define SDT_LENGTH		4
#define SDT_REVISION		8
#define SDT_CHECKSUM		9
#define SDT_OEMID		10
#define SDT_OEM_TABLE_ID	16
#define SDT_OEM_REVISION	24
#define SDT_CREATOR_ID		28
#define SDT_CREATOR_REVISION	32
#define SDT_HEADER_SIZE		36

/* Fixed ACPI Description Table, revision 6 (§5.2.9, table 5.9). */
#define FADT_REVISION		6
#define FADT_MINOR_REVISION	3
#define FADT_DSDT		40
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_DSDT		140
#define FADT_SLEEP_CONTROL_REG	244
#define FADT_SLEEP_STATUS_REG	256
#define FADT_HYPERVISOR_VENDOR	268
#define FADT_SIZE		276

/* FADT Flags (table 5.10). */
#define FADT_F_PWR_BUTTON	(1u << 4)
#define FADT_F_SLP_BUTTON	(1u << 5)
#define FADT_F_RESET_REG_SUP	(1u << 10)
#define FADT_F_HW_REDUCED_ACPI	(1u << 20)

/* IA-PC Boot Architecture Flags (table 5.11). */
#define IAPC_8042		(1u << 1)
#define IAPC_VGA_NOT_PRESENT	(1u << 2)
#define IAPC_CMOS_RTC_NOT_PRESENT (1u << 5)

/* Generic Address Structure (§5.2.3.2). */
#define GAS_SIZE		12
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1

/* Multiple APIC Description Table, revision 5 (§5.2.12). */
#define MADT_REVISION		5
#define MADT_LAPIC_ADDRESS	36
#define MADT_FLAGS		40
#define MADT_HEADER_SIZE	44
#define MADT_PCAT_COMPAT	1u
#define MADT_LOCAL_APIC		0
#define MADT_LOCAL_APIC_SIZE	8
#define MADT_IO_APIC		1
#define MADT_IO_APIC_SIZE	12
#define MADT_ISO		2
#define MADT_ISO_SIZE		10
#define MADT_LAPIC_NMI		4
#define MADT_LAPIC_NMI_SIZE	6
#define MADT_LAPIC_ENABLED	1u

/* Extended System Description Table and DSDT. */
#define XSDT_REVISION		1
#define DSDT_REVISION		2	/* 64-bit AML integers */

#endif
