// SPDX-License-Identifier: MIT
// Everything written into guest memory before the first instruction
// (docs/boot-path.md): the kernel (bzImage, ELF with a 64-bit entry, or ELF via
// PVH), the initramfs, the command line, ACPI tables describing the CPUs,
// the IOAPIC, the legacy devices and the virtio-mmio windows, the MP table,
// and the boot params (64-bit entry) or the PVH start info.
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vmm_internal.h"

static int load_cmdline(struct vmm *vm, struct loader_cmdline *cl, char *buf, size_t cap)
{
	int r;

	loader_cmdline_init(cl, buf, cap);
	r = loader_cmdline_add_line(cl, vm->cfg.cmdline);
	if (r)
		return vmm__fail(vm, "kernel.cmdline=\"%s\": %s", vm->cfg.cmdline,
				 r == -ENOSPC ? "longer than the kernel accepts"
					      : "malformed (unbalanced quotes or control characters)");
	/* For kernels with VIRTIO_MMIO_CMDLINE_DEVICES and for the guest kit;
	 * stock kernels find the devices in the DSDT instead. */
	for (uint32_t i = 0; vm->cfg.virtio_cmdline && i < vmm__device_count(vm); i++) {
		const struct vmm_device *d = vmm__device_at(vm, i);

		if (!d->virtio_mmio)
			continue;
		r = loader_cmdline_add_virtio_mmio(cl, d->len, d->base, d->gsi);
		if (r)
			return vmm__fail(vm, "kernel.cmdline: no room for virtio_mmio.device= "
					 "of %s[%u] (%s)", d->kind, d->instance, strerror(-r));
	}
	r = loader_cmdline_write(vm->mem, LOADER_CMDLINE_START, cl);
	if (r)
		return vmm__fail(vm, "command line: %s", strerror(-r));
	return 0;
}

static int write_acpi(struct vmm *vm, uint64_t *rsdp)
{
	struct loader_acpi_virtio_mmio virtio[VMM_MAX_VIRTIO];
	struct loader_acpi_cfg ac = {
		.cpus = vm->cfg.vcpus, .lapic_addr = LOADER_LAPIC_START,
		.ioapic_addr = LOADER_IOAPIC_START, .ioapic_id = (uint8_t)vm->cfg.vcpus,
		.pcat_compat = true, .com1 = true, .i8042 = true, .i8042_aux = false,
		.rtc = true, .virtio = virtio, .n_virtio = 0,
		.reset_port = LOADER_ACPI_RESET_PORT, .reset_value = LOADER_ACPI_RESET_VALUE,
	};
	struct loader_acpi_layout lay;
	int r;

	for (uint32_t i = 0; i < vmm__device_count(vm); i++) {
		const struct vmm_device *d = vmm__device_at(vm, i);

		if (d->virtio_mmio && ac.n_virtio < VMM_MAX_VIRTIO)
			virtio[ac.n_virtio++] = (struct loader_acpi_virtio_mmio){
				.base = d->base, .size = (uint32_t)d->len, .gsi = d->gsi, .level = false,
			};
	}
	r = loader_acpi_write(vm->mem, LOADER_ACPI_START, LOADER_ACPI_SIZE, &ac, &lay);
	if (r)
		return vmm__fail(vm, "ACPI tables: %s", strerror(-r));
	*rsdp = lay.rsdp;
	return 0;
}

static int write_mptable(struct vmm *vm)
{
	struct loader_mptable_cfg mc = {
		.cpus = vm->cfg.vcpus, .lapic_addr = LOADER_LAPIC_START,
		.ioapic_addr = LOADER_IOAPIC_START, .ioapic_id = (uint8_t)vm->cfg.vcpus,
		.ioapic_pins = LOADER_IOAPIC_PINS,
	};
	int r = loader_mptable_write(vm->mem, LOADER_MPTABLE_START, LOADER_MPTABLE_SIZE,
				     &mc, NULL);

	return r ? vmm__fail(vm, "MP table: %s", strerror(-r)) : 0;
}

/* Guest RAM was mapped just before (memory-setup) and nothing has been
 * written to it, so it reads as zero: the loader need not fill an ELF
 * kernel's .bss, and its pages stay untouched until the guest uses them. */
