/* SPDX-License-Identifier: MIT */
/*
 * Shared by the option tests (test_args.c, test_args_vsock.c, test_args_net.c):
 * argv built from literals as main() gets it, a parsed config, and a real
 * kernel file so that vmm_config_validate() reaches the device checks.
 */
#ifndef VMM_TEST_ARGS_HARNESS_H
#define VMM_TEST_ARGS_HARNESS_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <vmm/args.h>

static struct vmm_config cfg;
static char err[VMM_ERR_MAX];
static char kernel[] = "/tmp/vmm-test-args-kernel-XXXXXX";

static int parse_list(const char *first, ...)
{
	static char store[64][VMM_PATH_MAX + 32];
	char *argv[64];
	int argc = 0;
	va_list ap;

	argv[argc++] = strcpy(store[0], "cvmm");
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		argv[argc] = strcpy(store[argc], a);
		argc++;
	}
	va_end(ap);
	return vmm_args_parse(argc, argv, &cfg, err, sizeof(err));
}

#define PARSE(...) parse_list(__VA_ARGS__, (const char *)NULL)

__attribute__((unused)) static void harness_setup(void)
{
	int fd = mkstemp(kernel);

	cr_assert_geq(fd, 0);
	close(fd);
	vmm_config_init(&cfg);
	err[0] = '\0';
}

__attribute__((unused)) static void harness_teardown(void)
{
	unlink(kernel);
}

__attribute__((unused)) static int validate(void)
{
	strcpy(cfg.kernel_path, kernel);
	return vmm_config_validate(&cfg, err, sizeof(err));
}

#endif
