// SPDX-License-Identifier: MIT
// The legacy PC devices on the PIO bus (docs/boot-path.md): i8042 at 0x60/0x64
// (IRQ 1/12; its reset line ends the VM), the CMOS RTC at 0x70 (IRQ 8,
// interrupts on a timer), a speaker latch at 0x61, the port 0x80 boot
// timer, and the ACPI sleep/reset ports the FADT announces.  The serial
// console is in console.c.
#include <errno.h>
#include <string.h>
#include <time.h>

#include "vmm_internal.h"

void vmm__irq_line(struct vmm *vm, uint32_t gsi, bool level)
{
	int r = kvmw_vm_irq_line(vm->kvm, gsi, level);

	if (r)
		vmm__log(vm, VMM_LOG_WARN, "KVM_IRQ_LINE %u: %s", gsi, strerror(-r));
}

static void store_le(uint8_t *data, uint32_t size, uint64_t v)
{
	for (uint32_t i = 0; i < size; i++)
		data[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t load_le32(const uint8_t *data, uint32_t size)
{
	uint32_t v = 0;

	for (uint32_t i = 0; i < size && i < 4; i++)
		v |= (uint32_t)data[i] << (8 * i);
	return v;
}

/* ---- i8042 ---------------------------------------------------------- */

static void i8042_irq_kbd(void *ctx, bool level)
{
	vmm__irq_line(ctx, LOADER_I8042_KBD_IRQ, level);
}

static void i8042_irq_aux(void *ctx, bool level)
{
	vmm__irq_line(ctx, LOADER_I8042_AUX_IRQ, level);
}

static void i8042_reset(void *ctx)
{
	vmm__request_stop(ctx, VMM_STOP_RESET, "guest reset through the i8042 (0xFE)");
}

static void i8042_bus_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data,
			   uint32_t size)
{
	struct vmm *vm = ctx;
	uint32_t v;

	VMM_IGNORE(superio_i8042_read(&vm->i8042, base - LOADER_I8042_DATA_PORT + off, size, &v));
	store_le(data, size, v);
}

static void i8042_bus_write(void *ctx, uint64_t base, uint64_t off,
			    const uint8_t *data, uint32_t size)
{
	struct vmm *vm = ctx;

	VMM_IGNORE(superio_i8042_write(&vm->i8042, base - LOADER_I8042_DATA_PORT + off, size,
				  load_le32(data, size)));
}

static const struct vmm_bus_ops i8042_ops = { i8042_bus_read, i8042_bus_write };

/* ---- CMOS RTC ------------------------------------------------------- */

static uint64_t realtime_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cmos_irq(void *ctx, bool level)
{
	vmm__irq_line(ctx, LOADER_RTC_IRQ, level);
}

/* Loop thread: latch due events and arm the timer for the RTC's next one,
 * under the device lock.  force: the timer just fired, so it is disarmed
 * whatever armed_for says. */
static void cmos_arm(struct vmm *vm, bool force)
{
	struct vmm_cmos_dev *c = &vm->cmos;
	uint64_t deadline;
	int r = 0;

	pthread_mutex_lock(&c->bus.lock);
	superio_cmos_update(&c->rtc);
	deadline = superio_cmos_next_deadline(&c->rtc);
	if (force || deadline != c->armed_for) {
		c->armed_for = deadline;
		r = deadline == SUPERIO_NO_DEADLINE ? evmgr_timer_disarm(&c->timer)
						    : evmgr_timer_arm_at(&c->timer, deadline, 0);
	}
	pthread_mutex_unlock(&c->bus.lock);
	if (r)
		vmm__log(vm, VMM_LOG_WARN, "RTC timer: %s", strerror(-r));
}

static void cmos_rearm(struct evmgr_loop *loop, void *arg)
{
	struct vmm *vm = arg;

	(void)loop;
	atomic_store(&vm->cmos.rearm_posted, false);
	cmos_arm(vm, false);
}

static void cmos_timer(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	(void)t;
	(void)expirations;
	cmos_arm(data, true);
}

/* vCPU thread, device lock held: hand a changed deadline to the loop. */
static void cmos_check_deadline(struct vmm *vm)
{
	struct vmm_cmos_dev *c = &vm->cmos;

	if (superio_cmos_next_deadline(&c->rtc) == c->armed_for ||
	    atomic_exchange(&c->rearm_posted, true))
		return;
	if (evmgr_remote_post(vm->loop, cmos_rearm, vm)) {
		atomic_store(&c->rearm_posted, false);
		vmm__log(vm, VMM_LOG_WARN, "RTC: cannot post a timer update");
	}
}

static void cmos_bus_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data,
			  uint32_t size)
{
	struct vmm *vm = ctx;
	uint32_t v;

	(void)base;
	VMM_IGNORE(superio_cmos_read(&vm->cmos.rtc, off, size, &v));
	store_le(data, size, v);
	cmos_check_deadline(vm);
}

