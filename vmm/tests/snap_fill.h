/* SPDX-License-Identifier: MIT */
/*
 * Distinct non-zero test patterns for every state a snapshot holds, and a
 * state file with one section of each type.  Structs are zeroed first and
 * then filled field by field (or byte-filled with their explicit padding
 * cleared again), so a decoder that drops or swaps a field shows up as a
 * memcmp difference.  Shared by the codec tests and the fuzz seed writer.
 */
#ifndef VMM_TEST_SNAP_FILL_H
#define VMM_TEST_SNAP_FILL_H

#include <stdio.h>
#include <string.h>

#include "snap_codec.h"
#include "snap_hostcpu.h"
#include "snap_memory.h"

/* xorshift32: reproducible, never zero. */
static uint32_t fill_seed = 0x9e3779b9u;

static inline uint32_t fill_next(void)
{
	fill_seed ^= fill_seed << 13;
	fill_seed ^= fill_seed >> 17;
	fill_seed ^= fill_seed << 5;
	return fill_seed;
}

static inline uint8_t f8(void)
{
	uint8_t v;

	do
		v = (uint8_t)fill_next();
	while (!v);
	return v;
}

static inline uint16_t f16(void) { return (uint16_t)(fill_next() | 0x100u); }
static inline uint32_t f32(void) { return fill_next(); }
static inline uint64_t f64(void) { return ((uint64_t)fill_next() << 32) | fill_next(); }

static inline void fill_bytes(void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = f8();
}

static inline void fill_string(char *s, size_t cap, const char *prefix)
{
	snprintf(s, cap, "%s-%08x", prefix, f32());
}

static inline void fill_limit(struct vmm_rate_limit *l)
{
	l->bytes.size = f64();
	l->bytes.one_time_burst = f64();
	l->bytes.refill_ms = f64();
	l->ops.size = f64();
	l->ops.one_time_burst = f64();
	l->ops.refill_ms = f64();
}

static inline void fill_config(struct vmm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mem_mib = f64();
	c->vcpus = f32();
	fill_string(c->kernel_path, sizeof(c->kernel_path), "/boot/vmlinuz");
	fill_string(c->cmdline, sizeof(c->cmdline), "console=ttyS0 quiet");
	c->boot = VMM_BOOT_64BIT;
	fill_string(c->initramfs_path, sizeof(c->initramfs_path), "/boot/initrd");
	c->nblocks = VMM_MAX_BLOCKS;
	for (unsigned i = 0; i < VMM_MAX_BLOCKS; i++) {
		fill_string(c->blocks[i].path, sizeof(c->blocks[i].path), "/disk");
		c->blocks[i].read_only = i & 1;
		fill_limit(&c->blocks[i].limit);
	}
	c->vsock.enabled = true;
	c->vsock.guest_cid = f64();
	fill_string(c->vsock.uds_path, VMM_VSOCK_UDS_MAX, "/run/v");
	c->nnets = 3;
	for (unsigned i = 0; i < c->nnets; i++) {
		fill_string(c->nets[i].tap, VMM_TAP_NAME_MAX + 1, "tap");
		fill_bytes(c->nets[i].mac, sizeof(c->nets[i].mac));
		c->nets[i].has_mac = true;
		fill_limit(&c->nets[i].rx_limit);
		fill_limit(&c->nets[i].tx_limit);
	}
	c->serial.out = VMM_SERIAL_OUT_FILE;
	fill_string(c->serial.out_path, sizeof(c->serial.out_path), "/tmp/serial");
	c->serial.stdin_input = true;
	c->serial.rate_bytes_per_s = f64();
	c->serial.burst_bytes = f64();
	c->watchdog.panic_detect = true;
	c->watchdog.stuck_ms = f32();
	c->boot_timer = c->assists = c->acpi = c->mptable = c->virtio_cmdline = true;
	c->log_level = VMM_LOG_DEBUG;
	fill_string(c->kvm_path, sizeof(c->kvm_path), "/dev/kvm");
	c->start_ns = f64();
	c->dump_signal = 12;
}

static inline void fill_serial(struct superio_serial_state *s)
{
	memset(s, 0, sizeof(*s));
	s->version = f32();
	s->ier = f8(); s->fcr = f8(); s->lcr = f8(); s->mcr = f8(); s->scr = f8();
	s->dll = f8(); s->dlm = f8(); s->lsr = f8(); s->msr_delta = f8();
	s->modem_in = f8(); s->thre_pending = f8();
	s->rx_len = 17; s->tx_len = SUPERIO_SERIAL_FIFO_SIZE;
	fill_bytes(s->rx, sizeof(s->rx));
	fill_bytes(s->tx, sizeof(s->tx));
}

