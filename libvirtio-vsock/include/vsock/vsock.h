/* SPDX-License-Identifier: MIT */
/* libvirtio-vsock: a virtio socket device for virtual machine monitors.
 * Umbrella header. */
#ifndef VSOCK_VSOCK_H
#define VSOCK_VSOCK_H

#include <vsock/version.h>
#include <vsock/spec.h>
#include <vsock/packet.h>
#include <vsock/device.h>

#endif
