/* SPDX-License-Identifier: MIT */
/*
 * A fake machine behind the control API (test_api_control.c,
 * test_api_server.c, fuzz_api.c): records what the controller asked for,
 * and fails on request, so that the state rules and every rejection path
 * run without KVM.
 */
#ifndef VMM_TEST_API_FAKE_H
#define VMM_TEST_API_FAKE_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api_control.h"

struct api_fake {
	int fail;		/* -errno returned by the next machine call */
	unsigned starts, loads, pauses, resumes, snapshots, cads;
	struct vmm_config started;	/* what InstanceStart booted */
	char state_path[VMM_PATH_MAX], mem_path[VMM_PATH_MAX];
	struct vmm_config restored;	/* what a load reports */
	struct vmm_metrics m;
	bool have_vm;
};

static int fake_result(struct api_fake *f, char *err, size_t errlen)
{
	int r = f->fail;

	if (r)
		snprintf(err, errlen, "fake machine refused: %s", strerror(-r));
	f->fail = 0;
	return r;
}

static int fake_start(void *ctx, const struct vmm_config *cfg, char *err, size_t errlen)
{
	struct api_fake *f = ctx;
	int r = fake_result(f, err, errlen);

	f->starts++;
	if (r == 0) {
		f->started = *cfg;
		f->have_vm = true;
	}
	return r;
}

static int fake_load(void *ctx, const char *state_path, const char *mem_path,
		     struct vmm_config *restored, char *err, size_t errlen)
{
	struct api_fake *f = ctx;
	int r = fake_result(f, err, errlen);

	f->loads++;
	snprintf(f->state_path, sizeof(f->state_path), "%s", state_path);
	snprintf(f->mem_path, sizeof(f->mem_path), "%s", mem_path);
	if (r == 0) {
		*restored = f->restored;
		f->have_vm = true;
	}
	return r;
}

static int fake_pause(void *ctx, char *err, size_t errlen)
{
	struct api_fake *f = ctx;

	f->pauses++;
	return fake_result(f, err, errlen);
}

static int fake_resume(void *ctx, char *err, size_t errlen)
{
	struct api_fake *f = ctx;

	f->resumes++;
	return fake_result(f, err, errlen);
}

static int fake_snapshot(void *ctx, const char *state_path, const char *mem_path,
			 char *err, size_t errlen)
{
	struct api_fake *f = ctx;

	f->snapshots++;
	snprintf(f->state_path, sizeof(f->state_path), "%s", state_path);
	snprintf(f->mem_path, sizeof(f->mem_path), "%s", mem_path);
	return fake_result(f, err, errlen);
}

static int fake_cad(void *ctx, char *err, size_t errlen)
{
	struct api_fake *f = ctx;

	f->cads++;
	return fake_result(f, err, errlen);
}

static bool fake_metrics(void *ctx, struct vmm_metrics *m)
{
	struct api_fake *f = ctx;

	*m = f->m;
	return f->have_vm;
}

__attribute__((unused)) static const struct vmm__api_ops fake_ops = {
	.start = fake_start, .load = fake_load, .pause = fake_pause,
	.resume = fake_resume, .snapshot = fake_snapshot, .ctrl_alt_del = fake_cad,
	.metrics = fake_metrics,
};

#endif
