// SPDX-License-Identifier: MIT
// State dump on a signal (dump.h): a thread of its own waits for the dump
// signal with sigwaitinfo(2), so a dump comes out even when cvmm is stuck
// in setup before its event loop runs or the loop itself is wedged; vCPU
// state is read by each vCPU thread (KVM vCPU ioctls belong to the thread
// that runs the vCPU) after a kick, the way the stuck-vCPU watchdog
// samples.
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/kvm.h>

#include "dump.h"
#include "seccomp.h"
#include "vmm_internal.h"
#include "thread.h"

/* How long the dump waits for every vCPU to answer its kick. */
#define DUMP_WAIT_MS 500u

/* Local APIC register offsets in KVM_GET_LAPIC's page (Intel SDM vol. 3,
 * table 11-1). */
#define APIC_REG_ISR 0x100u
#define APIC_REG_IRR 0x200u
#define APIC_REG_LVT_TIMER 0x320u
#define APIC_REG_TIMER_INITIAL 0x380u
#define APIC_REG_TIMER_CURRENT 0x390u
#define APIC_LVT_MASKED (1u << 16)

static const char *const exit_names[VMM_EXIT_KINDS] = {
	[KVMW_EXIT_IO] = "io", [KVMW_EXIT_MMIO] = "mmio", [KVMW_EXIT_HLT] = "hlt",
	[KVMW_EXIT_SHUTDOWN] = "shutdown", [KVMW_EXIT_FAIL_ENTRY] = "fail_entry",
	[KVMW_EXIT_INTERNAL_ERROR] = "internal", [KVMW_EXIT_SYSTEM_EVENT] = "system_event",
	[KVMW_EXIT_DEBUG] = "debug", [KVMW_EXIT_IRQ_WINDOW_OPEN] = "irq_window",
	[KVMW_EXIT_INTR] = "intr", [KVMW_EXIT_OTHER] = "other",
};

static const char *mp_name(uint32_t mp, char *tmp, size_t len)
{
	switch (mp) {
	case KVM_MP_STATE_RUNNABLE: return "running";
	case KVM_MP_STATE_UNINITIALIZED: return "wait-for-sipi";
	case KVM_MP_STATE_INIT_RECEIVED: return "init-received";
	case KVM_MP_STATE_HALTED: return "halted";
	case KVM_MP_STATE_SIPI_RECEIVED: return "sipi-received";
	default:
		snprintf(tmp, len, "mp_state=%u", mp);
		return tmp;
	}
}

/* Appends to the line so far (n bytes, possibly more than fit, or < 0 after
 * an error); returns the new untruncated length. */
