// SPDX-License-Identifier: MIT
// libFuzzer target for the cvmm command line (vmm_args_parse) and the
// value parsers: the input is split on NUL bytes into argv.  Invariants:
// no crash or sanitizer report; an error leaves a non-empty NUL-terminated
// one-line message; a success leaves every string
// field NUL-terminated within its buffer, the block count in range and
// every rate limiter bucket either unset or with a size and a refill time.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/args.h>

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_strings(const struct vmm_config *cfg)
{
	if (!memchr(cfg->kernel_path, 0, sizeof(cfg->kernel_path)) ||
	    !memchr(cfg->cmdline, 0, sizeof(cfg->cmdline)) ||
	    !memchr(cfg->initramfs_path, 0, sizeof(cfg->initramfs_path)) ||
	    !memchr(cfg->kvm_path, 0, sizeof(cfg->kvm_path)) ||
	    !memchr(cfg->serial.out_path, 0, sizeof(cfg->serial.out_path)) ||
	    cfg->nblocks > VMM_MAX_BLOCKS)
		__builtin_trap();
	for (uint32_t i = 0; i < cfg->nblocks; i++)
		if (!memchr(cfg->blocks[i].path, 0, sizeof(cfg->blocks[i].path)))
			__builtin_trap();
}

/* B_burst and B_refill_ms need B; B alone gets a refill time. */
static void check_bucket(const struct vmm_token_bucket *b)
{
	if (b->size ? !b->refill_ms : b->one_time_burst || b->refill_ms)
		__builtin_trap();
}

static void check_limits(const struct vmm_config *cfg)
{
	for (uint32_t i = 0; i < cfg->nblocks; i++) {
		check_bucket(&cfg->blocks[i].limit.bytes);
		check_bucket(&cfg->blocks[i].limit.ops);
	}
	if (cfg->nnets > VMM_MAX_NETS)
		__builtin_trap();
	for (uint32_t i = 0; i < cfg->nnets; i++) {
		check_bucket(&cfg->nets[i].rx_limit.bytes);
		check_bucket(&cfg->nets[i].rx_limit.ops);
		check_bucket(&cfg->nets[i].tx_limit.bytes);
		check_bucket(&cfg->nets[i].tx_limit.ops);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmm_config cfg;
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 1];
	char err[VMM_ERR_MAX];
	int argc = 1, r;
	size_t start = 0;
	uint64_t v;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = (char *)"cvmm";
	for (size_t i = 0; i <= size && argc < MAX_ARGS; i++) {
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	vmm_config_init(&cfg);
	memset(err, 0x5a, sizeof(err));
	r = vmm_args_parse(argc, argv, &cfg, err, sizeof(err));
	if (r < 0) {
		if (!memchr(err, 0, sizeof(err)) || err[0] == '\0' || strchr(err, '\n'))
			__builtin_trap();
	} else if (r != VMM_ARGS_RUN && r != VMM_ARGS_HELP && r != VMM_ARGS_VERSION) {
		__builtin_trap();
	} else {
		check_strings(&cfg);
		check_limits(&cfg);
	}
	/* The value parsers on the raw first argument. */
	if (argc > 1) {
		bool b;

		(void)!vmm_args_parse_u64(argv[1], &v);
		(void)!vmm_args_parse_size(argv[1], &v);
		(void)!vmm_args_parse_bool(argv[1], &b);
	}
	free(buf);
	return 0;
}
