/* SPDX-License-Identifier: MIT */
/*
 * libvmm: one KVM virtual machine built from the cvmm libraries, following
 * the boot path of docs/boot-path.md on x86_64: KVM setup, guest memory split
 * around the MMIO hole, the event loop, the legacy devices (16550A, i8042,
 * CMOS RTC, speaker, port 0x80, ACPI sleep/reset ports), virtio-blk over
 * virtio-mmio, kernel/initramfs/command line, boot params or PVH start
 * info, E820, ACPI and MP tables, and one thread per vCPU.
 *
 *   struct vmm *vm;
 *   struct vmm_result res;
 *   if (vmm_new(&cfg, err, sizeof(err), &vm) == 0) {
 *           vmm_run(vm, &res);          // blocks until the guest stops
 *           vmm_free(vm);
 *           return res.exit_code;
 *   }
 *
 * Everything the guest controls is checked: device models take
 * (offset, size, value) only, guest memory goes through libvmmem's
 * accessors, and a misbehaving guest ends its own VM, never the host.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <stdint.h>
#include <stdio.h>

#include <vmm/config.h>
#include <vmm/exit.h>

#define VMM_MSG_MAX 512u

struct vmm;

/* Counters for the whole VM, readable after vmm_run(). */
struct vmm_metrics {
	uint64_t exits_io, exits_mmio, exits_other;
	uint64_t assists_int3, assists_int_n, assists_fwait;
	uint64_t assists_mxcsr, assists_fninit;	/* LDMXCSR/STMXCSR, FNINIT */
	uint64_t unclaimed_pio, unclaimed_mmio;
	uint64_t serial_tx_bytes, serial_rx_bytes, serial_dropped;
	uint64_t blk_notifies;
	uint64_t boot_marks;
};

struct vmm_result {
	enum vmm_stop_reason reason;
	int signo;		/* VMM_STOP_SIGNAL only */
	int exit_code;		/* vmm_exit_code(reason, signo) */
	char message[VMM_MSG_MAX]; /* one line: the panic text, the error... */
};

/*
 * Validates cfg, opens KVM and builds the whole machine, ready to run.
 * On failure returns -errno, writes one line naming the cause (and the
 * configuration field when one is to blame) into err, and leaves nothing
 * behind.  Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (they
 * are read by the event loop); call it before creating other threads.
 */
VMM_WUR int vmm_new(const struct vmm_config *cfg, char *err, size_t errlen,
		    struct vmm **out);

/*
 * Starts the vCPU threads and runs the event loop on the calling thread
 * until the guest stops for any reason.  Every thread is joined and the
 * terminal restored before it returns.  Returns the stop reason (also in
 * *res).  A VM runs once.
 */
enum vmm_stop_reason vmm_run(struct vmm *vm, struct vmm_result *res);

void vmm_get_metrics(const struct vmm *vm, struct vmm_metrics *out);

/* Frees everything; NULL is a no-op. */
void vmm_free(struct vmm *vm);

/* One line per library: "libvmm 0.1.0\nlibvmmem 0.1.0\n..." */
void vmm_print_versions(FILE *out);

#endif
