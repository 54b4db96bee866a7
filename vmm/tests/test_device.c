// SPDX-License-Identifier: MIT
// The device registry (vmm/src/device.h): registration order, the limit,
// every walk, a failed attach that stops the walk, a failed pause that
// leaves nothing paused, and teardown in reverse order.  Fake devices
// record what was called on them.
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "vmm_internal.h"

static char journal[256];

struct fake {
	char name;
	bool fail_attach, fail_pause;
	uint64_t tx;
};

static void note(const struct fake *f, char what)
{
	size_t n = strlen(journal);

	if (n + 2 < sizeof(journal)) {
		journal[n] = what;
		journal[n + 1] = f->name;
		journal[n + 2] = '\0';
	}
}

static int fake_attach(void *ctx)
{
	struct fake *f = ctx;

	note(f, 'w');
	return f->fail_attach ? -1 : 0;
}

static int fake_pause(void *ctx)
{
	struct fake *f = ctx;

	note(f, 'p');
	return f->fail_pause ? -1 : 0;
}

static void fake_resume(void *ctx) { note(ctx, 'r'); }
static void fake_reset(void *ctx) { note(ctx, 'z'); }
static void fake_tick(void *ctx, uint64_t now) { (void)now; note(ctx, 't'); }
static void fake_teardown(void *ctx) { note(ctx, 'x'); }

static void fake_metrics(void *ctx, struct vmm_metrics *m)
{
	struct fake *f = ctx;

	m->serial_tx_bytes += f->tx;
}

static const struct vmm_device_ops fake_ops = {
	.attach = fake_attach, .pause = fake_pause, .resume = fake_resume, .reset = fake_reset, .tick = fake_tick,
	.metrics = fake_metrics, .teardown = fake_teardown,
};
/* A device with no ops at all: every walk must skip it. */
static const struct vmm_device_ops empty_ops = { 0 };

static struct vmm *vm;
static struct fake a = { 'a', false, false, 3 }, b = { 'b', false, false, 4 },
		   c = { 'c', false, false, 5 };

static void add(struct fake *f, const struct vmm_device_ops *ops)
{
	cr_assert_eq(vmm__device_add(vm, &(struct vmm_device){
		.kind = "fake", .instance = (uint32_t)(f->name - 'a'), .ops = ops, .ctx = f,
		.gsi = VMM_DEVICE_NO_GSI }), 0, "%s", vm->err);
}

static void setup(void)
{
	vm = calloc(1, sizeof(*vm));
	cr_assert(vm);
	journal[0] = '\0';
	a.fail_pause = b.fail_pause = c.fail_pause = false;
	a.fail_attach = b.fail_attach = c.fail_attach = false;
	add(&a, &fake_ops);
	add(&b, &empty_ops);
	add(&c, &fake_ops);
}

static void teardown(void)
{
	free(vm);
}

TestSuite(device, .init = setup, .fini = teardown);

Test(device, registration_keeps_order_and_copies)
{
	cr_assert_eq(vmm__device_count(vm), 3);
	cr_assert_eq(vmm__device_at(vm, 0)->ctx, &a);
	cr_assert_eq(vmm__device_at(vm, 2)->ctx, &c);
	cr_assert_null(vmm__device_at(vm, 3));
}

Test(device, walks_skip_missing_ops)
{
	cr_assert_eq(vmm__devices_attach(vm), 0);
	cr_assert_eq(vmm__devices_pause(vm), 0);
	vmm__devices_resume(vm);
	vmm__devices_reset(vm);
	vmm__devices_tick(vm, 1);
	cr_assert_str_eq(journal, "wawcpapcrarczazctatc");
}

/* The device says why in vm->err; the walk stops there, and the VM is
 * torn down with the devices attached so far (close undoes each). */
Test(device, failed_attach_stops_the_walk)
{
	a.fail_attach = true;
	cr_assert_eq(vmm__devices_attach(vm), -1);
	cr_assert_str_eq(journal, "wa");
}

Test(device, failed_pause_resumes_the_ones_already_paused)
{
	c.fail_pause = true;
	cr_assert_eq(vmm__devices_pause(vm), -1);
	cr_assert_str_eq(journal, "papcra");
	cr_assert(strstr(vm->err, "pausing fake[2]"), "%s", vm->err);
}

Test(device, metrics_add_up)
{
	struct vmm_metrics m = { 0 };

	vmm__devices_metrics(vm, &m);
	cr_assert_eq(m.serial_tx_bytes, 8);
}

Test(device, teardown_runs_in_reverse_and_empties)
{
	vmm__devices_teardown_all(vm);
	cr_assert_str_eq(journal, "xcxa");
	cr_assert_eq(vmm__device_count(vm), 0);
}

Test(device, registry_is_bounded)
{
	for (uint32_t i = vmm__device_count(vm); i < VMM_MAX_DEVICES; i++)
		add(&a, &empty_ops);
	cr_assert_eq(vmm__device_add(vm, &(struct vmm_device){ .kind = "extra", .ops = &empty_ops }),
		     -1);
	cr_assert(strstr(vm->err, "more than"), "%s", vm->err);
}
