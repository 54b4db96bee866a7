// SPDX-License-Identifier: MIT
// Sections of the legacy devices in a snapshot (docs/snapshot.md, "serial",
// "i8042", "cmos"): libsuperio's plain state structs, field by field, with
// the struct's own version field kept so superio_*_restore() can refuse a
// layout it does not know.  FIFO and queue lengths are checked against the
// arrays here; everything else is the library's restore check.
#include <string.h>

#include "snap_codec.h"

void vmm__snap_put_serial(struct vmm__snapw *w, uint32_t instance,
			  const struct superio_serial_state *s)
{
	vmm__snapw_begin(w, VMM__SNAP_SERIAL, instance, VMM__SNAP_SERIAL_V);
	vmm__snapw_u32(w, s->version);
	vmm__snapw_u8(w, s->ier);
	vmm__snapw_u8(w, s->fcr);
	vmm__snapw_u8(w, s->lcr);
	vmm__snapw_u8(w, s->mcr);
	vmm__snapw_u8(w, s->scr);
	vmm__snapw_u8(w, s->dll);
	vmm__snapw_u8(w, s->dlm);
	vmm__snapw_u8(w, s->lsr);
	vmm__snapw_u8(w, s->msr_delta);
	vmm__snapw_u8(w, s->modem_in);
	vmm__snapw_u8(w, s->thre_pending);
	vmm__snapw_u8(w, s->rx_len);
	vmm__snapw_u8(w, s->tx_len);
	vmm__snapw_bytes(w, s->rx, sizeof(s->rx));
	vmm__snapw_bytes(w, s->tx, sizeof(s->tx));
	vmm__snapw_end(w);
}

int vmm__snap_get_serial(const struct vmm__snapr *r, uint32_t instance,
			 struct superio_serial_state *s, char *err, size_t errlen)
{
	struct vmm__snapc c;

	if (vmm__snapr_open_version(r, VMM__SNAP_SERIAL, instance, VMM__SNAP_SERIAL_V,
				    &c, err, errlen))
		return c.err;
	memset(s, 0, sizeof(*s));
	vmm__snapc_u32(&c, &s->version);
	vmm__snapc_u8(&c, &s->ier);
	vmm__snapc_u8(&c, &s->fcr);
	vmm__snapc_u8(&c, &s->lcr);
	vmm__snapc_u8(&c, &s->mcr);
	vmm__snapc_u8(&c, &s->scr);
	vmm__snapc_u8(&c, &s->dll);
	vmm__snapc_u8(&c, &s->dlm);
	vmm__snapc_u8(&c, &s->lsr);
	vmm__snapc_u8(&c, &s->msr_delta);
	vmm__snapc_u8(&c, &s->modem_in);
	vmm__snapc_u8(&c, &s->thre_pending);
	vmm__snapc_u8(&c, &s->rx_len);
	vmm__snapc_u8(&c, &s->tx_len);
	vmm__snapc_bytes(&c, s->rx, sizeof(s->rx));
	vmm__snapc_bytes(&c, s->tx, sizeof(s->tx));
	if (!c.err && (s->rx_len > sizeof(s->rx) || s->tx_len > sizeof(s->tx)))
		vmm__snapc_fail(&c, "FIFO lengths rx %u tx %u, at most %zu",
				s->rx_len, s->tx_len, sizeof(s->rx));
	return vmm__snapc_done(&c);
}

void vmm__snap_put_i8042(struct vmm__snapw *w, const struct superio_i8042_state *s)
{
	vmm__snapw_begin(w, VMM__SNAP_I8042, 0, VMM__SNAP_I8042_V);
	vmm__snapw_u32(w, s->version);
	vmm__snapw_bytes(w, s->ram, sizeof(s->ram));
	vmm__snapw_bytes(w, s->queue, sizeof(s->queue));
	vmm__snapw_bytes(w, s->qflags, sizeof(s->qflags));
	vmm__snapw_u8(w, s->qlen);
	vmm__snapw_u8(w, s->status);
	vmm__snapw_u8(w, s->data);
	vmm__snapw_u8(w, s->pending_cmd);
	vmm__snapw_u8(w, s->outport);
	/* The keyboard (libsuperio's i8042 state version 2). */
	vmm__snapw_u8(w, s->kbd_present);
	vmm__snapw_u8(w, s->xlate_break);
	vmm__snapw_bytes(w, s->kbd_fifo, sizeof(s->kbd_fifo));
	vmm__snapw_u8(w, s->kbd_flen);
	vmm__snapw_bytes(w, s->kbd_reply, sizeof(s->kbd_reply));
	vmm__snapw_u8(w, s->kbd_rlen);
	vmm__snapw_u8(w, s->kbd_pending);
	vmm__snapw_u8(w, s->kbd_set);
	vmm__snapw_u8(w, s->kbd_leds);
	vmm__snapw_u8(w, s->kbd_typematic);
	vmm__snapw_u8(w, s->kbd_scanning);
	vmm__snapw_u8(w, s->kbd_last);
	vmm__snapw_end(w);
}

