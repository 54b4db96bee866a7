// SPDX-License-Identifier: MIT
// Decoding of the kvm_run page after KVM_RUN (api.rst 5, "The kvm_run
// structure").  The kernel wrote these fields, but the page is shared with
// whatever else maps the vCPU, so offsets and lengths are still checked
// before a pointer into the page is handed out.
#include <errno.h>
#include <string.h>

#include "internal.h"

static int decode_io(struct kvm_run *run, size_t run_size, struct kvmw_exit_io *io)
{
	uint64_t off = run->io.data_offset;
	uint64_t len = (uint64_t)run->io.size * run->io.count;

	if (run->io.size != 1 && run->io.size != 2 && run->io.size != 4)
		return -EBADMSG;
	if (run->io.count == 0 || off < sizeof(*run) || off > run_size || len > run_size - off)
		return -EBADMSG;
	io->in = run->io.direction == KVM_EXIT_IO_IN;
	io->port = run->io.port;
	io->size = run->io.size;
	io->count = run->io.count;
	io->data = (uint8_t *)run + off;
	io->len = (size_t)len;
	return 0;
}

static int decode_mmio(struct kvm_run *run, struct kvmw_exit_mmio *m)
{
	if (run->mmio.len == 0 || run->mmio.len > sizeof(run->mmio.data))
		return -EBADMSG;
	m->is_write = run->mmio.is_write != 0;
	m->gpa = run->mmio.phys_addr;
	m->len = run->mmio.len;
	m->data = run->mmio.data;
	return 0;
}

static void decode_internal(const struct kvm_run *run, struct kvmw_exit_internal *in)
{
	uint32_t n = run->internal.ndata;

	in->suberror = run->internal.suberror;
	in->ndata = n < 16 ? n : 16;
	memcpy(in->data, run->internal.data, in->ndata * sizeof(in->data[0]));
}

static void decode_system_event(const struct kvm_run *run, struct kvmw_exit_system_event *ev)
{
	uint32_t n = run->system_event.ndata;

	ev->type = run->system_event.type;
	ev->ndata = n < 16 ? n : 16;
	memcpy(ev->data, run->system_event.data, ev->ndata * sizeof(ev->data[0]));
}

int kvmw_exit_decode(struct kvm_run *run, size_t run_size, struct kvmw_exit *out)
{
	if (!run || !out || run_size < sizeof(*run))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->raw_reason = run->exit_reason;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		out->reason = KVMW_EXIT_IO;
		return decode_io(run, run_size, &out->u.io);
	case KVM_EXIT_MMIO:
		out->reason = KVMW_EXIT_MMIO;
		return decode_mmio(run, &out->u.mmio);
	case KVM_EXIT_HLT:
		out->reason = KVMW_EXIT_HLT;
		return 0;
	case KVM_EXIT_SHUTDOWN:
		out->reason = KVMW_EXIT_SHUTDOWN;
		return 0;
	case KVM_EXIT_FAIL_ENTRY:
		out->reason = KVMW_EXIT_FAIL_ENTRY;
		out->u.fail_entry.hardware_reason = run->fail_entry.hardware_entry_failure_reason;
		out->u.fail_entry.cpu = run->fail_entry.cpu;
		return 0;
	case KVM_EXIT_INTERNAL_ERROR:
		out->reason = KVMW_EXIT_INTERNAL_ERROR;
		decode_internal(run, &out->u.internal);
		return 0;
	case KVM_EXIT_SYSTEM_EVENT:
		out->reason = KVMW_EXIT_SYSTEM_EVENT;
		decode_system_event(run, &out->u.system_event);
		return 0;
	case KVM_EXIT_DEBUG:
		out->reason = KVMW_EXIT_DEBUG;
		out->u.debug.exception = run->debug.arch.exception;
		out->u.debug.pc = run->debug.arch.pc;
		out->u.debug.dr6 = run->debug.arch.dr6;
		out->u.debug.dr7 = run->debug.arch.dr7;
		return 0;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		out->reason = KVMW_EXIT_IRQ_WINDOW_OPEN;
		return 0;
	case KVM_EXIT_INTR:
		out->reason = KVMW_EXIT_INTR;
		return 0;
	default:
		out->reason = KVMW_EXIT_OTHER;
		return 0;
	}
}

const char *kvmw_exit_reason_name(enum kvmw_exit_reason reason)
{
	switch (reason) {
	case KVMW_EXIT_IO: return "IO";
	case KVMW_EXIT_MMIO: return "MMIO";
	case KVMW_EXIT_HLT: return "HLT";
	case KVMW_EXIT_SHUTDOWN: return "SHUTDOWN";
	case KVMW_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVMW_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	case KVMW_EXIT_SYSTEM_EVENT: return "SYSTEM_EVENT";
	case KVMW_EXIT_DEBUG: return "DEBUG";
	case KVMW_EXIT_IRQ_WINDOW_OPEN: return "IRQ_WINDOW_OPEN";
	case KVMW_EXIT_INTR: return "INTR";
	case KVMW_EXIT_OTHER: return "OTHER";
	}
	return "?";
}

#define RAW(x) { KVM_EXIT_##x, "KVM_EXIT_" #x }

static const struct {
	uint32_t v;
	const char *name;
} raw_names[] = {
	RAW(UNKNOWN), RAW(EXCEPTION), RAW(IO), RAW(HYPERCALL), RAW(DEBUG), RAW(HLT),
	RAW(MMIO), RAW(IRQ_WINDOW_OPEN), RAW(SHUTDOWN), RAW(FAIL_ENTRY), RAW(INTR),
	RAW(SET_TPR), RAW(TPR_ACCESS), RAW(NMI), RAW(INTERNAL_ERROR), RAW(OSI),
	RAW(PAPR_HCALL), RAW(WATCHDOG), RAW(EPR), RAW(SYSTEM_EVENT), RAW(IOAPIC_EOI),
	RAW(HYPERV), RAW(X86_RDMSR), RAW(X86_WRMSR), RAW(DIRTY_RING_FULL),
	RAW(AP_RESET_HOLD), RAW(X86_BUS_LOCK), RAW(XEN), RAW(NOTIFY),
};

const char *kvmw_exit_raw_name(uint32_t raw_reason)
{
	for (size_t i = 0; i < sizeof(raw_names) / sizeof(raw_names[0]); i++)
		if (raw_names[i].v == raw_reason)
			return raw_names[i].name;
	return "KVM_EXIT_?";
}
