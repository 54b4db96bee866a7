// SPDX-License-Identifier: MIT
// The thread kinds' names (seccomp.h): in reports, in task names, and in
// the names of the build-time programs (vmm/gen/seccomp_gen.c).
#include "seccomp.h"

static const char *const kind_names[VMM__SECCOMP_KINDS] = {
	[VMM__SECCOMP_VCPU] = "vcpu",
	[VMM__SECCOMP_EVENT_LOOP] = "event-loop",
	[VMM__SECCOMP_API] = "api",
	[VMM__SECCOMP_DUMP] = "dump",
};

const char *vmm__seccomp_thread_kind_name(enum vmm__seccomp_thread kind)
{
	return (unsigned)kind < VMM__SECCOMP_KINDS ? kind_names[kind] : NULL;
}
