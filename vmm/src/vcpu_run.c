// SPDX-License-Identifier: MIT
// vCPU threads: KVM_RUN in a loop, exits dispatched on the PIO/MMIO buses,
// the kvm-pvm emulation assists of docs/kvm-pvm.md (int3 / int n at CPL0
// injected, fwait skipped; counted; switchable off), every other internal
// error reported with RIP, instruction bytes and libkvmwrap's hint, and the
// samples the stuck-vCPU watchdog needs.  Stopping kicks each thread out
// of the guest with a signal plus immediate_exit, then joins it.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assist_x86_64.h"
#include "seccomp.h"
#include "vmm_internal.h"
#include "thread.h"

static void handle_io(struct vmm *vm, const struct kvmw_exit_io *io)
{
	for (uint32_t i = 0; i < io->count; i++) {
		uint8_t *data = io->data + (size_t)i * io->size;
		int r = io->in ? vmm_bus_read(vm->pio, io->port, data, io->size)
			       : vmm_bus_write(vm->pio, io->port, data, io->size);

		if (r == -ENOENT && atomic_fetch_add(&vm->m_unclaimed_pio, 1) < 16)
			vmm__log(vm, VMM_LOG_DEBUG, "unclaimed port %s 0x%x size %u",
				 io->in ? "read" : "write", io->port, io->size);
	}
}

static void handle_mmio(struct vmm *vm, const struct kvmw_exit_mmio *m)
{
	int r = m->is_write ? vmm_bus_write(vm->mmio, m->gpa, m->data, m->len)
			    : vmm_bus_read(vm->mmio, m->gpa, m->data, m->len);

	if (r == -ENOENT && atomic_fetch_add(&vm->m_unclaimed_mmio, 1) < 16)
		vmm__log(vm, VMM_LOG_DEBUG, "unclaimed MMIO %s 0x%llx size %u",
			 m->is_write ? "write" : "read", (unsigned long long)m->gpa, m->len);
}

/* LDMXCSR/STMXCSR/FNINIT (assist_x86_64.c); instruction bytes come from
 * the exit or, when KVM gave none, from guest memory at RIP. */
static int fpu_assist(struct vmm *vm, struct vmm_vcpu *vcpu, const struct kvmw_emul_failure *f,
		      const struct kvm_regs *regs)
{
	enum vmm_assist_kind kind;
	uint8_t insn[KVMW_INSN_MAX];
	size_t len = 0;
	int r;

	if (f->bytes_valid) {
		len = f->insn_len;
		memcpy(insn, f->insn, len);
	} else {
		struct kvm_sregs sregs;

		if (kvmw_vcpu_get_sregs(vcpu->kvcpu, &sregs))
			return -1;
		for (; len < sizeof(insn); len++) {
			uint64_t gpa;

			if (vmm__gva_to_gpa(vm->mem, &sregs, regs->rip + len, &gpa) ||
			    vmmem_load_u8(vm->mem, gpa, &insn[len]))
				break;
		}
	}
	/* Allocated at the first assist: only kvm-pvm hosts need one. */
	if (!vcpu->xsave_buf)
		vcpu->xsave_buf = malloc(KVMW_XSAVE_MAX_SIZE);
	if (!vcpu->xsave_buf)
		return -ENOMEM;
	r = vmm__assist_run(vcpu->kvcpu, vm->mem, insn, len, vcpu->xsave_buf, &kind);
	vmm__log(vm, VMM_LOG_DEBUG, "vCPU %u: assist %d at RIP 0x%llx: %s", vcpu->index, kind,
		 (unsigned long long)regs->rip, r ? strerror(-r) : "done");
	if (r)
		return r;
	atomic_fetch_add(kind == VMM_ASSIST_FNINIT ? &vm->m_assist_fninit : &vm->m_assist_mxcsr, 1);
	return 0;
}

