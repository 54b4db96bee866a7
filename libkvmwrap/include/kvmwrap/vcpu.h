/* SPDX-License-Identifier: MIT */
/*
 * A KVM virtual CPU: creation with its mapped kvm_run page, KVM_RUN with
 * typed exits, every piece of x86 state a snapshot needs (get and set), the
 * signal mask used while in the guest, and kicking a running vCPU out of
 * the guest from another thread (api.rst 4, "vcpu ioctl"; 5 for kvm_run;
 * 4.93 KVM_CAP_IMMEDIATE_EXIT).
 *
 * A vCPU is used by one thread at a time, except kvmw_vcpu_kick() and
 * kvmw_vcpu_set_immediate_exit(), which any thread may call.
 */
#ifndef KVMWRAP_VCPU_H
#define KVMWRAP_VCPU_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include <kvmwrap/exit.h>
#include <kvmwrap/system.h>
#include <kvmwrap/vm.h>

/* Capacity of the MSR array of struct kvmw_vcpu_state. */
#define KVMW_STATE_MAX_MSRS 128u

/* Size of the legacy xsave area KVM_GET_XSAVE/KVM_SET_XSAVE move. */
#define KVMW_XSAVE_LEGACY_SIZE 4096u

/* Largest xsave area kvmw_vcpu_state can hold (covers AMX tile data). */
#define KVMW_XSAVE_MAX_SIZE 16384u

struct kvmw_vcpu;

/*
 * KVM_CREATE_VCPU with the given APIC id and mmaps its kvm_run page.
 * -EINVAL on NULL arguments, -errno from KVM or mmap.
 */
KVMW_WUR int kvmw_vcpu_create(struct kvmw_vm *vm, uint32_t id, struct kvmw_vcpu **out);

/* Unmaps kvm_run, closes the vCPU fd and frees the handle.  NULL is a no-op. */
void kvmw_vcpu_free(struct kvmw_vcpu *vcpu);

/* The vCPU file descriptor, still owned by vcpu. */
int kvmw_vcpu_fd(const struct kvmw_vcpu *vcpu);

/* The id the vCPU was created with. */
uint32_t kvmw_vcpu_id(const struct kvmw_vcpu *vcpu);

/* The mapped kvm_run page, for fields the typed exit does not cover. */
struct kvm_run *kvmw_vcpu_run_page(struct kvmw_vcpu *vcpu);

/* Size of the mapping behind kvmw_vcpu_run_page(). */
size_t kvmw_vcpu_run_size(const struct kvmw_vcpu *vcpu);

/*
 * KVM_RUN, then decodes why it returned into *exit.  An interrupted run
 * (signal, or immediate_exit set by a kick) is the KVMW_EXIT_INTR exit and
 * returns 0; the caller clears the kick with kvmw_vcpu_set_immediate_exit()
 * once it has acted on it.  -errno on other failures (e.g. -EFAULT for bad
 * guest state), -EBADMSG if the kernel's run page is inconsistent.
 */
KVMW_WUR int kvmw_vcpu_run(struct kvmw_vcpu *vcpu, struct kvmw_exit *exit);

/*
 * Lets KVM finish an I/O or MMIO instruction whose exit was just handled
 * (api.rst 5: "KVM_RUN with immediate_exit set"), without running guest
 * code, so that saved state is consistent.  Call before
 * kvmw_vcpu_save_state() when the last exit was IO or MMIO.  Leaves
 * immediate_exit cleared.
 */
KVMW_WUR int kvmw_vcpu_complete_pending(struct kvmw_vcpu *vcpu);

/*
 * Sets or clears kvm_run.immediate_exit: while set, KVM_RUN returns at once
 * with an INTR exit.  Safe from any thread (KVM_CAP_IMMEDIATE_EXIT).
 */
void kvmw_vcpu_set_immediate_exit(struct kvmw_vcpu *vcpu, bool on);

/*
 * With a userspace irqchip: asks KVM to return KVMW_EXIT_IRQ_WINDOW_OPEN as
 * soon as the guest can take an interrupt (kvm_run.request_interrupt_window).
 */
void kvmw_vcpu_request_interrupt_window(struct kvmw_vcpu *vcpu, bool on);

/* kvm_run.ready_for_interrupt_injection after the last exit. */
bool kvmw_vcpu_ready_for_interrupt(const struct kvmw_vcpu *vcpu);

/*
 * Installs a handler for signo that does nothing, without SA_RESTART, so
 * that the signal interrupts KVM_RUN instead of killing the process.  Call
 * once per process before kicking with that signal (SIGRTMIN+n is usual).
 */
KVMW_WUR int kvmw_kick_signal_init(int signo);

/*
 * Forces the vCPU running on thread out of the guest: sets immediate_exit
 * (covers a thread about to enter KVM_RUN) and sends signo to the thread
 * (covers one already inside).  The vCPU's next or current run returns an
 * INTR exit.  signo must have a handler (kvmw_kick_signal_init()).
 */
