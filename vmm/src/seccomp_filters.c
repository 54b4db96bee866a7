// SPDX-License-Identifier: MIT
// The allowlists (seccomp.h; each entry is explained in docs/seccomp.md),
// compiled into BPF at build time (seccomp_compile.c); libvmm carries the
// programs, not these tables.
// A thread gets the base rules plus those of its kind and nothing else.
// Each entry is here because a path of that thread makes the call, after
// the filter is in place; calls made only during setup, before it, are
// not listed.  Argument checks: ioctl request numbers one by one (the
// kernel reads the request as 32 bits, so only those are compared),
// socket() for AF_UNIX only, no PROT_EXEC in mmap()/mprotect(), tgkill()
// only to this process and only with the signals the thread sends.
#define _GNU_SOURCE
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <seccomp.h>

#include "seccomp_internal.h"

#define ALLOW(name) { SCMP_SYS(name), VMM__SC_ANY, 0, 0 }
#define EQ(name, a, v) { SCMP_SYS(name), VMM__SC_EQ, (a), (v) }
#define NO_EXEC(name) { SCMP_SYS(name), VMM__SC_CLEAR, 2, PROT_EXEC }
#define IOCTL(req) EQ(ioctl, 1, (req))
#define SIGNAL(sig) { SCMP_SYS(tgkill), VMM__SC_SIGNAL, 2, (sig) }

static const struct vmm__sc_rule base[] = {
	/* The report line, and every thread's log lines on stderr. */
	EQ(write, 0, STDERR_FILENO),
	/* A thread ends; the process ends. */
	ALLOW(exit), ALLOW(exit_group),
	/* Mutexes, condition variables, pthread_join(). */
	ALLOW(futex),
	/* Back from a signal handler (the kick, the crash handlers); a call
	 * a signal interrupted goes on. */
	ALLOW(rt_sigreturn), ALLOW(restart_syscall),
	/* pthread_kill(), raise() and pthread_sigmask() mask signals. */
	ALLOW(rt_sigprocmask),
	/* The SIGSYS report and term.c's crash handlers restore a default
	 * action before they re-raise; term.c installs those handlers when
	 * a resume puts the terminal in raw mode. */
	ALLOW(rt_sigaction),
	/* Re-raising: the process's and the thread's ids, and the signals
	 * that end the process (the report's SIGSYS, abort()'s SIGABRT,
	 * the crash handlers' own). */
	ALLOW(getpid), ALLOW(gettid),
	SIGNAL(SIGSYS), SIGNAL(SIGABRT), SIGNAL(SIGSEGV), SIGNAL(SIGBUS), SIGNAL(SIGILL),
	SIGNAL(SIGFPE),
	/* The time, where the vDSO cannot give it without a call. */
	ALLOW(clock_gettime), ALLOW(gettimeofday),
	/* malloc() and a thread's stack at its end; never executable. */
	NO_EXEC(mmap), NO_EXEC(mprotect), ALLOW(munmap), ALLOW(mremap), ALLOW(madvise),
	ALLOW(brk),
	/* term.c's crash handler puts the terminal back, on any thread. */
	IOCTL(TCSETSF),
};

static const struct vmm__sc_rule vcpu[] = {
	IOCTL(KVM_RUN),
	/* Emulation assists, the stuck-vCPU sample and the state dump read
	 * and write this vCPU's state. */
	IOCTL(KVM_GET_REGS), IOCTL(KVM_SET_REGS), IOCTL(KVM_GET_SREGS),
	IOCTL(KVM_GET_MP_STATE), IOCTL(KVM_GET_VCPU_EVENTS), IOCTL(KVM_SET_VCPU_EVENTS),
	IOCTL(KVM_CHECK_EXTENSION), IOCTL(KVM_GET_XSAVE), IOCTL(KVM_GET_XSAVE2),
	IOCTL(KVM_SET_XSAVE),
	/* The state dump shows the local APIC's timer and pending vectors. */
	IOCTL(KVM_GET_LAPIC),
	/* The UART and the i8042 raise their interrupt from the exit. */
	IOCTL(KVM_IRQ_LINE),
	/* virtio-net: the tap's offloads follow the driver's features. */
	IOCTL(TUNSETOFFLOAD),
	/* Console output; eventfds (interrupts, waking the loop). */
	ALLOW(write), ALLOW(poll),
	/* A kick that arrived outside KVM_RUN is consumed. */
	ALLOW(rt_sigtimedwait),
	/* A device reset the guest writes: virtio-blk waits for its I/O in
	 * flight, virtio-vsock closes its sockets. */
	ALLOW(io_uring_enter), ALLOW(read), ALLOW(close), ALLOW(epoll_ctl),
	/* ... and a transfer the kernel left short is finished through the
	 * backend (a write-through write is synced) before it completes. */
	ALLOW(preadv), ALLOW(pwritev), ALLOW(fdatasync),
};

