/* SPDX-License-Identifier: MIT */
/*
 * Intel MultiProcessor Specification 1.4 structures (chapter 4), with the
 * field names Linux uses in arch/x86/include/asm/mpspec_def.h (that header
 * is not exported to linux-libc-dev).  Packed, little-endian.
 */
#ifndef LOADER_SPEC_MP_H
#define LOADER_SPEC_MP_H

#include <stdint.h>

#define MPF_SIGNATURE "_MP_"
#define MPC_SIGNATURE "PCMP"
#define MPC_SPEC_1_4 4

enum mp_entry_type {
	MP_PROCESSOR = 0,
	MP_BUS = 1,
	MP_IOAPIC = 2,
	MP_INTSRC = 3,
	MP_LINTSRC = 4,
};

#define CPU_ENABLED 1
#define CPU_BOOTPROCESSOR 2
#define MPC_APIC_USABLE 1
#define mp_INT 0
#define mp_NMI 1
#define mp_ExtINT 3
/* Local APIC version of an integrated xAPIC, IOAPIC version of the
 * 82093AA as KVM emulates it. */
#define MP_LAPIC_VERSION 0x14
#define MP_IOAPIC_VERSION 0x11
/* CPUID signature and features of a generic family-6 CPU with FPU and
 * APIC: Linux only checks the APIC bit. */
#define MP_CPU_SIGNATURE 0x600
#define MP_CPU_FEATURES 0x201

struct mpf_intel {
	char signature[4];
	uint32_t physptr;
	uint8_t length;		/* in 16-byte paragraphs: 1 */
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature1;	/* 0: a configuration table is present */
	uint8_t feature2;
	uint8_t feature3, feature4, feature5;
} __attribute__((packed));

struct mpc_table {
	char signature[4];
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;
	uint32_t lapic;
	uint16_t ext_table_length;
	uint8_t ext_table_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature;
	uint32_t featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __attribute__((packed));

struct mpc_lintsrc {
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbusid;
	uint8_t srcbusirq;
	uint8_t destapic;
	uint8_t destapiclint;
} __attribute__((packed));

_Static_assert(sizeof(struct mpf_intel) == 16, "MP spec 4.1");
_Static_assert(sizeof(struct mpc_table) == 44, "MP spec 4.2");
_Static_assert(sizeof(struct mpc_cpu) == 20, "MP spec 4.3.1");
_Static_assert(sizeof(struct mpc_bus) == 8, "MP spec 4.3.2");
_Static_assert(sizeof(struct mpc_ioapic) == 8, "MP spec 4.3.3");
_Static_assert(sizeof(struct mpc_intsrc) == 8, "MP spec 4.3.4");
_Static_assert(sizeof(struct mpc_lintsrc) == 8, "MP spec 4.3.5");

#endif
