/* SPDX-License-Identifier: MIT */
/*
 * The device kinds libvmm composes, each in its own file, and the registry
 * they join (device.h).  Every constructor builds its device, puts it on
 * its bus and registers it; on failure it frees what it built and leaves
 * the reason in vm->err.  Save and restore use the codecs of snap_codec.h.
 */
#ifndef VMM_DEVICES_H
#define VMM_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include <rlim/ratelimit.h>
#include <vmm/config.h>

#include "device.h"
#include "snap_codec.h"

struct vmm;

int vmm__devices_setup(struct vmm *vm);	/* buses + every device in order */
void vmm__devices_teardown(struct vmm *vm);

int vmm__i8042_add(struct vmm *vm);		/* pc_i8042.c */
int vmm__cmos_add(struct vmm *vm);		/* pc_cmos.c */
int vmm__pc_ports_add(struct vmm *vm);		/* pc_ports.c */
int vmm__console_add(struct vmm *vm);		/* console.c */
int vmm__blk_add(struct vmm *vm, uint32_t index, uint32_t slot);	/* blk.c */
int vmm__vsock_add(struct vmm *vm, uint32_t slot);			/* vsock.c */
int vmm__net_add(struct vmm *vm, uint32_t index, uint32_t slot);	/* net.c */

/* A configured limiter as libratelimit's configuration on the monotonic
 * clock; false when it limits nothing (the device then gets no limiter). */
bool vmm__rlim_config(const struct vmm_rate_limit *l, struct rlim_config *rc);

/* Presses Ctrl+Alt+Del on the i8042's keyboard; -ENODEV without one. */
int vmm__i8042_send_ctrl_alt_del(struct vmm *vm);

#endif
