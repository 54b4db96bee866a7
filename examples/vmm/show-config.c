// SPDX-License-Identifier: MIT
// Parses a cvmm command line with libvmm and prints the machine it
// describes, without booting it: how a tool of your own can accept the
// same options as cvmm (vmm_args_parse) and check them (vmm_config_validate).
#include <stdio.h>

#include <vmm/args.h>
#include <vmm/config.h>

static const char *serial_out(enum vmm_serial_out o)
{
	switch (o) {
	case VMM_SERIAL_OUT_STDOUT: return "stdout";
	case VMM_SERIAL_OUT_FILE: return "file";
	case VMM_SERIAL_OUT_NONE: return "none";
	}
	return "?";
}

int main(int argc, char **argv)
{
	static struct vmm_config cfg;
	char err[VMM_ERR_MAX];
	int r;

	vmm_config_init(&cfg);
	r = vmm_args_parse(argc, argv, &cfg, err, sizeof(err));
	if (r == VMM_ARGS_HELP || r == VMM_ARGS_VERSION) {
		vmm_args_usage(stdout, argv[0]);
		return 0;
	}
	if (r < 0 || vmm_config_validate(&cfg, err, sizeof(err))) {
		fprintf(stderr, "show-config: %s\n", err);
		return 1;
	}
	printf("memory      %llu MiB\n", (unsigned long long)cfg.mem_mib);
	printf("vcpus       %u (assists %s)\n", cfg.vcpus, cfg.assists ? "on" : "off");
	printf("kernel      %s\n", cfg.kernel_path);
	printf("cmdline     \"%s\"\n", cfg.cmdline);
	printf("initramfs   %s\n", cfg.initramfs_path[0] ? cfg.initramfs_path : "(none)");
	for (uint32_t i = 0; i < cfg.nblocks; i++)
		printf("block[%u]    %s%s\n", i, cfg.blocks[i].path,
		       cfg.blocks[i].read_only ? " (read-only)" : "");
	printf("serial      out=%s in=%s\n", serial_out(cfg.serial.out),
	       cfg.serial.stdin_input ? "stdin" : "none");
	printf("watchdog    panic=%s stuck_ms=%u\n", cfg.watchdog.panic_detect ? "on" : "off",
	       cfg.watchdog.stuck_ms);
	printf("tables      acpi=%s mptable=%s virtio_cmdline=%s\n", cfg.acpi ? "on" : "off",
	       cfg.mptable ? "on" : "off", cfg.virtio_cmdline ? "on" : "off");
	return 0;
}
