/* SPDX-License-Identifier: MIT */
/* libvirtio-net: a virtio-net device for virtual machine monitors.  Umbrella header. */
#ifndef VNET_VNET_H
#define VNET_VNET_H

#include <vnet/version.h>
#include <vnet/hdr.h>
#include <vnet/backend.h>
#include <vnet/device.h>

#endif
