// SPDX-License-Identifier: MIT
// Built by tests/check-install.sh against the installed libvmm alone.
#include <stdio.h>

#include <vmm/args.h>
#include <vmm/version.h>
#include <vmm/vmm.h>

int main(void)
{
	static struct vmm_config cfg;
	char *argv[] = { "cvmm", "--memory", "size_mib=64", NULL };
	char err[VMM_ERR_MAX];

	vmm_config_init(&cfg);
	if (vmm_args_parse(3, argv, &cfg, err, sizeof(err)) != VMM_ARGS_RUN || cfg.mem_mib != 64)
		return 1;
	printf("libvmm %s\n", VMM_VERSION_STRING);
	return 0;
}
