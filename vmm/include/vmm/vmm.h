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

/* Counters for the whole VM, readable from any thread once vmm_new() has
 * returned (each counter is exact; together they are not one snapshot). */
struct vmm_metrics {
	uint64_t exits_io, exits_mmio, exits_other;
	uint64_t assists_int3, assists_int_n, assists_fwait;
	uint64_t assists_mxcsr, assists_fninit;	/* LDMXCSR/STMXCSR, FNINIT */
	uint64_t unclaimed_pio, unclaimed_mmio;
	uint64_t serial_tx_bytes, serial_rx_bytes, serial_dropped;
	uint64_t blk_notifies;
	uint64_t blk_requests, blk_errors, blk_throttled;	/* all disks */
	uint64_t boot_marks;
	/* QueueNotify writes that reached userspace through an MMIO exit, all
	 * virtio devices: 0 while every notification is taken by its queue's
	 * ioeventfd in the kernel (a value naming no queue still comes here). */
	uint64_t virtio_notify_exits;
	/* The event loop (libevmgr): wake-ups, callbacks, remote calls. */
	uint64_t loop_batches, loop_events, loop_remote_calls;
	/* Every virtio-net device: frames and bytes delivered each way, frames
	 * dropped (TX: malformed, over-long, bad header, link down, backend
	 * error; RX: too short, an offload not negotiated, no room in
	 * VNET_RX_MAX_BUFS merged buffers or in one buffer, backend error), and
	 * rate-limiter refusals. */
	uint64_t net_rx_frames, net_rx_bytes, net_tx_frames, net_tx_bytes;
	uint64_t net_rx_dropped, net_tx_dropped, net_throttled;
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

/*
 * Pause and resume a running VM from any thread but the one in vmm_run()
 * (docs/snapshot.md): pause returns once every vCPU is parked, disk I/O in
 * flight has landed and device timers and host input are stopped; resume
 * continues exactly there, with the guest's kvmclock and TSCs as they were
 * at the pause.  Pausing a paused VM or resuming a running one does
 * nothing.  -ESHUTDOWN once the VM is stopping; otherwise -errno with one
 * line in err.
 */
VMM_WUR int vmm_pause(struct vmm *vm, char *err, size_t errlen);
VMM_WUR int vmm_resume(struct vmm *vm, char *err, size_t errlen);
bool vmm_is_paused(struct vmm *vm);

/* Blocks until vmm_run() (on another thread) has started the VM, or has
 * given up starting it; pause and snapshot calls are accepted from then. */
void vmm_wait_started(struct vmm *vm);

/* Presses and releases Ctrl+Alt+Del on the i8042 keyboard (a Linux guest
 * reboots, or does what its init says); -ENOSPC when the keyboard's queue
 * is full. */
VMM_WUR int vmm_send_ctrl_alt_del(struct vmm *vm);

/*
 * Snapshot of a paused VM (docs/snapshot.md): a state file and a memory
 * file, both created (mode 0600) or replaced atomically.  -EBUSY when the
 * VM is running; -errno with one line in err otherwise.
 */
VMM_WUR int vmm_snapshot_create(struct vmm *vm, const char *state_path,
				const char *mem_path, char *err, size_t errlen);

/*
 * Builds a VM from a snapshot, paused: vmm_run() then starts it with its
 * vCPUs parked until vmm_resume().  The machine (memory, vCPUs, devices,
 * disks by path) comes from the state file; host is the caller's
 * configuration for what belongs to this host: console output and input,
 * log level, KVM path, dump signal, start time.  Everything is checked
 * before the first vCPU exists; a truncated, corrupted, wrong-version or
 * wrong-host-CPU snapshot gets one line in err and nothing is left built.
 */
VMM_WUR int vmm_restore(const struct vmm_config *host, const char *state_path,
			const char *mem_path, char *err, size_t errlen, struct vmm **out);

void vmm_get_metrics(const struct vmm *vm, struct vmm_metrics *out);

/* The machine's configuration (for a restored VM: the snapshot's machine
 * with the host settings it was restored with). */
void vmm_get_config(const struct vmm *vm, struct vmm_config *out);

/* Frees everything; NULL is a no-op. */
void vmm_free(struct vmm *vm);

/* One line per library: "libvmm 0.1.0\nlibvmmem 0.1.0\n..." */
void vmm_print_versions(FILE *out);

#endif