KVMW_WUR int kvmw_vcpu_kick(struct kvmw_vcpu *vcpu, pthread_t thread, int signo);

/*
 * KVM_SET_SIGNAL_MASK: the signal mask in effect while the thread is inside
 * the guest.  A VMM blocks its kick signal in the thread and unblocks it
 * here, so it can only arrive during KVM_RUN.  NULL removes the mask.
 */
KVMW_WUR int kvmw_vcpu_set_signal_mask(struct kvmw_vcpu *vcpu, const sigset_t *mask);

/* KVM_GET_REGS / KVM_SET_REGS: general-purpose registers, RIP, RFLAGS. */
KVMW_WUR int kvmw_vcpu_get_regs(struct kvmw_vcpu *vcpu, struct kvm_regs *regs);
/* See kvmw_vcpu_get_regs(). */
KVMW_WUR int kvmw_vcpu_set_regs(struct kvmw_vcpu *vcpu, const struct kvm_regs *regs);

/* KVM_GET_SREGS / KVM_SET_SREGS: segments, descriptor tables, CRs, EFER, APIC base. */
KVMW_WUR int kvmw_vcpu_get_sregs(struct kvmw_vcpu *vcpu, struct kvm_sregs *sregs);
/* See kvmw_vcpu_get_sregs(). */
KVMW_WUR int kvmw_vcpu_set_sregs(struct kvmw_vcpu *vcpu, const struct kvm_sregs *sregs);

/* KVM_GET_FPU / KVM_SET_FPU: x87 and SSE state in FXSAVE layout. */
KVMW_WUR int kvmw_vcpu_get_fpu(struct kvmw_vcpu *vcpu, struct kvm_fpu *fpu);
/* See kvmw_vcpu_get_fpu(). */
KVMW_WUR int kvmw_vcpu_set_fpu(struct kvmw_vcpu *vcpu, const struct kvm_fpu *fpu);

/* KVM_GET_LAPIC / KVM_SET_LAPIC: the in-kernel local APIC's register page. */
KVMW_WUR int kvmw_vcpu_get_lapic(struct kvmw_vcpu *vcpu, struct kvm_lapic_state *lapic);
/* See kvmw_vcpu_get_lapic(). */
KVMW_WUR int kvmw_vcpu_set_lapic(struct kvmw_vcpu *vcpu, const struct kvm_lapic_state *lapic);

/* Reads a 32-bit LAPIC register at byte offset reg (e.g. 0xf0 SVR) of a lapic page. */
uint32_t kvmw_lapic_reg(const struct kvm_lapic_state *lapic, uint32_t reg);
/* Writes a 32-bit LAPIC register at byte offset reg of a lapic page (reg < 0x400, aligned). */
void kvmw_lapic_set_reg(struct kvm_lapic_state *lapic, uint32_t reg, uint32_t value);

/*
 * KVM_GET_MSRS: reads entries[i].data for the caller's entries[i].index.
 * Returns how many leading entries were read (KVM stops at the first MSR it
 * cannot read) or -errno; n must be 1..KVMW_MSR_LIST_MAX.
 */
KVMW_WUR int kvmw_vcpu_get_msrs(struct kvmw_vcpu *vcpu, struct kvm_msr_entry *entries,
				size_t n);
/* KVM_SET_MSRS: as kvmw_vcpu_get_msrs(), returning how many leading entries were written. */
KVMW_WUR int kvmw_vcpu_set_msrs(struct kvmw_vcpu *vcpu, const struct kvm_msr_entry *entries,
				size_t n);

/* KVM_SET_CPUID2: the CPUID the guest sees; call before the first run. */
KVMW_WUR int kvmw_vcpu_set_cpuid(struct kvmw_vcpu *vcpu, const struct kvmw_cpuid *cpuid);
/* KVM_GET_CPUID2: the CPUID set on the vCPU. */
KVMW_WUR int kvmw_vcpu_get_cpuid(struct kvmw_vcpu *vcpu, struct kvmw_cpuid *cpuid);

/* KVM_GET_MP_STATE / KVM_SET_MP_STATE: runnable, halted, INIT-received... */
KVMW_WUR int kvmw_vcpu_get_mp_state(struct kvmw_vcpu *vcpu, struct kvm_mp_state *mp);
/* See kvmw_vcpu_get_mp_state(). */
KVMW_WUR int kvmw_vcpu_set_mp_state(struct kvmw_vcpu *vcpu, const struct kvm_mp_state *mp);

/* KVM_GET_VCPU_EVENTS / KVM_SET_VCPU_EVENTS: pending exceptions, interrupts, NMI, SMI. */
KVMW_WUR int kvmw_vcpu_get_events(struct kvmw_vcpu *vcpu, struct kvm_vcpu_events *ev);
/* See kvmw_vcpu_get_events(); also how a VMM injects an exception or soft interrupt. */
KVMW_WUR int kvmw_vcpu_set_events(struct kvmw_vcpu *vcpu, const struct kvm_vcpu_events *ev);

