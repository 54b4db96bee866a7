// SPDX-License-Identifier: MIT
// Sections of the VM-wide KVM state in a snapshot (docs/snapshot.md,
// "irqchip", "pit", "clock"): the 8259 PICs and the IOAPIC (KVM_GET_IRQCHIP,
// Documentation/virt/kvm/api.rst §4.26), the PIT (KVM_GET_PIT2, §4.71) and
// kvmclock (KVM_GET_CLOCK, §4.29), field by field; padding and reserved
// words are not written and read back as zero.
#include <string.h>

#include "snap_codec.h"

static void enc_pic(struct vmm__snapw *w, const struct kvm_pic_state *p)
{
	const uint8_t f[] = { p->last_irr, p->irr, p->imr, p->isr, p->priority_add,
			      p->irq_base, p->read_reg_select, p->poll, p->special_mask,
			      p->init_state, p->auto_eoi, p->rotate_on_auto_eoi,
			      p->special_fully_nested_mode, p->init4, p->elcr,
			      p->elcr_mask };

	vmm__snapw_bytes(w, f, sizeof(f));
}

static void dec_pic(struct vmm__snapc *c, struct kvm_pic_state *p)
{
	uint8_t f[16];

	if (vmm__snapc_bytes(c, f, sizeof(f)))
		return;
	p->last_irr = f[0];
	p->irr = f[1];
	p->imr = f[2];
	p->isr = f[3];
	p->priority_add = f[4];
	p->irq_base = f[5];
	p->read_reg_select = f[6];
	p->poll = f[7];
	p->special_mask = f[8];
	p->init_state = f[9];
	p->auto_eoi = f[10];
	p->rotate_on_auto_eoi = f[11];
	p->special_fully_nested_mode = f[12];
	p->init4 = f[13];
	p->elcr = f[14];
	p->elcr_mask = f[15];
}

