/* SPDX-License-Identifier: MIT */
/*
 * The layout of struct vsock_device, private to the library and its tests.
 */
#ifndef VSOCK_SRC_DEVICE_PRIV_H
#define VSOCK_SRC_DEVICE_PRIV_H

#include <sys/uio.h>

#include <vsock/device.h>

#include "mux.h"

/* Guest buffers one packet may span (Linux uses one or two). */
#define VSOCK__MAX_SEGS 64u

struct vsock_device {
	struct virtq_mmio mmio;
	struct virtq_queue queues[VSOCK_NUM_QUEUES];
	struct vmmem_map *mem;
	struct virtio_vsock_config config;	/* little endian */
	uint64_t features;
	bool event_pending;	/* a TRANSPORT_RESET waits for an event buffer */
	bool unsignalled[VSOCK_NUM_QUEUES];
	struct vsock_device_stats stats;
	struct vsock__mux mux;
	struct iovec iov[VSOCK__MAX_SEGS];
	struct iovec payload[VSOCK__MAX_SEGS];
};

#endif
