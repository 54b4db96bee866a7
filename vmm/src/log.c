// SPDX-License-Identifier: MIT
// VMM messages on stderr, one line each, prefixed so they can be told
// apart from the guest console on stdout.
#include <stdarg.h>
#include <stdio.h>

#include "vmm_internal.h"

void vmm__log(const struct vmm *vm, enum vmm_log_level level, const char *fmt, ...)
{
	char line[VMM_MSG_MAX];
	va_list ap;

	if (level > vm->cfg.log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line keeps lines whole between threads. */
	fprintf(stderr, "cvmm: %s: %s\n", vmm_log_level_name(level), line);
}

int vmm__fail(struct vmm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->err, sizeof(vm->err), fmt, ap);
	va_end(ap);
	return -1;
}