static inline void fill_i8042(struct superio_i8042_state *s)
{
	memset(s, 0, sizeof(*s));
	s->version = f32();
	fill_bytes(s->ram, sizeof(s->ram));
	fill_bytes(s->queue, sizeof(s->queue));
	fill_bytes(s->qflags, sizeof(s->qflags));
	s->qlen = SUPERIO_I8042_QUEUE - 1;
	s->status = f8(); s->data = f8(); s->pending_cmd = f8(); s->outport = f8();
	s->kbd_present = 1; s->xlate_break = f8();
	fill_bytes(s->kbd_fifo, sizeof(s->kbd_fifo));
	s->kbd_flen = SUPERIO_I8042_KBD_QUEUE - 2;
	fill_bytes(s->kbd_reply, sizeof(s->kbd_reply));
	s->kbd_rlen = SUPERIO_I8042_KBD_REPLY - 1;
	s->kbd_pending = f8(); s->kbd_set = f8(); s->kbd_leds = f8();
	s->kbd_typematic = f8(); s->kbd_scanning = f8(); s->kbd_last = f8();
}

static inline void fill_cmos(struct superio_cmos_state *s)
{
	memset(s, 0, sizeof(*s));
	s->version = f32();
	fill_bytes(s->ram, sizeof(s->ram));
	s->index = f8();
	s->nmi_disabled = f8();
	s->guest_seconds = -(int64_t)(f64() >> 1);	/* negative survives too */
	s->subsecond_ns = f32();
}

static inline void fill_mmio(struct virtq_mmio_state *m, uint16_t nq)
{
	memset(m, 0, sizeof(*m));
	m->device_features = f64(); m->driver_features = f64();
	m->device_features_sel = f32(); m->driver_features_sel = f32();
	m->queue_sel = f32(); m->shm_sel = f32(); m->status = f32();
	m->config_generation = f32(); m->interrupt_status = f32();
	m->num_queues = nq;
	for (uint16_t i = 0; i < nq; i++) {
		struct virtq_queue_state *q = &m->queues[i];

		q->max_size = f16(); q->size = f16();
		q->ready = f8(); q->event_idx = f8(); q->indirect = f8(); q->broken = f8();
		q->desc_table = f64(); q->avail_ring = f64(); q->used_ring = f64();
		q->next_avail = f16(); q->next_used = f16(); q->signalled_used = f16();
		q->signalled_valid = f8();
	}
}

static inline void fill_cpuid(struct kvmw_cpuid *id, uint32_t nent)
{
	memset(id, 0, sizeof(*id));
	id->nent = nent;
	for (uint32_t i = 0; i < nent; i++) {
		struct kvm_cpuid_entry2 *e = &id->entries[i];

		e->function = f32(); e->index = f32(); e->flags = f32();
		e->eax = f32(); e->ebx = f32(); e->ecx = f32(); e->edx = f32();
	}
}

static inline void clear_segment_pad(struct kvm_segment *s)
{
	s->padding = 0;
}

/* Byte-filled kernel structs with their padding and reserved words zeroed. */
static inline void fill_vcpu(struct kvmw_vcpu_state *st)
{
	memset(st, 0, sizeof(*st));
	fill_cpuid(&st->cpuid, 40);
	st->mp_state.mp_state = f32();
	fill_bytes(&st->regs, sizeof(st->regs));
	fill_bytes(&st->sregs, sizeof(st->sregs));
	struct kvm_segment *seg[] = { &st->sregs.cs, &st->sregs.ds, &st->sregs.es,
				      &st->sregs.fs, &st->sregs.gs, &st->sregs.ss,
				      &st->sregs.tr, &st->sregs.ldt };
	for (int i = 0; i < 8; i++)
		clear_segment_pad(seg[i]);
	memset(st->sregs.gdt.padding, 0, sizeof(st->sregs.gdt.padding));
	memset(st->sregs.idt.padding, 0, sizeof(st->sregs.idt.padding));
	fill_bytes(&st->fpu, sizeof(st->fpu));
	st->fpu.pad1 = 0;
	st->fpu.pad2 = 0;
	fill_bytes(&st->lapic, sizeof(st->lapic));
	st->xcrs.nr_xcrs = 1;
	st->xcrs.flags = f32();
	st->xcrs.xcrs[0].xcr = f32();
	st->xcrs.xcrs[0].value = f64();
	fill_bytes(&st->debugregs, sizeof(st->debugregs));
	memset(st->debugregs.reserved, 0, sizeof(st->debugregs.reserved));
	fill_bytes(&st->events, sizeof(st->events));
	st->events.nmi.pad = 0;
	memset(st->events.reserved, 0, sizeof(st->events.reserved));
	st->tsc_khz = f32();
	st->nmsrs = 37;
	for (uint32_t i = 0; i < st->nmsrs; i++) {
		st->msrs[i].index = f32();
		st->msrs[i].data = f64();
	}
	st->xsave_len = 4096 + 576;
	fill_bytes(st->xsave, st->xsave_len);
}

