/* SPDX-License-Identifier: MIT */
/*
 * The one interface every device a VM composes offers the VM
 * (docs/architecture.md, "Devices in libvmm").  A device file builds its
 * model, puts it on a bus and registers a struct vmm_device; from then on
 * the lifecycle code (boot tables, pause, snapshot, restore, metrics,
 * teardown) walks the registry and never names a device kind.
 *
 * Threads: pause, resume and teardown run on the event loop thread (or
 * before it runs / after it stopped) with every vCPU parked or gone, so
 * they may change the device's loop watchers; save and restore run with
 * the VM paused; tick runs on the loop thread.  Each op takes the device's
 * own lock where the device model needs it.
 */
#ifndef VMM_DEVICE_H
#define VMM_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <vmm/vmm.h>

#define VMM_MAX_DEVICES 32u
#define VMM_DEVICE_NO_GSI UINT32_MAX

struct vmm__snapw;
struct vmm__snapr;

/* A NULL member is a no-op (save/restore: the device has no state). */
struct vmm_device_ops {
	/* Connect to the VM in KVM (ioeventfds, irqfds).  Devices are built
	 * while the VM is created on another thread, so nothing before this
	 * may use it; every model starts with its interrupt line low, as
	 * KVM's irqchip does, and moves it only once the guest runs. */
	int (*attach)(void *ctx);
	/* Quiesce: stop timers and host input, let I/O in flight land. */
	int (*pause)(void *ctx);
	void (*resume)(void *ctx);
	/* Back to the power-on state (the guest's view of a reset). */
	void (*reset)(void *ctx);
	int (*save)(void *ctx, struct vmm__snapw *w);
	int (*restore)(void *ctx, const struct vmm__snapr *r);
	void (*tick)(void *ctx, uint64_t now_ns);
	void (*metrics)(void *ctx, struct vmm_metrics *m);
	/* Frees everything the device holds, ctx included. */
	void (*teardown)(void *ctx);
};

enum vmm_device_space { VMM_SPACE_PIO, VMM_SPACE_MMIO };

struct vmm_device {
	const char *kind;		/* "virtio-blk", "serial", ... */
	uint32_t instance;		/* index among devices of its kind */
	const struct vmm_device_ops *ops;
	void *ctx;
	/* Its main window and interrupt, for the boot tables and the dump. */
	enum vmm_device_space space;
	uint64_t base, len;
	uint32_t gsi;			/* VMM_DEVICE_NO_GSI: none */
	bool virtio_mmio;		/* announce in the DSDT / on the cmdline */
};

struct vmm;

/* Adds dev (copied) to vm's registry; 0 or -1 with vm->err set. */
int vmm__device_add(struct vmm *vm, const struct vmm_device *dev);
/* Every device, in registration order. */
const struct vmm_device *vmm__device_at(const struct vmm *vm, uint32_t i);
uint32_t vmm__device_count(const struct vmm *vm);

/* Walks of the registry; the first failure stops a walk and names the
 * device in vm->err. */
int vmm__devices_attach(struct vmm *vm);
int vmm__devices_pause(struct vmm *vm);
void vmm__devices_resume(struct vmm *vm);
void vmm__devices_reset(struct vmm *vm);
int vmm__devices_save(struct vmm *vm, struct vmm__snapw *w);
int vmm__devices_restore(struct vmm *vm, const struct vmm__snapr *r);
void vmm__devices_tick(struct vmm *vm, uint64_t now_ns);
void vmm__devices_metrics(const struct vmm *vm, struct vmm_metrics *m);
/* In reverse order of registration; leaves the registry empty. */
void vmm__devices_teardown_all(struct vmm *vm);

#endif
