// SPDX-License-Identifier: MIT
// The i8042 keyboard controller at ports 0x60 and 0x64 (IRQ 1 and 12):
// libsuperio's model with a PS/2 keyboard attached, on the PIO bus; its CPU-reset
// line ends the VM, and the host can press Ctrl+Alt+Del on the keyboard.
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <superio/superio.h>

#include "devices.h"
#include "vmm_internal.h"
#include "virtio_mmio.h"

struct vmm_i8042 {
	struct vmm *vm;
	struct superio_i8042 kbc;
	struct vmm_bus_device bus;
};

static void irq_kbd(void *ctx, bool level)
{
	struct vmm_i8042 *k = ctx;

	vmm__irq_line(k->vm, LOADER_I8042_KBD_IRQ, level);
}

static void irq_aux(void *ctx, bool level)
{
	struct vmm_i8042 *k = ctx;

	vmm__irq_line(k->vm, LOADER_I8042_AUX_IRQ, level);
}

static void cpu_reset(void *ctx)
{
	struct vmm_i8042 *k = ctx;

	vmm__request_stop(k->vm, VMM_STOP_RESET, "guest reset through the i8042 (0xFE)");
}

static void bus_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data, uint32_t size)
{
	struct vmm_i8042 *k = ctx;
	uint32_t v;

	VMM_IGNORE(superio_i8042_read(&k->kbc, base - LOADER_I8042_DATA_PORT + off, size, &v));
	vmm__le_store(v, data, size);
}

static void bus_write(void *ctx, uint64_t base, uint64_t off, const uint8_t *data,
		      uint32_t size)
{
	struct vmm_i8042 *k = ctx;

	VMM_IGNORE(superio_i8042_write(&k->kbc, base - LOADER_I8042_DATA_PORT + off, size,
				       (uint32_t)vmm__le_load(data, size)));
}

static const struct vmm_bus_ops i8042_bus_ops = { bus_read, bus_write };

static void i8042_reset(void *ctx)
{
	struct vmm_i8042 *k = ctx;

	pthread_mutex_lock(&k->bus.lock);
	superio_i8042_reset(&k->kbc);
	pthread_mutex_unlock(&k->bus.lock);
}

static int i8042_save(void *ctx, struct vmm__snapw *w)
{
	struct vmm_i8042 *k = ctx;
	struct superio_i8042_state st;

	pthread_mutex_lock(&k->bus.lock);
	superio_i8042_save(&k->kbc, &st);
	pthread_mutex_unlock(&k->bus.lock);
	vmm__snap_put_i8042(w, &st);
	return 0;
}

static int i8042_restore(void *ctx, const struct vmm__snapr *rd)
{
	struct vmm_i8042 *k = ctx;
	struct superio_i8042_state st;
	int r = vmm__snap_get_i8042(rd, &st, k->vm->err, sizeof(k->vm->err));

	if (r)
		return -1;
	pthread_mutex_lock(&k->bus.lock);
	r = superio_i8042_restore(&k->kbc, &st);
	pthread_mutex_unlock(&k->bus.lock);
	return r ? vmm__fail(k->vm, "snapshot: i8042 state refused: %s", strerror(-r)) : 0;
}

static void i8042_teardown(void *ctx)
{
	free(ctx);
}

static const struct vmm_device_ops i8042_ops = {
	.reset = i8042_reset, .save = i8042_save, .restore = i8042_restore,
	.teardown = i8042_teardown,
};

int vmm__i8042_add(struct vmm *vm)
{
	struct vmm_i8042 *k = calloc(1, sizeof(*k));
	int r;

	if (!k)
		return vmm__fail(vm, "i8042: out of memory");
	k->vm = vm;
	r = superio_i8042_init(&k->kbc, &(struct superio_i8042_config){
		.kbd_irq = { irq_kbd, k }, .aux_irq = { irq_aux, k },
		.reset = cpu_reset, .reset_ctx = k,
		/* A keyboard Linux's atkbd binds to, so that the host can press
		 * Ctrl+Alt+Del on it (the API's SendCtrlAltDel). */
		.kbd_present = true });
	if (r == 0)
		r = vmm_bus_device_init(&k->bus, "i8042", &i8042_bus_ops, k);
	if (r == 0)
		r = vmm_bus_insert(vm->pio, &k->bus, LOADER_I8042_DATA_PORT, 1);
	if (r == 0)
		r = vmm_bus_insert(vm->pio, &k->bus, LOADER_I8042_CMD_PORT, 1);
	if (r) {
		free(k);
		return vmm__fail(vm, "i8042: %s", strerror(-r));
	}
	if (vmm__device_add(vm, &(struct vmm_device){
		    .kind = "i8042", .ops = &i8042_ops, .ctx = k, .space = VMM_SPACE_PIO,
		    .base = LOADER_I8042_DATA_PORT, .len = 5, .gsi = LOADER_I8042_KBD_IRQ })) {
		free(k);
		return -1;
	}
	return 0;
}

/* The registry holds the controller; Ctrl+Alt+Del is pressed on its
 * keyboard (libsuperio/README.md, "i8042"). */
int vmm__i8042_send_ctrl_alt_del(struct vmm *vm)
{
	for (uint32_t i = 0; i < vmm__device_count(vm); i++) {
		const struct vmm_device *d = vmm__device_at(vm, i);
		struct vmm_i8042 *k = d->ctx;
		int r;

		if (d->ops != &i8042_ops)
			continue;
		pthread_mutex_lock(&k->bus.lock);
		r = superio_i8042_send_ctrl_alt_del(&k->kbc);
		pthread_mutex_unlock(&k->bus.lock);
		return r;
	}
	return -ENODEV;
}
