// SPDX-License-Identifier: MIT
// Routing and the configuration endpoints of the control API (api_control.h,
// docs/api.md "Endpoints" and "States").
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmm/version.h>

#include "api_control.h"
#include "api_endpoints.h"

#define INSTANCE_ID "anonymous-instance"

const char *vmm__api_state_name(enum vmm__api_state s)
{
	switch (s) {
	case VMM__API_NOT_STARTED: return "Not started";
	case VMM__API_RUNNING: return "Running";
	case VMM__API_PAUSED: return "Paused";
	}
	return "?";
}

void vmm__api_ctl_init(struct vmm__api_ctl *c, const struct vmm__api_ops *ops,
		       void *ctx, const struct vmm_config *base)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->ctx = ctx;
	c->state = VMM__API_NOT_STARTED;
	c->metrics_fd = -1;
	vmm__vmcfg_init(&c->vmcfg, base);
}

void vmm__api_ctl_destroy(struct vmm__api_ctl *c)
{
	if (c->metrics_fd >= 0)
		close(c->metrics_fd);
	c->metrics_fd = -1;
}

void vmm__api_ctl_started(struct vmm__api_ctl *c)
{
	c->state = VMM__API_RUNNING;
}

/* Takes ownership of obj. */
void vmm__api_reply_json(struct vmm__api_reply *rep, int status, json_t *obj)
{
	rep->body = obj ? vmm__json_dump(obj) : NULL;
	json_decref(obj);
	if (!rep->body) {
		vmm__api_fault(rep, 500, "out of memory");
		return;
	}
	rep->status = status;
	rep->body_len = strlen(rep->body);
}

/* The message is host- or client-chosen text: keep it one printable line
 * of UTF-8, which JSON needs (a host path need not be). */
void vmm__api_fault(struct vmm__api_reply *rep, int status, const char *msg)
{
	char line[VMM_ERR_MAX], text[3 * VMM_ERR_MAX];
	json_t *o;

	snprintf(line, sizeof(line), "%.*s", vmm__utf8_clip(msg, (int)sizeof(line) - 1), msg);
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	vmm__utf8_repair(line, text, sizeof(text));
	o = json_pack("{s:s}", "fault_message", text);
	rep->status = status;
	rep->body = o ? vmm__json_dump(o) : NULL;
	rep->body_len = rep->body ? strlen(rep->body) : 0;
	json_decref(o);
}

void vmm__api_reply_result(struct vmm__api_reply *rep, int r, const char *err)
{
	if (r)
		vmm__api_fault(rep, 400, err[0] ? err : strerror(-r));
	else
		rep->status = 204;
}

static void get_info(struct vmm__api_ctl *c, struct vmm__api_reply *rep)
{
	vmm__api_reply_json(rep, 200, json_pack("{s:s,s:s,s:s,s:s}", "id", INSTANCE_ID,
		"state", vmm__api_state_name(c->state), "vmm_version", VMM_VERSION_STRING,
		"app_name", "cvmm"));
}

/* Configuration changes are accepted before the boot only. */
static bool before_boot(struct vmm__api_ctl *c, struct vmm__api_reply *rep,
			const char *what)
{
	char msg[128];

	if (c->state == VMM__API_NOT_STARTED)
		return true;
	snprintf(msg, sizeof(msg), "%s: the VM is %s; it is configured before "
		 "InstanceStart only", what, vmm__api_state_name(c->state));
	vmm__api_fault(rep, 400, msg);
	return false;
}

typedef int (*vmcfg_put_fn)(struct vmm__vmcfg *v, const json_t *body, char *err,
			    size_t errlen);

static void put_config(struct vmm__api_ctl *c, const json_t *body, vmcfg_put_fn fn,
		       const char *what, struct vmm__api_reply *rep)
{
	char err[VMM_ERR_MAX] = "";

	if (before_boot(c, rep, what))
		vmm__api_reply_result(rep, fn(&c->vmcfg, body, err, sizeof(err)), err);
}

