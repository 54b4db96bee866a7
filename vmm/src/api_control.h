/* SPDX-License-Identifier: MIT */
/*
 * The control API's request handling (docs/api.md): routes a parsed HTTP
 * request to its endpoint, enforces which requests each VM state accepts,
 * and answers 204, 200 with a JSON body, or 400 with {"fault_message"}.
 * The machine itself is reached through an ops table, so that the state
 * rules and every rejection path are testable without KVM.
 */
#ifndef VMM_API_CONTROL_H
#define VMM_API_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include <vmm/vmm.h>

#include "api_http.h"
#include "api_vmcfg.h"

enum vmm__api_state {
	VMM__API_NOT_STARTED,
	VMM__API_RUNNING,
	VMM__API_PAUSED,
};

/* Each returns 0 or -errno with one line in err. */
struct vmm__api_ops {
	int (*start)(void *ctx, const struct vmm_config *cfg, char *err, size_t errlen);
	/* Restores, paused; *restored receives the snapshot's configuration. */
	int (*load)(void *ctx, const char *state_path, const char *mem_path,
		    struct vmm_config *restored, char *err, size_t errlen);
	int (*pause)(void *ctx, char *err, size_t errlen);
	int (*resume)(void *ctx, char *err, size_t errlen);
	int (*snapshot)(void *ctx, const char *state_path, const char *mem_path,
			char *err, size_t errlen);
	int (*ctrl_alt_del)(void *ctx, char *err, size_t errlen);
	/* Counters of the VM; false before one exists. */
	bool (*metrics)(void *ctx, struct vmm_metrics *m);
};

struct vmm__api_ctl {
	const struct vmm__api_ops *ops;
	void *ctx;
	enum vmm__api_state state;
	struct vmm__vmcfg vmcfg;
	int metrics_fd;		/* -1 until PUT /metrics */
	uint64_t metrics_flushes;
};

/* An answer: status and, unless 204, a malloc'd JSON body. */
struct vmm__api_reply {
	int status;
	char *body;
	size_t body_len;
};

void vmm__api_ctl_init(struct vmm__api_ctl *c, const struct vmm__api_ops *ops,
		       void *ctx, const struct vmm_config *base);
/* Closes the metrics file. */
void vmm__api_ctl_destroy(struct vmm__api_ctl *c);

/* Handles one request; rep->body must be freed by the caller. */
void vmm__api_handle(struct vmm__api_ctl *c, const struct vmm__http_request *req,
		     struct vmm__api_reply *rep);

/* An error reply {"fault_message": msg} with status (400 unless the HTTP
 * layer chose another). */
void vmm__api_fault(struct vmm__api_reply *rep, int status, const char *msg);

/* Marks a VM booted from c->vmcfg without the API (--config-file):
 * RUNNING, with the file's drive and interface ids kept for GET
 * /vm/config. */
void vmm__api_ctl_started(struct vmm__api_ctl *c);

/* Appends one metrics line to the metrics file, if one is set (periodic
 * flush and FlushMetrics).  -errno from write. */
int vmm__api_flush_metrics(struct vmm__api_ctl *c);

/* "Not started", "Running" or "Paused" (Firecracker's InstanceInfo). */
const char *vmm__api_state_name(enum vmm__api_state s);

#endif
