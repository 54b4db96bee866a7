/* SPDX-License-Identifier: MIT */
/* libvirtio-queue: split virtqueues and the virtio-mmio transport.
 * Umbrella header. */
#ifndef VIRTQ_VIRTQ_H
#define VIRTQ_VIRTQ_H

#include <virtq/version.h>
#include <virtq/spec.h>
#include <virtq/queue.h>
#include <virtq/chain.h>
#include <virtq/device.h>
#include <virtq/mmio.h>
#include <virtq/driver.h>

#endif
