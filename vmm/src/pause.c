// SPDX-License-Identifier: MIT
// Pause and resume of a running VM (docs/snapshot.md, "Pause and resume").
//
// Pause: every vCPU thread leaves KVM_RUN (a kick) and parks on a condition
// variable; then, on the event loop thread, every device quiesces (disk
// I/O in flight lands, timers stop, host input stays queued in the host);
// last, the KVM clock and each vCPU's TSC are read.  Resume writes them
// back first, so that the guest's clocks continue from where they stood and
// see no jump, then un-quiesces the devices and unparks the vCPUs.
//
// Device work must run on the loop thread, which owns the watchers.  A
// job is posted to the loop under job_lock while the loop is known to be
// live; vmm_run() clears loop_live under the same lock when its loop has
// stopped and then drains the queue, so a caller never waits for a loop
// that will not run again.
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devices.h"
#include "vmm_internal.h"

#define MSR_IA32_TSC 0x10u

struct loop_job {
	struct vmm *vm;
	int (*fn)(struct vmm *vm);
	int result;
	bool done;
};

static void run_job(struct evmgr_loop *loop, void *arg)
{
	struct loop_job *job = arg;
	struct vmm *vm = job->vm;
	int r = job->fn(vm);

	(void)loop;
	pthread_mutex_lock(&vm->job_lock);
	job->result = r;
	job->done = true;
	pthread_cond_broadcast(&vm->job_cond);
	pthread_mutex_unlock(&vm->job_lock);
}

/* Runs fn on the loop thread and returns its result; -ESHUTDOWN when the
 * loop no longer runs. */
static int on_loop(struct vmm *vm, int (*fn)(struct vmm *vm))
{
	struct loop_job job = { vm, fn, 0, false };
	int r;

	pthread_mutex_lock(&vm->job_lock);
	if (!vm->loop_live) {
		pthread_mutex_unlock(&vm->job_lock);
		return -ESHUTDOWN;
	}
	r = evmgr_remote_post(vm->loop, run_job, &job);
	while (r == 0 && !job.done)
		pthread_cond_wait(&vm->job_cond, &vm->job_lock);
	pthread_mutex_unlock(&vm->job_lock);
	return r ? r : job.result;
}

void vmm__loop_jobs_open(struct vmm *vm)
{
	pthread_mutex_lock(&vm->job_lock);
	vm->loop_live = true;
	vm->run_started = true;
	pthread_cond_broadcast(&vm->job_cond);
	pthread_mutex_unlock(&vm->job_lock);
}

void vmm_wait_started(struct vmm *vm)
{
	pthread_mutex_lock(&vm->job_lock);
	while (!vm->run_started)
		pthread_cond_wait(&vm->job_cond, &vm->job_lock);
	pthread_mutex_unlock(&vm->job_lock);
}

/* A VM that was built but will not run (vmm_serve() got a termination
 * signal first): whoever waits for it to start is let go; the loop stays
 * closed, so pause and friends answer -ESHUTDOWN. */
void vmm__run_abandon(struct vmm *vm)
{
	pthread_mutex_lock(&vm->job_lock);
	vm->run_started = true;
	pthread_cond_broadcast(&vm->job_cond);
	pthread_mutex_unlock(&vm->job_lock);
}

/* The loop has stopped for good: run what was posted before the door
 * closed (each waiter is woken by its job). */
void vmm__loop_jobs_close(struct vmm *vm)
{
	pthread_mutex_lock(&vm->job_lock);
	vm->loop_live = false;
	vm->run_started = true;		/* a run that failed early still ends waits */
	pthread_cond_broadcast(&vm->job_cond);
	pthread_mutex_unlock(&vm->job_lock);
	for (int i = 0; i < 2; i++)
		VMM_IGNORE(evmgr_loop_run_once(vm->loop, 0));
}

static int devices_pause(struct vmm *vm)
{
	return vmm__devices_pause(vm);
}

static int devices_resume(struct vmm *vm)
{
	vmm__devices_resume(vm);
	return 0;
}

/* The guest's view of time at the pause: kvmclock and every TSC. */
static int clocks_save(struct vmm *vm)
{
	int r = kvmw_vm_get_clock(vm->kvm, &vm->paused_clock);

	if (r)
		return vmm__fail(vm, "KVM_GET_CLOCK: %s", strerror(-r));
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct kvm_msr_entry e = { .index = MSR_IA32_TSC };

		if (kvmw_vcpu_get_msrs(vm->vcpus[i].kvcpu, &e, 1) != 1)
			return vmm__fail(vm, "vCPU %u: cannot read its TSC", i);
		vm->vcpus[i].paused_tsc = e.data;
	}
	return 0;
}

static int clocks_restore(struct vmm *vm)
{
	/* Only the value is set: KVM_SET_CLOCK takes no GET-only flags. */
	struct kvm_clock_data c = { .clock = vm->paused_clock.clock };
	int r = kvmw_vm_set_clock(vm->kvm, &c);

	if (r)
		return vmm__fail(vm, "KVM_SET_CLOCK: %s", strerror(-r));
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct kvm_msr_entry e = { .index = MSR_IA32_TSC,
					   .data = vm->vcpus[i].paused_tsc };

		if (kvmw_vcpu_set_msrs(vm->vcpus[i].kvcpu, &e, 1) != 1)
			return vmm__fail(vm, "vCPU %u: cannot restore its TSC", i);
	}
	return 0;
}

int vmm_pause(struct vmm *vm, char *err, size_t errlen)
{
	int r = 0;

	pthread_mutex_lock(&vm->control_lock);
	if (vm->paused)
		goto out;
	if (atomic_load(&vm->stopping)) {
		r = -ESHUTDOWN;
		snprintf(err, errlen, "the VM is stopping");
		goto out;
	}
	vmm__vcpus_park(vm);
	r = on_loop(vm, devices_pause);
	if (r == 0 && clocks_save(vm)) {
		r = -1;
		VMM_IGNORE(on_loop(vm, devices_resume));
	}
	if (r) {
		/* -1: the reason is in vm->err. */
		snprintf(err, errlen, "pause: %s", r == -1 ? vm->err : strerror(-r));
		vmm__vcpus_unpark(vm);
		r = r == -1 ? -EIO : r;
		goto out;
	}
	vm->paused = true;
	vmm__log(vm, VMM_LOG_INFO, "paused");
out:
	pthread_mutex_unlock(&vm->control_lock);
	return r;
}

int vmm_resume(struct vmm *vm, char *err, size_t errlen)
{
	int r = 0;

	pthread_mutex_lock(&vm->control_lock);
	if (!vm->paused)
		goto out;
	if (clocks_restore(vm)) {
		snprintf(err, errlen, "resume: %s", vm->err);
		r = -EIO;
		goto out;
	}
	r = on_loop(vm, devices_resume);
	if (r) {
		snprintf(err, errlen, "resume: %s", strerror(-r));
		goto out;
	}
	vm->paused = false;
	vmm__vcpus_unpark(vm);
	vmm__log(vm, VMM_LOG_INFO, "resumed");
out:
	pthread_mutex_unlock(&vm->control_lock);
	return r;
}

bool vmm_is_paused(struct vmm *vm)
{
	bool p;

	pthread_mutex_lock(&vm->control_lock);
	p = vm->paused;
	pthread_mutex_unlock(&vm->control_lock);
	return p;
}

int vmm_send_ctrl_alt_del(struct vmm *vm)
{
	return vmm__i8042_send_ctrl_alt_del(vm);
}
