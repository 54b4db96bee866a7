// SPDX-License-Identifier: MIT
// VM lifecycle (docs/boot-path.md): build in order (the VM created in KVM on
// a second thread meanwhile guest RAM, kernel, devices and boot tables are
// made ready), run the event loop on the calling thread while vCPU threads
// run the guest, and stop from any path with every thread joined and the
// terminal restored.
#include <errno.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <evmgr/version.h>
#include <kvmwrap/version.h>
#include <loader/version.h>
#include <superio/version.h>
#include <vblk/version.h>
#include <virtq/version.h>
#include <vmm/term.h>
#include <vmm/version.h>
#include <vmmem/version.h>
#include <vsock/version.h>
#include <vnet/version.h>
#include <rlim/version.h>

#include "config_internal.h"
#include "devices.h"
#include "seccomp.h"
#include "vmm_internal.h"

void vmm_print_versions(FILE *out)
{
	fprintf(out, "libvmm %s\nlibvmmem %s\nlibsuperio %s\nlibevmgr %s\n"
		"libkvmwrap %s\nlibvirtio-queue %s\nlibloader %s\nlibvirtio-blk %s\n"
		"libvirtio-vsock %s\nlibratelimit %s\nlibvirtio-net %s\n",
		VMM_VERSION_STRING, VMMEM_VERSION_STRING, SUPERIO_VERSION_STRING,
		EVMGR_VERSION_STRING, KVMW_VERSION_STRING, VIRTQ_VERSION_STRING,
		LOADER_VERSION_STRING, VBLK_VERSION_STRING, VSOCK_VERSION_STRING,
		RLIM_VERSION_STRING, VNET_VERSION_STRING);
}

void vmm__request_stop(struct vmm *vm, enum vmm_stop_reason reason, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->stop_lock);
	if (!atomic_load(&vm->stopping)) {
		vm->result.reason = reason;
		va_start(ap, fmt);
		vsnprintf(vm->result.message, sizeof(vm->result.message), fmt, ap);
		va_end(ap);
		/* Linux with panic=N reboots after a panic: the reset is the
		 * panic's consequence, and the panic is what to report.  (A
		 * racy read of a bool the console sets once is fine here.) */
		if ((reason == VMM_STOP_RESET || reason == VMM_STOP_TRIPLE_FAULT ||
		     reason == VMM_STOP_POWEROFF) && vm->cfg.watchdog.panic_detect &&
		    vm->panic.found) {
			vm->result.reason = VMM_STOP_GUEST_PANIC;
			snprintf(vm->result.message, sizeof(vm->result.message), "%s",
				 vm->panic.line);
		}
		atomic_store(&vm->stopping, true);
		evmgr_loop_stop(vm->loop);
	}
	pthread_mutex_unlock(&vm->stop_lock);
}

void vmm__request_signal_stop(struct vmm *vm, int signo)
{
	pthread_mutex_lock(&vm->stop_lock);
	if (!atomic_load(&vm->stopping))
		vm->result.signo = signo;
	pthread_mutex_unlock(&vm->stop_lock);
	vmm__request_stop(vm, VMM_STOP_SIGNAL, "%s", strsignal(signo));
}

static void on_signal(struct evmgr_signal *s, const struct signalfd_siginfo *info,
		      void *data)
{
	(void)s;
	vmm__request_signal_stop(data, (int)info->ssi_signo);
}

static void on_tick(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	struct vmm *vm = data;

	(void)t;
	(void)expirations;
	vmm__devices_tick(vm, vmm_monotonic_ns());
	vmm__vcpus_tick(vm);
}

/* SIGINT/SIGTERM/SIGHUP become events on the loop, the dump signal goes
 * to the dump thread (dump.c); all are blocked before any thread exists so
 * that every thread inherits the mask. */
