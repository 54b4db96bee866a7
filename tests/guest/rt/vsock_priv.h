/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by vsock.c (queues) and vsock_conn.c (connections).
 */
#ifndef GK_VSOCK_PRIV_H
#define GK_VSOCK_PRIV_H

#include "vsock.h"

/* Queues one packet; fills in CIDs, type and len. */
bool gk_vsock__xmit(struct gk_vsock *v, struct gk_vsock_hdr *h,
		    const void *data, uint32_t len);
/* Handles one validated packet from the host. */
void gk_vsock__dispatch(struct gk_vsock *v, const struct gk_vsock_hdr *h,
			const uint8_t *data);

#endif
