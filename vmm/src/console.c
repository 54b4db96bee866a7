// SPDX-License-Identifier: MIT
// The 16550A console at 0x3f8, IRQ 4: guest output to stdout, a file or
// nowhere (with the optional flood budget and the panic scanner on the
// way), and stdin into the receiver, in raw mode when it is a terminal.
// Input stops being read while the RX FIFO is full (back-pressure) and
// resumes when the guest drains it.  Output goes through libsuperio's
// output batch: one write per 63 bytes or per flush point instead of one
// per THR byte, with a flush timer so that a guest which stops touching
// the UART still has its last bytes shown (docs/cvmm.md, "Serial console output batching").
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vmm/term.h>

#include <superio/superio.h>

#include "devices.h"
#include "vmm_internal.h"
#include "write_all.h"

struct vmm_console {
	struct vmm *vm;
	struct superio_serial uart;
	struct vmm_bus_device bus;	/* its lock is the device lock */
	int out_fd;			/* -1: discard */
	bool close_out;
	uint64_t panic_seen_ns;		/* 0 until the panic line is complete */
	struct evmgr_watcher in;	/* stdin */
	bool in_wanted;			/* stdin forwarding configured and possible */
	bool in_paused;			/* FIFO full: not watching stdin */
	bool in_raw;			/* terminal switched to raw mode */
	bool started;
	bool vm_paused;			/* between pause and resume */
	struct evmgr_timer flush;	/* one-shot: offers the batch, retries queued bytes */
	bool flush_pending;		/* a flush is posted or armed (device lock) */
};

static uint64_t mono_ns(void *ctx)
{
	(void)ctx;
	return vmm_monotonic_ns();
}

static void serial_irq(void *ctx, bool level)
{
	struct vmm_console *s = ctx;

	vmm__irq_line(s->vm, LOADER_COM1_IRQ, level);
}

/* vCPU thread, device lock held. */
static ssize_t serial_out(void *ctx, const uint8_t *buf, size_t len)
{
	struct vmm_console *s = ctx;
	struct vmm *vm = s->vm;

	if (vm->cfg.watchdog.panic_detect && !s->panic_seen_ns &&
	    vmm_panic_scanner_feed(&vm->panic, buf, len) && vm->panic.line_done)
		s->panic_seen_ns = vmm_monotonic_ns();
	if (s->out_fd < 0)
		return (ssize_t)len;
	/* A blocking console: the guest waits for a slow terminal rather
	 * than losing output, also on an O_NONBLOCK stdout; only a stop ends
	 * the wait early (the rest stays in the FIFO).  A broken pipe drops
	 * the bytes (counted by the UART model). */
	return vmm__write_all(s->out_fd, buf, len, &vm->stopping);
}

static void resume_input(struct evmgr_loop *loop, void *arg)
{
	struct vmm_console *s = arg;

	(void)loop;
	pthread_mutex_lock(&s->bus.lock);
	if (s->in_wanted && s->in_paused && !s->vm_paused && !atomic_load(&s->vm->stopping) &&
	    evmgr_watcher_add(s->vm->loop, &s->in) == 0)
		s->in_paused = false;
	pthread_mutex_unlock(&s->bus.lock);
}

/* vCPU thread, device lock held: the guest emptied the RX FIFO. */
static void serial_rx_drained(void *ctx)
{
	struct vmm_console *s = ctx;

	if (s->in_paused)
		VMM_IGNORE(evmgr_remote_post(s->vm->loop, resume_input, s));
}

/* Whether a write to the output would not block (it always goes ahead
 * when there is no output or it is a regular file). */
static bool output_ready(const struct vmm_console *s)
{
	struct pollfd pfd = { .fd = s->out_fd, .events = POLLOUT };

	return s->out_fd < 0 || (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT));
}

/*
 * Output the flush timer still has to deal with: the batch, or bytes a
 * failed write left queued in the TX FIFO (THRE clear).  Nothing but this
 * timer retries those: an interrupt-driven guest writes THR again only on
 * the THRE interrupt they hold back.
 */
static bool output_waiting(const struct vmm_console *s)
{
	return superio_serial_tx_batched(&s->uart) || superio_serial_tx_pending(&s->uart);
}

