/* SPDX-License-Identifier: MIT */
/*
 * Typed decoding of why KVM_RUN returned (api.rst 5, "The kvm_run
 * structure").  The decoder only reads the shared kvm_run page; the I/O and
 * MMIO data it exposes are pointers into that page with their lengths
 * checked against the page size, so a handler can fill in the value an IN
 * or MMIO read returns before the next run.
 */
#ifndef KVMWRAP_EXIT_H
#define KVMWRAP_EXIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include <kvmwrap/system.h>

enum kvmw_exit_reason {
	KVMW_EXIT_IO,			/* port I/O the kernel did not absorb */
	KVMW_EXIT_MMIO,			/* access to unbacked or read-only memory */
	KVMW_EXIT_HLT,			/* HLT without an in-kernel LAPIC */
	KVMW_EXIT_SHUTDOWN,		/* triple fault */
	KVMW_EXIT_FAIL_ENTRY,		/* hardware refused the guest state */
	KVMW_EXIT_INTERNAL_ERROR,	/* KVM could not go on (e.g. emulation failure) */
	KVMW_EXIT_SYSTEM_EVENT,		/* guest asked for reset, shutdown, crash... */
	KVMW_EXIT_DEBUG,		/* single step or breakpoint with guest debug on */
	KVMW_EXIT_IRQ_WINDOW_OPEN,	/* guest can take an interrupt now */
	KVMW_EXIT_INTR,			/* KVM_RUN interrupted: signal or immediate_exit */
	KVMW_EXIT_OTHER,		/* any other KVM_EXIT_*; see raw_reason */
};

/* Size in bytes of the instruction-bytes field of an emulation failure. */
#define KVMW_INSN_MAX 15u

struct kvmw_exit_io {
	bool in;		/* true: guest reads, data must be filled in */
	uint16_t port;
	uint8_t size;		/* 1, 2 or 4 */
	uint32_t count;		/* >1 for REP INS/OUTS */
	uint8_t *data;		/* size * count bytes inside the kvm_run page */
	size_t len;
};

struct kvmw_exit_mmio {
	bool is_write;
	uint64_t gpa;
	uint32_t len;		/* 1..8 */
	uint8_t *data;		/* len bytes; fill in for reads */
};

struct kvmw_exit_fail_entry {
	uint64_t hardware_reason;
	uint32_t cpu;
};

struct kvmw_exit_internal {
	uint32_t suberror;	/* KVM_INTERNAL_ERROR_* */
	uint32_t ndata;		/* valid words in data, at most 16 */
	uint64_t data[16];
};

struct kvmw_exit_system_event {
	uint32_t type;		/* KVM_SYSTEM_EVENT_* */
	uint32_t ndata;		/* valid words in data, at most 16 */
	uint64_t data[16];
};

struct kvmw_exit_debug {
	uint32_t exception;
	uint64_t pc;
	uint64_t dr6;
	uint64_t dr7;
};

struct kvmw_exit {
	enum kvmw_exit_reason reason;
	uint32_t raw_reason;	/* the KVM_EXIT_* value (0 for INTR) */
	union {
		struct kvmw_exit_io io;
		struct kvmw_exit_mmio mmio;
		struct kvmw_exit_fail_entry fail_entry;
		struct kvmw_exit_internal internal;
		struct kvmw_exit_system_event system_event;
		struct kvmw_exit_debug debug;
	} u;
};

/*
 * Decodes run (a vCPU's mapped kvm_run of run_size bytes) into out.
 * -EINVAL on NULL arguments or a run_size smaller than struct kvm_run;
 * -EBADMSG when an I/O exit's data would lie outside the page, or its size
 * is not 1/2/4, or an MMIO length is not 1..8.
 */
KVMW_WUR int kvmw_exit_decode(struct kvm_run *run, size_t run_size, struct kvmw_exit *out);

/* Upper-case name of a reason ("IO", "INTERNAL_ERROR"), never NULL. */
const char *kvmw_exit_reason_name(enum kvmw_exit_reason reason);

/* Name of a raw KVM_EXIT_* value ("KVM_EXIT_HYPERCALL"), or "KVM_EXIT_?" if unknown. */
const char *kvmw_exit_raw_name(uint32_t raw_reason);

#endif