static inline void fill_irqchip(struct kvm_irqchip *c, uint32_t chip_id)
{
	memset(c, 0, sizeof(*c));
	c->chip_id = chip_id;
	if (chip_id == KVM_IRQCHIP_IOAPIC) {
		fill_bytes(&c->chip.ioapic, sizeof(c->chip.ioapic));
		c->chip.ioapic.pad = 0;
	} else {
		fill_bytes(&c->chip.pic, sizeof(c->chip.pic));
	}
}

static inline void fill_pit(struct kvm_pit_state2 *p)
{
	memset(p, 0, sizeof(*p));
	fill_bytes(p->channels, sizeof(p->channels));
	p->flags = f32();
}

static inline void fill_clock(struct kvm_clock_data *c)
{
	memset(c, 0, sizeof(*c));
	c->clock = f64(); c->flags = f32(); c->realtime = f64(); c->host_tsc = f64();
}

static inline void fill_host_cpu(struct vmm__snap_host_cpu *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->vendor, sizeof(h->vendor), "GenuineIntel");
	h->family = 6; h->model = 0x55; h->stepping = 7;
	for (unsigned i = 0; i < VMM__SNAP_NFEATURE_WORDS; i++)
		h->features[i] = f32();
}

static inline void fill_layout(struct vmm__snap_mem_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->nregions = 2;
	l->regions[0] = (struct vmm__snap_mem_region){ 0, 0x80000000ull, 0 };
	l->regions[1] = (struct vmm__snap_mem_region){ 0x100000000ull, 0x40000000ull,
						      0x80000000ull };
	l->file_size = 0xc0000000ull;
}

/* One section of every type: 2 vCPUs, 3 irqchips, 2 serials, 2 blks, 2 nets. */
static inline void fill_full_state(struct vmm__snapw *w)
{
	static struct kvmw_vcpu_state vcpu;
	struct vmm_config cfg;
	struct vmm__snap_host_cpu host;
	struct vmm__snap_mem_layout layout;
	struct superio_serial_state ser;
	struct superio_i8042_state kbd;
	struct superio_cmos_state cmos;
	struct kvm_irqchip chip;
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clk;
	static struct vblk_device_state blk;
	static struct vnet_device_state net;
	static struct vsock_device_state vs;

	fill_config(&cfg); vmm__snap_put_config(w, &cfg);
	fill_host_cpu(&host); vmm__snap_put_host_cpu(w, &host);
	fill_layout(&layout); vmm__snap_put_mem_layout(w, &layout);
	for (uint32_t i = 0; i < 2; i++) {
		fill_vcpu(&vcpu);
		vmm__snap_put_vcpu(w, i, &vcpu);
	}
	for (uint32_t i = 0; i < 3; i++) {
		fill_irqchip(&chip, i);
		vmm__snap_put_irqchip(w, &chip);
	}
	fill_pit(&pit); vmm__snap_put_pit(w, &pit);
	fill_clock(&clk); vmm__snap_put_clock(w, &clk);
	for (uint32_t i = 0; i < 2; i++) {
		fill_serial(&ser);
		vmm__snap_put_serial(w, i, &ser);
	}
	fill_i8042(&kbd); vmm__snap_put_i8042(w, &kbd);
	fill_cmos(&cmos); vmm__snap_put_cmos(w, &cmos);
	for (uint32_t i = 0; i < 2; i++) {
		fill_mmio(&blk.mmio, 1);
		vmm__snap_put_blk(w, i, &blk);
		fill_mmio(&net.mmio, 2);
		net.link_up = 1;
		vmm__snap_put_net(w, i, &net);
	}
	fill_mmio(&vs.mmio, 3);
	vs.guest_cid = f64();
	vmm__snap_put_vsock(w, &vs);
}

#endif
