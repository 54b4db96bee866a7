// SPDX-License-Identifier: MIT
// vCPU lifetime, KVM_RUN and getting a running vCPU out of the guest
// (api.rst 4.7 KVM_CREATE_VCPU, 4.10 KVM_RUN, 4.23 KVM_SET_SIGNAL_MASK,
// 5 kvm_run.immediate_exit with KVM_CAP_IMMEDIATE_EXIT).
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

int kvmw_vcpu_create(struct kvmw_vm *vm, uint32_t id, struct kvmw_vcpu **out)
{
	struct kvmw_vcpu *v;
	void *run;
	int fd;

	if (!vm || !out)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	fd = kvmw__ioctl_val(vm->fd, KVM_CREATE_VCPU, id);
	if (fd < 0) {
		free(v);
		return fd;
	}
	run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		int err = -errno;

		close(fd);
		free(v);
		return err;
	}
	v->fd = fd;
	v->id = id;
	v->vm_fd = vm->fd;
	v->run = run;
	v->run_size = (size_t)vm->run_size;
	*out = v;
	return 0;
}

void kvmw_vcpu_free(struct kvmw_vcpu *vcpu)
{
	if (!vcpu)
		return;
	munmap(vcpu->run, vcpu->run_size);
	close(vcpu->fd);
	free(vcpu);
}

int kvmw_vcpu_fd(const struct kvmw_vcpu *vcpu)
{
	return vcpu ? vcpu->fd : -EINVAL;
}

uint32_t kvmw_vcpu_id(const struct kvmw_vcpu *vcpu)
{
	return vcpu ? vcpu->id : 0;
}

struct kvm_run *kvmw_vcpu_run_page(struct kvmw_vcpu *vcpu)
{
	return vcpu ? vcpu->run : NULL;
}

size_t kvmw_vcpu_run_size(const struct kvmw_vcpu *vcpu)
{
	return vcpu ? vcpu->run_size : 0;
}

int kvmw_vcpu_run(struct kvmw_vcpu *vcpu, struct kvmw_exit *exit)
{
	if (!vcpu || !exit)
		return -EINVAL;
	if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
		int err = errno;

		if (err != EINTR)
			return -err;
		memset(exit, 0, sizeof(*exit));
		exit->reason = KVMW_EXIT_INTR;
		return 0;
	}
	return kvmw_exit_decode(vcpu->run, vcpu->run_size, exit);
}

int kvmw_vcpu_complete_pending(struct kvmw_vcpu *vcpu)
{
	struct kvmw_exit e;
	int r;

	if (!vcpu)
		return -EINVAL;
	kvmw_vcpu_set_immediate_exit(vcpu, true);
	r = kvmw_vcpu_run(vcpu, &e);
	kvmw_vcpu_set_immediate_exit(vcpu, false);
	if (r < 0)
		return r;
	return e.reason == KVMW_EXIT_INTR ? 0 : -EIO;
}

void kvmw_vcpu_set_immediate_exit(struct kvmw_vcpu *vcpu, bool on)
{
	if (!vcpu)
		return;
	/* Another thread may be about to enter KVM_RUN: the store must not tear or vanish. */
	__atomic_store_n(&vcpu->run->immediate_exit, on ? 1 : 0, __ATOMIC_SEQ_CST);
}

void kvmw_vcpu_request_interrupt_window(struct kvmw_vcpu *vcpu, bool on)
{
	if (vcpu)
		vcpu->run->request_interrupt_window = on ? 1 : 0;
}

bool kvmw_vcpu_ready_for_interrupt(const struct kvmw_vcpu *vcpu)
{
	return vcpu && vcpu->run->ready_for_interrupt_injection;
}

static void kick_handler(int signo)
{
	(void)signo;
}

int kvmw_kick_signal_init(int signo)
{
	struct sigaction sa;

	if (signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP)
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the point is that KVM_RUN returns EINTR. */
	return sigaction(signo, &sa, NULL) < 0 ? -errno : 0;
}

int kvmw_vcpu_kick(struct kvmw_vcpu *vcpu, pthread_t thread, int signo)
{
	if (!vcpu || signo <= 0 || signo >= NSIG)
		return -EINVAL;
	kvmw_vcpu_set_immediate_exit(vcpu, true);
	return -pthread_kill(thread, signo);
}

int kvmw_vcpu_set_signal_mask(struct kvmw_vcpu *vcpu, const sigset_t *mask)
{
	/* Header (u32 len) followed by the kernel's 64-bit sigset, not glibc's 1024-bit one. */
	uint32_t buf[3] = { 0 };
	struct kvm_signal_mask *req = (void *)buf;

	_Static_assert(sizeof(struct kvm_signal_mask) == 4, "kvm_signal_mask header is one u32");
	if (!vcpu)
		return -EINVAL;
	if (!mask)
		return kvmw__ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, NULL);
	req->len = 8;
	memcpy(req->sigset, mask, 8);
	return kvmw__ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, req);
}