/* Returns 0 when the guest may go on, -1 when the VM must stop. */
static int handle_internal(struct vmm *vm, struct vmm_vcpu *vcpu,
			   const struct kvmw_exit *exit)
{
	struct kvmw_emul_failure f;
	struct kvm_regs regs;
	char report[256];
	int r;

	if (exit->u.internal.suberror != KVM_INTERNAL_ERROR_EMULATION) {
		vmm__request_stop(vm, VMM_STOP_INTERNAL,
				  "vCPU %u: KVM internal error, suberror %u", vcpu->index,
				  exit->u.internal.suberror);
		return -1;
	}
	r = kvmw_vcpu_get_regs(vcpu->kvcpu, &regs);
	if (r == 0)
		r = kvmw_emul_failure_decode(exit, regs.rip, &f);
	if (r) {
		vmm__request_stop(vm, VMM_STOP_INTERNAL,
				  "vCPU %u: emulation failure (undecodable: %s)", vcpu->index,
				  strerror(-r));
		return -1;
	}
	if (vm->cfg.assists && (f.limit == KVMW_LIMIT_INT3 || f.limit == KVMW_LIMIT_INT_N ||
				f.limit == KVMW_LIMIT_FWAIT)) {
		r = kvmw_vcpu_pvm_assist(vcpu->kvcpu, &f);
		if (r == 0) {
			atomic_fetch_add(f.limit == KVMW_LIMIT_INT3 ? &vm->m_assist_int3 :
					 f.limit == KVMW_LIMIT_INT_N ? &vm->m_assist_int_n :
					 &vm->m_assist_fwait, 1);
			return 0;
		}
	}
	if (vm->cfg.assists && f.limit == KVMW_LIMIT_NONE && fpu_assist(vm, vcpu, &f, &regs) == 0)
		return 0;
	kvmw_emul_failure_format(&f, report, sizeof(report));
	vmm__request_stop(vm, VMM_STOP_INTERNAL, "vCPU %u: %s%s", vcpu->index, report,
			  vm->cfg.assists ? "" : " (assists are off: --vcpu assists=on)");
	return -1;
}

static void take_sample(struct vmm_vcpu *vcpu)
{
	struct vmm *vm = vcpu->vm;
	struct kvm_mp_state mp;
	struct kvm_regs regs;
	struct vmm_stuck_sample s;

	if (kvmw_vcpu_get_mp_state(vcpu->kvcpu, &mp) || kvmw_vcpu_get_regs(vcpu->kvcpu, &regs))
		return;
	s.now_ms = vmm_monotonic_ns() / 1000000u;
	s.exits = atomic_load(&vcpu->exits);
	/* A vCPU waiting for INIT/SIPI is parked, not stuck. */
	s.irq_enabled = (regs.rflags & 0x200) != 0 ||
			(mp.mp_state != KVM_MP_STATE_RUNNABLE && mp.mp_state != KVM_MP_STATE_HALTED);
	s.halted = mp.mp_state == KVM_MP_STATE_HALTED;
	s.rip = regs.rip;
	if (vmm_stuck_feed(&vcpu->stuck, &s))
		vmm__request_stop(vm, VMM_STOP_STUCK,
				  "vCPU %u stuck with interrupts disabled (%s) for %u ms at RIP 0x%llx",
				  vcpu->index, s.halted ? "halted" : "spinning in place",
				  vm->cfg.watchdog.stuck_ms,
				  (unsigned long long)regs.rip);
}

/* A kick that interrupted KVM_RUN stays pending once the thread's mask
 * blocks it again; consume it, or every later KVM_RUN returns at once. */
static void eat_kicks(void)
{
	const struct timespec zero = { 0, 0 };
	sigset_t kick;

	sigemptyset(&kick);
	sigaddset(&kick, VMM_KICK_SIGNAL);
	while (sigtimedwait(&kick, NULL, &zero) > 0)
		;
}

