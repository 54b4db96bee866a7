// SPDX-License-Identifier: MIT
// The MC146818 CMOS RTC at port 0x70 (IRQ 8): libsuperio's model on the PIO
// bus, reading the host's CLOCK_REALTIME, with its periodic, alarm and
// update interrupts driven by one timerfd on the event loop.  The model
// says when its next event is due; the loop thread keeps the timer armed
// for that deadline.  Pause disarms the timer; resume re-arms it from the
// model's state, so due events are latched late rather than lost.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <superio/superio.h>

#include "devices.h"
#include "vmm_internal.h"
#include "virtio_mmio.h"

struct vmm_cmos {
	struct vmm *vm;
	struct superio_cmos rtc;
	struct vmm_bus_device bus;
	struct evmgr_timer timer;
	bool timer_open;
	bool paused;			/* loop thread */
	uint64_t armed_for;		/* deadline the timer is armed for */
	atomic_bool rearm_posted;
};

static uint64_t realtime_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cmos_irq(void *ctx, bool level)
{
	struct vmm_cmos *c = ctx;

	vmm__irq_line(c->vm, LOADER_RTC_IRQ, level);
}

/* Loop thread: latch due events and arm the timer for the RTC's next one,
 * under the device lock.  force: the timer just fired, so it is disarmed
 * whatever armed_for says. */
static void cmos_arm(struct vmm_cmos *c, bool force)
{
	uint64_t deadline;
	int r = 0;

	if (c->paused)
		return;
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
		vmm__log(c->vm, VMM_LOG_WARN, "RTC timer: %s", strerror(-r));
}

static void cmos_rearm(struct evmgr_loop *loop, void *arg)
{
	struct vmm_cmos *c = arg;

	(void)loop;
	atomic_store(&c->rearm_posted, false);
	cmos_arm(c, false);
}

static void cmos_timer(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	(void)t;
	(void)expirations;
	cmos_arm(data, true);
}

/* vCPU thread, device lock held: hand a changed deadline to the loop. */
static void cmos_check_deadline(struct vmm_cmos *c)
{
	if (superio_cmos_next_deadline(&c->rtc) == c->armed_for ||
	    atomic_exchange(&c->rearm_posted, true))
		return;
	if (evmgr_remote_post(c->vm->loop, cmos_rearm, c)) {
		atomic_store(&c->rearm_posted, false);
		vmm__log(c->vm, VMM_LOG_WARN, "RTC: cannot post a timer update");
	}
}

static void bus_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data, uint32_t size)
{
	struct vmm_cmos *c = ctx;
	uint32_t v;

	(void)base;
	VMM_IGNORE(superio_cmos_read(&c->rtc, off, size, &v));
	vmm__le_store(v, data, size);
	cmos_check_deadline(c);
}

static void bus_write(void *ctx, uint64_t base, uint64_t off, const uint8_t *data,
		      uint32_t size)
{
	struct vmm_cmos *c = ctx;

	(void)base;
	VMM_IGNORE(superio_cmos_write(&c->rtc, off, size, (uint32_t)vmm__le_load(data, size)));
	cmos_check_deadline(c);
}

static const struct vmm_bus_ops cmos_bus_ops = { bus_read, bus_write };

static int cmos_pause(void *ctx)
{
	struct vmm_cmos *c = ctx;

	c->paused = true;
	c->armed_for = SUPERIO_NO_DEADLINE;
	return c->timer_open ? evmgr_timer_disarm(&c->timer) : 0;
}

static void cmos_resume(void *ctx)
{
	struct vmm_cmos *c = ctx;

	c->paused = false;
	cmos_arm(c, true);
}

static void cmos_reset(void *ctx)
{
	struct vmm_cmos *c = ctx;

	pthread_mutex_lock(&c->bus.lock);
	superio_cmos_reset(&c->rtc);
	pthread_mutex_unlock(&c->bus.lock);
}

static int cmos_save(void *ctx, struct vmm__snapw *w)
{
	struct vmm_cmos *c = ctx;
	struct superio_cmos_state st;

	pthread_mutex_lock(&c->bus.lock);
	superio_cmos_save(&c->rtc, &st);
	pthread_mutex_unlock(&c->bus.lock);
	vmm__snap_put_cmos(w, &st);
	return 0;
}

static int cmos_restore(void *ctx, const struct vmm__snapr *rd)
{
	struct vmm_cmos *c = ctx;
	struct superio_cmos_state st;
	int r = vmm__snap_get_cmos(rd, &st, c->vm->err, sizeof(c->vm->err));

	if (r)
		return -1;
	pthread_mutex_lock(&c->bus.lock);
	r = superio_cmos_restore(&c->rtc, &st);
	pthread_mutex_unlock(&c->bus.lock);
	return r ? vmm__fail(c->vm, "snapshot: CMOS RTC state refused: %s", strerror(-r)) : 0;
}

static void cmos_teardown(void *ctx)
{
	struct vmm_cmos *c = ctx;

	if (c->timer_open)
		evmgr_timer_close(&c->timer);
	free(c);
}

static const struct vmm_device_ops cmos_ops = {
	.pause = cmos_pause, .resume = cmos_resume, .reset = cmos_reset,
	.save = cmos_save, .restore = cmos_restore, .teardown = cmos_teardown,
};

int vmm__cmos_add(struct vmm *vm)
{
	struct vmm_cmos *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return vmm__fail(vm, "CMOS RTC: out of memory");
	c->vm = vm;
	c->armed_for = SUPERIO_NO_DEADLINE;
	r = superio_cmos_init(&c->rtc, &(struct superio_cmos_config){
		.irq = { cmos_irq, c }, .clock = { realtime_ns, NULL } });
	if (r == 0)
		r = evmgr_timer_open(vm->loop, &c->timer, CLOCK_REALTIME, cmos_timer, c);
	c->timer_open = r == 0;
	if (r == 0)
		r = vmm_bus_device_init(&c->bus, "cmos-rtc", &cmos_bus_ops, c);
	if (r == 0)
		r = vmm_bus_insert(vm->pio, &c->bus, LOADER_RTC_PORT, SUPERIO_CMOS_WINDOW);
	if (r) {
		cmos_teardown(c);
		return vmm__fail(vm, "CMOS RTC: %s", strerror(-r));
	}
	if (vmm__device_add(vm, &(struct vmm_device){
		    .kind = "cmos-rtc", .ops = &cmos_ops, .ctx = c, .space = VMM_SPACE_PIO,
		    .base = LOADER_RTC_PORT, .len = SUPERIO_CMOS_WINDOW, .gsi = LOADER_RTC_IRQ })) {
		cmos_teardown(c);
		return -1;
	}
	return 0;
}