static void put_drive(struct vmm__api_ctl *c, const char *id, const json_t *body,
		      struct vmm__api_reply *rep)
{
	char err[VMM_ERR_MAX] = "";

	if (before_boot(c, rep, "PUT /drives"))
		vmm__api_reply_result(rep, vmm__vmcfg_put_drive(&c->vmcfg, id, body, err,
								sizeof(err)), err);
}

static void put_net(struct vmm__api_ctl *c, const char *id, const json_t *body,
		    struct vmm__api_reply *rep)
{
	char err[VMM_ERR_MAX] = "";

	if (before_boot(c, rep, "PUT /network-interfaces"))
		vmm__api_reply_result(rep, vmm__vmcfg_put_net(&c->vmcfg, id, body, err,
							      sizeof(err)), err);
}

static void route_get(struct vmm__api_ctl *c, const char *path,
		      struct vmm__api_reply *rep)
{
	if (strcmp(path, "/") == 0)
		get_info(c, rep);
	else if (strcmp(path, "/machine-config") == 0)
		vmm__api_reply_json(rep, 200, vmm__vmcfg_machine_json(&c->vmcfg.cfg));
	else if (strcmp(path, "/vm/config") == 0)
		vmm__api_reply_json(rep, 200, vmm__vmcfg_full_json(&c->vmcfg));
	else
		vmm__api_fault(rep, 400, "unknown path for GET");
}

static void route_put(struct vmm__api_ctl *c, const char *path, const json_t *body,
		      struct vmm__api_reply *rep)
{
	if (strcmp(path, "/boot-source") == 0)
		put_config(c, body, vmm__vmcfg_put_boot_source, "PUT /boot-source", rep);
	else if (strcmp(path, "/machine-config") == 0)
		put_config(c, body, vmm__vmcfg_put_machine, "PUT /machine-config", rep);
	else if (strncmp(path, "/drives/", 8) == 0)
		put_drive(c, path + 8, body, rep);
	else if (strncmp(path, "/network-interfaces/", 20) == 0)
		put_net(c, path + 20, body, rep);
	else if (strcmp(path, "/vsock") == 0)
		put_config(c, body, vmm__vmcfg_put_vsock, "PUT /vsock", rep);
	else if (strcmp(path, "/actions") == 0)
		vmm__api_put_actions(c, body, rep);
	else if (strcmp(path, "/snapshot/create") == 0)
		vmm__api_put_snapshot_create(c, body, rep);
	else if (strcmp(path, "/snapshot/load") == 0)
		vmm__api_put_snapshot_load(c, body, rep);
	else if (strcmp(path, "/metrics") == 0)
		vmm__api_put_metrics(c, body, rep);
	else
		vmm__api_fault(rep, 400, "unknown path for PUT");
}

static void route_body(struct vmm__api_ctl *c, const struct vmm__http_request *req,
		       struct vmm__api_reply *rep)
{
	char err[VMM_ERR_MAX];
	json_t *body;

	if (vmm__json_parse_object(req->body, req->body_len, &body, err, sizeof(err))) {
		vmm__api_fault(rep, 400, err);
		return;
	}
	if (req->method == VMM__HTTP_PUT)
		route_put(c, req->path, body, rep);
	else if (strcmp(req->path, "/vm") == 0)
		vmm__api_patch_vm(c, body, rep);
	else
		vmm__api_fault(rep, 400, "unknown path for PATCH");
	json_decref(body);
}

void vmm__api_handle(struct vmm__api_ctl *c, const struct vmm__http_request *req,
		     struct vmm__api_reply *rep)
{
	memset(rep, 0, sizeof(*rep));
	/* A GET's body, if any, was consumed by the HTTP layer and is ignored. */
	if (req->method == VMM__HTTP_GET) {
		route_get(c, req->path, rep);
		return;
	}
	route_body(c, req, rep);
}