/* Returns 0 to keep running, -1 to leave the thread. */
static int handle_exit(struct vmm *vm, struct vmm_vcpu *vcpu, const struct kvmw_exit *exit)
{
	switch (exit->reason) {
	case KVMW_EXIT_IO:
		atomic_fetch_add(&vm->m_exits_io, 1);
		handle_io(vm, &exit->u.io);
		return 0;
	case KVMW_EXIT_MMIO:
		atomic_fetch_add(&vm->m_exits_mmio, 1);
		handle_mmio(vm, &exit->u.mmio);
		return 0;
	case KVMW_EXIT_INTR:
		kvmw_vcpu_set_immediate_exit(vcpu->kvcpu, false);
		eat_kicks();
		if (atomic_load(&vm->stopping))
			return -1;
		vmm__dump_answer(vcpu);
		if (atomic_exchange(&vcpu->sample_wanted, false))
			take_sample(vcpu);
		return 0;
	case KVMW_EXIT_HLT:
		/* Only without an in-kernel LAPIC; ours has one, so a halt
		 * exit means the guest is done with this CPU for good. */
		vmm__request_stop(vm, VMM_STOP_STUCK, "vCPU %u halted with no way to wake", vcpu->index);
		return -1;
	case KVMW_EXIT_SHUTDOWN:
		vmm__request_stop(vm, VMM_STOP_TRIPLE_FAULT, "vCPU %u: triple fault", vcpu->index);
		return -1;
	case KVMW_EXIT_SYSTEM_EVENT:
		switch (exit->u.system_event.type) {
		case KVM_SYSTEM_EVENT_RESET:
			vmm__request_stop(vm, VMM_STOP_RESET, "guest reset (KVM system event)");
			break;
		case KVM_SYSTEM_EVENT_CRASH:
			vmm__request_stop(vm, VMM_STOP_GUEST_PANIC, "guest crash (KVM system event)");
			break;
		default:
			vmm__request_stop(vm, VMM_STOP_POWEROFF, "guest shutdown (KVM system event %u)",
					  exit->u.system_event.type);
			break;
		}
		return -1;
	case KVMW_EXIT_FAIL_ENTRY:
		vmm__request_stop(vm, VMM_STOP_INTERNAL,
				  "vCPU %u: KVM entry failed, hardware reason 0x%llx", vcpu->index,
				  (unsigned long long)exit->u.fail_entry.hardware_reason);
		return -1;
	case KVMW_EXIT_INTERNAL_ERROR:
		return handle_internal(vm, vcpu, exit);
	case KVMW_EXIT_DEBUG:
	case KVMW_EXIT_IRQ_WINDOW_OPEN:
	case KVMW_EXIT_OTHER:
		break;
	}
	atomic_fetch_add(&vm->m_exits_other, 1);
	vmm__request_stop(vm, VMM_STOP_INTERNAL, "vCPU %u: unexpected exit %s", vcpu->index,
			  kvmw_exit_raw_name(exit->raw_reason));
	return -1;
}

/* Parks this thread while a pause wants it, with any I/O instruction whose
 * exit was handled completed first, so that the saved state is whole. */
static void park_point(struct vmm_vcpu *vcpu)
{
	struct vmm *vm = vcpu->vm;

	if (!atomic_load(&vm->park_wanted))
		return;
	VMM_IGNORE(kvmw_vcpu_complete_pending(vcpu->kvcpu));
	eat_kicks();
	pthread_mutex_lock(&vm->pause_lock);
	vcpu->parked = true;
	pthread_cond_broadcast(&vm->pause_cond);
	while (atomic_load(&vm->park_wanted) && !atomic_load(&vm->stopping))
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	vcpu->parked = false;
	pthread_mutex_unlock(&vm->pause_lock);
}

static bool all_parked(struct vmm *vm)
{
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		if (v->started && !v->exited && !v->parked)
			return false;
	}
	return true;
}

