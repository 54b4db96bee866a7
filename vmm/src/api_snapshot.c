// SPDX-License-Identifier: MIT
// PUT /snapshot/create and PUT /snapshot/load (docs/api.md "Snapshots";
// the files are described in docs/snapshot.md).
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api_endpoints.h"
#include "snap_memory.h"

static const struct vmm__json_field create_fields[] = {
	{ "snapshot_type", VMM__JSON_STRING, false },
	{ "snapshot_path", VMM__JSON_STRING, true },
	{ "mem_file_path", VMM__JSON_STRING, true },
	{ NULL, 0, false },
};

/* mem_file_path is Firecracker's older spelling of a File mem_backend;
 * exactly one of the two is given. */
static const struct vmm__json_field load_fields[] = {
	{ "snapshot_path", VMM__JSON_STRING, true },
	{ "mem_backend", VMM__JSON_OBJECT, false },
	{ "mem_file_path", VMM__JSON_STRING, false },
	{ "enable_diff_snapshots", VMM__JSON_BOOL, false },
	{ "resume_vm", VMM__JSON_BOOL, false },
	{ NULL, 0, false },
};

static const struct vmm__json_field backend_fields[] = {
	{ "backend_type", VMM__JSON_STRING, true },
	{ "backend_path", VMM__JSON_STRING, true },
	{ NULL, 0, false },
};

struct snap_paths {
	char state[VMM_PATH_MAX];
	char mem[VMM_PATH_MAX];
};

static int create_params(const json_t *body, struct snap_paths *p, char *err,
			 size_t errlen)
{
	const char *type;
	int r = vmm__json_check(body, create_fields, "snapshot/create", err, errlen);

	if (r)
		return r;
	type = vmm__json_str(body, "snapshot_type", "Full");
	if (strcmp(type, "Full") != 0)
		return vmm__json_fail(err, errlen, -EINVAL, "snapshot/create.snapshot_type '%.*s': only "
				"Full is offered", vmm__utf8_clip(type, 40), type);
	if ((r = vmm__json_copy_str(body, "snapshot_path", p->state, sizeof(p->state),
				    "snapshot/create", err, errlen)))
		return r;
	if ((r = vmm__json_copy_str(body, "mem_file_path", p->mem, sizeof(p->mem),
				    "snapshot/create", err, errlen)))
		return r;
	/* The state file would be renamed over the memory file. */
	if (vmm__snap_same_file(p->state, p->mem))
		return vmm__json_fail(err, errlen, -EINVAL, "snapshot/create: snapshot_path and "
				      "mem_file_path name the same file");
	return 0;
}

void vmm__api_put_snapshot_create(struct vmm__api_ctl *c, const json_t *body,
				  struct vmm__api_reply *rep)
{
	static struct snap_paths p;	/* requests are handled one at a time */
	char err[VMM_ERR_MAX] = "";
	int r;

	if ((r = create_params(body, &p, err, sizeof(err)))) {
		vmm__api_fault(rep, 400, err);
		return;
	}
	if (c->state != VMM__API_PAUSED) {
		snprintf(err, sizeof(err), "snapshot/create: the VM is %s; pause it first",
			 vmm__api_state_name(c->state));
		vmm__api_fault(rep, 400, err);
		return;
	}
	r = c->ops->snapshot(c->ctx, p.state, p.mem, err, sizeof(err));
	vmm__api_reply_result(rep, r, err);
}

static int backend_path(const json_t *body, struct snap_paths *p, char *err,
			size_t errlen)
{
	const json_t *be = json_object_get(body, "mem_backend");
	const char *type;
	int r;

	if (!be == !json_object_get(body, "mem_file_path"))
		return vmm__json_fail(err, errlen, -EINVAL, "snapshot/load: give mem_backend or mem_file_path, "
				"not both or neither");
	if (!be)
		return vmm__json_copy_str(body, "mem_file_path", p->mem, sizeof(p->mem),
					  "snapshot/load", err, errlen);
	if ((r = vmm__json_check(be, backend_fields, "snapshot/load.mem_backend", err, errlen)))
		return r;
	type = vmm__json_str(be, "backend_type", "");
	if (strcmp(type, "File") != 0)
		return vmm__json_fail(err, errlen, -EINVAL, "snapshot/load.mem_backend.backend_type '%.*s': "
				"only File is offered", vmm__utf8_clip(type, 40), type);
	return vmm__json_copy_str(be, "backend_path", p->mem, sizeof(p->mem),
				  "snapshot/load.mem_backend", err, errlen);
}

static int load_params(const json_t *body, struct snap_paths *p, char *err,
		       size_t errlen)
{
	int r = vmm__json_check(body, load_fields, "snapshot/load", err, errlen);

	if (r)
		return r;
	if (vmm__json_bool(body, "enable_diff_snapshots", false))
		return vmm__json_fail(err, errlen, -EINVAL, "snapshot/load.enable_diff_snapshots=true: only "
				"Full snapshots are offered");
	if ((r = vmm__json_copy_str(body, "snapshot_path", p->state, sizeof(p->state),
				    "snapshot/load", err, errlen)))
		return r;
	return backend_path(body, p, err, errlen);
}

/* A snapshot brings its whole machine: it is loaded into a fresh process. */
static bool load_allowed(struct vmm__api_ctl *c, char *err, size_t errlen)
{
	if (c->state != VMM__API_NOT_STARTED)
		snprintf(err, errlen, "snapshot/load: the VM is %s; load into a new cvmm",
			 vmm__api_state_name(c->state));
	else if (c->vmcfg.touched)
		snprintf(err, errlen, "snapshot/load: the VM was already configured; a "
			 "snapshot is loaded before any other configuration");
	else
		return true;
	return false;
}

static int load_and_resume(struct vmm__api_ctl *c, const struct snap_paths *p,
			   bool resume, char *err, size_t errlen)
{
	static struct vmm_config restored;
	/* Room for the prefix below; requests are handled one at a time. */
	static char resume_err[VMM_ERR_MAX - 96];
	int r = c->ops->load(c->ctx, p->state, p->mem, &restored, err, errlen);

	if (r)
		return r;
	vmm__vmcfg_from_config(&c->vmcfg, &restored);
	c->state = VMM__API_PAUSED;
	if (!resume)
		return 0;
	r = c->ops->resume(c->ctx, err, errlen);
	if (r == 0) {
		c->state = VMM__API_RUNNING;
		return 0;
	}
	/* The machine exists now and stays Paused (docs/api.md): say so, a
	 * second load would be refused. */
	snprintf(resume_err, sizeof(resume_err), "%s", err);
	snprintf(err, errlen, "snapshot/load: the snapshot is loaded and the VM is Paused, "
		 "but resume_vm failed: %s", resume_err);
	return r;
}

void vmm__api_put_snapshot_load(struct vmm__api_ctl *c, const json_t *body,
				struct vmm__api_reply *rep)
{
	static struct snap_paths p;
	char err[VMM_ERR_MAX] = "";
	int r;

	if ((r = load_params(body, &p, err, sizeof(err))) ||
	    !load_allowed(c, err, sizeof(err))) {
		vmm__api_fault(rep, 400, err);
		return;
	}
	r = load_and_resume(c, &p, vmm__json_bool(body, "resume_vm", false), err, sizeof(err));
	vmm__api_reply_result(rep, r, err);
}
