/* SPDX-License-Identifier: MIT */
/* Shared between device.c, tx.c and rx.c (private to libvirtio-net). */
#ifndef VNET_DEVICE_INTERNAL_H
#define VNET_DEVICE_INTERNAL_H

#include <vnet/device.h>

#define VNET_BIT(n) (1ull << (n))

/* Whether the device is DRIVER_OK and not NEEDS_RESET. */
bool vnet__running(const struct vnet_device *d);
/* Requests DEVICE_NEEDS_RESET (the driver broke the queue contract). */
void vnet__needs_reset(struct vnet_device *d);
/* Returns head to queue q with len; marks the queue for an interrupt
 * decision.  0 or -errno from virtq_queue_add_used(). */
int vnet__put_used(struct vnet_device *d, uint16_t q, uint16_t head, uint32_t len);
/* Raises the used-buffer interrupt of q if entries were added and the
 * driver wants one. */
void vnet__signal(struct vnet_device *d, uint16_t q);

/* Drain the transmit queue / deliver backend frames to the receive queue. */
void vnet__tx_process(struct vnet_device *d);
void vnet__rx_process(struct vnet_device *d);
/* Drops the frame in progress (reset). */
void vnet__rx_clear(struct vnet_device *d);

#endif