static int signals_setup(struct vmm *vm)
{
	sigset_t set, blocked;
	int r;

	if (vm->cfg.dump_signal && vm->cfg.dump_signal != SIGUSR1 &&
	    vm->cfg.dump_signal != SIGUSR2)
		return vmm__fail(vm, "dump signal %d: must be SIGUSR1 or SIGUSR2",
				 vm->cfg.dump_signal);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	blocked = set;
	if (vm->cfg.dump_signal)
		sigaddset(&blocked, vm->cfg.dump_signal);
	r = evmgr_signal_block(&blocked, &vm->old_sigmask);
	if (r)
		return vmm__fail(vm, "cannot block signals: %s", strerror(-r));
	vm->sigmask_saved = true;
	r = evmgr_signal_open(vm->loop, &vm->signals, &set, on_signal, vm);
	if (r)
		return vmm__fail(vm, "signalfd: %s", strerror(-r));
	return 0;
}

/* A file that is no kernel at all is host input, reported as such even
 * when KVM fails too; the full checks happen when the loader parses it. */
static int check_kernel_magic(struct vmm *vm, char *err, size_t errlen)
{
	uint8_t head[4096];
	ssize_t n = pread(vm->input.kernel, head, sizeof(head), 0);

	if (n < 0 || loader_kernel_detect(head, (size_t)n) == LOADER_FORMAT_UNKNOWN) {
		snprintf(err, errlen, "kernel.path=%s: not a bzImage or x86_64 ELF kernel",
			 vm->cfg.kernel_path);
		return -ENOEXEC;
	}
	return 0;
}

struct vmm *vmm__alloc(const struct vmm_config *cfg, char *err, size_t errlen)
{
	struct vmm *vm = calloc(1, sizeof(*vm));
	int r;

	if (!vm) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	vm->cfg = *cfg;
	vmm__input_files_init(&vm->input);
	if (!vm->cfg.start_ns)
		vm->cfg.start_ns = vmm_monotonic_ns();
	vmm_boot_phases_init(&vm->phases, vm->cfg.start_ns, stderr);
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_mutex_init(&vm->dump_lock, NULL);
	vmm_panic_scanner_init(&vm->panic);
	pthread_mutex_init(&vm->control_lock, NULL);
	pthread_mutex_init(&vm->pause_lock, NULL);
	pthread_cond_init(&vm->pause_cond, NULL);
	pthread_mutex_init(&vm->job_lock, NULL);
	pthread_cond_init(&vm->job_cond, NULL);
	pthread_mutex_init(&vm->kvm_setup_lock, NULL);
	pthread_cond_init(&vm->kvm_setup_cond, NULL);
	r = evmgr_loop_new(&vm->loop, NULL);
	if (r) {
		snprintf(err, errlen, "event loop: %s", strerror(-r));
		vmm_free(vm);
		return NULL;
	}
	return vm;
}

/* Each phase's end is a boot-timer line too (docs/cvmm.md). */
void vmm__phase_done(struct vmm *vm, const char *phase)
{
	if (vm->cfg.boot_timer)
		vmm_boot_phases_done(&vm->phases, phase, vmm_monotonic_ns());
}

/* The phase names where a dump finds a VM that never got running. */
int vmm__step(struct vmm *vm, const char *phase, int (*fn)(struct vmm *vm))
{
	int r;

	atomic_store(&vm->phase, phase);
	r = fn(vm);
	if (r == 0)
		vmm__phase_done(vm, phase);
	return r;
}

int vmm__host_setup(struct vmm *vm)
{
	return signals_setup(vm) || vmm__dump_start(vm) ||
	       vmm__step(vm, "kvm-setup", vmm__kvm_setup);
}

/* vmm_new()'s build, once KVM is creating the VM on its own thread
 * (kvm_setup.c): this one maps guest RAM, which it hands to that thread
 * to register, loads the kernel, builds the devices and writes the boot
 * tables, none of which needs the VM; then the devices are attached to it
 * (docs/cvmm.md, "Start-up phases"). */