/* Bytes of xsave area this vCPU's VM needs (KVM_CAP_XSAVE2, at least 4096). */
KVMW_WUR int kvmw_vcpu_xsave_size(struct kvmw_vcpu *vcpu);

/*
 * KVM_GET_XSAVE2 (or KVM_GET_XSAVE when 4096 bytes suffice) into buf of len
 * bytes; len must be at least kvmw_vcpu_xsave_size() (-ENOSPC) and buf
 * 8-byte aligned.  Returns the number of bytes written.
 */
KVMW_WUR int kvmw_vcpu_get_xsave(struct kvmw_vcpu *vcpu, void *buf, size_t len);
/* KVM_SET_XSAVE from buf of len bytes (len >= kvmw_vcpu_xsave_size()). */
KVMW_WUR int kvmw_vcpu_set_xsave(struct kvmw_vcpu *vcpu, const void *buf, size_t len);

/* KVM_GET_XCRS / KVM_SET_XCRS: extended control registers (XCR0). */
KVMW_WUR int kvmw_vcpu_get_xcrs(struct kvmw_vcpu *vcpu, struct kvm_xcrs *xcrs);
/* See kvmw_vcpu_get_xcrs(). */
KVMW_WUR int kvmw_vcpu_set_xcrs(struct kvmw_vcpu *vcpu, const struct kvm_xcrs *xcrs);

/* KVM_GET_DEBUGREGS / KVM_SET_DEBUGREGS: DR0-3, DR6, DR7. */
KVMW_WUR int kvmw_vcpu_get_debugregs(struct kvmw_vcpu *vcpu, struct kvm_debugregs *dr);
/* See kvmw_vcpu_get_debugregs(). */
KVMW_WUR int kvmw_vcpu_set_debugregs(struct kvmw_vcpu *vcpu, const struct kvm_debugregs *dr);

/* KVM_GET_TSC_KHZ: the guest TSC frequency in kHz (> 0), or -errno. */
KVMW_WUR int kvmw_vcpu_get_tsc_khz(struct kvmw_vcpu *vcpu);
/*
 * KVM_SET_TSC_KHZ.  Scaling to another frequency needs KVM_CAP_TSC_CONTROL;
 * without it KVM accepts only the current frequency.
 */
KVMW_WUR int kvmw_vcpu_set_tsc_khz(struct kvmw_vcpu *vcpu, uint32_t khz);

/* KVM_SET_GUEST_DEBUG: single-step / breakpoints (KVM_GUESTDBG_* flags). */
KVMW_WUR int kvmw_vcpu_set_guest_debug(struct kvmw_vcpu *vcpu,
				       const struct kvm_guest_debug *dbg);

/* KVM_INTERRUPT: queues an external interrupt vector (userspace irqchip only). */
KVMW_WUR int kvmw_vcpu_interrupt(struct kvmw_vcpu *vcpu, uint32_t vector);

/* KVM_NMI: queues an NMI on the vCPU's LAPIC. */
KVMW_WUR int kvmw_vcpu_nmi(struct kvmw_vcpu *vcpu);

/*
 * Every piece of vCPU state a snapshot needs, in one plain struct.  Saving
 * reads them in the order KVM wants for a consistent view (mp_state first,
 * events last); restoring writes CPUID first and vCPU events last.
 */
struct kvmw_vcpu_state {
	struct kvmw_cpuid cpuid;
	struct kvm_mp_state mp_state;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_lapic_state lapic;
	struct kvm_xcrs xcrs;
	struct kvm_debugregs debugregs;
	struct kvm_vcpu_events events;
	uint32_t tsc_khz;
	uint32_t nmsrs;				/* valid entries in msrs */
	struct kvm_msr_entry msrs[KVMW_STATE_MAX_MSRS];
	uint32_t xsave_len;			/* valid bytes in xsave */
	uint64_t xsave[KVMW_XSAVE_MAX_SIZE / 8];
};

/*
 * Saves the vCPU into st.  The MSRs saved are those of
 * kvmw_vcpu_state_msr_indices() that this vCPU can read; the others are left
 * out.  Needs the in-kernel irqchip (for the LAPIC).
 */
KVMW_WUR int kvmw_vcpu_save_state(struct kvmw_vcpu *vcpu, struct kvmw_vcpu_state *st);

/*
 * Restores st into vcpu (same VM or a new one with the same memory).  Rejects
 * nmsrs or xsave_len beyond the arrays with -EINVAL; -EIO if KVM accepts
 * fewer MSRs than given.
 */
KVMW_WUR int kvmw_vcpu_restore_state(struct kvmw_vcpu *vcpu, const struct kvmw_vcpu_state *st);

/* MSR indices kvmw_vcpu_save_state() tries, and their count in *count. */
const uint32_t *kvmw_vcpu_state_msr_indices(size_t *count);

#endif
