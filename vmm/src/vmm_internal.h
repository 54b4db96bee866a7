/* SPDX-License-Identifier: MIT */
/*
 * Private state of one VM and the functions the vmm/src files share.
 * Threads: the main thread runs the event loop (stdin, virtio notifies,
 * timers, signals); each vCPU has a thread running KVM_RUN and dispatching
 * its exits on the buses under the target device's lock.  During
 * vmm_new() a short-lived thread creates the VM in KVM (kvm_setup.c).
 */
#ifndef VMM_INTERNAL_H
#define VMM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <evmgr/evmgr.h>
#include <kvmwrap/kvmwrap.h>
#include <loader/loader.h>
#include <vmmem/vmmem.h>

#include <vmm/boottimer.h>
#include <vmm/bus.h>
#include <vmm/vmm.h>
#include <vmm/watchdog.h>

#include "config_internal.h"
#include "device.h"
#include "dump.h"

/* Signal that kicks a vCPU thread out of KVM_RUN. */
#define VMM_KICK_SIGNAL (SIGRTMIN + 1)
/* Watchdog/panic grace tick. */
#define VMM_TICK_NS 500000000ull
/* After the panic line, let the guest print its trace for this long. */
#define VMM_PANIC_GRACE_NS 2000000000ull
/* Longest a console byte waits in the UART's output batch (console.c). */
#define VMM_SERIAL_FLUSH_NS 20000000ull

struct vmm;

/* For calls whose failure is already handled by the callee's contract
 * (e.g. a refused guest register access still yields the value to give
 * the guest): GCC's warn_unused_result ignores a (void) cast. */
#define VMM_IGNORE(call) do { if (call) { } } while (0)

struct vmm_vcpu {
	struct vmm *vm;
	struct kvmw_vcpu *kvcpu;
	uint32_t index;
	pthread_t thread;
	bool started;
	_Atomic uint64_t exits;		/* exits to userspace */
	uint64_t exits_seen;		/* loop thread: value at the last tick */
	atomic_bool sample_wanted;	/* loop asks for a stuck sample */
	struct vmm_stuck_detector stuck;
	/* State dump (dump.c): counters by exit reason, read by any thread;
	 * snap is written by this vCPU's thread before it bumps dump_seq. */
	_Atomic uint64_t exit_by[VMM_EXIT_KINDS];
	atomic_bool running;		/* the thread is in its run loop */
	atomic_bool dump_wanted;
	_Atomic uint64_t dump_seq;
	struct vmm_vcpu_dump snap;
	/* Pause (pause.c): parked under vm->pause_lock; the TSC at the pause. */
	bool parked, exited;
	uint64_t paused_tsc;
	/* XSAVE image room for instruction assists (kvm-pvm), made at the
	 * first one. */
	uint64_t *xsave_buf;
};

struct vmm {
	struct vmm_config cfg;
	char err[VMM_ERR_MAX];

	struct kvmw_system *sys;
	struct kvmw_vm *kvm;
	struct vmmem_map *mem;
	struct evmgr_loop *loop;
	struct vmm_bus *pio, *mmio;
	uint32_t max_vcpus;

	/* Every device, in registration order (device.h). */
	struct vmm_device devices[VMM_MAX_DEVICES];
	uint32_t ndevices;
	/* Fed by the console under its lock; a stop request reads it. */
	struct vmm_panic_scanner panic;

	/* Boot-timer phase ends, written out together (vmm_run, vmm_free). */
	struct vmm_boot_phases phases;
	/* vmm_new(): the files the input check opened, each taken (and set to
	 * -1) by the step that uses it; a restored VM has none. */
	struct vmm__input_files input;
	struct loader_kernel kernel;
	struct loader_initrd initrd;	/* { 0, 0 } without an initramfs */
	bool pvh;
	bool restored;		/* built from a snapshot: nothing is loaded */

	struct vmm_vcpu *vcpus;
	uint32_t nvcpus;

	/* State dump: its thread, the phase it names, and whether vcpus[]
	 * may be read (set and cleared under dump_lock). */
	pthread_t dump_thread;
	bool dump_started;
	atomic_bool dump_quit;
	pthread_mutex_t dump_lock;
	atomic_bool vcpus_live;
	_Atomic(const char *) phase;

	/* kvm-setup on its own thread during vmm_new() (kvm_setup.c); the
	 * main thread hands it guest RAM once mapped (under kvm_setup_lock). */
	pthread_t kvm_setup_thread;
	bool kvm_setup_threaded;
	int kvm_setup_result;
	char kvm_setup_err[VMM_ERR_MAX];
	pthread_mutex_t kvm_setup_lock;
	pthread_cond_t kvm_setup_cond;
	enum { VMM_RAM_PENDING, VMM_RAM_MAPPED, VMM_RAM_NEVER } kvm_setup_ram;
	bool kvm_ram_attached;	/* slots registered, irqchip and PIT made */

	struct evmgr_signal signals;
	struct evmgr_timer tick;
	sigset_t old_sigmask;
	bool sigmask_saved;

