// SPDX-License-Identifier: MIT
// cvmm: boots one guest from a oneshot key=value command line (docs/boot-path.md)
// and exits with a code that says how the guest stopped (docs/cvmm.md).
#include <stdio.h>
#include <string.h>

#include <vmm/args.h>
#include <vmm/boottimer.h>
#include <vmm/vmm.h>

int main(int argc, char **argv)
{
	/* First thing: the origin of the port 0x80 boot timer. */
	uint64_t start_ns = vmm_monotonic_ns();
	static struct vmm_config cfg;
	char err[VMM_ERR_MAX];
	struct vmm_result res;
	struct vmm *vm;
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
	if (vmm_new(&cfg, err, sizeof(err), &vm)) {
		fprintf(stderr, "cvmm: %s\n", err);
		return VMM_EXIT_SETUP;
	}
	vmm_run(vm, &res);
	if (cfg.log_level >= VMM_LOG_INFO) {
		struct vmm_metrics m;

		vmm_get_metrics(vm, &m);
		fprintf(stderr, "cvmm: info: exits io=%llu mmio=%llu other=%llu; assists int3=%llu "
			"int_n=%llu fwait=%llu mxcsr=%llu fninit=%llu; serial tx=%llu rx=%llu "
			"dropped=%llu; blk notifies=%llu; boot marks=%llu\n",
			(unsigned long long)m.exits_io, (unsigned long long)m.exits_mmio,
			(unsigned long long)m.exits_other, (unsigned long long)m.assists_int3,
			(unsigned long long)m.assists_int_n, (unsigned long long)m.assists_fwait,
			(unsigned long long)m.assists_mxcsr, (unsigned long long)m.assists_fninit,
			(unsigned long long)m.serial_tx_bytes, (unsigned long long)m.serial_rx_bytes,
			(unsigned long long)m.serial_dropped, (unsigned long long)m.blk_notifies,
			(unsigned long long)m.boot_marks);
	}
	vmm_free(vm);
	fflush(stdout);
	fprintf(stderr, "cvmm: guest stopped: %s%s%s (exit code %d)\n",
		vmm_stop_reason_name(res.reason), res.message[0] ? ": " : "", res.message,
		res.exit_code);
	return res.exit_code;
}
