/* SPDX-License-Identifier: MIT */
/*
 * Facts about the host a VMM needs before it trusts /dev/kvm: whether KVM is
 * backed by hardware virtualization (VMX/SVM) or by kvm-pvm, a software
 * nested hypervisor whose instruction emulator rejects some instructions at
 * guest CPL0 (docs/kvm-pvm.md); and a decoder turning KVM_EXIT_INTERNAL_ERROR
 * emulation failures into a readable report with a hint for those limits.
 *
 * Sources: the "flags" line of /proc/cpuinfo (vmx, svm, hypervisor) and the
 * module directories under /sys/module (kvm_intel, kvm_amd, kvm_pvm).
 */
#ifndef KVMWRAP_HOST_H
#define KVMWRAP_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kvmwrap/exit.h>
#include <kvmwrap/system.h>

enum kvmw_host_kind {
	KVMW_HOST_NO_KVM,	/* no kvm module and no device node */
	KVMW_HOST_HW_VMX,	/* kvm_intel over VMX */
	KVMW_HOST_HW_SVM,	/* kvm_amd over SVM */
	KVMW_HOST_PVM,		/* kvm_pvm: software, CPL0 emulated */
	KVMW_HOST_UNKNOWN,	/* KVM present but backing not recognised */
};

struct kvmw_cpu_flags {
	bool vmx;
	bool svm;
	bool hypervisor;	/* we run under another hypervisor */
	bool popcnt;
	bool cx16;
	bool smap;
	bool xsave;
};

struct kvmw_host_facts {
	enum kvmw_host_kind kind;
	struct kvmw_cpu_flags cpu;
	bool cpuinfo_read;	/* false when /proc/cpuinfo could not be read */
	bool mod_kvm;
	bool mod_kvm_intel;
	bool mod_kvm_amd;
	bool mod_kvm_pvm;
	bool dev_kvm;		/* the device node exists */
};

/*
 * Parses the first "flags" line of cpuinfo text (len bytes, need not be
 * NUL-terminated).  -ENOENT when there is no flags line, -EINVAL on NULL.
 */
KVMW_WUR int kvmw_host_parse_cpuinfo(const char *text, size_t len, struct kvmw_cpu_flags *out);

/* Classifies from the fields of facts other than kind (pure; for tests and callers). */
enum kvmw_host_kind kvmw_host_classify(const struct kvmw_host_facts *facts);

/*
 * Gathers facts from the given cpuinfo file, module directory and device
 * node path (NULL for each means /proc/cpuinfo, /sys/module, /dev/kvm) and
 * classifies them.  Missing files are facts, not errors; -EINVAL on NULL out.
 */
KVMW_WUR int kvmw_host_probe_paths(const char *cpuinfo, const char *sysmodule,
				   const char *dev_kvm, struct kvmw_host_facts *out);

/* kvmw_host_probe_paths() with the real host paths. */
KVMW_WUR int kvmw_host_probe(struct kvmw_host_facts *out);

/* "hardware (VMX)", "kvm-pvm (software)", ... never NULL. */
const char *kvmw_host_kind_name(enum kvmw_host_kind kind);

/* Known instruction classes kvm-pvm's emulator rejects at guest CPL0. */
enum kvmw_pvm_limit {
	KVMW_LIMIT_NONE,	/* not a known limit */
	KVMW_LIMIT_INT3,
	KVMW_LIMIT_INT_N,
	KVMW_LIMIT_FWAIT,
	KVMW_LIMIT_CLAC,
	KVMW_LIMIT_POPCNT,
	KVMW_LIMIT_CMPXCHG16B,
	KVMW_LIMIT_XRSTOR,
};

/* A decoded emulation failure. */
struct kvmw_emul_failure {
	uint64_t rip;			/* as given by the caller (from regs) */
	bool bytes_valid;		/* KVM reported the instruction bytes */
	uint8_t insn_len;		/* bytes valid in insn */
	uint8_t insn[KVMW_INSN_MAX];
	enum kvmw_pvm_limit limit;	/* classification of the bytes */
	uint8_t decoded_len;		/* length of the recognised instruction, 0 if none */
	uint8_t int_vector;		/* for KVMW_LIMIT_INT_N */
	const char *hint;		/* advice, never NULL */
};

/*
 * Decodes an INTERNAL_ERROR exit with suberror KVM_INTERNAL_ERROR_EMULATION:
 * data[0] bit 0 flags valid bytes; data[1..2] form a 16-byte area whose
 * first byte is the instruction length and whose next 15 bytes are the
 * instruction (kvm_run.emulation_failure).  The length is clamped to 15 and
 * to the words reported.  -EINVAL if exit is not such an exit.
 */
KVMW_WUR int kvmw_emul_failure_decode(const struct kvmw_exit *exit, uint64_t rip,
				      struct kvmw_emul_failure *out);

/*
 * Classifies instruction bytes (legacy/REX prefixes skipped) as one of the
 * kvm-pvm limits; stores the instruction's length in *insn_len (0 when
 * unrecognised) and, for INT n, the vector in *vector (either may be NULL).
 */
enum kvmw_pvm_limit kvmw_pvm_classify(const uint8_t *insn, size_t len, uint8_t *insn_len,
				      uint8_t *vector);

/* Short name ("int3", "popcnt"), never NULL. */
const char *kvmw_pvm_limit_name(enum kvmw_pvm_limit limit);

/*
 * Writes a one-line report "emulation failure at RIP 0x...: bytes cc 90 ...
 * (int3): hint" into buf (always NUL-terminated when size > 0).  Returns the
 * length it needed, like snprintf, or -EINVAL.
 */
int kvmw_emul_failure_format(const struct kvmw_emul_failure *f, char *buf, size_t size);

struct kvmw_vcpu;

/*
 * The generic assist of docs/kvm-pvm.md for a decoded failure on vcpu: for
 * int3 advance RIP past it and inject #BP; for INT n advance RIP and inject
 * a soft interrupt n; for fwait just skip it.  Needs no knowledge of the
 * guest.  -ENOTSUP for the other limits (avoid them from the guest side),
 * -EINVAL if f does not match the vCPU's current RIP.
 */
KVMW_WUR int kvmw_vcpu_pvm_assist(struct kvmw_vcpu *vcpu, const struct kvmw_emul_failure *f);

#endif
