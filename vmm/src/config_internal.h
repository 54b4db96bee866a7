/* SPDX-License-Identifier: MIT */
/* vmm_config_validate() keeping the files it opened (config.c), so that
 * vmm_new() uses the files it checked, each opened once. */
#ifndef VMM_CONFIG_INTERNAL_H
#define VMM_CONFIG_INTERNAL_H

#include <stddef.h>

#include <vmm/config.h>

/* Descriptors of the host files a configuration names; -1 where none. */
struct vmm__input_files {
	int kernel;			/* read-only */
	int initramfs;			/* read-only */
	int blocks[VMM_MAX_BLOCKS];	/* read-only or read-write, as configured */
};

void vmm__input_files_init(struct vmm__input_files *f);	/* all -1 */
void vmm__input_files_close(struct vmm__input_files *f);	/* and all -1 */

/* As vmm_config_validate(), keeping each file the check opened: when it
 * passes, every file the configuration names is open in *keep, which the
 * caller then owns; when it fails, nothing is left open and *keep is all
 * -1.  keep may be NULL: then every file is closed before it returns. */
int vmm__config_check(const struct vmm_config *cfg, char *err, size_t errlen,
		      struct vmm__input_files *keep);

/* The settings part of vmm_config_validate() (sizes, device counts and
 * the virtio slots they share, vsock CID, MACs, limiter maxima, serial),
 * without the kernel and without opening any file: vmm_restore() checks a
 * snapshot's machine with it before anything is created. */
int vmm__config_check_machine(const struct vmm_config *cfg, char *err, size_t errlen);

#endif