static void cmos_bus_write(void *ctx, uint64_t base, uint64_t off,
			   const uint8_t *data, uint32_t size)
{
	struct vmm *vm = ctx;

	(void)base;
	VMM_IGNORE(superio_cmos_write(&vm->cmos.rtc, off, size, load_le32(data, size)));
	cmos_check_deadline(vm);
}

static const struct vmm_bus_ops cmos_ops = { cmos_bus_read, cmos_bus_write };

/* ---- speaker latch (port 0x61) -------------------------------------- */

static void speaker_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data,
			 uint32_t size)
{
	struct vmm *vm = ctx;

	(void)base;
	(void)off;
	/* Bit 4 is the DRAM refresh toggle some delay loops wait on. */
	vm->speaker ^= 0x10;
	memset(data, 0, size);
	data[0] = vm->speaker;
}

static void speaker_write(void *ctx, uint64_t base, uint64_t off,
			  const uint8_t *data, uint32_t size)
{
	struct vmm *vm = ctx;

	(void)base;
	(void)off;
	(void)size;
	vm->speaker = (uint8_t)((vm->speaker & 0x10) | (data[0] & 0x0f));
}

static const struct vmm_bus_ops speaker_ops = { speaker_read, speaker_write };

/* ---- port 0x80 boot timer ------------------------------------------- */

static void port80_write(void *ctx, uint64_t base, uint64_t off, const uint8_t *data,
			 uint32_t size)
{
	struct vmm *vm = ctx;

	(void)base;
	(void)off;
	(void)size;
	if (vm->cfg.boot_timer)
		vmm_boot_timer_mark(&vm->boot_timer, data[0], vmm_monotonic_ns());
}

static const struct vmm_bus_ops port80_ops = { NULL, port80_write };

/* ---- ACPI sleep control / status / reset ports ---------------------- */

static void acpi_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data,
		      uint32_t size)
{
	(void)ctx;
	(void)base;
	(void)off;
	memset(data, 0, size);	/* no wake status ever pending */
}

static void acpi_write(void *ctx, uint64_t base, uint64_t off, const uint8_t *data,
		       uint32_t size)
{
	struct vmm *vm = ctx;
	uint64_t port = base + off;

	(void)size;
	if (port == LOADER_ACPI_SLEEP_CTL_PORT && loader_acpi_is_poweroff(data[0]))
		vmm__request_stop(vm, VMM_STOP_POWEROFF, "guest powered off (ACPI S5)");
	else if (port == LOADER_ACPI_RESET_PORT && data[0] == LOADER_ACPI_RESET_VALUE)
		vmm__request_stop(vm, VMM_STOP_RESET, "guest reset through the ACPI reset register");
}

static const struct vmm_bus_ops acpi_ops = { acpi_read, acpi_write };

static int add(struct vmm *vm, struct vmm_bus *bus, struct vmm_bus_device *dev,
	       uint64_t base, uint64_t len)
{
	int r = vmm_bus_insert(bus, dev, base, len);

	if (r)
		return vmm__fail(vm, "%s at 0x%llx: %s", dev->name,
				 (unsigned long long)base, strerror(-r));
	return 0;
}

static int init_dev(struct vmm *vm, struct vmm_bus_device *dev, const char *name,
		    const struct vmm_bus_ops *ops)
{
	int r = vmm_bus_device_init(dev, name, ops, vm);

	return r ? vmm__fail(vm, "%s: %s", name, strerror(-r)) : 0;
}

