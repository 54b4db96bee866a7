// SPDX-License-Identifier: MIT
// tiny-guest: the smallest complete VM built with libkvmwrap.  One page of
// guest memory, one vCPU in real mode, and seven bytes of guest code that
// write "hi" to the COM1 data port (0x3f8) and halt.  The VMM prints what
// the guest writes and stops at HLT.  Everything a bigger VMM does is here
// in miniature: open, create VM, memory slot, vCPU, registers, run loop with
// typed exits.  Exits 77 (skipped) on a host without /dev/kvm.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <kvmwrap/kvmwrap.h>

#define COM1 0x3f8
#define ENTRY 0x1000

/* OUT with an immediate port only reaches 0xff, so COM1 goes through DX. */
static const uint8_t guest[] = {
	0xba, 0xf8, 0x03,	/* mov dx, 0x3f8 */
	0xb0, 'h', 0xee,	/* mov al, 'h'; out dx, al */
	0xb0, 'i', 0xee,	/* mov al, 'i'; out dx, al */
	0xb0, '\n', 0xee,	/* mov al, '\n'; out dx, al */
	0xf4,			/* hlt */
};

struct vm {
	struct kvmw_system *sys;
	struct kvmw_vm *vm;
	struct kvmw_vcpu *vcpu;
	uint8_t *mem;
};

static int setup(struct vm *v)
{
	struct kvmw_mem_region r = { .slot = 0, .gpa = 0, .size = 0x2000 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = ENTRY, .rflags = 0x2 };
	int err;

	v->mem = mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->mem == MAP_FAILED)
		return -errno;
	memcpy(v->mem + ENTRY, guest, sizeof(guest));
	r.hva = v->mem;
	if ((err = kvmw_system_open(&v->sys)) || (err = kvmw_vm_create(v->sys, &v->vm)) ||
	    (err = kvmw_vm_set_tss_addr(v->vm, 0xfffbd000)) ||
	    (err = kvmw_vm_set_memory_region(v->vm, &r)) ||
	    (err = kvmw_vcpu_create(v->vm, 0, &v->vcpu)) ||
	    (err = kvmw_vcpu_get_sregs(v->vcpu, &sregs)))
		return err;
	/* Reset state has CS=F000 with base FFFF0000; flatten it so IP=ENTRY is GPA ENTRY. */
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	if ((err = kvmw_vcpu_set_sregs(v->vcpu, &sregs)))
		return err;
	return kvmw_vcpu_set_regs(v->vcpu, &regs);
}

static int run(struct vm *v, char *out, size_t cap)
{
	struct kvmw_exit e;
	size_t n = 0;
	int err;

	for (;;) {
		if ((err = kvmw_vcpu_run(v->vcpu, &e)))
			return err;
		switch (e.reason) {
		case KVMW_EXIT_IO:
			if (!e.u.io.in && e.u.io.port == COM1 && n + e.u.io.len < cap) {
				memcpy(out + n, e.u.io.data, e.u.io.len);
				n += e.u.io.len;
			}
			break;
		case KVMW_EXIT_HLT:
			out[n] = '\0';
			return 0;
		case KVMW_EXIT_INTR:
			break;
		case KVMW_EXIT_MMIO:
		case KVMW_EXIT_SHUTDOWN:
		case KVMW_EXIT_FAIL_ENTRY:
		case KVMW_EXIT_INTERNAL_ERROR:
		case KVMW_EXIT_SYSTEM_EVENT:
		case KVMW_EXIT_DEBUG:
		case KVMW_EXIT_IRQ_WINDOW_OPEN:
		case KVMW_EXIT_OTHER:
			fprintf(stderr, "tiny-guest: unexpected exit %s\n",
				kvmw_exit_reason_name(e.reason));
			return -EIO;
		}
	}
}

int main(void)
{
	struct vm v = { 0 };
	char out[16];
	int err = setup(&v);

	if (err == -ENOENT) {
		printf("tiny-guest: skipped: no /dev/kvm\n");
		return 77;
	}
	if (!err)
		err = run(&v, out, sizeof(out));
	kvmw_vcpu_free(v.vcpu);
	kvmw_vm_free(v.vm);
	kvmw_system_free(v.sys);
	if (err) {
		fprintf(stderr, "tiny-guest: %s\n", strerror(-err));
		return 1;
	}
	printf("guest wrote: %s", out);
	return strcmp(out, "hi\n") == 0 ? 0 : 1;
}
