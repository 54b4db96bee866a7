// SPDX-License-Identifier: MIT
// libFuzzer target for snapshot state files (snap_file.h, snap_codec.h):
// the input is parsed as a state file, then parsed again after its section
// and header CRCs are recomputed, so that mutations reach the table checks
// and every decoder instead of stopping at a CRC mismatch.  Each section
// found is run through the decoder of its type.  Invariants: no crash or
// sanitizer report; a failure leaves one non-empty line; a decoded state
// has its counts within its arrays and its strings NUL-terminated.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "snap_codec.h"
#include "snap_hostcpu.h"
#include "snap_le.h"
#include "snap_memory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char err[512];
/* A host whose KVM lists nothing as supported. */
static const struct kvmw_cpuid empty;

static void check_err(int rc)
{
	if (rc && (!err[0] || strchr(err, '\n')))
		__builtin_trap();
}

static void check_config(const struct vmm_config *c)
{
	if (c->nblocks > VMM_MAX_BLOCKS || c->nnets > VMM_MAX_NETS ||
	    !memchr(c->kernel_path, 0, sizeof(c->kernel_path)) ||
	    !memchr(c->cmdline, 0, sizeof(c->cmdline)) ||
	    strlen(c->vsock.uds_path) > VMM_VSOCK_UDS_MAX)
		__builtin_trap();
	for (uint32_t i = 0; i < c->nnets; i++)
		if (strlen(c->nets[i].tap) > VMM_TAP_NAME_MAX)
			__builtin_trap();
}

static struct {
	struct vmm_config cfg;
	struct kvmw_vcpu_state vcpu;
	struct vmm__snap_host_cpu host;
	struct vmm__snap_mem_layout layout;
	struct kvm_irqchip chip;
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clk;
	struct superio_serial_state ser;
	struct superio_i8042_state kbd;
	struct superio_cmos_state cmos;
	struct vblk_device_state blk;
	struct vnet_device_state net;
	struct vsock_device_state vsock;
} s;

static int decode_vcpu(const struct vmm__snapr *r, uint32_t inst)
{
	int rc = vmm__snap_get_vcpu(r, inst, &s.vcpu, err, sizeof(err));

	if (!rc && (s.vcpu.nmsrs > KVMW_STATE_MAX_MSRS ||
		    s.vcpu.xsave_len > KVMW_XSAVE_MAX_SIZE ||
		    s.vcpu.cpuid.nent > KVMW_CPUID_MAX_ENTRIES ||
		    s.vcpu.xcrs.nr_xcrs > KVM_MAX_XCRS))
		__builtin_trap();
	/* The guest CPUID against itself, as the supported list or as what KVM
	 * gave a vCPU: always compatible. */
	if (!rc && (vmm__snap_host_check(&s.host, &s.host, &s.vcpu.cpuid,
					 &(struct vmm__snap_host_offer){ &s.vcpu.cpuid, NULL },
					 err, sizeof(err)) ||
		    vmm__snap_host_check(&s.host, &s.host, &s.vcpu.cpuid,
					 &(struct vmm__snap_host_offer){ &empty, &s.vcpu.cpuid },
					 err, sizeof(err))))
		__builtin_trap();
	return rc;
}

static int decode(const struct vmm__snapr *r, uint32_t type, uint32_t inst)
{
	int rc;

	switch (type) {
	case VMM__SNAP_CONFIG:
		rc = vmm__snap_get_config(r, &s.cfg, err, sizeof(err));
		if (!rc)
			check_config(&s.cfg);
		return rc;
	case VMM__SNAP_HOST_CPU:
		return vmm__snap_get_host_cpu(r, &s.host, err, sizeof(err));
	case VMM__SNAP_MEM_LAYOUT:
		return vmm__snap_get_mem_layout(r, &s.layout, err, sizeof(err));
	case VMM__SNAP_VCPU: return decode_vcpu(r, inst);
	case VMM__SNAP_IRQCHIP:
		return vmm__snap_get_irqchip(r, inst, &s.chip, err, sizeof(err));
	case VMM__SNAP_PIT: return vmm__snap_get_pit(r, &s.pit, err, sizeof(err));
	case VMM__SNAP_CLOCK: return vmm__snap_get_clock(r, &s.clk, err, sizeof(err));
	case VMM__SNAP_SERIAL:
		return vmm__snap_get_serial(r, inst, &s.ser, err, sizeof(err));
	case VMM__SNAP_I8042: return vmm__snap_get_i8042(r, &s.kbd, err, sizeof(err));
	case VMM__SNAP_CMOS: return vmm__snap_get_cmos(r, &s.cmos, err, sizeof(err));
	case VMM__SNAP_BLK: return vmm__snap_get_blk(r, inst, &s.blk, err, sizeof(err));
	case VMM__SNAP_NET: return vmm__snap_get_net(r, inst, &s.net, err, sizeof(err));
	case VMM__SNAP_VSOCK: return vmm__snap_get_vsock(r, &s.vsock, err, sizeof(err));
	default: return 0;
	}
}

static void parse_and_decode(const uint8_t *data, size_t size)
{
	struct vmm__snapr *r = NULL;
	uint32_t type, inst, ver;
	int rc;

	err[0] = 0;
	rc = vmm__snapr_parse(&r, data, size, "fuzz", err, sizeof(err));
	check_err(rc);
	if (rc)
		return;
	for (size_t i = 0; i < vmm__snapr_count(r); i++) {
		if (vmm__snapr_section(r, i, &type, &inst, &ver))
			__builtin_trap();
		err[0] = 0;
		check_err(decode(r, type, inst));
	}
	vmm__snapr_free(r);
}

/* Recomputes every CRC the table lets us find, so decoders see mutations. */
static void reseal(uint8_t *b, size_t n)
{
	uint64_t count, table_end;

	if (n < VMM__SNAP_HEADER_SIZE)
		return;
	count = vmm__le32_get(b + 12);
	table_end = VMM__SNAP_HEADER_SIZE + count * VMM__SNAP_ENTRY_SIZE;
	if (count > VMM__SNAP_MAX_SECTIONS || table_end > n)
		return;
	vmm__le64_put(b + 48, n);
	for (uint64_t i = 0; i < count; i++) {
		uint8_t *e = b + VMM__SNAP_HEADER_SIZE + i * VMM__SNAP_ENTRY_SIZE;
		uint64_t off = vmm__le64_get(e + 16), len = vmm__le64_get(e + 24);

		if (off <= n && len <= n - off)
			vmm__le32_put(e + 12, vmm__crc32c(0, b + off, (size_t)len));
	}
	vmm__le32_put(b + 60, vmm__snap_header_crc(b, (size_t)table_end));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size > VMM__SNAP_MAX_FILE)
		return 0;
	parse_and_decode(data, size);
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	reseal(copy, size);
	parse_and_decode(copy, size);
	free(copy);
	return 0;
}