static const struct vmm__sc_rule event_loop[] = {
	/* The loop, and vsock's private epoll. */
	ALLOW(epoll_wait), ALLOW(epoll_pwait), ALLOW(epoll_ctl), ALLOW(poll),
	/* eventfds, timerfds, the signalfd, stdin, the tap, vsock sockets. */
	ALLOW(read), ALLOW(readv), ALLOW(write), ALLOW(writev), ALLOW(close),
	ALLOW(timerfd_create), ALLOW(timerfd_settime), ALLOW(timerfd_gettime),
	/* virtio-blk: io_uring, and the synchronous fallback. */
	ALLOW(io_uring_enter), ALLOW(preadv), ALLOW(pwritev), ALLOW(pwrite64),
	ALLOW(fdatasync), ALLOW(fallocate),
	/* virtio-vsock's host side: Unix sockets only. */
	EQ(socket, 0, AF_UNIX), ALLOW(connect), ALLOW(accept4), ALLOW(recvfrom),
	ALLOW(sendto), ALLOW(sendmsg), ALLOW(shutdown),
	/* Interrupts from stdin and the RTC; teardown of the virtio wiring. */
	IOCTL(KVM_IRQ_LINE), IOCTL(KVM_IOEVENTFD), IOCTL(KVM_IRQFD),
	/* The terminal: raw mode at the first resume of a restored VM. */
	IOCTL(TCGETS),
	/* Kicks (stop, watchdog samples); ending the dump thread. */
	SIGNAL(VMM__SC_SIG_KICK), SIGNAL(SIGUSR1), SIGNAL(SIGUSR2),
	/* Teardown: vsock's listening socket, the API socket. */
	ALLOW(unlink),
};

static const struct vmm__sc_rule api[] = {
	/* The socket and its clients. */
	ALLOW(poll), ALLOW(accept4), ALLOW(recvfrom), ALLOW(sendto), ALLOW(close),
	/* Requests to the VM thread (eventfd), metrics lines, jansson's
	 * hash seed from /dev/urandom. */
	ALLOW(read), ALLOW(write), ALLOW(openat),
	/* Snapshot files: a temporary file (mkostemp), written, synced and
	 * renamed over the target, the directory synced. */
	ALLOW(getrandom), ALLOW(pwrite64), ALLOW(ftruncate), ALLOW(fsync), ALLOW(rename),
	ALLOW(unlink),
	/* A snapshot's two paths must not name one file (stat). */
	ALLOW(newfstatat),
	/* Pause and resume: clocks and TSCs. */
	IOCTL(KVM_GET_CLOCK), IOCTL(KVM_SET_CLOCK), IOCTL(KVM_GET_MSRS), IOCTL(KVM_SET_MSRS),
	/* Snapshot: host CPU, every parked vCPU's state, irqchips, PIT. */
	IOCTL(KVM_GET_SUPPORTED_CPUID), IOCTL(KVM_CHECK_EXTENSION),
	IOCTL(KVM_GET_MP_STATE), IOCTL(KVM_GET_REGS), IOCTL(KVM_GET_SREGS),
	IOCTL(KVM_GET_FPU), IOCTL(KVM_GET_XSAVE), IOCTL(KVM_GET_XSAVE2),
	IOCTL(KVM_GET_XCRS), IOCTL(KVM_GET_DEBUGREGS), IOCTL(KVM_GET_LAPIC),
	IOCTL(KVM_GET_CPUID2), IOCTL(KVM_GET_VCPU_EVENTS), IOCTL(KVM_GET_TSC_KHZ),
	IOCTL(KVM_GET_IRQCHIP), IOCTL(KVM_GET_PIT2),
	/* Ctrl+Alt+Del: the i8042's interrupt. */
	IOCTL(KVM_IRQ_LINE),
	/* Pause kicks the vCPUs out of the guest. */
	SIGNAL(VMM__SC_SIG_KICK),
};

static const struct vmm__sc_rule dump[] = {
	/* Waiting for the dump signal; the bounded wait for the vCPUs. */
	ALLOW(rt_sigtimedwait), ALLOW(clock_nanosleep),
	/* Each vCPU is kicked for its registers. */
	SIGNAL(VMM__SC_SIG_KICK),
};

#define TABLE(t) { t, sizeof(t) / sizeof((t)[0]) }

static const struct {
	const struct vmm__sc_rule *rules;
	size_t n;
} kinds[VMM__SECCOMP_KINDS] = {
	[VMM__SECCOMP_VCPU] = TABLE(vcpu),
	[VMM__SECCOMP_EVENT_LOOP] = TABLE(event_loop),
	[VMM__SECCOMP_API] = TABLE(api),
	[VMM__SECCOMP_DUMP] = TABLE(dump),
};

const struct vmm__sc_rule *vmm__seccomp_base_rules(size_t *n)
{
	*n = sizeof(base) / sizeof(base[0]);
	return base;
}

const struct vmm__sc_rule *vmm__seccomp_kind_rules(enum vmm__seccomp_thread kind, size_t *n)
{
	if ((unsigned)kind >= VMM__SECCOMP_KINDS) {
		*n = 0;
		return NULL;
	}
	*n = kinds[kind].n;
	return kinds[kind].rules;
}