static int build_and_attach(struct vmm *vm)
{
	int r;

	r = signals_setup(vm) || vmm__dump_start(vm) ||
	    vmm__step(vm, "memory-setup", vmm__memory_map);
	vmm__kvm_setup_ram(vm, r == 0);	/* the KVM thread registers it now */
	r = r || vmm__step(vm, "kernel-load", vmm__kernel_load) ||
	    vmm__step(vm, "devices-setup", vmm__devices_setup) ||
	    vmm__step(vm, "boot-setup", vmm__boot_setup);
	/* A KVM error is reported first, as when the steps ran in order. */
	if (vmm__kvm_setup_join(vm) || r)
		return -1;
	return vmm__step(vm, "devices-attach", vmm__devices_attach);
}

/* Host input is checked while KVM creates the VM, the longest step where
 * KVM is emulated.  A configuration error or a file that is no kernel is
 * still the one error reported, whatever KVM says (docs/cvmm.md).  The
 * kernel, the initramfs and the disks stay open from their check to their
 * use (vm->input): each is opened once, and the file checked is the file
 * used. */
static int check_input(struct vmm *vm, char *err, size_t errlen)
{
	int r = vmm__config_check(&vm->cfg, err, errlen, &vm->input);

	return r ? r : check_kernel_magic(vm, err, errlen);
}

int vmm_new(const struct vmm_config *cfg, char *err, size_t errlen, struct vmm **out)
{
	struct vmm *vm = vmm__alloc(cfg, err, errlen);
	int r;

	if (!vm)
		return -ENOMEM;
	vmm__kvm_setup_start(vm);
	r = check_input(vm, err, errlen);
	if (r) {
		vmm_free(vm);	/* joins the KVM thread; its result is moot */
		return r;
	}
	if (build_and_attach(vm) || vmm__step(vm, "vcpus-setup", vmm__vcpus_create)) {
		snprintf(err, errlen, "%s", vm->err);
		vmm_free(vm);
		return -EINVAL;
	}
	atomic_store(&vm->phase, "ready");
	*out = vm;
	return 0;
}

/* The loop thread's filter goes on once it has started the vCPU threads
 * (a filter is inherited by threads created after it) and before they may
 * enter the guest.  It stays on this thread after vmm_run() returns. */
static void confine(struct vmm *vm)
{
	char err[VMM_ERR_MAX];

	if (vmm__seccomp_install(VMM__SECCOMP_EVENT_LOOP, vm->cfg.process.seccomp, err,
				 sizeof(err)))
		vmm__request_stop(vm, VMM_STOP_INTERNAL, "event loop: %s", err);
}

enum vmm_stop_reason vmm_run(struct vmm *vm, struct vmm_result *res)
{
	int r = 0;

	if (vm->ran) {
		vmm__request_stop(vm, VMM_STOP_INTERNAL, "vmm_run called twice");
		goto out;
	}
	vm->ran = true;
	r = evmgr_timer_open(vm->loop, &vm->tick, CLOCK_MONOTONIC, on_tick, vm);
	if (r == 0)
		r = evmgr_timer_arm(&vm->tick, VMM_TICK_NS, VMM_TICK_NS);
	if (r) {
		vmm__request_stop(vm, VMM_STOP_INTERNAL, "tick timer: %s", strerror(-r));
		goto out;
	}
	atomic_store(&vm->phase, "running");
	/* Devices are built deaf to host input; resuming them starts it.  A
	 * VM restored paused starts with its vCPUs parked and its devices
	 * quiet until vmm_resume(). */
	pthread_mutex_lock(&vm->control_lock);
	if (vm->paused)
		atomic_store(&vm->park_wanted, true);
	else
		vmm__devices_resume(vm);
	vmm__loop_jobs_open(vm);
	pthread_mutex_unlock(&vm->control_lock);
	if (vmm__vcpus_start(vm)) {
		vmm__request_stop(vm, VMM_STOP_INTERNAL, "%s", vm->err);
	} else {
		confine(vm);
		/* Before the release, so that no port 0x80 mark precedes them. */
		vmm__phase_done(vm, "vcpus-ready");
		vmm_boot_phases_flush(&vm->phases);
		vmm__vcpus_go(vm);
		while (!atomic_load(&vm->stopping)) {
			r = evmgr_loop_run(vm->loop);
			if (r) {
				vmm__request_stop(vm, VMM_STOP_INTERNAL, "event loop: %s",
						  strerror(-r));
				break;
			}
		}
	}
out:
	vmm_boot_phases_flush(&vm->phases);	/* unless the vCPUs were released */
	atomic_store(&vm->phase, "stopping");
	vmm__loop_jobs_close(vm);
	vmm__vcpus_stop(vm);
	/* Quiesced: stdin left alone, disk I/O landed, timers stopped. */
	pthread_mutex_lock(&vm->control_lock);
	if (!vm->paused)
		VMM_IGNORE(vmm__devices_pause(vm));
	vm->paused = false;
	pthread_mutex_unlock(&vm->control_lock);
	vmm_term_restore();
	vm->result.exit_code = vmm_exit_code(vm->result.reason, vm->result.signo);
	if (res)
		*res = vm->result;
	return vm->result.reason;
}

