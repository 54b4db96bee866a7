// SPDX-License-Identifier: MIT
// Built by tests/check-install.sh against the installed libkvmwrap alone.
// Needs no /dev/kvm: it exercises the pure parts of the API.
#include <stdio.h>
#include <string.h>

#include <kvmwrap/kvmwrap.h>

int main(void)
{
	static const char info[] = "flags\t\t: fpu vme hypervisor\n";
	const uint8_t int3 = 0xcc;
	struct kvmw_cpu_flags f;

	if (kvmw_host_parse_cpuinfo(info, strlen(info), &f) || !f.hypervisor || f.vmx)
		return 1;
	if (kvmw_pvm_classify(&int3, 1, NULL, NULL) != KVMW_LIMIT_INT3)
		return 1;
	printf("libkvmwrap %s\n", KVMW_VERSION_STRING);
	return 0;
}
