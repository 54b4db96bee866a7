// SPDX-License-Identifier: MIT
// cvmm's threads get 1 MiB stacks (vmm/src/thread.c): too small to hold a
// transparent huge page, which is the point.
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api_json.h"
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

/*
 * The deepest request body the API server parses (jansson stops at
 * JSON_PARSER_MAX_DEPTH) recurses once per level on the API thread: it
 * must fit a cvmm thread's stack, and one level more is refused, not run.
 */
struct deep_body {
	size_t depth;
	int result;
};

static void *parse_deep_body(void *arg)
{
	struct deep_body *b = arg;
	size_t arrays = b->depth - 1, len = 6 + 2 * arrays;	/* {"a":[..]} */
	char *buf = malloc(len), err[160];
	json_t *root = NULL;

	cr_assert_not_null(buf);
	memcpy(buf, "{\"a\":", 5);
	memset(buf + 5, '[', arrays);
	memset(buf + 5 + arrays, ']', arrays);
	buf[len - 1] = '}';
	b->result = vmm__json_parse_object(buf, len, &root, err, sizeof(err));
	json_decref(root);
	free(buf);
	return NULL;
}

static int parse_deep_on_a_cvmm_thread(size_t depth)
{
	struct deep_body b = { .depth = depth, .result = 1 };
	pthread_t t;

	cr_assert_eq(vmm__thread_start(&t, parse_deep_body, &b), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	return b.result;
}

Test(thread, deepest_json_body_parses_within_the_stack)
{
	cr_assert_eq(parse_deep_on_a_cvmm_thread(JSON_PARSER_MAX_DEPTH), 0);
	cr_assert_eq(parse_deep_on_a_cvmm_thread(JSON_PARSER_MAX_DEPTH + 1), -EINVAL);
}
