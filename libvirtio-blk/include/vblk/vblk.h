/* SPDX-License-Identifier: MIT */
/* libvirtio-blk: a virtio-blk device for virtual machine monitors.  Umbrella header. */
#ifndef VBLK_VBLK_H
#define VBLK_VBLK_H

#include <vblk/version.h>
#include <vblk/request.h>
#include <vblk/backend.h>
#include <vblk/fault.h>
#include <vblk/executor.h>
#include <vblk/async.h>
#include <vblk/device.h>

#endif