/*
 * Loop thread: out goes what the guest batched, or the queued bytes are
 * offered again (the batch only grows while the FIFO is empty).  The loop
 * must not wait for a stalled reader of stdout (vCPU threads do, the loop
 * has signals and the API to serve), so while the output is full, or
 * took only part, the timer tries again after the next period.  A retry
 * that fails outright drops the bytes (counted), so THRE comes back then.
 */
static void on_flush(struct evmgr_timer *t, uint64_t expirations, void *data)
{
	struct vmm_console *s = data;
	bool ready;

	(void)expirations;
	pthread_mutex_lock(&s->bus.lock);
	ready = output_ready(s);
	if (ready && superio_serial_tx_pending(&s->uart))
		superio_serial_tx_drain(&s->uart);
	else if (ready)
		superio_serial_tx_flush(&s->uart);
	if (output_waiting(s) && t->open && evmgr_timer_arm(t, VMM_SERIAL_FLUSH_NS, 0) == 0) {
		pthread_mutex_unlock(&s->bus.lock);
		return;
	}
	s->flush_pending = false;
	if (!ready)	/* no timer to wait with: out it goes, even if that blocks */
		superio_serial_tx_drain(&s->uart);
	pthread_mutex_unlock(&s->bus.lock);
}

/* Loop thread: the timer is opened on first use, so a VM whose guest never
 * writes to the console pays nothing for it at start-up. */
static void arm_flush(struct evmgr_loop *loop, void *arg)
{
	struct vmm_console *s = arg;
	int r = 0;

	if (!s->flush.open)
		r = evmgr_timer_open(loop, &s->flush, CLOCK_MONOTONIC, on_flush, s);
	if (r == 0)
		r = evmgr_timer_arm(&s->flush, VMM_SERIAL_FLUSH_NS, 0);
	if (r) {	/* no timer: flush now, and try again on the next batch */
		vmm__log(s->vm, VMM_LOG_WARN, "serial: flush timer: %s", strerror(-r));
		on_flush(&s->flush, 1, s);
	}
}

/*
 * vCPU thread, device lock held, after each guest write: a batch that has
 * just started, or bytes a failed write left queued, get a flush
 * VMM_SERIAL_FLUSH_NS from now.  Bytes batched while that flush is pending
 * go out with it at the latest.
 */
static void batch_watch(struct vmm_console *s)
{
	if (s->flush_pending || !output_waiting(s))
		return;
	if (evmgr_remote_post(s->vm->loop, arm_flush, s) == 0)
		s->flush_pending = true;
	else	/* the post ring is full: no batching delay for this byte */
		superio_serial_tx_flush(&s->uart);
}

static const struct superio_serial_ops serial_ops = {
	.version = SUPERIO_SERIAL_OPS_VERSION,
	.write = serial_out,
	.rx_drained = serial_rx_drained,
};

static void serial_bus_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data,
			    uint32_t size)
{
	struct vmm_console *s = ctx;
	uint32_t v;

	(void)base;
	if (size == 1) {	/* every access a 16550 driver makes */
		data[0] = superio_serial_read8(&s->uart, (unsigned int)off);
		return;
	}
	VMM_IGNORE(superio_serial_read(&s->uart, off, size, &v));
	for (uint32_t i = 0; i < size; i++)
		data[i] = (uint8_t)(v >> (8 * i));
}

static void serial_bus_write(void *ctx, uint64_t base, uint64_t off,
			     const uint8_t *data, uint32_t size)
{
	struct vmm_console *s = ctx;

	(void)base;
	if (size == 1)
		superio_serial_write8(&s->uart, (unsigned int)off, data[0]);
	else
		VMM_IGNORE(superio_serial_write(&s->uart, off, size, data[0]));
	batch_watch(s);
}

static const struct vmm_bus_ops serial_bus_ops = { serial_bus_read, serial_bus_write };