void vmm__vcpus_park(struct vmm *vm)
{
	atomic_store(&vm->park_wanted, true);
	for (uint32_t i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].started)
			VMM_IGNORE(kvmw_vcpu_kick(vm->vcpus[i].kvcpu, vm->vcpus[i].thread,
						  VMM_KICK_SIGNAL));
	pthread_mutex_lock(&vm->pause_lock);
	while (!all_parked(vm) && !atomic_load(&vm->stopping))
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	pthread_mutex_unlock(&vm->pause_lock);
}

void vmm__vcpus_unpark(struct vmm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	atomic_store(&vm->park_wanted, false);
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
}

/* This thread's filter, then the wait for the loop thread's: no guest
 * instruction runs before every filter is in place. */
static int confine(struct vmm_vcpu *vcpu)
{
	struct vmm *vm = vcpu->vm;
	char name[16], err[VMM_ERR_MAX];

	snprintf(name, sizeof(name), "vcpu%u", vcpu->index);
	vmm__seccomp_name_thread(name);
	if (vmm__seccomp_install(VMM__SECCOMP_VCPU, vm->cfg.process.seccomp, err, sizeof(err))) {
		vmm__request_stop(vm, VMM_STOP_INTERNAL, "vCPU %u: %s", vcpu->index, err);
		return -1;
	}
	pthread_mutex_lock(&vm->pause_lock);
	while (!vm->filters_ready && !atomic_load(&vm->stopping))
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	pthread_mutex_unlock(&vm->pause_lock);
	return 0;
}

void vmm__vcpus_go(struct vmm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	vm->filters_ready = true;
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
}

static void *vcpu_thread(void *arg)
{
	struct vmm_vcpu *vcpu = arg;
	struct vmm *vm = vcpu->vm;
	struct kvmw_exit exit;
	sigset_t in_guest;
	int r;

	/* The kick signal stays blocked in this thread except inside
	 * KVM_RUN, so it interrupts the guest and nothing else. */
	pthread_sigmask(SIG_SETMASK, NULL, &in_guest);
	sigdelset(&in_guest, VMM_KICK_SIGNAL);
	r = kvmw_vcpu_set_signal_mask(vcpu->kvcpu, &in_guest);
	if (r) {
		vmm__request_stop(vm, VMM_STOP_INTERNAL, "vCPU %u: KVM_SET_SIGNAL_MASK: %s",
				  vcpu->index, strerror(-r));
		return NULL;
	}
	if (confine(vcpu))
		return NULL;
	atomic_store(&vcpu->running, true);
	while (!atomic_load(&vm->stopping)) {
		park_point(vcpu);
		if (atomic_load(&vm->stopping))
			break;
		r = kvmw_vcpu_run(vcpu->kvcpu, &exit);

		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r) {
			vmm__request_stop(vm, VMM_STOP_INTERNAL, "vCPU %u: KVM_RUN: %s",
					  vcpu->index, strerror(-r));
			break;
		}
		if (exit.reason != KVMW_EXIT_INTR)
			atomic_fetch_add(&vcpu->exits, 1);
		if ((unsigned)exit.reason < VMM_EXIT_KINDS)
			atomic_fetch_add(&vcpu->exit_by[exit.reason], 1);
		if (handle_exit(vm, vcpu, &exit))
			break;
	}
	/* A pause waiting for this thread counts it as gone now. */
	atomic_store(&vcpu->running, false);
	pthread_mutex_lock(&vm->pause_lock);
	vcpu->exited = true;
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
	return NULL;
}