	/* Stop: the first request wins, except that a reset after a panic
	 * is reported as the panic. */
	pthread_mutex_t stop_lock;
	atomic_bool stopping;
	struct vmm_result result;
	bool ran;

	/* Pause and resume (pause.c).  control_lock orders pause, resume and
	 * snapshots; vCPU threads park while park_wanted; device work goes to
	 * the loop thread as jobs while loop_live. */
	pthread_mutex_t control_lock;
	bool paused;
	struct kvm_clock_data paused_clock;
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	atomic_bool park_wanted;
	/* Under pause_lock: the loop thread has its seccomp filter, so the
	 * vCPUs may enter the guest (vmm__vcpus_go()). */
	bool filters_ready;
	pthread_mutex_t job_lock;
	pthread_cond_t job_cond;
	bool loop_live;
	bool run_started;	/* vmm_run() got its loop going (or gave up) */

	/* Metrics updated from vCPU threads. */
	_Atomic uint64_t m_exits_io, m_exits_mmio, m_exits_other;
	_Atomic uint64_t m_assist_int3, m_assist_int_n, m_assist_fwait;
	_Atomic uint64_t m_assist_mxcsr, m_assist_fninit;
	_Atomic uint64_t m_unclaimed_pio, m_unclaimed_mmio;
};

/* log.c */
__attribute__((format(printf, 3, 4)))
void vmm__log(const struct vmm *vm, enum vmm_log_level level, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
int vmm__fail(struct vmm *vm, const char *fmt, ...);	/* sets vm->err, returns -1 */

/* vmm.c: the building blocks vmm_new() and the restore share. */
struct vmm *vmm__alloc(const struct vmm_config *cfg, char *err, size_t errlen);
int vmm__step(struct vmm *vm, const char *phase, int (*fn)(struct vmm *vm));
void vmm__phase_done(struct vmm *vm, const char *phase);	/* its boot-timer line */
int vmm__host_setup(struct vmm *vm);	/* signals, state dump, KVM */

/* kvm_setup.c: /dev/kvm and the VM, then guest RAM's slots, the irqchip
 * and the PIT.  In line (a restore: vmm__kvm_setup(), then
 * vmm__memory_register() and vmm__irqchip_setup(); errors in vm->err), or
 * started on a thread that takes guest RAM once vmm__kvm_setup_ram() says
 * it is mapped, and joined (its error then moves to vm->err at the join). */
int vmm__kvm_setup(struct vmm *vm);
int vmm__irqchip_setup(struct vmm *vm);
void vmm__kvm_setup_start(struct vmm *vm);
void vmm__kvm_setup_ram(struct vmm *vm, bool mapped);
int vmm__kvm_setup_join(struct vmm *vm);
__attribute__((format(printf, 3, 4)))
void vmm__request_stop(struct vmm *vm, enum vmm_stop_reason reason, const char *fmt, ...);
void vmm__request_signal_stop(struct vmm *vm, int signo);

/* memory.c */
int vmm__memory_map(struct vmm *vm);		/* guest RAM, no KVM slots yet */
int vmm__memory_register(struct vmm *vm);	/* one KVM slot per region of vm->mem */
/* The same, with the error in err (the kvm-setup thread's own buffer). */
int vmm__memory_register_err(struct vmm *vm, char *err, size_t errlen);

/* devices.c */
void vmm__irq_line(struct vmm *vm, uint32_t gsi, bool level);

/* boot_x86_64.c */
int vmm__kernel_load(struct vmm *vm);	/* kernel and initramfs into vm->mem */
int vmm__boot_setup(struct vmm *vm);	/* command line, tables, boot params */

/* vcpu_x86_64.c */
/* scratch: room for the vCPU's own copy of the CPUID table. */
int vmm__vcpu_configure(struct vmm *vm, struct vmm_vcpu *vcpu,
			const struct kvmw_cpuid *base_cpuid, struct kvmw_cpuid *scratch);

/* dump.c */
int vmm__dump_start(struct vmm *vm);
void vmm__dump_stop(struct vmm *vm);
void vmm__dump_answer(struct vmm_vcpu *vcpu);

/* pause.c */
void vmm__loop_jobs_open(struct vmm *vm);
void vmm__loop_jobs_close(struct vmm *vm);
/* vmm_run() will never be called on vm: ends vmm_wait_started() waits. */
void vmm__run_abandon(struct vmm *vm);

/* vcpu_run.c */
void vmm__vcpus_park(struct vmm *vm);	/* returns once every vCPU is parked or gone */
void vmm__vcpus_unpark(struct vmm *vm);
int vmm__vcpus_create(struct vmm *vm);
int vmm__vcpus_start(struct vmm *vm);
void vmm__vcpus_go(struct vmm *vm);	/* every filter is in place: enter the guest */
void vmm__vcpus_stop(struct vmm *vm);
void vmm__vcpus_tick(struct vmm *vm);
void vmm__vcpus_free(struct vmm *vm);

#endif
