/* SPDX-License-Identifier: MIT */
/*
 * The machine as the control API and --config-file describe it before it
 * boots (docs/api.md): Firecracker's boot-source, machine-config, drives,
 * network-interfaces and vsock objects applied onto a struct vmm_config
 * that the command line already filled, plus what vmm_config has no room
 * for (drive and interface ids, the root flag).  vmm__vmcfg_finalize()
 * turns it into the configuration vmm_new() takes.
 */
#ifndef VMM_API_VMCFG_H
#define VMM_API_VMCFG_H

#include <stdbool.h>

#include <vmm/config.h>

#include "api_json.h"

/* Firecracker's drive_id and iface_id: up to 64 bytes of [A-Za-z0-9_]. */
#define VMM__DRIVE_ID_MAX 64u
/* Kernel arguments used when boot-source has no boot_args. */
#define VMM__DEFAULT_BOOT_ARGS "console=ttyS0 reboot=k panic=1"

struct vmm__vmcfg {
	struct vmm_config cfg;
	char drive_ids[VMM_MAX_BLOCKS][VMM__DRIVE_ID_MAX + 1];
	bool drive_root[VMM_MAX_BLOCKS];
	char iface_ids[VMM_MAX_NETS][VMM__DRIVE_ID_MAX + 1];
	bool boot_source_set;
	bool touched;		/* any PUT applied: a snapshot load is refused */
};

/* Starts from the command line's configuration (console, log, limits...);
 * its --block and --net devices are named "drive0"..., "net0"... */
void vmm__vmcfg_init(struct vmm__vmcfg *v, const struct vmm_config *base);

/* The PUT bodies; each returns 0 or -errno with one line in err and leaves
 * v unchanged on error. */
int vmm__vmcfg_put_boot_source(struct vmm__vmcfg *v, const json_t *body,
			       char *err, size_t errlen);
int vmm__vmcfg_put_machine(struct vmm__vmcfg *v, const json_t *body,
			   char *err, size_t errlen);
/* path_id is the {drive_id} of the URL, which must equal body.drive_id. */
int vmm__vmcfg_put_drive(struct vmm__vmcfg *v, const char *path_id,
			 const json_t *body, char *err, size_t errlen);

/* path_id is the {iface_id} of the URL, which must equal body.iface_id. */
int vmm__vmcfg_put_net(struct vmm__vmcfg *v, const char *path_id,
		       const json_t *body, char *err, size_t errlen);
/* The one vsock device, added or replaced. */
int vmm__vmcfg_put_vsock(struct vmm__vmcfg *v, const json_t *body,
			 char *err, size_t errlen);

/* A whole --config-file document (boot-source, machine-config, drives,
 * network-interfaces, vsock). */
int vmm__vmcfg_apply_file(struct vmm__vmcfg *v, const json_t *doc,
			  char *err, size_t errlen);

/* The configuration to boot: the root drive first, "root=/dev/vda ro|rw"
 * appended when a root drive exists and boot_args has no root=. */
int vmm__vmcfg_finalize(const struct vmm__vmcfg *v, struct vmm_config *out,
			char *err, size_t errlen);

/* GET /machine-config and GET /vm/config bodies (new references). */
json_t *vmm__vmcfg_machine_json(const struct vmm_config *cfg);
json_t *vmm__vmcfg_full_json(const struct vmm__vmcfg *v);

/* Pieces shared by api_vmcfg.c and api_vmcfg_dev.c. */
bool vmm__vmcfg_id_valid(const char *id);
/* -ENOSPC with a message unless one more virtio device fits. */
int vmm__vmcfg_virtio_room(const struct vmm__vmcfg *v, const char *what,
			   char *err, size_t errlen);
/* Firecracker's RateLimiter object (NULL = absent) as a limiter:
 * bandwidth is the bytes bucket, ops the ops bucket (docs/api.md "Rate
 * limiters"); a bucket that limits nothing is stored as zeros. */
int vmm__vmcfg_rate_limiter(const json_t *rl, const char *what, struct vmm_rate_limit *out,
			    char *err, size_t errlen);
/* The RateLimiter object with the buckets that limit, NULL when none does. */
json_t *vmm__vmcfg_rate_json(const struct vmm_rate_limit *l);
json_t *vmm__vmcfg_nets_json(const struct vmm__vmcfg *v);
json_t *vmm__vmcfg_vsock_json(const struct vmm_config *cfg);
int vmm__vmcfg_apply_nets(struct vmm__vmcfg *v, const json_t *nets, char *err,
			  size_t errlen);

/* Rebuilds the description from a restored VM's configuration (ids are
 * not in a snapshot: they become "drive0"..., "net0"...). */
void vmm__vmcfg_from_config(struct vmm__vmcfg *v, const struct vmm_config *cfg);

#endif