static int create_all(struct vmm *vm, struct kvmw_cpuid *base, struct kvmw_cpuid *scratch)
{
	int r = kvmw_system_supported_cpuid(vm->sys, base);

	if (r)
		return vmm__fail(vm, "KVM_GET_SUPPORTED_CPUID: %s", strerror(-r));
	vm->vcpus = calloc(vm->cfg.vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return vmm__fail(vm, "out of memory for %u vCPUs", vm->cfg.vcpus);
	for (uint32_t i = 0; i < vm->cfg.vcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->index = i;
		vmm_stuck_init(&v->stuck, vm->cfg.watchdog.stuck_ms);
		r = kvmw_vcpu_create(vm->kvm, i, &v->kvcpu);
		if (r)
			return vmm__fail(vm, "vcpu.num=%u: creating vCPU %u: %s", vm->cfg.vcpus,
					 i, strerror(-r));
		vm->nvcpus++;
		if (vmm__vcpu_configure(vm, v, base, scratch))
			return -1;
	}
	return 0;
}

/* The CPUID tables (10 KiB each: KVM's and a vCPU's patched copy) live on
 * the heap while the vCPUs are made: too large for the stack, and neither
 * a static (two VMs set up at once) nor a thread-local (10 KiB in every
 * thread) would do. */
int vmm__vcpus_create(struct vmm *vm)
{
	struct kvmw_cpuid *cpuid;
	int r;

	r = kvmw_kick_signal_init(VMM_KICK_SIGNAL);
	if (r)
		return vmm__fail(vm, "kick signal: %s", strerror(-r));
	cpuid = malloc(2 * sizeof(*cpuid));
	if (!cpuid)
		return vmm__fail(vm, "out of memory for the CPUID tables");
	r = create_all(vm, &cpuid[0], &cpuid[1]);
	free(cpuid);
	return r;
}

int vmm__vcpus_start(struct vmm *vm)
{
	sigset_t kick, old;
	int r = 0;

	/* Threads inherit a mask with the kick signal blocked; each unblocks
	 * it for itself once it runs. */
	sigemptyset(&kick);
	sigaddset(&kick, VMM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &kick, &old);
	for (uint32_t i = 0; i < vm->nvcpus && r == 0; i++) {
		r = -vmm__thread_start(&vm->vcpus[i].thread, vcpu_thread, &vm->vcpus[i]);
		if (r == 0)
			vm->vcpus[i].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&vm->dump_lock);
	atomic_store(&vm->vcpus_live, true);
	pthread_mutex_unlock(&vm->dump_lock);
	return r ? vmm__fail(vm, "starting vCPU threads: %s", strerror(-r)) : 0;
}

/* Loop thread: ask idle-looking vCPUs for a watchdog sample. */
void vmm__vcpus_tick(struct vmm *vm)
{
	/* Parked vCPUs make no exits and answer no samples. */
	if (!vm->cfg.watchdog.stuck_ms || atomic_load(&vm->park_wanted))
		return;
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];
		uint64_t exits = atomic_load(&v->exits);

		if (!v->started)
			continue;
		if (exits != v->exits_seen) {
			v->exits_seen = exits;
			continue;
		}
		atomic_store(&v->sample_wanted, true);
		VMM_IGNORE(kvmw_vcpu_kick(v->kvcpu, v->thread, VMM_KICK_SIGNAL));
	}
}

void vmm__vcpus_stop(struct vmm *vm)
{
	/* A dump in progress finishes before threads are joined. */
	pthread_mutex_lock(&vm->dump_lock);
	atomic_store(&vm->vcpus_live, false);
	pthread_mutex_unlock(&vm->dump_lock);
	atomic_store(&vm->stopping, true);
	/* Parked threads wake up to see the stop. */
	pthread_mutex_lock(&vm->pause_lock);
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		if (v->started)
			VMM_IGNORE(kvmw_vcpu_kick(v->kvcpu, v->thread, VMM_KICK_SIGNAL));
	}
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		/* A thread may have been between its stop check and KVM_RUN
		 * when the kick arrived; immediate_exit covers that case. */
		pthread_join(v->thread, NULL);
		v->started = false;
	}
}

void vmm__vcpus_free(struct vmm *vm)
{
	if (!vm->vcpus)
		return;
	vmm__vcpus_stop(vm);
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		kvmw_vcpu_free(vm->vcpus[i].kvcpu);
		free(vm->vcpus[i].xsave_buf);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nvcpus = 0;
}
