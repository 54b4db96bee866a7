// SPDX-License-Identifier: MIT
// cvmm: boots one guest from a oneshot key=value command line (docs/boot-path.md),
// from a JSON configuration file or over the control API (docs/api.md), and
// exits with a code that says how the guest stopped (docs/cvmm.md).
#include <stdio.h>
#include <string.h>

#include <vmm/api.h>
#include <vmm/args.h>
#include <vmm/boottimer.h>
#include <vmm/vmm.h>

static void print_metrics(const struct vmm_metrics *m)
{
	fprintf(stderr, "cvmm: info: exits io=%llu mmio=%llu other=%llu; assists int3=%llu "
		"int_n=%llu fwait=%llu mxcsr=%llu fninit=%llu; serial tx=%llu rx=%llu "
		"dropped=%llu; blk notifies=%llu requests=%llu; virtio notify_exits=%llu; "
		"boot marks=%llu; loop batches=%llu events=%llu\n",
		(unsigned long long)m->exits_io, (unsigned long long)m->exits_mmio,
		(unsigned long long)m->exits_other, (unsigned long long)m->assists_int3,
		(unsigned long long)m->assists_int_n, (unsigned long long)m->assists_fwait,
		(unsigned long long)m->assists_mxcsr, (unsigned long long)m->assists_fninit,
		(unsigned long long)m->serial_tx_bytes, (unsigned long long)m->serial_rx_bytes,
		(unsigned long long)m->serial_dropped, (unsigned long long)m->blk_notifies,
		(unsigned long long)m->blk_requests, (unsigned long long)m->virtio_notify_exits,
		(unsigned long long)m->boot_marks,
		(unsigned long long)m->loop_batches, (unsigned long long)m->loop_events);
}

/* The command line describes the whole machine: build it and run it. */
static int run_oneshot(const struct vmm_config *cfg, struct vmm_result *res)
{
	char err[VMM_ERR_MAX];
	struct vmm *vm;

	if (vmm_new(cfg, err, sizeof(err), &vm)) {
		fprintf(stderr, "cvmm: %s\n", err);
		return VMM_EXIT_SETUP;
	}
	vmm_run(vm, res);
	if (cfg->log_level >= VMM_LOG_INFO) {
		struct vmm_metrics m;

		vmm_get_metrics(vm, &m);
		print_metrics(&m);
	}
	vmm_free(vm);
	return -1;
}

/* The API or a configuration file describes the machine (docs/api.md). */
static int run_served(const struct vmm_config *cfg, struct vmm_result *res)
{
	char err[VMM_ERR_MAX];

	if (vmm_serve(cfg, res, err, sizeof(err))) {
		fprintf(stderr, "cvmm: %s\n", err);
		return VMM_EXIT_SETUP;
	}
	return -1;
}

int main(int argc, char **argv)
{
	/* First thing: the origin of the port 0x80 boot timer. */
	uint64_t start_ns = vmm_monotonic_ns();
	static struct vmm_config cfg;
	char err[VMM_ERR_MAX];
	struct vmm_result res;
	int r;

	vmm_config_init(&cfg);
	r = vmm_args_parse(argc, argv, &cfg, err, sizeof(err));
	if (r == VMM_ARGS_HELP) {
		vmm_args_usage(stdout, "cvmm");
		return 0;
	}
	if (r == VMM_ARGS_VERSION) {
		printf("cvmm %s\n", CVMM_VERSION);
		vmm_print_versions(stdout);
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "cvmm: %s\n", err);
		return VMM_EXIT_USAGE;
	}
	cfg.start_ns = start_ns;
	if (cfg.process.api_sock[0] || cfg.process.config_file[0])
		r = run_served(&cfg, &res);
	else
		r = run_oneshot(&cfg, &res);
	if (r >= 0)
		return r;
	fflush(stdout);
	fprintf(stderr, "cvmm: guest stopped: %s%s%s (exit code %d)\n",
		vmm_stop_reason_name(res.reason), res.message[0] ? ": " : "", res.message,
		res.exit_code);
	return res.exit_code;
}
