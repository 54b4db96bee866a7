// SPDX-License-Identifier: MIT
// The 16550A console at 0x3f8, IRQ 4: guest output to stdout, a file or
// nowhere (with the optional flood budget and the panic scanner on the
// way), and stdin into the receiver, in raw mode when it is a terminal.
// Input stops being read while the RX FIFO is full (back-pressure) and
// resumes when the guest drains it.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vmm/term.h>

#include "vmm_internal.h"
#include "write_all.h"

static uint64_t mono_ns(void *ctx)
{
	(void)ctx;
	return vmm_monotonic_ns();
}

static void serial_irq(void *ctx, bool level)
{
	vmm__irq_line(ctx, LOADER_COM1_IRQ, level);
}

/* vCPU thread, device lock held. */
static ssize_t serial_out(void *ctx, const uint8_t *buf, size_t len)
{
	struct vmm *vm = ctx;
	struct vmm_serial_dev *s = &vm->serial;

	if (vm->cfg.watchdog.panic_detect && !s->panic_seen_ns &&
	    vmm_panic_scanner_feed(&s->panic, buf, len) && s->panic.line_done)
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
	struct vmm *vm = arg;
	struct vmm_serial_dev *s = &vm->serial;

	(void)loop;
	pthread_mutex_lock(&s->bus.lock);
	if (s->in_enabled && s->in_paused && !atomic_load(&vm->stopping) &&
	    evmgr_watcher_add(vm->loop, &s->in) == 0)
		s->in_paused = false;
	pthread_mutex_unlock(&s->bus.lock);
}

/* vCPU thread, device lock held: the guest emptied the RX FIFO. */
static void serial_rx_drained(void *ctx)
{
	struct vmm *vm = ctx;

	if (vm->serial.in_paused)
		VMM_IGNORE(evmgr_remote_post(vm->loop, resume_input, vm));
}

static const struct superio_serial_ops serial_ops = {
	.version = SUPERIO_SERIAL_OPS_VERSION,
	.write = serial_out,
	.rx_drained = serial_rx_drained,
};

static void serial_bus_read(void *ctx, uint64_t base, uint64_t off, uint8_t *data,
			    uint32_t size)
{
	struct vmm *vm = ctx;
	uint32_t v;

	(void)base;
	VMM_IGNORE(superio_serial_read(&vm->serial.uart, off, size, &v));
	for (uint32_t i = 0; i < size; i++)
		data[i] = (uint8_t)(v >> (8 * i));
}

static void serial_bus_write(void *ctx, uint64_t base, uint64_t off,
			     const uint8_t *data, uint32_t size)
{
	struct vmm *vm = ctx;

	(void)base;
	VMM_IGNORE(superio_serial_write(&vm->serial.uart, off, size, data[0]));
}

static const struct vmm_bus_ops serial_bus_ops = { serial_bus_read, serial_bus_write };

/* Loop thread: stdin is readable. */
static void on_stdin(struct evmgr_loop *loop, struct evmgr_watcher *w, uint32_t revents)
{
	struct vmm *vm = w->data;
	struct vmm_serial_dev *s = &vm->serial;
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
		s->in_enabled = false;
		return;
	}
	pthread_mutex_lock(&s->bus.lock);
	superio_serial_rx_push(&s->uart, buf, (size_t)n);
	pthread_mutex_unlock(&s->bus.lock);
}

int vmm__console_setup(struct vmm *vm)
{
	struct vmm_serial_dev *s = &vm->serial;
	struct superio_serial_config sc = {
		.irq = { serial_irq, vm }, .ops = &serial_ops, .ops_ctx = vm,
		.clock = { mono_ns, NULL },
		.budget_bytes_per_sec = vm->cfg.serial.rate_bytes_per_s,
		.budget_burst = vm->cfg.serial.burst_bytes,
	};
	int r;

	s->out_fd = -1;
	vmm_panic_scanner_init(&s->panic);
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
	r = superio_serial_init(&s->uart, &sc);
	if (r)
		return vmm__fail(vm, "serial: %s", strerror(-r));
	r = vmm_bus_device_init(&s->bus, "serial", &serial_bus_ops, vm);
	if (r)
		return vmm__fail(vm, "serial: %s", strerror(-r));
	evmgr_watcher_init(&s->in, STDIN_FILENO, EVMGR_EV_IN, on_stdin, vm);
	return 0;
}

int vmm__console_start(struct vmm *vm)
{
	struct vmm_serial_dev *s = &vm->serial;
	int r;

	if (!vm->cfg.serial.stdin_input)
		return 0;
	/* epoll refuses regular files and /dev/null: such stdin has no
	 * interactive input to forward, so the guest simply gets none. */
	if (evmgr_watcher_add(vm->loop, &s->in) != 0)
		return 0;
	s->in_enabled = true;
	r = vmm_term_raw_enter(STDIN_FILENO);
	if (r < 0)
		vmm__log(vm, VMM_LOG_WARN, "stdin: cannot enter raw mode: %s", strerror(-r));
	s->in_raw = r > 0;
	return 0;
}

void vmm__console_tick(struct vmm *vm, uint64_t now_ns)
{
	struct vmm_serial_dev *s = &vm->serial;
	uint64_t seen;

	pthread_mutex_lock(&s->bus.lock);
	seen = s->panic_seen_ns;
	if (!seen && s->panic.found)	/* the line never ended: use what we have */
		seen = s->panic_seen_ns = now_ns;
	pthread_mutex_unlock(&s->bus.lock);
	if (seen && now_ns - seen >= VMM_PANIC_GRACE_NS)
		vmm__request_stop(vm, VMM_STOP_GUEST_PANIC, "%s", s->panic.line);
}

void vmm__console_teardown(struct vmm *vm)
{
	struct vmm_serial_dev *s = &vm->serial;

	if (evmgr_watcher_active(&s->in))
		evmgr_watcher_remove(vm->loop, &s->in);
	if (s->in_raw) {
		vmm_term_restore();
		s->in_raw = false;
	}
	if (s->close_out) {
		close(s->out_fd);
		s->close_out = false;
		s->out_fd = -1;
	}
}
