// SPDX-License-Identifier: MIT
// Writes the seed corpus of the snapshot fuzz target (vmm/fuzz/corpus/
// snapshot): one valid state file with a section of every type, and one
// small file per section type.  Usage: vmm-snap-seeds DIR
#include <stdio.h>
#include <stdlib.h>

#include "snap_fill.h"

static int write_one(const char *dir, const char *name, struct vmm__snapw *w)
{
	char path[4096], err[512];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = vmm__snapw_write_file(w, path, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s\n", err);
	vmm__snapw_free(w);
	return rc;
}

static struct vmm__snapw *fresh(void)
{
	struct vmm__snapw *w;

	if (vmm__snapw_new(&w, "seed"))
		exit(1);
	return w;
}

int main(int argc, char **argv)
{
	static struct kvmw_vcpu_state vcpu;
	static struct vmm_config cfg;
	struct superio_serial_state ser;
	struct kvm_irqchip chip;
	struct vmm__snap_mem_layout layout;
	struct vmm__snap_host_cpu host;
	static struct vnet_device_state net;
	struct vmm__snapw *w;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	w = fresh();
	fill_full_state(w);
	rc |= write_one(argv[1], "full", w);
	w = fresh();
	fill_config(&cfg);
	vmm__snap_put_config(w, &cfg);
	rc |= write_one(argv[1], "config", w);
	w = fresh();
	fill_vcpu(&vcpu);
	vcpu.xsave_len = 64;	/* small, so mutations stay cheap */
	vcpu.cpuid.nent = 4;
	vcpu.nmsrs = 4;
	vmm__snap_put_vcpu(w, 0, &vcpu);
	rc |= write_one(argv[1], "vcpu", w);
	w = fresh();
	fill_serial(&ser);
	vmm__snap_put_serial(w, 0, &ser);
	fill_irqchip(&chip, KVM_IRQCHIP_IOAPIC);
	vmm__snap_put_irqchip(w, &chip);
	fill_irqchip(&chip, KVM_IRQCHIP_PIC_MASTER);
	vmm__snap_put_irqchip(w, &chip);
	rc |= write_one(argv[1], "serial-irqchip", w);
	w = fresh();
	fill_layout(&layout);
	vmm__snap_put_mem_layout(w, &layout);
	fill_host_cpu(&host);
	vmm__snap_put_host_cpu(w, &host);
	rc |= write_one(argv[1], "layout-hostcpu", w);
	w = fresh();
	fill_mmio(&net.mmio, 2);
	vmm__snap_put_net(w, 0, &net);
	rc |= write_one(argv[1], "net", w);
	return rc ? 1 : 0;
}
