/* SPDX-License-Identifier: MIT */
/*
 * Interrupt routing shared by the MP table and the MADT: an ISA IRQ routed
 * to another IOAPIC pin or with non-default polarity/trigger (ACPI 6.4
 * §5.2.12.5 "Interrupt Source Override", MP spec 1.4 §4.3.4).
 */
#ifndef LOADER_IRQ_H
#define LOADER_IRQ_H

#include <stdint.h>

/* MPS INTI flags, the same encoding in both tables. */
#define LOADER_IRQ_POLARITY_CONFORMS	0x0u
#define LOADER_IRQ_ACTIVE_HIGH		0x1u
#define LOADER_IRQ_ACTIVE_LOW		0x3u
#define LOADER_IRQ_TRIGGER_CONFORMS	(0x0u << 2)
#define LOADER_IRQ_EDGE			(0x1u << 2)
#define LOADER_IRQ_LEVEL		(0x3u << 2)

struct loader_irq_override {
	uint8_t isa_irq;	/* 0..15 */
	uint32_t gsi;		/* IOAPIC pin it arrives on */
	uint16_t flags;		/* LOADER_IRQ_* */
};

#endif
