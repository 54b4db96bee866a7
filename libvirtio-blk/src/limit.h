/* SPDX-License-Identifier: MIT */
/*
 * What a virtio-blk request costs its device's rate limiter
 * (libratelimit), and the charge and refund that device.c applies before
 * executing a request.  The prices are documented with
 * vblk_device_config.limit in <vblk/device.h>.
 */
#ifndef VBLK_SRC_LIMIT_H
#define VBLK_SRC_LIMIT_H

#include <stdint.h>

#include <rlim/ratelimit.h>
#include <vblk/request.h>

/* Bytes tokens of an accepted request (its operation token is always 1). */
uint64_t vblk__limit_bytes(const struct vblk_request *req);

/* 0 when charged, -EAGAIN when the limiter refuses (nothing taken). */
int vblk__limit_charge(struct rlim_limiter *l, const struct vblk_request *req);

/* Gives the charge back: the request was not executed after all. */
void vblk__limit_refund(struct rlim_limiter *l, const struct vblk_request *req);

#endif
