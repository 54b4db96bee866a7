/* SPDX-License-Identifier: MIT */
/*
 * Private state of the libkvmwrap handles and the ioctl helper every wrapper
 * goes through.  Not installed.
 */
#ifndef KVMWRAP_INTERNAL_H
#define KVMWRAP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kvmwrap/vcpu.h>
#include <kvmwrap/vm.h>

struct kvmw_system {
	int fd;
};

/* What the VM knows about a registered slot, to check dirty-log buffers. */
struct kvmw__slot {
	bool used;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
};

struct kvmw_vm {
	int fd;
	int run_size;		/* KVM_GET_VCPU_MMAP_SIZE, read at creation */
	bool manual_dirty_clear;
	struct kvmw__slot slots[KVMW_MAX_SLOTS];
};

struct kvmw_vcpu {
	int fd;
	uint32_t id;
	int vm_fd;		/* for VM-level capability checks (xsave size) */
	struct kvm_run *run;
	size_t run_size;
};

/*
 * ioctl() returning its non-negative result or -errno.  Interrupted calls
 * are retried, except KVM_RUN, which callers issue directly because EINTR is
 * an answer there.
 */
int kvmw__ioctl(int fd, unsigned long req, void *arg);

/* ioctl() with an integer argument, same conventions. */
int kvmw__ioctl_val(int fd, unsigned long req, unsigned long arg);

#endif
