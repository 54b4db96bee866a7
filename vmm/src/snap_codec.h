/* SPDX-License-Identifier: MIT */
/*
 * Codecs of every state a cvmm snapshot holds (docs/snapshot.md,
 * "Sections"): each put_ function writes one section of a state file,
 * field by field in little-endian order; each get_ function finds the
 * section, checks its version, decodes it into a zeroed struct, checks
 * counts and string lengths against the struct's arrays and that the
 * section is consumed exactly.  get_ functions return 0 or -errno
 * (-ENOENT missing, -ENOTSUP section version, -EBADMSG malformed) with one
 * line in err.  Semantic checks (register values, queue addresses) stay
 * with each library's restore function, which already validates.
 */
#ifndef VMM_SNAP_CODEC_H
#define VMM_SNAP_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include <kvmwrap/system.h>
#include <kvmwrap/vcpu.h>
#include <superio/cmos.h>
#include <superio/i8042.h>
#include <superio/serial.h>
#include <vblk/device.h>
#include <virtq/mmio.h>
#include <vmm/config.h>
#include <vnet/device.h>
#include <vsock/device.h>

#include "snap_file.h"

/* Section versions (the table entry's version field): the version each
 * put_ function writes.  config reads 1 too (docs/snapshot.md). */
#define VMM__SNAP_CONFIG_V 2u
#define VMM__SNAP_HOST_CPU_V 1u
#define VMM__SNAP_MEM_LAYOUT_V 1u
#define VMM__SNAP_VCPU_V 1u
#define VMM__SNAP_IRQCHIP_V 1u
#define VMM__SNAP_PIT_V 1u
#define VMM__SNAP_CLOCK_V 1u
#define VMM__SNAP_SERIAL_V 1u
#define VMM__SNAP_I8042_V 1u
#define VMM__SNAP_CMOS_V 1u
#define VMM__SNAP_BLK_V 1u
#define VMM__SNAP_NET_V 1u
#define VMM__SNAP_VSOCK_V 1u

/* A u64 into a kernel __u64 (unsigned long long, not uint64_t's type). */
static inline int vmm__snapc_k64(struct vmm__snapc *c, __u64 *v)
{
	uint64_t t = 0;
	int rc = vmm__snapc_u64(c, &t);

	if (!rc)
		*v = t;
	return rc;
}

/* Machine configuration (snap_codec_config.c). */
void vmm__snap_put_config(struct vmm__snapw *w, const struct vmm_config *cfg);
int vmm__snap_get_config(const struct vmm__snapr *r, struct vmm_config *cfg,
			 char *err, size_t errlen);

/* Legacy devices (snap_codec_dev.c); instance is the port/device index. */
void vmm__snap_put_serial(struct vmm__snapw *w, uint32_t instance,
			  const struct superio_serial_state *s);
int vmm__snap_get_serial(const struct vmm__snapr *r, uint32_t instance,
			 struct superio_serial_state *s, char *err, size_t errlen);
void vmm__snap_put_i8042(struct vmm__snapw *w, const struct superio_i8042_state *s);
int vmm__snap_get_i8042(const struct vmm__snapr *r, struct superio_i8042_state *s,
			char *err, size_t errlen);
void vmm__snap_put_cmos(struct vmm__snapw *w, const struct superio_cmos_state *s);
int vmm__snap_get_cmos(const struct vmm__snapr *r, struct superio_cmos_state *s,
		       char *err, size_t errlen);

/* virtio devices (snap_codec_virtio.c); instance is the device index. */
void vmm__snap_put_blk(struct vmm__snapw *w, uint32_t instance,
		       const struct vblk_device_state *s);
int vmm__snap_get_blk(const struct vmm__snapr *r, uint32_t instance,
		      struct vblk_device_state *s, char *err, size_t errlen);
void vmm__snap_put_net(struct vmm__snapw *w, uint32_t instance,
		       const struct vnet_device_state *s);
int vmm__snap_get_net(const struct vmm__snapr *r, uint32_t instance,
		      struct vnet_device_state *s, char *err, size_t errlen);
void vmm__snap_put_vsock(struct vmm__snapw *w, const struct vsock_device_state *s);
int vmm__snap_get_vsock(const struct vmm__snapr *r, struct vsock_device_state *s,
			char *err, size_t errlen);
/* The transport part alone, inside an open section / cursor. */
void vmm__snap_enc_mmio(struct vmm__snapw *w, const struct virtq_mmio_state *s);
int vmm__snap_dec_mmio(struct vmm__snapc *c, struct virtq_mmio_state *s);

/* KVM state (snap_codec_kvm.c, snap_codec_vcpu.c). */
void vmm__snap_put_vcpu(struct vmm__snapw *w, uint32_t index,
			const struct kvmw_vcpu_state *st);
int vmm__snap_get_vcpu(const struct vmm__snapr *r, uint32_t index,
		       struct kvmw_vcpu_state *st, char *err, size_t errlen);
/* The instance is chip->chip_id (KVM_IRQCHIP_PIC_MASTER/SLAVE/IOAPIC). */
void vmm__snap_put_irqchip(struct vmm__snapw *w, const struct kvm_irqchip *chip);
int vmm__snap_get_irqchip(const struct vmm__snapr *r, uint32_t chip_id,
			  struct kvm_irqchip *chip, char *err, size_t errlen);
void vmm__snap_put_pit(struct vmm__snapw *w, const struct kvm_pit_state2 *pit);
int vmm__snap_get_pit(const struct vmm__snapr *r, struct kvm_pit_state2 *pit,
		      char *err, size_t errlen);
void vmm__snap_put_clock(struct vmm__snapw *w, const struct kvm_clock_data *clk);
int vmm__snap_get_clock(const struct vmm__snapr *r, struct kvm_clock_data *clk,
			char *err, size_t errlen);
/* A kvmw_cpuid inside an open section / cursor (also used by the host check). */
void vmm__snap_enc_cpuid(struct vmm__snapw *w, const struct kvmw_cpuid *id);
int vmm__snap_dec_cpuid(struct vmm__snapc *c, struct kvmw_cpuid *id);

#endif