static int load_kernel(struct vmm *vm)
{
	const struct loader_kernel_opts opts = { .memory_zeroed = true };
	int r = loader_kernel_load_fd(vm->mem, vm->input.kernel, &opts, &vm->kernel);

	close(vm->input.kernel);
	vm->input.kernel = -1;

	if (r == -ENOEXEC)
		return vmm__fail(vm, "kernel.path=%s: not a bzImage or x86_64 ELF kernel",
				 vm->cfg.kernel_path);
	if (r == -ENOTSUP)
		return vmm__fail(vm, "kernel.path=%s: unsupported kernel (old boot protocol "
				 "or another architecture)", vm->cfg.kernel_path);
	if (r == -EFAULT)
		return vmm__fail(vm, "kernel.path=%s: does not fit in memory.size_mib=%llu",
				 vm->cfg.kernel_path, (unsigned long long)vm->cfg.mem_mib);
	if (r == -EADDRINUSE) {
		char why[256];

		(void)loader_kernel_strerror(r, &vm->kernel, why, sizeof(why));
		return vmm__fail(vm, "kernel.path=%s: %s", vm->cfg.kernel_path, why);
	}
	if (r)
		return vmm__fail(vm, "kernel.path=%s: %s", vm->cfg.kernel_path, strerror(-r));
	/* ELF kernels with a PVH note are entered through it (docs/boot-path.md)
	 * unless kernel.boot says otherwise; others need a 64-bit entry. */
	vm->pvh = vm->kernel.format == LOADER_FORMAT_ELF && vm->kernel.has_pvh &&
		  vm->cfg.boot != VMM_BOOT_64BIT;
	if (vm->cfg.boot == VMM_BOOT_PVH && !vm->pvh)
		return vmm__fail(vm, "kernel.boot=pvh: %s has no PVH entry note",
				 vm->cfg.kernel_path);
	if (!vm->pvh && !vm->kernel.has_entry64)
		return vmm__fail(vm, "kernel.path=%s: no 64-bit or PVH entry point",
				 vm->cfg.kernel_path);
	return 0;
}

/* Needs guest RAM only, not the VM: vmm_new() runs it while KVM sets up. */
int vmm__kernel_load(struct vmm *vm)
{
	int r;

	if (load_kernel(vm))
		return -1;
	if (!vm->cfg.initramfs_path[0])
		return 0;
	r = loader_initrd_load_fd(vm->mem, vm->input.initramfs, 0, &vm->kernel, &vm->initrd);
	close(vm->input.initramfs);
	vm->input.initramfs = -1;
	if (r)
		return vmm__fail(vm, "initramfs.path=%s: %s", vm->cfg.initramfs_path,
				 r == -ENOSPC ? "does not fit in guest memory" : strerror(-r));
	return 0;
}

/* After the devices, whose addresses go into the command line and tables. */
int vmm__boot_setup(struct vmm *vm)
{
	static char cmdline[LOADER_CMDLINE_MAX_SIZE];
	const struct loader_initrd initrd = vm->initrd;
	struct loader_cmdline cl;
	struct loader_e820 e820;
	uint64_t rsdp = 0;
	size_t cap;
	int r;

	/* cmdline_max 0 (a bzImage announcing cmdline_size 0) means no
	 * command line: the builder says so up front, as the boot params
	 * would refuse any. */
	cap = vm->kernel.cmdline_max + 1u;
	if (cap > sizeof(cmdline))
		cap = sizeof(cmdline);
	if (load_cmdline(vm, &cl, cmdline, cap))
		return -1;
	if (vm->cfg.acpi && write_acpi(vm, &rsdp))
		return -1;
	if (vm->cfg.mptable && write_mptable(vm))
		return -1;
	r = loader_e820_build(vm->mem, &e820);
	if (r)
		return vmm__fail(vm, "E820 map: %s", strerror(-r));
	if (vm->pvh) {
		struct loader_pvh_cfg pc = {
			.cmdline_addr = LOADER_CMDLINE_START, .initrd_addr = initrd.addr,
			.initrd_size = initrd.size, .rsdp_addr = rsdp, .e820 = &e820,
		};
		r = loader_pvh_write(vm->mem, LOADER_PVH_INFO_START, LOADER_PVH_INFO_SIZE, &pc);
	} else {
		struct loader_boot_params_cfg bc = {
			.kernel = &vm->kernel, .cmdline_addr = LOADER_CMDLINE_START,
			.cmdline_len = (uint32_t)cl.len, .initrd_addr = initrd.addr,
			.initrd_size = initrd.size, .rsdp_addr = rsdp, .e820 = &e820,
		};
		r = loader_boot_params_write(vm->mem, LOADER_ZERO_PAGE_START, &bc);
	}
	if (r)
		return vmm__fail(vm, "%s: %s", vm->pvh ? "PVH start info" : "boot params",
				 strerror(-r));
	vmm__log(vm, VMM_LOG_INFO, "kernel %s: %s entry 0x%llx, %llu MiB, %u vCPU(s)",
		 vm->cfg.kernel_path, vm->pvh ? "PVH" : "64-bit",
		 (unsigned long long)(vm->pvh ? vm->kernel.pvh_entry : vm->kernel.entry),
		 (unsigned long long)vm->cfg.mem_mib, vm->cfg.vcpus);
	return 0;
}
