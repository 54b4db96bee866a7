// SPDX-License-Identifier: MIT
// libFuzzer target for --config-file documents (api_config_file.h): the
// input is the file's bytes.  Invariants: no crash or sanitizer report; a
// rejection carries a non-empty one-line message; an accepted document
// gives a configuration within the API's bounds, every rate limiter in it
// is one libratelimit takes (a bucket that does not limit is all zeros),
// and finalizing it either succeeds with the root drive first or fails
// with a message.
#include <stdint.h>
#include <string.h>

#include <rlim/ratelimit.h>

#include "api_config_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const char *err)
{
	if (!err[0] || strchr(err, '\n'))
		__builtin_trap();
}

static void check_bucket(const struct vmm_token_bucket *b, struct rlim_bucket_config *c)
{
	if (!vmm_token_bucket_limits(b) && (b->size || b->one_time_burst || b->refill_ms))
		__builtin_trap();
	*c = (struct rlim_bucket_config){ b->size, b->one_time_burst, b->refill_ms };
}

static void check_limit(const struct vmm_rate_limit *l)
{
	struct rlim_config rc = { .clock = rlim_clock_monotonic };
	struct rlim_limiter lim;

	check_bucket(&l->bytes, &rc.bytes);
	check_bucket(&l->ops, &rc.ops);
	if (rlim_init(&lim, &rc) != 0)
		__builtin_trap();
}

static void check_accepted(const struct vmm__vmcfg *v)
{
	static struct vmm_config out;
	char err[VMM_ERR_MAX] = "";

	if (v->cfg.nblocks > VMM_MAX_BLOCKS || v->cfg.vcpus < 1 ||
	    v->cfg.vcpus > VMM_VCPUS_MAX || v->cfg.mem_mib < VMM_MEM_MIN_MIB)
		__builtin_trap();
	for (uint32_t i = 0; i < v->cfg.nblocks; i++)
		check_limit(&v->cfg.blocks[i].limit);
	for (uint32_t i = 0; i < v->cfg.nnets && i < VMM_MAX_NETS; i++) {
		check_limit(&v->cfg.nets[i].rx_limit);
		check_limit(&v->cfg.nets[i].tx_limit);
	}
	if (vmm__vmcfg_finalize(v, &out, err, sizeof(err)) != 0) {
		check_message(err);
		return;
	}
	for (uint32_t i = 1; i < out.nblocks; i++)
		if (v->drive_root[i] && strcmp(out.blocks[0].path, v->cfg.blocks[i].path) != 0)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmm_config base;
	static struct vmm__vmcfg v;
	char err[VMM_ERR_MAX] = "";

	vmm_config_init(&base);
	vmm__vmcfg_init(&v, &base);
	if (vmm__config_file_parse(data, size, &v, err, sizeof(err)) != 0)
		check_message(err);
	else
		check_accepted(&v);
	return 0;
}
