// SPDX-License-Identifier: MIT
// --api-sock and --config-file (docs/cvmm.md, "Control API"): plain path
// arguments, only where the caller accepts them, and a machine described
// in one place only.
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <vmm/args.h>

static struct vmm_config cfg;
static struct vmm_args_modes modes;
static char err[VMM_ERR_MAX];

static int parse_modes(struct vmm_args_modes *m, const char *first, ...)
{
	static char store[16][VMM_PATH_MAX + 32];
	char *argv[16];
	int argc = 0;
	va_list ap;

	argv[argc++] = strcpy(store[0], "cvmm");
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		argv[argc] = strcpy(store[argc], a);
		argc++;
	}
	va_end(ap);
	return vmm_args_parse_modes(argc, argv, &cfg, m, err, sizeof(err));
}

#define MODES(...) parse_modes(&modes, __VA_ARGS__, (const char *)NULL)
#define NO_MODES(...) parse_modes(NULL, __VA_ARGS__, (const char *)NULL)

static void setup(void)
{
	vmm_config_init(&cfg);
	memset(&modes, 0x5a, sizeof(modes));	/* parsing must clear it */
	err[0] = '\0';
}

TestSuite(args_modes, .init = setup);

Test(args_modes, api_sock_takes_a_plain_path)
{
	cr_assert_eq(MODES("--api-sock", "/run/cvmm.sock"), VMM_ARGS_RUN, "%s", err);
	cr_assert_str_eq(modes.api_sock, "/run/cvmm.sock");
	cr_assert_str_eq(modes.config_file, "");
}

Test(args_modes, api_sock_with_host_options)
{
	cr_assert_eq(MODES("--serial", "in=none", "--api-sock", "a.sock", "--log", "level=info"),
		     VMM_ARGS_RUN, "%s", err);
	cr_assert_str_eq(modes.api_sock, "a.sock");
	cr_assert(!cfg.serial.stdin_input);
	cr_assert_eq(cfg.log_level, VMM_LOG_INFO);
}

Test(args_modes, config_file_and_api_sock_together)
{
	cr_assert_eq(MODES("--config-file", "vm.json", "--api-sock", "a.sock"), VMM_ARGS_RUN,
		     "%s", err);
	cr_assert_str_eq(modes.config_file, "vm.json");
	cr_assert_str_eq(modes.api_sock, "a.sock");
}

Test(args_modes, config_file_refuses_machine_options)
{
	cr_assert_eq(MODES("--config-file", "vm.json", "--kernel", "path=vmlinuz"), -EINVAL);
	cr_assert(strstr(err, "--config-file vm.json") && strstr(err, "--kernel"), "%s", err);
	cr_assert_eq(MODES("--block", "path=d.img", "--config-file", "vm.json"), -EINVAL);
}

Test(args_modes, missing_path_refused)
{
	cr_assert_eq(MODES("--api-sock"), -EINVAL);
	cr_assert(strstr(err, "--api-sock: missing its path argument"), "%s", err);
	cr_assert_eq(MODES("--config-file", ""), -EINVAL);
	cr_assert(strstr(err, "needs a path"), "%s", err);
}

Test(args_modes, long_path_refused)
{
	static char path[VMM_PATH_MAX + 8];

	memset(path, 'p', sizeof(path) - 1);
	cr_assert_eq(MODES("--api-sock", path), -EINVAL);
	cr_assert(strstr(err, "path too long"), "%s", err);
}

Test(args_modes, plain_parse_refuses_mode_options)
{
	cr_assert_eq(NO_MODES("--api-sock", "a.sock"), -EINVAL);
	cr_assert(strstr(err, "--api-sock") && strstr(err, "not available"), "%s", err);
}
