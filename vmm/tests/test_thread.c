// SPDX-License-Identifier: MIT
// cvmm's threads get 1 MiB stacks (vmm/src/thread.c): too small to hold a
// transparent huge page, which is the point.
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>

#include "thread.h"

static void *stack_size_of_self(void *arg)
{
	pthread_attr_t attr;
	size_t *size = arg;

	cr_assert_eq(pthread_getattr_np(pthread_self(), &attr), 0);
	cr_assert_eq(pthread_attr_getstacksize(&attr, size), 0);
	pthread_attr_destroy(&attr);
	return NULL;
}

Test(thread, stacks_are_one_mib_so_no_huge_page_fits)
{
	pthread_t t;
	size_t size = 0;

	cr_assert_eq(vmm__thread_start(&t, stack_size_of_self, &size), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(size, 1u << 20);
}