static int legacy_setup(struct vmm *vm)
{
	struct superio_i8042_config kc = {
		.kbd_irq = { i8042_irq_kbd, vm }, .aux_irq = { i8042_irq_aux, vm },
		.reset = i8042_reset, .reset_ctx = vm,
	};
	struct superio_cmos_config cc = {
		.irq = { cmos_irq, vm }, .clock = { realtime_ns, NULL },
	};
	int r;

	r = superio_i8042_init(&vm->i8042, &kc);
	if (r)
		return vmm__fail(vm, "i8042: %s", strerror(-r));
	r = superio_cmos_init(&vm->cmos.rtc, &cc);
	if (r)
		return vmm__fail(vm, "CMOS RTC: %s", strerror(-r));
	vm->cmos.armed_for = SUPERIO_NO_DEADLINE;
	r = evmgr_timer_open(vm->loop, &vm->cmos.timer, CLOCK_REALTIME, cmos_timer, vm);
	if (r)
		return vmm__fail(vm, "CMOS RTC timer: %s", strerror(-r));
	vmm_boot_timer_init(&vm->boot_timer, vm->cfg.start_ns, stderr);
	if (init_dev(vm, &vm->i8042_bus, "i8042", &i8042_ops) ||
	    init_dev(vm, &vm->cmos.bus, "cmos-rtc", &cmos_ops) ||
	    init_dev(vm, &vm->speaker_bus, "speaker", &speaker_ops) ||
	    init_dev(vm, &vm->port80_bus, "port80", &port80_ops) ||
	    init_dev(vm, &vm->acpi_bus, "acpi-pm", &acpi_ops))
		return -1;
	if (add(vm, vm->pio, &vm->i8042_bus, LOADER_I8042_DATA_PORT, 1) ||
	    add(vm, vm->pio, &vm->i8042_bus, LOADER_I8042_CMD_PORT, 1) ||
	    add(vm, vm->pio, &vm->cmos.bus, LOADER_RTC_PORT, SUPERIO_CMOS_WINDOW) ||
	    add(vm, vm->pio, &vm->speaker_bus, 0x61, 1) ||
	    add(vm, vm->pio, &vm->port80_bus, VMM_BOOT_TIMER_PORT, 1) ||
	    add(vm, vm->pio, &vm->acpi_bus, LOADER_ACPI_SLEEP_CTL_PORT, 3))
		return -1;
	return 0;
}

int vmm__devices_setup(struct vmm *vm)
{
	int r;

	r = vmm_bus_new("pio", &vm->pio);
	if (r == 0)
		r = vmm_bus_new("mmio", &vm->mmio);
	if (r)
		return vmm__fail(vm, "buses: %s", strerror(-r));
	if (legacy_setup(vm) || vmm__console_setup(vm))
		return -1;
	if (add(vm, vm->pio, &vm->serial.bus, LOADER_COM1_PORT, SUPERIO_SERIAL_NR_REGS))
		return -1;
	for (uint32_t i = 0; i < vm->cfg.nblocks; i++) {
		/* Counted even when it failed half-way, so teardown frees it. */
		int failed = vmm__blk_new(vm, i, &vm->blks[i]);

		if (vm->blks[i])
			vm->nblks++;
		if (failed)
			return -1;
	}
	/* The vsock device takes the virtio slot after the disks. */
	if (vm->cfg.vsock.enabled && vmm__vsock_new(vm, vm->cfg.nblocks, &vm->vsock))
		return -1;
	/* Then the network devices. */
	for (uint32_t i = 0; i < vm->cfg.nnets; i++) {
		uint32_t slot = vm->cfg.nblocks + (vm->vsock ? 1u : 0u) + i;
		int failed = vmm__net_new(vm, i, slot, &vm->nets[i]);

		if (vm->nets[i])
			vm->nnets_up++;
		if (failed)
			return -1;
	}
	return 0;
}

void vmm__devices_teardown(struct vmm *vm)
{
	for (uint32_t i = 0; i < vm->nblks; i++)
		vmm__blk_free(vm, vm->blks[i]);
	vm->nblks = 0;
	for (uint32_t i = 0; i < vm->nnets_up; i++)
		vmm__net_free(vm, vm->nets[i]);
	vm->nnets_up = 0;
	vmm__vsock_free(vm, vm->vsock);
	vm->vsock = NULL;
	evmgr_timer_close(&vm->cmos.timer);
	vmm_bus_free(vm->pio);
	vmm_bus_free(vm->mmio);
	vm->pio = vm->mmio = NULL;
}