static int append(char *buf, size_t len, int n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int append(char *buf, size_t len, int n, const char *fmt, ...)
{
	size_t used;
	va_list ap;
	int m;

	if (n < 0)
		return n;
	used = (size_t)n < len ? (size_t)n : len - 1;
	va_start(ap, fmt);
	m = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	return m < 0 ? m : n + m;
}

/* LVT timer mode, bits 18:17 (Intel SDM vol. 3, 11.5.1). */
static const char *timer_mode(uint32_t lvt)
{
	static const char *const modes[] = { "one-shot", "periodic", "tsc-deadline",
					     "reserved" };

	return modes[(lvt >> 17) & 3];
}

static int append_vector(char *buf, size_t len, int n, const char *name, int vec)
{
	if (vec < 0)
		return append(buf, len, n, " %s=none", name);
	return append(buf, len, n, " %s=0x%x", name, (unsigned)vec);
}

/* Whether the guest waits for an interrupt that cannot come shows here. */
static int append_apic(char *buf, size_t len, int n, const struct vmm_vcpu_dump *d)
{
	n = append(buf, len, n, " apic_timer=%s%s vector=0x%x count=%u/%u",
		   timer_mode(d->apic_lvt_timer),
		   d->apic_lvt_timer & APIC_LVT_MASKED ? ",masked" : "",
		   d->apic_lvt_timer & 0xffu, d->apic_timer_current, d->apic_timer_initial);
	n = append_vector(buf, len, n, "irr", d->apic_irr_top);
	return append_vector(buf, len, n, "isr", d->apic_isr_top);
}

int vmm__dump_format_vcpu(char *buf, size_t len, const struct vmm_vcpu_dump *d,
			  unsigned wait_ms)
{
	uint64_t total = 0;
	char tmp[24];
	int n;

	if (!buf || len == 0)
		return -EINVAL;
	buf[0] = '\0';
	for (unsigned i = 0; i < VMM_EXIT_KINDS; i++)
		total += d->exits[i];
	if (d->exited)
		n = append(buf, len, 0, "cvmm: dump: vcpu %u exited exits=%llu", d->index,
			   (unsigned long long)total);
	else if (d->answered)
		n = append(buf, len, 0, "cvmm: dump: vcpu %u %s rip=0x%llx if=%u exits=%llu",
			   d->index, mp_name(d->mp_state, tmp, sizeof(tmp)),
			   (unsigned long long)d->rip, d->irq_enabled ? 1u : 0u,
			   (unsigned long long)total);
	else
		n = append(buf, len, 0, "cvmm: dump: vcpu %u unresponsive (no answer to its "
			   "kick in %u ms; in KVM_RUN or a device handler) exits=%llu",
			   d->index, wait_ms, (unsigned long long)total);
	for (unsigned i = 0; i < VMM_EXIT_KINDS; i++)
		if (d->exits[i])
			n = append(buf, len, n, " %s=%llu", exit_names[i],
				   (unsigned long long)d->exits[i]);
	if (d->answered && !d->exited && d->apic_read)
		n = append_apic(buf, len, n, d);
	return n;
}

/* The highest vector set in one of the APIC's 256-bit registers: eight
 * 32-bit words, 16 bytes apart, from `reg`. */
static int top_vector(const struct kvm_lapic_state *apic, unsigned reg)
{
	for (int word = 7; word >= 0; word--) {
		uint32_t v;

		memcpy(&v, apic->regs + reg + 16u * (unsigned)word, sizeof(v));
		if (v)
			return word * 32 + 31 - __builtin_clz(v);
	}
	return -1;
}

static uint32_t apic_reg(const struct kvm_lapic_state *apic, unsigned reg)
{
	uint32_t v;

	memcpy(&v, apic->regs + reg, sizeof(v));
	return v;
}

void vmm__dump_read_apic(struct vmm_vcpu_dump *d, const struct kvm_lapic_state *apic)
{
	d->apic_read = true;
	d->apic_lvt_timer = apic_reg(apic, APIC_REG_LVT_TIMER);
	d->apic_timer_initial = apic_reg(apic, APIC_REG_TIMER_INITIAL);
	d->apic_timer_current = apic_reg(apic, APIC_REG_TIMER_CURRENT);
	d->apic_irr_top = top_vector(apic, APIC_REG_IRR);
	d->apic_isr_top = top_vector(apic, APIC_REG_ISR);
}

static const char *phase_name(const struct vmm *vm)
{
	const char *p = atomic_load(&vm->phase);

	return p ? p : "setup";
}

/* Asks every running vCPU for a snapshot and waits a bounded time. */
static void collect(struct vmm *vm, uint64_t *seq_before)
{
	const struct timespec ms = { 0, 1000000 };

	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];

		seq_before[i] = atomic_load(&v->dump_seq);
		if (!atomic_load(&v->running))
			continue;
		atomic_store(&v->dump_wanted, true);
		VMM_IGNORE(kvmw_vcpu_kick(v->kvcpu, v->thread, VMM_KICK_SIGNAL));
	}
	for (unsigned t = 0; t < DUMP_WAIT_MS; t++) {
		bool all = true;

		for (uint32_t i = 0; i < vm->nvcpus; i++)
			if (atomic_load(&vm->vcpus[i].running) &&
			    atomic_load(&vm->vcpus[i].dump_seq) == seq_before[i])
				all = false;
		if (all)
			break;
		nanosleep(&ms, NULL);
	}
}

