// SPDX-License-Identifier: MIT
// Round-trip cost of a port-I/O exit through libkvmwrap: the guest runs an
// endless loop of OUT instructions, and every kvmw_vcpu_run() returns one
// decoded IO exit, so ns_per_op is guest OUT -> KVM -> userspace -> back.
// Also measured: the same in 64-bit mode, and an OUT absorbed by an
// ioeventfd in the kernel (no userspace exit), for comparison.
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include <cvmm_bench.h>

#include "guest.h"

struct ctx {
	struct tg g;
	unsigned int per_exit;	/* guest OUTs per userspace exit */
};

static void run_exits(void *arg, uint64_t ops)
{
	struct ctx *c = arg;
	struct kvmw_exit e;

	for (uint64_t i = 0; i < ops; i += c->per_exit)
		if (kvmw_vcpu_run(c->g.vcpu, &e) || e.reason != KVMW_EXIT_IO) {
			fprintf(stderr, "unexpected exit %s\n", kvmw_exit_reason_name(e.reason));
			exit(1);
		}
}

static int bench(const char *name, const uint8_t *code, size_t len, bool long_mode,
		 unsigned int per_exit, uint64_t ops)
{
	struct ctx c = { .per_exit = per_exit };
	int efd = -1, err;

	err = tg_open(&c.g, 2u << 20, true);
	if (!err && per_exit > 1) {
		struct kvmw_ioeventfd io = { .space = KVMW_IO_PIO, .addr = 0x30, .len = 1 };

		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		io.fd = efd;
		err = efd < 0 ? -1 : kvmw_vm_ioeventfd_assign(c.g.vm, &io);
	}
	if (!err)
		err = long_mode ? tg_long_mode(&c.g, code, len) : tg_real_mode(&c.g, code, len);
	if (err) {
		fprintf(stderr, "%s: setup failed: %d\n", name, err);
		tg_close(&c.g);
		return 1;
	}
	cvmm_bench_run(name, run_exits, &c, ops, 11);
	tg_close(&c.g);
	if (efd >= 0)
		close(efd);
	return 0;
}

int main(void)
{
	static const uint8_t out_loop[] = { 0xe6, 0x10, 0xeb, 0xfc };	/* out 0x10, al; jmp back */
	/* mov cx, 1000; l: out 0x30, al; loop l; out 0x10, al; jmp start */
	static const uint8_t absorbed[] = {
		0xb9, 0xe8, 0x03, 0xe6, 0x30, 0xe2, 0xfc, 0xe6, 0x10, 0xeb, 0xf5,
	};
	int rc = 0;

	if (!tg_have_kvm()) {
		printf("skipped: no /dev/kvm\n");
		return 77;
	}
	rc |= bench("kvmwrap-pio-exit-real-mode", out_loop, sizeof(out_loop), false, 1, 2000);
	rc |= bench("kvmwrap-pio-exit-long-mode", out_loop, sizeof(out_loop), true, 1, 2000);
	rc |= bench("kvmwrap-pio-ioeventfd-absorbed", absorbed, sizeof(absorbed), false, 1000,
		    20000);
	return rc;
}
