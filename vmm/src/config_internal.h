/* SPDX-License-Identifier: MIT */
/* vmm_config_validate() keeping the kernel file open (config.c), so that
 * vmm_new() loads the file it checked, opened once. */
#ifndef VMM_CONFIG_INTERNAL_H
#define VMM_CONFIG_INTERNAL_H

#include <stddef.h>

#include <vmm/config.h>

/* As vmm_config_validate(); once the kernel's check passed, *kernel_fd
 * holds its descriptor (read-only), which the caller closes, whatever the
 * result.  kernel_fd may be NULL: then it is closed. */
int vmm__config_check(const struct vmm_config *cfg, char *err, size_t errlen,
		      int *kernel_fd);

#endif
