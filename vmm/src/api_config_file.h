/* SPDX-License-Identifier: MIT */
/*
 * --config-file (docs/api.md "Configuration file"): Firecracker's JSON
 * document with boot-source, machine-config and drives, read whole (at
 * most VMM__CONFIG_FILE_MAX bytes) and applied onto a machine description.
 */
#ifndef VMM_API_CONFIG_FILE_H
#define VMM_API_CONFIG_FILE_H

#include <stddef.h>

#include "api_vmcfg.h"

#define VMM__CONFIG_FILE_MAX (1024u * 1024u)

/* -errno with one line in err naming the file and the problem. */
int vmm__config_file_load(const char *path, struct vmm__vmcfg *v, char *err,
			  size_t errlen);

/* The same, for a document already in memory (what the fuzzer drives). */
int vmm__config_file_parse(const void *buf, size_t len, struct vmm__vmcfg *v,
			   char *err, size_t errlen);

#endif
