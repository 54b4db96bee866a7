/* SPDX-License-Identifier: MIT */
/*
 * A small encoder for ACPI Machine Language (ACPI 6.4 §20.2 "AML
 * grammar" and §6.4 "Resource Data Types"): scopes, devices, named
 * integers, strings, EISA IDs, buffers, packages of integers and resource
 * templates (Memory32Fixed, IO, Interrupt, IRQNoFlags).  Output goes to a
 * caller buffer; the first error sticks and is returned by
 * loader_aml_finish(), so a table is written as a straight sequence of
 * calls.  Names are ACPI paths: an optional '\' or '^' prefixes, then
 * '.'-separated segments of 1-4 characters ([A-Z_][A-Z0-9_]*), each padded
 * with '_'.
 */
#ifndef LOADER_AML_H
#define LOADER_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOADER_AML_WUR __attribute__((warn_unused_result))

/* Nesting depth of scopes, devices, buffers and packages. */
#define LOADER_AML_MAX_DEPTH 16u

struct loader_aml {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err;				/* first error, 0 if none */
	unsigned int depth;
	size_t open[LOADER_AML_MAX_DEPTH];	/* PkgLength positions */
	bool in_resources;			/* inside a resource template */
};

/* Starts encoding into buf[cap]. */
void loader_aml_init(struct loader_aml *a, void *buf, size_t cap);

/* Scope(name) { ... } and Device(name) { ... }; close with _end(). */
void loader_aml_scope(struct loader_aml *a, const char *name);
void loader_aml_device(struct loader_aml *a, const char *name);
/* Closes the innermost scope or device. */
void loader_aml_end(struct loader_aml *a);

/* Name(name, integer) with the shortest encoding (Zero/One/Byte..QWord). */
void loader_aml_name_int(struct loader_aml *a, const char *name, uint64_t v);
/* Name(name, "string"); printable ASCII only. */
void loader_aml_name_string(struct loader_aml *a, const char *name,
			    const char *s);
/* Name(name, EISAID("PNP0501")): three letters and four hex digits. */
void loader_aml_name_eisaid(struct loader_aml *a, const char *name,
			    const char *id);
/* Name(name, Buffer() { bytes }). */
void loader_aml_name_buffer(struct loader_aml *a, const char *name,
			    const void *data, size_t len);
/* Name(name, Package() { v[0], ... }). */
void loader_aml_name_package(struct loader_aml *a, const char *name,
			     const uint64_t *v, size_t n);

/* Name(name, ResourceTemplate() { ... }); close with _resources_end(). */
void loader_aml_resources(struct loader_aml *a, const char *name);
/* Memory32Fixed(ReadWrite/ReadOnly, base, length). */
void loader_aml_mem32_fixed(struct loader_aml *a, bool writable, uint32_t base,
			    uint32_t length);
/* IO(Decode16, min, max, align, length). */
void loader_aml_io(struct loader_aml *a, uint16_t min, uint16_t max,
		   uint8_t align, uint8_t length);
/* IRQNoFlags() { irq } : ISA, edge, active high; irq 0..15. */
void loader_aml_irq_noflags(struct loader_aml *a, uint8_t irq);
/* Interrupt(ResourceConsumer, Level/Edge, ActiveLow/High, Shared/Exclusive)
 * { gsi } (extended interrupt descriptor). */
void loader_aml_interrupt(struct loader_aml *a, bool level, bool active_low,
			  bool shared, uint32_t gsi);
/* Writes the end tag (with its checksum) and closes the template. */
void loader_aml_resources_end(struct loader_aml *a);

/*
 * Ends encoding: 0 and *len = bytes written, or the first error
 * (-ENOSPC: buffer full; -EINVAL: bad name/argument or unbalanced
 * nesting).
 */
LOADER_AML_WUR int loader_aml_finish(struct loader_aml *a, size_t *len);

#endif
