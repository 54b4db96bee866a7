// SPDX-License-Identifier: MIT
// The process options (--api-sock, --config-file, --seccomp): plain values in
// both "--opt VALUE" and "--opt=VALUE" form, and their rejection paths.
#include "args_harness.h"

static void setup(void)
{
	vmm_config_init(&cfg);
	err[0] = '\0';
}

TestSuite(args_process, .init = setup);

Test(args_process, defaults_are_no_api_no_file_seccomp_kill)
{
	cr_assert_str_eq(cfg.process.api_sock, "");
	cr_assert_str_eq(cfg.process.config_file, "");
	cr_assert_eq(cfg.process.seccomp, VMM_SECCOMP_KILL);
}

Test(args_process, api_sock_separate_value)
{
	cr_assert_eq(PARSE("--api-sock", "/run/cvmm.sock"), VMM_ARGS_RUN, "%s", err);
	cr_assert_str_eq(cfg.process.api_sock, "/run/cvmm.sock");
}

Test(args_process, api_sock_inline_value)
{
	cr_assert_eq(PARSE("--api-sock=/tmp/a,b.sock"), VMM_ARGS_RUN, "%s", err);
	/* A plain value is taken whole: commas are not key separators. */
	cr_assert_str_eq(cfg.process.api_sock, "/tmp/a,b.sock");
}

Test(args_process, api_sock_longer_than_sun_path_rejected)
{
	char path[VMM_API_SOCK_MAX + 2];

	memset(path, 's', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	cr_assert_eq(PARSE("--api-sock", path), -EINVAL);
	cr_assert(strstr(err, "--api-sock path=") == err, "%s", err);
	cr_assert(strstr(err, "longer than 107 bytes"), "%s", err);
}

Test(args_process, api_sock_empty_rejected)
{
	cr_assert_eq(PARSE("--api-sock="), -EINVAL);
	cr_assert_str_eq(err, "--api-sock needs a socket path");
}

Test(args_process, config_file_both_forms)
{
	cr_assert_eq(PARSE("--config-file", "vm.json"), VMM_ARGS_RUN, "%s", err);
	cr_assert_str_eq(cfg.process.config_file, "vm.json");
	cr_assert_eq(PARSE("--config-file=other.json"), VMM_ARGS_RUN, "%s", err);
	cr_assert_str_eq(cfg.process.config_file, "other.json");
}

Test(args_process, config_file_without_value)
{
	cr_assert_eq(PARSE("--config-file"), -EINVAL);
	cr_assert_str_eq(err, "--config-file: missing its value argument");
}

Test(args_process, seccomp_modes)
{
	cr_assert_eq(PARSE("--seccomp=log"), VMM_ARGS_RUN, "%s", err);
	cr_assert_eq(cfg.process.seccomp, VMM_SECCOMP_LOG);
	cr_assert_eq(PARSE("--seccomp", "off"), VMM_ARGS_RUN, "%s", err);
	cr_assert_eq(cfg.process.seccomp, VMM_SECCOMP_OFF);
	cr_assert_eq(PARSE("--seccomp", "kill"), VMM_ARGS_RUN, "%s", err);
	cr_assert_eq(cfg.process.seccomp, VMM_SECCOMP_KILL);
}

Test(args_process, seccomp_unknown_mode_rejected)
{
	cr_assert_eq(PARSE("--seccomp=trap"), -EINVAL);
	cr_assert_str_eq(err, "--seccomp trap: expected off, log or kill");
}

Test(args_process, inline_value_refused_for_key_value_options)
{
	cr_assert_eq(PARSE("--memory=size_mib=512"), -EINVAL);
	cr_assert_str_eq(err, "--memory=size_mib=512: unknown option (see --help)");
}

Test(args_process, usage_shows_plain_options_with_value)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vmm_args_usage(f, "cvmm");
	fclose(f);
	cr_assert(strstr(buf, "--api-sock VALUE"), "%s", buf);
	cr_assert(strstr(buf, "--config-file VALUE"), "%s", buf);
	cr_assert(strstr(buf, "--seccomp VALUE"), "%s", buf);
	free(buf);
}
