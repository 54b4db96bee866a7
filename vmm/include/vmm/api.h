/* SPDX-License-Identifier: MIT */
/*
 * cvmm driven by its control API and by JSON configuration files
 * (docs/api.md): Firecracker's HTTP/1.1 + JSON API on a Unix socket
 * (boot-source, machine-config, drives, actions, vm state, snapshots,
 * metrics) and its configuration-file schema.
 *
 *   struct vmm_result res;
 *   strcpy(cfg.process.api_sock, "/run/vm0.sock");
 *   if (vmm_serve(&cfg, &res, err, sizeof(err)) == 0)
 *           return res.exit_code;
 */
#ifndef VMM_API_H
#define VMM_API_H

#include <stddef.h>

#include <vmm/config.h>
#include <vmm/vmm.h>

/*
 * Boots from cfg->process.config_file at once when it is set, else waits
 * for InstanceStart or a snapshot load on cfg->process.api_sock; serves
 * the API (when a socket is set) while the VM runs on the calling thread;
 * returns when the guest stops, or when SIGINT, SIGTERM or SIGHUP arrives
 * before it started.  The rest of cfg is the base every API configuration
 * starts from (console, log level, KVM path, limits).
 *
 * Returns 0 with *res filled, or -errno with one line in err when nothing
 * ran: the socket path exists or cannot be bound, the configuration file
 * is unreadable or invalid, or the VM it describes cannot be built.
 * Blocks SIGINT, SIGTERM, SIGHUP and cfg->dump_signal in the calling
 * thread (as vmm_new() does); call it before creating other threads.
 */
VMM_WUR int vmm_serve(const struct vmm_config *cfg, struct vmm_result *res,
		      char *err, size_t errlen);

#endif