int vmm__snap_get_i8042(const struct vmm__snapr *r, struct superio_i8042_state *s,
			char *err, size_t errlen)
{
	struct vmm__snapc c;

	if (vmm__snapr_open_version(r, VMM__SNAP_I8042, 0, VMM__SNAP_I8042_V, &c,
				    err, errlen))
		return c.err;
	memset(s, 0, sizeof(*s));
	vmm__snapc_u32(&c, &s->version);
	vmm__snapc_bytes(&c, s->ram, sizeof(s->ram));
	vmm__snapc_bytes(&c, s->queue, sizeof(s->queue));
	vmm__snapc_bytes(&c, s->qflags, sizeof(s->qflags));
	vmm__snapc_u8(&c, &s->qlen);
	vmm__snapc_u8(&c, &s->status);
	vmm__snapc_u8(&c, &s->data);
	vmm__snapc_u8(&c, &s->pending_cmd);
	vmm__snapc_u8(&c, &s->outport);
	vmm__snapc_u8(&c, &s->kbd_present);
	vmm__snapc_u8(&c, &s->xlate_break);
	vmm__snapc_bytes(&c, s->kbd_fifo, sizeof(s->kbd_fifo));
	vmm__snapc_u8(&c, &s->kbd_flen);
	vmm__snapc_bytes(&c, s->kbd_reply, sizeof(s->kbd_reply));
	vmm__snapc_u8(&c, &s->kbd_rlen);
	vmm__snapc_u8(&c, &s->kbd_pending);
	vmm__snapc_u8(&c, &s->kbd_set);
	vmm__snapc_u8(&c, &s->kbd_leds);
	vmm__snapc_u8(&c, &s->kbd_typematic);
	vmm__snapc_u8(&c, &s->kbd_scanning);
	vmm__snapc_u8(&c, &s->kbd_last);
	if (!c.err && s->qlen > sizeof(s->queue))
		vmm__snapc_fail(&c, "queue length %u, at most %zu", s->qlen, sizeof(s->queue));
	if (!c.err && s->kbd_flen > sizeof(s->kbd_fifo))
		vmm__snapc_fail(&c, "keyboard queue length %u, at most %zu", s->kbd_flen,
				sizeof(s->kbd_fifo));
	if (!c.err && s->kbd_rlen > sizeof(s->kbd_reply))
		vmm__snapc_fail(&c, "keyboard reply length %u, at most %zu", s->kbd_rlen,
				sizeof(s->kbd_reply));
	return vmm__snapc_done(&c);
}

void vmm__snap_put_cmos(struct vmm__snapw *w, const struct superio_cmos_state *s)
{
	vmm__snapw_begin(w, VMM__SNAP_CMOS, 0, VMM__SNAP_CMOS_V);
	vmm__snapw_u32(w, s->version);
	vmm__snapw_bytes(w, s->ram, sizeof(s->ram));
	vmm__snapw_u8(w, s->index);
	vmm__snapw_u8(w, s->nmi_disabled);
	vmm__snapw_u64(w, (uint64_t)s->guest_seconds);
	vmm__snapw_u32(w, s->subsecond_ns);
	vmm__snapw_end(w);
}

int vmm__snap_get_cmos(const struct vmm__snapr *r, struct superio_cmos_state *s,
		       char *err, size_t errlen)
{
	struct vmm__snapc c;
	uint64_t secs = 0;

	if (vmm__snapr_open_version(r, VMM__SNAP_CMOS, 0, VMM__SNAP_CMOS_V, &c, err,
				    errlen))
		return c.err;
	memset(s, 0, sizeof(*s));
	vmm__snapc_u32(&c, &s->version);
	vmm__snapc_bytes(&c, s->ram, sizeof(s->ram));
	vmm__snapc_u8(&c, &s->index);
	vmm__snapc_u8(&c, &s->nmi_disabled);
	vmm__snapc_u64(&c, &secs);
	vmm__snapc_u32(&c, &s->subsecond_ns);
	s->guest_seconds = (int64_t)secs;	/* two's complement, as written */
	return vmm__snapc_done(&c);
}
