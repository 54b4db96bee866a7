// SPDX-License-Identifier: MIT
// cvmm's own threads (vCPUs, the state dump, the API server) get 1 MiB
// stacks instead of glibc's default of 8 MiB.  Where transparent huge pages
// are on for every mapping (Debian's default), the first touch of a stack
// big enough to hold an aligned 2 MiB range can be served with a huge page:
// 2 MiB of RSS for a few kilobytes of stack, which moved cvmm's memory
// outside guest RAM between 2 and 4 MiB from one run to the next
// (docs/benchmarks.md).  A 1 MiB stack cannot hold one.  It leaves room:
// gcc -fstack-usage puts every frame in cvmm at 8 KiB or less but one,
// vmm_restore()'s 97 KiB (a snapshot load from the API thread).
#include "thread.h"

#define VMM_THREAD_STACK (1u << 20)

int vmm__thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int r = pthread_attr_init(&attr);

	if (r)
		return r;
	r = pthread_attr_setstacksize(&attr, VMM_THREAD_STACK);
	if (r == 0)
		r = pthread_create(thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return r;
}
