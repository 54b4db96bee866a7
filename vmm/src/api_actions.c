// SPDX-License-Identifier: MIT
// PUT /actions and PATCH /vm (docs/api.md "Actions" and "States"): each
// request is checked against the VM's state before the machine is touched.
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api_endpoints.h"

static const struct vmm__json_field action_fields[] = {
	{ "action_type", VMM__JSON_STRING, true },
	{ NULL, 0, false },
};

static const struct vmm__json_field vm_fields[] = {
	{ "state", VMM__JSON_STRING, true },
	{ NULL, 0, false },
};

__attribute__((format(printf, 3, 4)))
static void refuse(struct vmm__api_reply *rep, struct vmm__api_ctl *c, const char *fmt, ...)
{
	char msg[VMM_ERR_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, " (the VM is %s)",
			 vmm__api_state_name(c->state));
	vmm__api_fault(rep, 400, msg);
}

static void instance_start(struct vmm__api_ctl *c, struct vmm__api_reply *rep)
{
	static struct vmm_config cfg;	/* requests are handled one at a time */
	char err[VMM_ERR_MAX] = "";
	int r;

	if (c->state != VMM__API_NOT_STARTED) {
		refuse(rep, c, "InstanceStart: the VM was already started");
		return;
	}
	r = vmm__vmcfg_finalize(&c->vmcfg, &cfg, err, sizeof(err));
	if (r == 0)
		r = c->ops->start(c->ctx, &cfg, err, sizeof(err));
	if (r == 0)
		c->state = VMM__API_RUNNING;
	vmm__api_reply_result(rep, r, err);
}

static void ctrl_alt_del(struct vmm__api_ctl *c, struct vmm__api_reply *rep)
{
	char err[VMM_ERR_MAX] = "";

	if (c->state != VMM__API_RUNNING) {
		refuse(rep, c, "SendCtrlAltDel: needs a running VM");
		return;
	}
	vmm__api_reply_result(rep, c->ops->ctrl_alt_del(c->ctx, err, sizeof(err)), err);
}

static void flush_metrics(struct vmm__api_ctl *c, struct vmm__api_reply *rep)
{
	int r;

	if (c->metrics_fd < 0) {
		vmm__api_fault(rep, 400, "FlushMetrics: no metrics file; PUT /metrics first");
		return;
	}
	r = vmm__api_flush_metrics(c);
	vmm__api_reply_result(rep, r, r ? "FlushMetrics: writing the metrics file failed" : "");
}

void vmm__api_put_actions(struct vmm__api_ctl *c, const json_t *body,
			  struct vmm__api_reply *rep)
{
	char err[VMM_ERR_MAX];
	const char *type;

	if (vmm__json_check(body, action_fields, "actions", err, sizeof(err))) {
		vmm__api_fault(rep, 400, err);
		return;
	}
	type = vmm__json_str(body, "action_type", "");
	if (strcmp(type, "InstanceStart") == 0)
		instance_start(c, rep);
	else if (strcmp(type, "SendCtrlAltDel") == 0)
		ctrl_alt_del(c, rep);
	else if (strcmp(type, "FlushMetrics") == 0)
		flush_metrics(c, rep);
	else
		refuse(rep, c, "actions.action_type '%.*s': expected InstanceStart, "
		       "SendCtrlAltDel or FlushMetrics", vmm__utf8_clip(type, 40), type);
}

static void change_state(struct vmm__api_ctl *c, bool pause, struct vmm__api_reply *rep)
{
	char err[VMM_ERR_MAX] = "";
	int r;

	if (c->state == VMM__API_NOT_STARTED) {
		refuse(rep, c, "vm.state: there is no VM to %s", pause ? "pause" : "resume");
		return;
	}
	r = pause ? c->ops->pause(c->ctx, err, sizeof(err))
		  : c->ops->resume(c->ctx, err, sizeof(err));
	if (r == 0)
		c->state = pause ? VMM__API_PAUSED : VMM__API_RUNNING;
	vmm__api_reply_result(rep, r, err);
}

void vmm__api_patch_vm(struct vmm__api_ctl *c, const json_t *body,
		       struct vmm__api_reply *rep)
{
	char err[VMM_ERR_MAX];
	const char *state;

	if (vmm__json_check(body, vm_fields, "vm", err, sizeof(err))) {
		vmm__api_fault(rep, 400, err);
		return;
	}
	state = vmm__json_str(body, "state", "");
	if (strcmp(state, "Paused") == 0)
		change_state(c, true, rep);
	else if (strcmp(state, "Resumed") == 0)
		change_state(c, false, rep);
	else
		refuse(rep, c, "vm.state '%.*s': expected Paused or Resumed", vmm__utf8_clip(state, 40),
		       state);
}
