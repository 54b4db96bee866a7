// SPDX-License-Identifier: MIT
// The small fixed ports of the PC the boot tables announce
// (docs/boot-path.md): the port 0x80 boot timer, the ACPI sleep
// control/status and reset registers the FADT points at (S5 powers the VM
// off, the reset value resets it), and a fallback speaker/refresh latch at
// 0x61, which KVM's in-kernel PIT answers instead (see speaker_read()).
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "vmm_internal.h"

#define SPEAKER_PORT 0x61u

struct vmm_pc_ports {
	struct vmm *vm;
	struct vmm_bus_device speaker_bus, port80_bus, acpi_bus;
	uint8_t speaker;		/* port 0x61 latch */
	struct vmm_boot_timer boot_timer;
};

/*
 * Port 0x61 for a PIT without an in-kernel speaker.  cvmm does not reach
 * it: kvm_setup.c creates the PIT with KVM_PIT_SPEAKER_DUMMY, and KVM then
 * registers its own speaker device at 0x61 (kvm_create_pit(),
 * arch/x86/kvm/i8254.c), which answers with PIT channel 2's gate and
 * output.  Only if the PIT were created without that flag would accesses
 * to 0x61 exit to userspace and land here.  The port stays claimed on the
 * bus so no other device can be put at it.
 */
static void speaker_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data,
			 uint32_t size)
{
	struct vmm_pc_ports *p = ctx;

	(void)base;
	(void)off;
	/* Bit 4 is the DRAM refresh toggle some delay loops wait on. */
	p->speaker ^= 0x10;
	memset(data, 0, size);
	data[0] = p->speaker;
}

static void speaker_write(void *ctx, uint64_t base, uint64_t off, const uint8_t *data,
			  uint32_t size)
{
	struct vmm_pc_ports *p = ctx;

	(void)base;
	(void)off;
	(void)size;
	p->speaker = (uint8_t)((p->speaker & 0x10) | (data[0] & 0x0f));
}

static const struct vmm_bus_ops speaker_ops = { speaker_read, speaker_write };

static void port80_write(void *ctx, uint64_t base, uint64_t off, const uint8_t *data,
			 uint32_t size)
{
	struct vmm_pc_ports *p = ctx;

	(void)base;
	(void)off;
	(void)size;
	if (p->vm->cfg.boot_timer)
		vmm_boot_timer_mark(&p->boot_timer, data[0], vmm_monotonic_ns());
}

static const struct vmm_bus_ops port80_ops = { NULL, port80_write };

static void acpi_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data, uint32_t size)
{
	(void)ctx;
	(void)base;
	(void)off;
	memset(data, 0, size);	/* no wake status ever pending */
}

static void acpi_write(void *ctx, uint64_t base, uint64_t off, const uint8_t *data,
		       uint32_t size)
{
	struct vmm_pc_ports *p = ctx;
	uint64_t port = base + off;

	(void)size;
	if (port == LOADER_ACPI_SLEEP_CTL_PORT && loader_acpi_is_poweroff(data[0]))
		vmm__request_stop(p->vm, VMM_STOP_POWEROFF, "guest powered off (ACPI S5)");
	else if (port == LOADER_ACPI_RESET_PORT && data[0] == LOADER_ACPI_RESET_VALUE)
		vmm__request_stop(p->vm, VMM_STOP_RESET,
				  "guest reset through the ACPI reset register");
}

static const struct vmm_bus_ops acpi_ops = { acpi_read, acpi_write };

static void ports_reset(void *ctx)
{
	struct vmm_pc_ports *p = ctx;

	p->speaker = 0;
}

static void ports_metrics(void *ctx, struct vmm_metrics *m)
{
	struct vmm_pc_ports *p = ctx;

	m->boot_marks += p->boot_timer.count;
}

static const struct vmm_device_ops ports_ops = {
	.reset = ports_reset, .metrics = ports_metrics, .teardown = free,
};

static int add_port(struct vmm *vm, struct vmm_bus_device *dev, const char *name,
		    const struct vmm_bus_ops *ops, void *ctx, uint64_t base, uint64_t len)
{
	int r = vmm_bus_device_init(dev, name, ops, ctx);

	if (r == 0)
		r = vmm_bus_insert(vm->pio, dev, base, len);
	return r ? vmm__fail(vm, "%s at 0x%llx: %s", name, (unsigned long long)base,
			     strerror(-r)) : 0;
}

int vmm__pc_ports_add(struct vmm *vm)
{
	struct vmm_pc_ports *p = calloc(1, sizeof(*p));

	if (!p)
		return vmm__fail(vm, "PC ports: out of memory");
	p->vm = vm;
	vmm_boot_timer_init(&p->boot_timer, vm->cfg.start_ns, stderr);
	if (add_port(vm, &p->speaker_bus, "speaker", &speaker_ops, p, SPEAKER_PORT, 1) ||
	    add_port(vm, &p->port80_bus, "port80", &port80_ops, p, VMM_BOOT_TIMER_PORT, 1) ||
	    add_port(vm, &p->acpi_bus, "acpi-pm", &acpi_ops, p, LOADER_ACPI_SLEEP_CTL_PORT, 3) ||
	    vmm__device_add(vm, &(struct vmm_device){
		    .kind = "pc-ports", .ops = &ports_ops, .ctx = p, .space = VMM_SPACE_PIO,
		    .base = SPEAKER_PORT, .len = 1, .gsi = VMM_DEVICE_NO_GSI })) {
		free(p);
		return -1;
	}
	return 0;
}