/* Loop thread: stdin is readable. */
static void on_stdin(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct vmm_console *s = w->data;
	uint8_t buf[SUPERIO_SERIAL_FIFO_SIZE];
	size_t space;
	ssize_t n;

	(void)revents;
	pthread_mutex_lock(&s->bus.lock);
	space = superio_serial_rx_space(&s->uart);
	if (space == 0) {	/* under the lock: rx_drained reads in_paused */
		evmgr_watcher_remove(loop, w);
		s->in_paused = true;
	}
	pthread_mutex_unlock(&s->bus.lock);
	if (space == 0)
		return;
	n = read(w->fd, buf, space < sizeof(buf) ? space : sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {	/* EOF or error: no more input, the guest runs on */
		evmgr_watcher_remove(loop, w);
		s->in_wanted = false;
		return;
	}
	pthread_mutex_lock(&s->bus.lock);
	superio_serial_rx_push(&s->uart, buf, (size_t)n);
	pthread_mutex_unlock(&s->bus.lock);
}

static int open_output(struct vmm_console *s)
{
	struct vmm *vm = s->vm;

	switch (vm->cfg.serial.out) {
	case VMM_SERIAL_OUT_STDOUT:
		s->out_fd = STDOUT_FILENO;
		break;
	case VMM_SERIAL_OUT_FILE:
		s->out_fd = open(vm->cfg.serial.out_path,
				 O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (s->out_fd < 0)
			return vmm__fail(vm, "serial.path=%s: %s", vm->cfg.serial.out_path,
					 strerror(errno));
		s->close_out = true;
		break;
	case VMM_SERIAL_OUT_NONE:
		break;
	}
	return 0;
}

/* The first resume starts stdin forwarding (raw mode on a terminal);
 * later ones undo a pause.  Loop thread. */
static void console_resume(void *ctx)
{
	struct vmm_console *s = ctx;
	struct vmm *vm = s->vm;
	int r;

	pthread_mutex_lock(&s->bus.lock);
	s->vm_paused = false;
	pthread_mutex_unlock(&s->bus.lock);
	if (!s->started) {
		s->started = true;
		/* epoll refuses regular files and /dev/null: such stdin has
		 * no interactive input to forward, so the guest gets none. */
		if (!vm->cfg.serial.stdin_input || evmgr_watcher_add(vm->loop, &s->in) != 0)
			return;
		s->in_wanted = true;
		r = vmm_term_raw_enter(STDIN_FILENO);
		if (r < 0)
			vmm__log(vm, VMM_LOG_WARN, "stdin: cannot enter raw mode: %s",
				 strerror(-r));
		s->in_raw = r > 0;
		return;
	}
	pthread_mutex_lock(&s->bus.lock);
	if (s->in_wanted && !s->in_paused && !evmgr_watcher_active(&s->in) &&
	    evmgr_watcher_add(vm->loop, &s->in) != 0)
		vmm__log(vm, VMM_LOG_WARN, "stdin: cannot watch it again");
	pthread_mutex_unlock(&s->bus.lock);
}

/* Input stays in the terminal until resume; output needs no stopping,
 * the vCPUs that write it are parked, but what they batched goes out now:
 * a paused VM shows all its output, and a snapshot holds no batch. */
static int console_pause(void *ctx)
{
	struct vmm_console *s = ctx;

	pthread_mutex_lock(&s->bus.lock);
	s->vm_paused = true;
	superio_serial_tx_flush(&s->uart);
	if (evmgr_watcher_active(&s->in))
		evmgr_watcher_remove(s->vm->loop, &s->in);
	pthread_mutex_unlock(&s->bus.lock);
	return 0;
}

static void console_reset(void *ctx)
{
	struct vmm_console *s = ctx;

	pthread_mutex_lock(&s->bus.lock);
	superio_serial_reset(&s->uart);
	pthread_mutex_unlock(&s->bus.lock);
}

static int console_save(void *ctx, struct vmm__snapw *w)
{
	struct vmm_console *s = ctx;
	struct superio_serial_state st;

	pthread_mutex_lock(&s->bus.lock);
	superio_serial_save(&s->uart, &st);
	pthread_mutex_unlock(&s->bus.lock);
	vmm__snap_put_serial(w, 0, &st);
	return 0;
}

static int console_restore(void *ctx, const struct vmm__snapr *rd)
{
	struct vmm_console *s = ctx;
	struct superio_serial_state st;
	int r = vmm__snap_get_serial(rd, 0, &st, s->vm->err, sizeof(s->vm->err));

	if (r)
		return -1;
	pthread_mutex_lock(&s->bus.lock);
	r = superio_serial_restore(&s->uart, &st);
	pthread_mutex_unlock(&s->bus.lock);
	return r ? vmm__fail(s->vm, "snapshot: serial state refused: %s", strerror(-r)) : 0;
}

/* A panic line that never ended is taken as it is; after the grace time
 * for the trace, the VM stops with it. */
static void console_tick(void *ctx, uint64_t now_ns)
{
	struct vmm_console *s = ctx;
	struct vmm *vm = s->vm;
	uint64_t seen;

	pthread_mutex_lock(&s->bus.lock);
	seen = s->panic_seen_ns;
	if (!seen && vm->panic.found)
		seen = s->panic_seen_ns = now_ns;
	pthread_mutex_unlock(&s->bus.lock);
	if (seen && now_ns - seen >= VMM_PANIC_GRACE_NS)
		vmm__request_stop(vm, VMM_STOP_GUEST_PANIC, "%s", vm->panic.line);
}

static void console_metrics(void *ctx, struct vmm_metrics *m)
{
	struct vmm_console *s = ctx;
	struct superio_serial_metrics sm;

	superio_serial_get_metrics(&s->uart, &sm);
	m->serial_tx_bytes += sm.tx_bytes;
	m->serial_rx_bytes += sm.rx_bytes;
	m->serial_dropped += sm.tx_budget_drops + sm.tx_error_drops + sm.tx_full_drops +
			     sm.tx_reset_drops;
}

static void console_teardown(void *ctx)
{
	struct vmm_console *s = ctx;

	if (evmgr_watcher_active(&s->in))
		evmgr_watcher_remove(s->vm->loop, &s->in);
	evmgr_timer_close(&s->flush);
	if (s->in_raw)
		vmm_term_restore();
	if (s->close_out)
		close(s->out_fd);
	free(s);
}

static const struct vmm_device_ops console_ops = {
	.pause = console_pause, .resume = console_resume, .reset = console_reset,
	.save = console_save, .restore = console_restore, .tick = console_tick,
	.metrics = console_metrics, .teardown = console_teardown,
};

int vmm__console_add(struct vmm *vm)
{
	struct vmm_console *s = calloc(1, sizeof(*s));
	struct superio_serial_config sc = {
		.irq = { serial_irq, s }, .ops = &serial_ops, .ops_ctx = s,
		.clock = { mono_ns, NULL },
		.budget_bytes_per_sec = vm->cfg.serial.rate_bytes_per_s,
		.budget_burst = vm->cfg.serial.burst_bytes,
		.tx_batch = true,	/* off by itself while the budget is on */
	};
	int r;

	if (!s)
		return vmm__fail(vm, "serial: out of memory");
	s->vm = vm;
	s->out_fd = -1;
	evmgr_watcher_init(&s->in, STDIN_FILENO, EVMGR_EV_IN, on_stdin, s);
	if (open_output(s)) {
		console_teardown(s);
		return -1;
	}
	r = superio_serial_init(&s->uart, &sc);
	if (r == 0)
		r = vmm_bus_device_init(&s->bus, "serial", &serial_bus_ops, s);
	if (r == 0)
		r = vmm_bus_insert(vm->pio, &s->bus, LOADER_COM1_PORT, SUPERIO_SERIAL_NR_REGS);
	if (r) {
		vmm__fail(vm, "serial at 0x%x: %s", LOADER_COM1_PORT, strerror(-r));
		console_teardown(s);
		return -1;
	}
	if (vmm__device_add(vm, &(struct vmm_device){
		    .kind = "serial", .ops = &console_ops, .ctx = s, .space = VMM_SPACE_PIO,
		    .base = LOADER_COM1_PORT, .len = SUPERIO_SERIAL_NR_REGS,
		    .gsi = LOADER_COM1_IRQ })) {
		console_teardown(s);
		return -1;
	}
	return 0;
}
