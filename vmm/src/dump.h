/* SPDX-License-Identifier: MIT */
/*
 * The state dump a runner asks for before it kills a cvmm that overran its
 * timeout (docs/cvmm.md, "State dump"): on the dump signal (SIGUSR1 by
 * default) one line for the VM (setup phase, uptime, device counters) and
 * one per vCPU (index, run state, RIP, IF, exit counts by reason) go to
 * stderr while the guest keeps running.  Each vCPU thread answers a kick
 * with a snapshot of its own registers; a vCPU that does not answer is
 * reported as such, with its exit counters, which are read without it.
 */
#ifndef VMM_DUMP_H
#define VMM_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kvmwrap/exit.h>

/* One counter per enum kvmw_exit_reason value. */
#define VMM_EXIT_KINDS (KVMW_EXIT_OTHER + 1)

struct vmm_vcpu_dump {
	uint32_t index;
	bool exited;		/* the vCPU thread has left its run loop */
	bool answered;		/* the vCPU thread took a snapshot for this dump */
	uint32_t mp_state;	/* KVM_MP_STATE_*: running, halted, waiting for SIPI */
	bool irq_enabled;	/* RFLAGS.IF */
	uint64_t rip;
	uint64_t exits[VMM_EXIT_KINDS];
	/* The local APIC (KVM_GET_LAPIC), for a guest halted waiting for an
	 * interrupt: its timer, and the highest vector requested (IRR) and in
	 * service (ISR), -1 for none. */
	bool apic_read;
	uint32_t apic_lvt_timer, apic_timer_initial, apic_timer_current;
	int apic_irr_top, apic_isr_top;
};

/* "cvmm: dump: vcpu 0 running rip=0x... if=1 exits=N io=N ... apic_timer=...":
 * the state word comes from KVM_GET_MP_STATE (running, halted, wait-for-sipi
 * for an AP never started, init-received, sipi-received, else mp_state=N);
 * counters that are zero are left out; the APIC part follows when it was
 * read.  Always NUL-terminated; returns what snprintf would (the
 * untruncated length). */
int vmm__dump_format_vcpu(char *buf, size_t len, const struct vmm_vcpu_dump *d,
			  unsigned wait_ms);

/* Fills d's APIC fields from a KVM_GET_LAPIC register page. */
struct kvm_lapic_state;
void vmm__dump_read_apic(struct vmm_vcpu_dump *d, const struct kvm_lapic_state *apic);

#endif
