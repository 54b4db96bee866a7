/* SPDX-License-Identifier: MIT */
/*
 * The control API's endpoints beyond configuration (docs/api.md): actions,
 * VM state, snapshots and metrics, plus the reply helpers they share with
 * the router in api_control.c.
 */
#ifndef VMM_API_ENDPOINTS_H
#define VMM_API_ENDPOINTS_H

#include "api_control.h"

void vmm__api_put_actions(struct vmm__api_ctl *c, const json_t *body,
			  struct vmm__api_reply *rep);
void vmm__api_patch_vm(struct vmm__api_ctl *c, const json_t *body,
		       struct vmm__api_reply *rep);
void vmm__api_put_snapshot_create(struct vmm__api_ctl *c, const json_t *body,
				  struct vmm__api_reply *rep);
void vmm__api_put_snapshot_load(struct vmm__api_ctl *c, const json_t *body,
				struct vmm__api_reply *rep);
void vmm__api_put_metrics(struct vmm__api_ctl *c, const json_t *body,
			  struct vmm__api_reply *rep);

/* 200 with obj as the body (takes the reference; NULL gives 500). */
void vmm__api_reply_json(struct vmm__api_reply *rep, int status, json_t *obj);
/* 204 when r is 0, else 400 with err (or strerror). */
void vmm__api_reply_result(struct vmm__api_reply *rep, int r, const char *err);

#endif
