// SPDX-License-Identifier: MIT
// The serial console's output batch as cvmm wires it (vmm/src/console.c,
// docs/cvmm.md "Serial console output batching"): THR bytes wait in the UART's batch, the
// flush timer on the loop sends them out, a pause sends them at once, and
// the flood budget turns batching off.  No KVM: the console is built on
// its own port bus and driven the way the vCPU exit path drives it.
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices.h"
#include "device.h"
#include "vmm_internal.h"

#define COM1 0x3f8u

static struct vmm *vm;
static char out_path[64];

static void start(uint64_t rate)
{
	struct vmm_config cfg;
	char err[VMM_ERR_MAX];
	int fd;

	strcpy(out_path, "/tmp/cvmm-test-console-XXXXXX");
	fd = mkstemp(out_path);
	cr_assert_geq(fd, 0);
	close(fd);
	vmm_config_init(&cfg);
	cfg.serial.out = VMM_SERIAL_OUT_FILE;
	snprintf(cfg.serial.out_path, sizeof(cfg.serial.out_path), "%s", out_path);
	cfg.serial.stdin_input = false;
	cfg.serial.rate_bytes_per_s = rate;
	cfg.serial.burst_bytes = rate;
	vm = vmm__alloc(&cfg, err, sizeof(err));
	cr_assert_not_null(vm, "%s", err);
	cr_assert_eq(vmm_bus_new("pio", &vm->pio), 0);
	cr_assert_eq(vmm__console_add(vm), 0, "%s", vm->err);
}

static void stop(void)
{
	vmm_free(vm);	/* tears the console down, closes its timer */
	unlink(out_path);
}

static void out8(unsigned int reg, uint8_t v)
{
	cr_assert_eq(vmm_bus_write(vm->pio, COM1 + reg, &v, 1), 0);
}

static void put(const char *text)
{
	out8(2, 0xc7);	/* FIFOs on, as Linux and the guest kit set them */
	for (const char *p = text; *p; p++)
		out8(0, (uint8_t)*p);
}

static uint8_t in8(unsigned int reg)
{
	uint8_t v = 0;

	cr_assert_eq(vmm_bus_read(vm->pio, COM1 + reg, &v, 1), 0);
	return v;
}

/* Caps the output file at bytes (writes past it fail with EFBIG); 0 lifts the cap. */
static void cap_output(rlim_t bytes)
{
	struct rlimit rl;

	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = bytes ? bytes : rl.rlim_max;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static char *shown(void)
{
	static char buf[256];
	FILE *f = fopen(out_path, "r");
	size_t n;

	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Runs the loop until want is shown, for at most 5 s. */
static void run_until_shown(const char *want)
{
	for (int i = 0; i < 500 && strcmp(shown(), want) != 0; i++)
		cr_assert_geq(evmgr_loop_run_once(vm->loop, 10), 0);
}

Test(console, polled_bytes_wait_in_the_batch_until_the_flush_timer)
{
	start(0);
	put("GK hello");
	cr_assert_str_eq(shown(), "", "batched bytes were written before any flush");
	run_until_shown("GK hello");
	cr_assert_str_eq(shown(), "GK hello");
	stop();
}

Test(console, bytes_after_a_timer_flush_get_another_one)
{
	start(0);
	put("one ");
	run_until_shown("one ");
	put("two");
	cr_assert_str_eq(shown(), "one ");
	run_until_shown("one two");
	cr_assert_str_eq(shown(), "one two");
	stop();
}

Test(console, an_ier_write_flushes_at_once)
{
	start(0);
	put("line\n");
	out8(1, 0x00);	/* Linux's console restores IER after every write */
	cr_assert_str_eq(shown(), "line\n");
	stop();
}

Test(console, pause_flushes_the_batch)
{
	start(0);
	put("before pause");
	cr_assert_eq(vmm__devices_pause(vm), 0);
	cr_assert_str_eq(shown(), "before pause");
	vmm__devices_resume(vm);
	stop();
}

Test(console, the_flood_budget_turns_batching_off)
{
	start(1000000);
	put("metered");
	cr_assert_str_eq(shown(), "metered");
	stop();
}

/*
 * A write that takes part of a batch and then fails (a full disk) leaves
 * the rest queued with THRE clear.  An interrupt-driven guest writes THR
 * again only on the THRE interrupt, so the console itself must retry the
 * queued bytes once the output takes them again.
 */
Test(console, queued_bytes_are_retried_after_a_partial_write_failure)
{
	signal(SIGXFSZ, SIG_IGN);	/* EFBIG instead of the signal */
	start(0);
	out8(2, 0xc7);
	out8(1, 0x02);	/* THRE interrupt on: the guest waits for it */
	cr_assert_eq(in8(2), 0xc2, "THRE interrupt pending before any output");
	cap_output(10);
	put("0123456789abcdef");
	run_until_shown("0123456789");
	cr_assert_str_eq(shown(), "0123456789");
	cr_assert_eq(in8(5) & 0x60, 0, "the refused bytes wait in the TX FIFO");
	cr_assert_eq(in8(2), 0xc1, "no THRE interrupt while they wait");
	cap_output(0);	/* the disk has room again */
	run_until_shown("0123456789abcdef");
	cr_assert_str_eq(shown(), "0123456789abcdef");
	cr_assert_eq(in8(5) & 0x60, 0x60, "THRE and TEMT are back");
	cr_assert_eq(in8(2), 0xc2, "and so is the THRE interrupt");
	stop();
}
