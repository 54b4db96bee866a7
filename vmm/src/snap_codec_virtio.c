// SPDX-License-Identifier: MIT
// Sections of the virtio devices in a snapshot (docs/snapshot.md, "blk",
// "net", "vsock"): the MMIO transport state (virtio 1.2 §4.2.2 registers)
// with each of its queues' state, then the device's own fields.  Only the
// queue count is checked here; addresses, sizes and indices are checked by
// virtq_mmio_restore() against the restored guest memory.
#include <string.h>

#include "snap_codec.h"

static void enc_queue(struct vmm__snapw *w, const struct virtq_queue_state *q)
{
	vmm__snapw_u16(w, q->max_size);
	vmm__snapw_u16(w, q->size);
	vmm__snapw_u8(w, q->ready);
	vmm__snapw_u8(w, q->event_idx);
	vmm__snapw_u8(w, q->indirect);
	vmm__snapw_u8(w, q->broken);
	vmm__snapw_u64(w, q->desc_table);
	vmm__snapw_u64(w, q->avail_ring);
	vmm__snapw_u64(w, q->used_ring);
	vmm__snapw_u16(w, q->next_avail);
	vmm__snapw_u16(w, q->next_used);
	vmm__snapw_u16(w, q->signalled_used);
	vmm__snapw_u8(w, q->signalled_valid);
}

static void dec_queue(struct vmm__snapc *c, struct virtq_queue_state *q)
{
	vmm__snapc_u16(c, &q->max_size);
	vmm__snapc_u16(c, &q->size);
	vmm__snapc_u8(c, &q->ready);
	vmm__snapc_u8(c, &q->event_idx);
	vmm__snapc_u8(c, &q->indirect);
	vmm__snapc_u8(c, &q->broken);
	vmm__snapc_u64(c, &q->desc_table);
	vmm__snapc_u64(c, &q->avail_ring);
	vmm__snapc_u64(c, &q->used_ring);
	vmm__snapc_u16(c, &q->next_avail);
	vmm__snapc_u16(c, &q->next_used);
	vmm__snapc_u16(c, &q->signalled_used);
	vmm__snapc_u8(c, &q->signalled_valid);
}

void vmm__snap_enc_mmio(struct vmm__snapw *w, const struct virtq_mmio_state *s)
{
	uint16_t n = s->num_queues < VIRTQ_MMIO_MAX_QUEUES ? s->num_queues
							  : VIRTQ_MMIO_MAX_QUEUES;

	vmm__snapw_u64(w, s->device_features);
	vmm__snapw_u64(w, s->driver_features);
	vmm__snapw_u32(w, s->device_features_sel);
	vmm__snapw_u32(w, s->driver_features_sel);
	vmm__snapw_u32(w, s->queue_sel);
	vmm__snapw_u32(w, s->shm_sel);
	vmm__snapw_u32(w, s->status);
	vmm__snapw_u32(w, s->config_generation);
	vmm__snapw_u32(w, s->interrupt_status);
	vmm__snapw_u16(w, n);
	for (uint16_t i = 0; i < n; i++)
		enc_queue(w, &s->queues[i]);
}

int vmm__snap_dec_mmio(struct vmm__snapc *c, struct virtq_mmio_state *s)
{
	vmm__snapc_u64(c, &s->device_features);
	vmm__snapc_u64(c, &s->driver_features);
	vmm__snapc_u32(c, &s->device_features_sel);
	vmm__snapc_u32(c, &s->driver_features_sel);
	vmm__snapc_u32(c, &s->queue_sel);
	vmm__snapc_u32(c, &s->shm_sel);
	vmm__snapc_u32(c, &s->status);
	vmm__snapc_u32(c, &s->config_generation);
	vmm__snapc_u32(c, &s->interrupt_status);
	if (vmm__snapc_u16(c, &s->num_queues))
		return c->err;
	if (s->num_queues > VIRTQ_MMIO_MAX_QUEUES)
		return vmm__snapc_fail(c, "%u queues, at most %u", s->num_queues,
				       VIRTQ_MMIO_MAX_QUEUES);
	for (uint16_t i = 0; i < s->num_queues && !c->err; i++)
		dec_queue(c, &s->queues[i]);
	return c->err;
}

void vmm__snap_put_blk(struct vmm__snapw *w, uint32_t instance,
		       const struct vblk_device_state *s)
{
	vmm__snapw_begin(w, VMM__SNAP_BLK, instance, VMM__SNAP_BLK_V);
	vmm__snap_enc_mmio(w, &s->mmio);
	vmm__snapw_end(w);
}

int vmm__snap_get_blk(const struct vmm__snapr *r, uint32_t instance,
		      struct vblk_device_state *s, char *err, size_t errlen)
{
	struct vmm__snapc c;

	if (vmm__snapr_open_version(r, VMM__SNAP_BLK, instance, VMM__SNAP_BLK_V, &c,
				    err, errlen))
		return c.err;
	memset(s, 0, sizeof(*s));
	vmm__snap_dec_mmio(&c, &s->mmio);
	return vmm__snapc_done(&c);
}

void vmm__snap_put_net(struct vmm__snapw *w, uint32_t instance,
		       const struct vnet_device_state *s)
{
	vmm__snapw_begin(w, VMM__SNAP_NET, instance, VMM__SNAP_NET_V);
	vmm__snap_enc_mmio(w, &s->mmio);
	vmm__snapw_u8(w, s->link_up);
	vmm__snapw_end(w);
}

int vmm__snap_get_net(const struct vmm__snapr *r, uint32_t instance,
		      struct vnet_device_state *s, char *err, size_t errlen)
{
	struct vmm__snapc c;

	if (vmm__snapr_open_version(r, VMM__SNAP_NET, instance, VMM__SNAP_NET_V, &c,
				    err, errlen))
		return c.err;
	memset(s, 0, sizeof(*s));
	vmm__snap_dec_mmio(&c, &s->mmio);
	vmm__snapc_u8(&c, &s->link_up);
	return vmm__snapc_done(&c);
}

void vmm__snap_put_vsock(struct vmm__snapw *w, const struct vsock_device_state *s)
{
	vmm__snapw_begin(w, VMM__SNAP_VSOCK, 0, VMM__SNAP_VSOCK_V);
	vmm__snap_enc_mmio(w, &s->mmio);
	vmm__snapw_u64(w, s->guest_cid);
	vmm__snapw_end(w);
}

int vmm__snap_get_vsock(const struct vmm__snapr *r, struct vsock_device_state *s,
			char *err, size_t errlen)
{
	struct vmm__snapc c;

	if (vmm__snapr_open_version(r, VMM__SNAP_VSOCK, 0, VMM__SNAP_VSOCK_V, &c, err,
				    errlen))
		return c.err;
	memset(s, 0, sizeof(*s));
	vmm__snap_dec_mmio(&c, &s->mmio);
	vmm__snapc_u64(&c, &s->guest_cid);
	return vmm__snapc_done(&c);
}