static void dump(struct vmm *vm)
{
	uint64_t up_ms = (vmm_monotonic_ns() - vm->cfg.start_ns) / 1000000u;
	uint32_t n = atomic_load(&vm->vcpus_live) ? vm->nvcpus : 0;
	uint64_t seq[VMM_VCPUS_MAX];
	struct vmm_metrics m;
	char line[512];

	if (n > VMM_VCPUS_MAX)
		n = VMM_VCPUS_MAX;
	if (n)
		collect(vm, seq);
	vmm_get_metrics(vm, &m);
	fprintf(stderr, "cvmm: dump: phase=%s uptime_ms=%llu vcpus=%u serial_tx=%llu "
		"serial_dropped=%llu blk_notifies=%llu notify_exits=%llu boot_marks=%llu net_rx=%llu "
		"net_rx_dropped=%llu net_tx=%llu net_tx_dropped=%llu\n", phase_name(vm),
		(unsigned long long)up_ms, n, (unsigned long long)m.serial_tx_bytes,
		(unsigned long long)m.serial_dropped, (unsigned long long)m.blk_notifies,
		(unsigned long long)m.virtio_notify_exits,
		(unsigned long long)m.boot_marks, (unsigned long long)m.net_rx_frames,
		(unsigned long long)m.net_rx_dropped, (unsigned long long)m.net_tx_frames,
		(unsigned long long)m.net_tx_dropped);
	for (uint32_t i = 0; i < n; i++) {
		struct vmm_vcpu *v = &vm->vcpus[i];
		struct vmm_vcpu_dump d = v->snap;

		d.index = i;
		d.exited = !atomic_load(&v->running);
		d.answered = atomic_load(&v->dump_seq) != seq[i];
		for (unsigned k = 0; k < VMM_EXIT_KINDS; k++)
			d.exits[k] = atomic_load(&v->exit_by[k]);
		vmm__dump_format_vcpu(line, sizeof(line), &d, DUMP_WAIT_MS);
		fprintf(stderr, "%s\n", line);
	}
	fflush(stderr);
}

static void *dump_thread(void *arg)
{
	struct vmm *vm = arg;
	char err[VMM_ERR_MAX];
	sigset_t set;

	if (vmm__seccomp_install(VMM__SECCOMP_DUMP, vm->cfg.process.seccomp, err, sizeof(err))) {
		vmm__request_stop(vm, VMM_STOP_INTERNAL, "state dump thread: %s", err);
		return NULL;
	}
	sigemptyset(&set);
	sigaddset(&set, vm->cfg.dump_signal);
	for (;;) {
		int s = sigwaitinfo(&set, NULL);

		if (atomic_load(&vm->dump_quit))
			break;
		if (s == vm->cfg.dump_signal) {
			pthread_mutex_lock(&vm->dump_lock);
			dump(vm);
			pthread_mutex_unlock(&vm->dump_lock);
		}
	}
	return NULL;
}

int vmm__dump_start(struct vmm *vm)
{
	int r;

	if (!vm->cfg.dump_signal)
		return 0;
	r = vmm__thread_start(&vm->dump_thread, dump_thread, vm);
	if (r)
		return vmm__fail(vm, "state dump thread: %s", strerror(r));
	vm->dump_started = true;
	return 0;
}

void vmm__dump_stop(struct vmm *vm)
{
	if (!vm->dump_started)
		return;
	atomic_store(&vm->dump_quit, true);
	pthread_kill(vm->dump_thread, vm->cfg.dump_signal);
	pthread_join(vm->dump_thread, NULL);
	vm->dump_started = false;
}

/* vCPU thread, on a kick: the registers only this thread may read. */
void vmm__dump_answer(struct vmm_vcpu *vcpu)
{
	struct kvm_lapic_state apic;
	struct kvm_mp_state mp;
	struct kvm_regs regs;

	if (!atomic_exchange(&vcpu->dump_wanted, false))
		return;
	if (kvmw_vcpu_get_regs(vcpu->kvcpu, &regs) == 0) {
		vcpu->snap.rip = regs.rip;
		vcpu->snap.irq_enabled = (regs.rflags & 0x200) != 0;
	}
	if (kvmw_vcpu_get_mp_state(vcpu->kvcpu, &mp) == 0)
		vcpu->snap.mp_state = mp.mp_state;
	vcpu->snap.apic_read = false;
	if (kvmw_vcpu_get_lapic(vcpu->kvcpu, &apic) == 0)
		vmm__dump_read_apic(&vcpu->snap, &apic);
	atomic_fetch_add(&vcpu->dump_seq, 1);
}