static void enc_ioapic(struct vmm__snapw *w, const struct kvm_ioapic_state *s)
{
	vmm__snapw_u64(w, s->base_address);
	vmm__snapw_u32(w, s->ioregsel);
	vmm__snapw_u32(w, s->id);
	vmm__snapw_u32(w, s->irr);
	vmm__snapw_u32(w, KVM_IOAPIC_NUM_PINS);
	/* A redirection entry is one 64-bit register (82093AA datasheet §3.2.4). */
	for (unsigned i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
		vmm__snapw_u64(w, s->redirtbl[i].bits);
}

static void dec_ioapic(struct vmm__snapc *c, struct kvm_ioapic_state *s)
{
	uint32_t pins = 0;

	vmm__snapc_k64(c, &s->base_address);
	vmm__snapc_u32(c, &s->ioregsel);
	vmm__snapc_u32(c, &s->id);
	vmm__snapc_u32(c, &s->irr);
	if (vmm__snapc_u32(c, &pins))
		return;
	if (pins != KVM_IOAPIC_NUM_PINS) {
		vmm__snapc_fail(c, "%u IOAPIC pins, this cvmm has %u", pins,
				KVM_IOAPIC_NUM_PINS);
		return;
	}
	for (unsigned i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
		vmm__snapc_k64(c, &s->redirtbl[i].bits);
}

void vmm__snap_put_irqchip(struct vmm__snapw *w, const struct kvm_irqchip *chip)
{
	vmm__snapw_begin(w, VMM__SNAP_IRQCHIP, chip->chip_id, VMM__SNAP_IRQCHIP_V);
	if (chip->chip_id == KVM_IRQCHIP_IOAPIC)
		enc_ioapic(w, &chip->chip.ioapic);
	else
		enc_pic(w, &chip->chip.pic);
	vmm__snapw_end(w);
}

int vmm__snap_get_irqchip(const struct vmm__snapr *r, uint32_t chip_id,
			  struct kvm_irqchip *chip, char *err, size_t errlen)
{
	struct vmm__snapc c;

	if (vmm__snapr_open_version(r, VMM__SNAP_IRQCHIP, chip_id, VMM__SNAP_IRQCHIP_V,
				    &c, err, errlen))
		return c.err;
	memset(chip, 0, sizeof(*chip));
	chip->chip_id = chip_id;
	if (chip_id == KVM_IRQCHIP_IOAPIC)
		dec_ioapic(&c, &chip->chip.ioapic);
	else if (chip_id == KVM_IRQCHIP_PIC_MASTER || chip_id == KVM_IRQCHIP_PIC_SLAVE)
		dec_pic(&c, &chip->chip.pic);
	else
		vmm__snapc_fail(&c, "unknown irqchip %u", chip_id);
	return vmm__snapc_done(&c);
}

static void enc_pit_channel(struct vmm__snapw *w, const struct kvm_pit_channel_state *ch)
{
	const uint8_t f[] = { ch->count_latched, ch->status_latched, ch->status,
			      ch->read_state, ch->write_state, ch->write_latch,
			      ch->rw_mode, ch->mode, ch->bcd, ch->gate };

	vmm__snapw_u32(w, ch->count);
	vmm__snapw_u16(w, ch->latched_count);
	vmm__snapw_bytes(w, f, sizeof(f));
	vmm__snapw_u64(w, (uint64_t)ch->count_load_time);
}

static void dec_pit_channel(struct vmm__snapc *c, struct kvm_pit_channel_state *ch)
{
	uint8_t f[10];
	uint64_t t = 0;

	vmm__snapc_u32(c, &ch->count);
	vmm__snapc_u16(c, &ch->latched_count);
	if (vmm__snapc_bytes(c, f, sizeof(f)))
		return;
	ch->count_latched = f[0];
	ch->status_latched = f[1];
	ch->status = f[2];
	ch->read_state = f[3];
	ch->write_state = f[4];
	ch->write_latch = f[5];
	ch->rw_mode = f[6];
	ch->mode = f[7];
	ch->bcd = f[8];
	ch->gate = f[9];
	vmm__snapc_u64(c, &t);
	ch->count_load_time = (int64_t)t;
}

void vmm__snap_put_pit(struct vmm__snapw *w, const struct kvm_pit_state2 *pit)
{
	vmm__snapw_begin(w, VMM__SNAP_PIT, 0, VMM__SNAP_PIT_V);
	for (int i = 0; i < 3; i++)
		enc_pit_channel(w, &pit->channels[i]);
	vmm__snapw_u32(w, pit->flags);
	vmm__snapw_end(w);
}

int vmm__snap_get_pit(const struct vmm__snapr *r, struct kvm_pit_state2 *pit,
		      char *err, size_t errlen)
{
	struct vmm__snapc c;

	if (vmm__snapr_open_version(r, VMM__SNAP_PIT, 0, VMM__SNAP_PIT_V, &c, err, errlen))
		return c.err;
	memset(pit, 0, sizeof(*pit));
	for (int i = 0; i < 3; i++)
		dec_pit_channel(&c, &pit->channels[i]);
	vmm__snapc_u32(&c, &pit->flags);
	return vmm__snapc_done(&c);
}

void vmm__snap_put_clock(struct vmm__snapw *w, const struct kvm_clock_data *clk)
{
	vmm__snapw_begin(w, VMM__SNAP_CLOCK, 0, VMM__SNAP_CLOCK_V);
	vmm__snapw_u64(w, clk->clock);
	vmm__snapw_u32(w, clk->flags);
	vmm__snapw_u64(w, clk->realtime);
	vmm__snapw_u64(w, clk->host_tsc);
	vmm__snapw_end(w);
}

int vmm__snap_get_clock(const struct vmm__snapr *r, struct kvm_clock_data *clk,
			char *err, size_t errlen)
{
	struct vmm__snapc c;

	if (vmm__snapr_open_version(r, VMM__SNAP_CLOCK, 0, VMM__SNAP_CLOCK_V, &c, err,
				    errlen))
		return c.err;
	memset(clk, 0, sizeof(*clk));
	vmm__snapc_k64(&c, &clk->clock);
	vmm__snapc_u32(&c, &clk->flags);
	vmm__snapc_k64(&c, &clk->realtime);
	vmm__snapc_k64(&c, &clk->host_tsc);
	return vmm__snapc_done(&c);
}