void vmm_get_metrics(const struct vmm *vm, struct vmm_metrics *out)
{
	memset(out, 0, sizeof(*out));
	out->exits_io = atomic_load(&vm->m_exits_io);
	out->exits_mmio = atomic_load(&vm->m_exits_mmio);
	out->exits_other = atomic_load(&vm->m_exits_other);
	out->assists_int3 = atomic_load(&vm->m_assist_int3);
	out->assists_int_n = atomic_load(&vm->m_assist_int_n);
	out->assists_fwait = atomic_load(&vm->m_assist_fwait);
	out->assists_mxcsr = atomic_load(&vm->m_assist_mxcsr);
	out->assists_fninit = atomic_load(&vm->m_assist_fninit);
	out->unclaimed_pio = atomic_load(&vm->m_unclaimed_pio);
	out->unclaimed_mmio = atomic_load(&vm->m_unclaimed_mmio);
	if (vm->loop) {
		struct evmgr_loop_stats ls;

		evmgr_loop_get_stats(vm->loop, &ls);
		out->loop_batches = ls.batches;
		out->loop_events = ls.events;
		out->loop_remote_calls = ls.remote_calls;
	}
	vmm__devices_metrics(vm, out);
}

void vmm_get_config(const struct vmm *vm, struct vmm_config *out)
{
	*out = vm->cfg;
}

void vmm_free(struct vmm *vm)
{
	if (!vm)
		return;
	VMM_IGNORE(vmm__kvm_setup_join(vm));
	vmm_boot_phases_flush(&vm->phases);	/* a start that failed: how far it got */
	vmm__input_files_close(&vm->input);
	vmm__vcpus_free(vm);
	vmm__dump_stop(vm);
	evmgr_timer_close(&vm->tick);
	vmm__devices_teardown(vm);
	evmgr_signal_close(&vm->signals);
	if (vm->sigmask_saved)
		pthread_sigmask(SIG_SETMASK, &vm->old_sigmask, NULL);
	kvmw_vm_free(vm->kvm);
	kvmw_system_free(vm->sys);
	vmmem_map_free(vm->mem);
	evmgr_loop_free(vm->loop);
	pthread_mutex_destroy(&vm->stop_lock);
	pthread_mutex_destroy(&vm->dump_lock);
	pthread_mutex_destroy(&vm->control_lock);
	pthread_mutex_destroy(&vm->pause_lock);
	pthread_cond_destroy(&vm->pause_cond);
	pthread_mutex_destroy(&vm->job_lock);
	pthread_cond_destroy(&vm->job_cond);
	pthread_mutex_destroy(&vm->kvm_setup_lock);
	pthread_cond_destroy(&vm->kvm_setup_cond);
	free(vm);
}
