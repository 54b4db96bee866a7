// SPDX-License-Identifier: MIT
// Codecs of every snapshot section (snap_codec.h): each struct, filled
// with distinct non-zero patterns, comes back identical through a state
// file; decoders refuse counts beyond their arrays, out-of-range enums and
// booleans, strings too long for their field, and a missing section.
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snap_fill.h"
#include "snap_le.h"

static struct vmm__snapw *w;
static struct vmm__snapr *r;
static char err[512];

static void setup(void)
{
	cr_assert_eq(vmm__snapw_new(&w, "test"), 0);
	r = NULL;
}

static void teardown(void)
{
	vmm__snapw_free(w);
	vmm__snapr_free(r);
}

TestSuite(snap_codec, .init = setup, .fini = teardown);

/* Finishes the writer and parses the result into r. */
static void reopen(void)
{
	uint8_t *buf;
	size_t len;

	cr_assert_eq(vmm__snapw_finish(w, &buf, &len), 0);
	cr_assert_eq(vmm__snapr_parse(&r, buf, len, "s", err, sizeof(err)), 0, "%s", err);
	free(buf);
}

Test(snap_codec, config_round_trips)
{
	static struct vmm_config a, b;

	fill_config(&a);
	vmm__snap_put_config(w, &a);
	reopen();
	cr_assert_eq(vmm__snap_get_config(r, &b, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
}

/* A version 1 config section, as cvmm wrote it before the limiters were
 * whole: one per-second number per block bucket (rate, iops) and per net
 * direction (bytes only). */
static void put_config_v1(const struct vmm_config *c, const uint64_t rate[VMM_MAX_BLOCKS],
			  const uint64_t iops[VMM_MAX_BLOCKS], const uint64_t rx[VMM_MAX_NETS],
			  const uint64_t tx[VMM_MAX_NETS])
{
	vmm__snapw_begin(w, VMM__SNAP_CONFIG, 0, 1);
	vmm__snapw_u64(w, c->mem_mib);
	vmm__snapw_u32(w, c->vcpus);
	vmm__snapw_string(w, c->kernel_path);
	vmm__snapw_string(w, c->cmdline);
	vmm__snapw_u32(w, (uint32_t)c->boot);
	vmm__snapw_string(w, c->initramfs_path);
	vmm__snapw_u32(w, c->nblocks);
	for (uint32_t i = 0; i < c->nblocks; i++) {
		vmm__snapw_string(w, c->blocks[i].path);
		vmm__snapw_u8(w, c->blocks[i].read_only);
		vmm__snapw_u64(w, rate[i]);
		vmm__snapw_u64(w, iops[i]);
	}
	vmm__snapw_u8(w, c->vsock.enabled);
	vmm__snapw_u64(w, c->vsock.guest_cid);
	vmm__snapw_string(w, c->vsock.uds_path);
	vmm__snapw_u32(w, c->nnets);
	for (uint32_t i = 0; i < c->nnets; i++) {
		vmm__snapw_string(w, c->nets[i].tap);
		vmm__snapw_bytes(w, c->nets[i].mac, sizeof(c->nets[i].mac));
		vmm__snapw_u8(w, c->nets[i].has_mac);
		vmm__snapw_u64(w, rx[i]);
		vmm__snapw_u64(w, tx[i]);
	}
	vmm__snapw_u32(w, (uint32_t)c->serial.out);
	vmm__snapw_string(w, c->serial.out_path);
	vmm__snapw_u8(w, c->serial.stdin_input);
	vmm__snapw_u64(w, c->serial.rate_bytes_per_s);
	vmm__snapw_u64(w, c->serial.burst_bytes);
	vmm__snapw_u8(w, c->watchdog.panic_detect);
	vmm__snapw_u32(w, c->watchdog.stuck_ms);
	vmm__snapw_u8(w, c->boot_timer);
	vmm__snapw_u8(w, c->assists);
	vmm__snapw_u8(w, c->acpi);
	vmm__snapw_u8(w, c->mptable);
	vmm__snapw_u8(w, c->virtio_cmdline);
	vmm__snapw_u32(w, (uint32_t)c->log_level);
	vmm__snapw_string(w, c->kvm_path);
	vmm__snapw_u64(w, c->start_ns);
	vmm__snapw_u32(w, (uint32_t)c->dump_signal);
	vmm__snapw_end(w);
}

Test(snap_codec, config_writes_version_2)
{
	static struct vmm_config a;
	struct vmm__snapc c;

	fill_config(&a);
	vmm__snap_put_config(w, &a);
	reopen();
	cr_assert_eq(vmm__snapr_open(r, VMM__SNAP_CONFIG, 0, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.version, 2);
}

Test(snap_codec, config_version_1_limits_become_one_second_buckets)
{
	static struct vmm_config a, b;
	static const uint64_t rate[VMM_MAX_BLOCKS] = { 1048576, 0, 7 };
	static const uint64_t iops[VMM_MAX_BLOCKS] = { 200, 0, 0, 9 };
	static const uint64_t rx[VMM_MAX_NETS] = { 0, 100 };
	static const uint64_t tx[VMM_MAX_NETS] = { 100000, 0 };

	fill_config(&a);
	put_config_v1(&a, rate, iops, rx, tx);
	reopen();
	cr_assert_eq(vmm__snap_get_config(r, &b, err, sizeof(err)), 0, "%s", err);
	/* Every other field as written. */
	for (uint32_t i = 0; i < a.nblocks; i++) {
		const struct vmm_rate_limit *l = &b.blocks[i].limit;

		cr_assert_eq(l->bytes.size, rate[i]);
		cr_assert_eq(l->bytes.one_time_burst, 0);
		cr_assert_eq(l->bytes.refill_ms, rate[i] ? 1000 : 0, "block %u", i);
		cr_assert_eq(l->ops.size, iops[i]);
		cr_assert_eq(l->ops.one_time_burst, 0);
		cr_assert_eq(l->ops.refill_ms, iops[i] ? 1000 : 0, "block %u", i);
		b.blocks[i].limit = a.blocks[i].limit;
	}
	for (uint32_t i = 0; i < a.nnets; i++) {
		static const struct vmm_token_bucket none;
		const struct vmm_net_config *n = &b.nets[i];

		cr_assert_eq(n->rx_limit.bytes.size, rx[i]);
		cr_assert_eq(n->rx_limit.bytes.refill_ms, rx[i] ? 1000 : 0);
		cr_assert_eq(n->tx_limit.bytes.size, tx[i]);
		cr_assert_eq(n->tx_limit.bytes.refill_ms, tx[i] ? 1000 : 0);
		cr_assert_eq(n->rx_limit.bytes.one_time_burst + n->tx_limit.bytes.one_time_burst, 0);
		cr_assert_eq(memcmp(&n->rx_limit.ops, &none, sizeof(none)), 0, "no ops bucket in v1");
		cr_assert_eq(memcmp(&n->tx_limit.ops, &none, sizeof(none)), 0, "no ops bucket in v1");
		b.nets[i].rx_limit = a.nets[i].rx_limit;
		b.nets[i].tx_limit = a.nets[i].tx_limit;
	}
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
}

Test(snap_codec, config_version_1_truncated_is_refused)
{
	static struct vmm_config b;

	vmm__snapw_begin(w, VMM__SNAP_CONFIG, 0, 1);
	vmm__snapw_u64(w, 256);
	vmm__snapw_u32(w, 1);
	vmm__snapw_string(w, "/k");
	vmm__snapw_string(w, "");
	vmm__snapw_u32(w, 0);
	vmm__snapw_string(w, "");
	vmm__snapw_u32(w, 1);
	vmm__snapw_string(w, "/d");
	vmm__snapw_u8(w, 0);
	vmm__snapw_u64(w, 5);	/* rate, and no iops */
	vmm__snapw_end(w);
	reopen();
	cr_assert_eq(vmm__snap_get_config(r, &b, err, sizeof(err)), -EBADMSG);
	cr_assert(strstr(err, "section config[0]: truncated: 8 bytes needed"), "%s", err);
}

Test(snap_codec, config_versions_0_and_3_are_refused)
{
	static struct vmm_config c;

	fill_config(&c);
	vmm__snapw_begin(w, VMM__SNAP_CONFIG, 0, 3);
	vmm__snapw_end(w);
	reopen();
	cr_assert_eq(vmm__snap_get_config(r, &c, err, sizeof(err)), -ENOTSUP);
	cr_assert_str_eq(err, "snapshot s: section config[0]: version 3, this cvmm reads "
			 "version 2 (and older, down to 1)");
	vmm__snapr_free(r);
	vmm__snapw_free(w);
	cr_assert_eq(vmm__snapw_new(&w, "test"), 0);
	vmm__snapw_begin(w, VMM__SNAP_CONFIG, 0, 0);
	vmm__snapw_end(w);
	reopen();
	cr_assert_eq(vmm__snap_get_config(r, &c, err, sizeof(err)), -ENOTSUP);
	cr_assert_str_eq(err, "snapshot s: section config[0]: version 0, this cvmm reads "
			 "version 2 (and older, down to 1)");
}

Test(snap_codec, serial_i8042_cmos_round_trip)
{
	struct superio_serial_state s1, s2;
	struct superio_i8042_state k1, k2;
	struct superio_cmos_state c1, c2;

	fill_serial(&s1);
	fill_i8042(&k1);
	fill_cmos(&c1);
	vmm__snap_put_serial(w, 1, &s1);
	vmm__snap_put_i8042(w, &k1);
	vmm__snap_put_cmos(w, &c1);
	reopen();
	cr_assert_eq(vmm__snap_get_serial(r, 1, &s2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vmm__snap_get_i8042(r, &k2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vmm__snap_get_cmos(r, &c2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(memcmp(&s1, &s2, sizeof(s1)), 0);
	cr_assert_eq(memcmp(&k1, &k2, sizeof(k1)), 0);
	cr_assert_eq(memcmp(&c1, &c2, sizeof(c1)), 0);
	cr_assert_lt(c2.guest_seconds, 0);
}

Test(snap_codec, virtio_devices_round_trip_with_every_queue)
{
	static struct vblk_device_state b1, b2;
	static struct vnet_device_state n1, n2;
	static struct vsock_device_state v1, v2;

	fill_mmio(&b1.mmio, VIRTQ_MMIO_MAX_QUEUES);
	fill_mmio(&n1.mmio, 2);
	n1.link_up = 1;
	fill_mmio(&v1.mmio, 3);
	v1.guest_cid = f64();
	vmm__snap_put_blk(w, 5, &b1);
	vmm__snap_put_net(w, 7, &n1);
	vmm__snap_put_vsock(w, &v1);
	reopen();
	cr_assert_eq(vmm__snap_get_blk(r, 5, &b2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vmm__snap_get_net(r, 7, &n2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vmm__snap_get_vsock(r, &v2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(memcmp(&b1, &b2, sizeof(b1)), 0);
	cr_assert_eq(memcmp(&n1, &n2, sizeof(n1)), 0);
	cr_assert_eq(memcmp(&v1, &v2, sizeof(v1)), 0);
}

Test(snap_codec, vcpu_state_round_trips_member_by_member)
{
	static struct kvmw_vcpu_state a, b;

	fill_vcpu(&a);
	vmm__snap_put_vcpu(w, 3, &a);
	reopen();
	cr_assert_eq(vmm__snap_get_vcpu(r, 3, &b, err, sizeof(err)), 0, "%s", err);
	/* The struct has implicit padding; its members have none. */
	cr_assert_eq(memcmp(&a.cpuid, &b.cpuid, sizeof(a.cpuid)), 0);
	cr_assert_eq(a.mp_state.mp_state, b.mp_state.mp_state);
	cr_assert_eq(memcmp(&a.regs, &b.regs, sizeof(a.regs)), 0);
	cr_assert_eq(memcmp(&a.sregs, &b.sregs, sizeof(a.sregs)), 0);
	cr_assert_eq(memcmp(&a.fpu, &b.fpu, sizeof(a.fpu)), 0);
	cr_assert_eq(memcmp(&a.lapic, &b.lapic, sizeof(a.lapic)), 0);
	cr_assert_eq(memcmp(&a.xcrs, &b.xcrs, sizeof(a.xcrs)), 0);
	cr_assert_eq(memcmp(&a.debugregs, &b.debugregs, sizeof(a.debugregs)), 0);
	cr_assert_eq(memcmp(&a.events, &b.events, sizeof(a.events)), 0);
	cr_assert_eq(a.tsc_khz, b.tsc_khz);
	cr_assert_eq(a.nmsrs, b.nmsrs);
	cr_assert_eq(memcmp(a.msrs, b.msrs, sizeof(a.msrs)), 0);
	cr_assert_eq(a.xsave_len, b.xsave_len);
	cr_assert_eq(memcmp(a.xsave, b.xsave, sizeof(a.xsave)), 0);
}

Test(snap_codec, irqchips_pit_and_clock_round_trip)
{
	struct kvm_irqchip c1[3], c2;
	struct kvm_pit_state2 p1, p2;
	struct kvm_clock_data k1, k2;

	for (uint32_t i = 0; i < 3; i++) {
		fill_irqchip(&c1[i], i);
		vmm__snap_put_irqchip(w, &c1[i]);
	}
	fill_pit(&p1);
	fill_clock(&k1);
	vmm__snap_put_pit(w, &p1);
	vmm__snap_put_clock(w, &k1);
	reopen();
	for (uint32_t i = 0; i < 3; i++) {
		cr_assert_eq(vmm__snap_get_irqchip(r, i, &c2, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(memcmp(&c1[i], &c2, sizeof(c2)), 0, "chip %u", i);
	}
	cr_assert_eq(vmm__snap_get_pit(r, &p2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vmm__snap_get_clock(r, &k2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(memcmp(&p1, &p2, sizeof(p1)), 0);
	cr_assert_eq(memcmp(&k1, &k2, sizeof(k1)), 0);
}

Test(snap_codec, host_cpu_and_memory_layout_round_trip)
{
	struct vmm__snap_host_cpu h1, h2;
	struct vmm__snap_mem_layout l1, l2;

	fill_host_cpu(&h1);
	fill_layout(&l1);
	vmm__snap_put_host_cpu(w, &h1);
	vmm__snap_put_mem_layout(w, &l1);
	reopen();
	cr_assert_eq(vmm__snap_get_host_cpu(r, &h2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vmm__snap_get_mem_layout(r, &l2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(memcmp(&h1, &h2, sizeof(h1)), 0);
	cr_assert_eq(memcmp(&l1, &l2, sizeof(l1)), 0);
}

Test(snap_codec, full_state_decodes_section_by_section)
{
	static struct kvmw_vcpu_state st;
	static struct vmm_config cfg;

	fill_full_state(w);
	reopen();
	cr_assert_eq(vmm__snapr_count(r), 19);
	cr_assert_eq(vmm__snap_get_config(r, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vmm__snap_get_vcpu(r, 1, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vmm__snap_get_vcpu(r, 2, &st, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "snapshot s: no section vcpu[2]");
}

/* A section of type/instance/version 1 holding the given raw payload. */
static void raw_section(uint32_t type, uint32_t instance, const void *p, size_t n)
{
	vmm__snapw_begin(w, type, instance, 1);
	vmm__snapw_bytes(w, p, n);
	vmm__snapw_end(w);
}

/* The payload of a vcpu section for st, in a malloc'd buffer. */
static uint8_t *vcpu_payload(const struct kvmw_vcpu_state *st, size_t *len)
{
	struct vmm__snapw *t;
	struct vmm__snapr *tr;
	struct vmm__snapc c;
	uint8_t *buf, *out;
	size_t n;

	cr_assert_eq(vmm__snapw_new(&t, "t"), 0);
	vmm__snap_put_vcpu(t, 0, st);
	cr_assert_eq(vmm__snapw_finish(t, &buf, &n), 0);
	vmm__snapw_free(t);
	cr_assert_eq(vmm__snapr_parse(&tr, buf, n, "s", err, sizeof(err)), 0);
	cr_assert_eq(vmm__snapr_open(tr, VMM__SNAP_VCPU, 0, &c, err, sizeof(err)), 0);
	out = malloc(c.len);
	memcpy(out, c.p, c.len);
	*len = c.len;
	vmm__snapr_free(tr);
	free(buf);
	return out;
}

Test(snap_codec, vcpu_with_too_many_msrs_is_refused)
{
	static struct kvmw_vcpu_state a;
	uint8_t *p;
	size_t len;

	fill_vcpu(&a);
	a.nmsrs = 1;
	a.xsave_len = 0;
	p = vcpu_payload(&a, &len);
	/* The tail is nmsrs, one {index u32, data u64}, xsave_len. */
	cr_assert_eq(p[len - 20], 1);
	p[len - 20] = (uint8_t)(KVMW_STATE_MAX_MSRS + 1);
	raw_section(VMM__SNAP_VCPU, 0, p, len);
	free(p);
	reopen();
	cr_assert_eq(vmm__snap_get_vcpu(r, 0, &a, err, sizeof(err)), -EBADMSG);
	cr_assert_str_eq(err, "snapshot s: section vcpu[0]: 129 MSRs, at most 128");
}

Test(snap_codec, vcpu_with_an_oversized_xsave_area_is_refused)
{
	static struct kvmw_vcpu_state a;
	uint8_t *p;
	size_t len;

	fill_vcpu(&a);
	a.xsave_len = 0;
	p = vcpu_payload(&a, &len);
	vmm__le32_put(p + len - 4, KVMW_XSAVE_MAX_SIZE + 8);
	raw_section(VMM__SNAP_VCPU, 0, p, len);
	free(p);
	reopen();
	cr_assert_eq(vmm__snap_get_vcpu(r, 0, &a, err, sizeof(err)), -EBADMSG);
	cr_assert_str_eq(err, "snapshot s: section vcpu[0]: XSAVE area of 16392 bytes, at most 16384");
}

Test(snap_codec, cpuid_with_too_many_entries_is_refused)
{
	const uint8_t p[] = { 0x01, 0x01, 0, 0 };	/* nent 257 */
	static struct kvmw_vcpu_state st;

	raw_section(VMM__SNAP_VCPU, 0, p, sizeof(p));
	reopen();
	cr_assert_eq(vmm__snap_get_vcpu(r, 0, &st, err, sizeof(err)), -EBADMSG);
	cr_assert_str_eq(err, "snapshot s: section vcpu[0]: 257 CPUID entries, at most 256");
}

Test(snap_codec, mmio_with_too_many_queues_is_refused)
{
	uint8_t p[16 + 28 + 2] = { 0 };
	static struct vblk_device_state s;

	p[44] = VIRTQ_MMIO_MAX_QUEUES + 1;
	raw_section(VMM__SNAP_BLK, 0, p, sizeof(p));
	reopen();
	cr_assert_eq(vmm__snap_get_blk(r, 0, &s, err, sizeof(err)), -EBADMSG);
	cr_assert_str_eq(err, "snapshot s: section blk[0]: 65 queues, at most 64");
}

Test(snap_codec, serial_fifo_length_beyond_the_array_is_refused)
{
	struct superio_serial_state s;

	fill_serial(&s);
	s.rx_len = SUPERIO_SERIAL_FIFO_SIZE + 1;
	vmm__snap_put_serial(w, 0, &s);
	reopen();
	cr_assert_eq(vmm__snap_get_serial(r, 0, &s, err, sizeof(err)), -EBADMSG);
	cr_assert(strstr(err, "FIFO lengths rx 65"), "%s", err);
}

Test(snap_codec, i8042_queue_length_beyond_the_array_is_refused)
{
	struct superio_i8042_state s;

	fill_i8042(&s);
	s.qlen = SUPERIO_I8042_QUEUE + 1;
	vmm__snap_put_i8042(w, &s);
	reopen();
	cr_assert_eq(vmm__snap_get_i8042(r, &s, err, sizeof(err)), -EBADMSG);
	cr_assert(strstr(err, "queue length 17"), "%s", err);
}

Test(snap_codec, config_with_too_many_blocks_is_refused)
{
	static struct vmm_config c;

	fill_config(&c);
	c.nblocks = VMM_MAX_BLOCKS + 1;	/* the encoder clamps; patch the file */
	vmm__snapw_begin(w, VMM__SNAP_CONFIG, 0, VMM__SNAP_CONFIG_V);
	vmm__snapw_u64(w, 256);
	vmm__snapw_u32(w, 1);
	vmm__snapw_string(w, "/k");
	vmm__snapw_string(w, "");
	vmm__snapw_u32(w, 0);
	vmm__snapw_string(w, "");
	vmm__snapw_u32(w, c.nblocks);
	vmm__snapw_end(w);
	reopen();
	cr_assert_eq(vmm__snap_get_config(r, &c, err, sizeof(err)), -EBADMSG);
	cr_assert_str_eq(err, "snapshot s: section config[0]: nblocks: 9, at most 8");
}

Test(snap_codec, config_with_an_unknown_boot_entry_is_refused)
{
	static struct vmm_config c;

	vmm__snapw_begin(w, VMM__SNAP_CONFIG, 0, VMM__SNAP_CONFIG_V);
	vmm__snapw_u64(w, 256);
	vmm__snapw_u32(w, 1);
	vmm__snapw_string(w, "/k");
	vmm__snapw_string(w, "");
	vmm__snapw_u32(w, 7);
	vmm__snapw_end(w);
	reopen();
	cr_assert_eq(vmm__snap_get_config(r, &c, err, sizeof(err)), -EBADMSG);
	cr_assert_str_eq(err, "snapshot s: section config[0]: boot: 7 is out of range (0..2)");
}

Test(snap_codec, config_with_a_tap_name_over_ifnamsiz_is_refused)
{
	static struct vmm_config c;

	fill_config(&c);
	/* 16 characters: one more than IFNAMSIZ - 1. */
	memcpy(c.nets[0].tap, "abcdefghijklmnop", 17);
	vmm__snap_put_config(w, &c);
	reopen();
	cr_assert_eq(vmm__snap_get_config(r, &c, err, sizeof(err)), -EBADMSG);
	cr_assert(strstr(err, "net tap: 16 bytes, at most 15 fit"), "%s", err);
}

Test(snap_codec, irqchip_with_an_unknown_chip_id_is_refused)
{
	struct kvm_irqchip c;

	fill_irqchip(&c, 0);
	c.chip_id = 3;
	vmm__snap_put_irqchip(w, &c);
	reopen();
	cr_assert_eq(vmm__snap_get_irqchip(r, 3, &c, err, sizeof(err)), -EBADMSG);
	cr_assert(strstr(err, "unknown irqchip 3"), "%s", err);
}

Test(snap_codec, newer_section_version_is_refused)
{
	struct kvm_clock_data k;

	vmm__snapw_begin(w, VMM__SNAP_CLOCK, 0, VMM__SNAP_CLOCK_V + 1);
	vmm__snapw_end(w);
	reopen();
	cr_assert_eq(vmm__snap_get_clock(r, &k, err, sizeof(err)), -ENOTSUP);
	cr_assert_str_eq(err, "snapshot s: section clock[0]: version 2, this cvmm reads version 1");
}

Test(snap_codec, truncated_section_is_refused_at_every_length)
{
	static struct kvmw_vcpu_state a, b;
	uint8_t *p;
	size_t len;

	fill_vcpu(&a);
	a.nmsrs = 2;
	a.xsave_len = 64;
	a.cpuid.nent = 2;
	p = vcpu_payload(&a, &len);
	for (size_t n = 0; n < len; n++) {
		struct vmm__snapw *t2;
		struct vmm__snapr *r2;
		uint8_t *b2;
		size_t l2;

		cr_assert_eq(vmm__snapw_new(&t2, "t"), 0);
		vmm__snapw_begin(t2, VMM__SNAP_VCPU, 0, VMM__SNAP_VCPU_V);
		vmm__snapw_bytes(t2, p, n);
		vmm__snapw_end(t2);
		cr_assert_eq(vmm__snapw_finish(t2, &b2, &l2), 0);
		vmm__snapw_free(t2);
		cr_assert_eq(vmm__snapr_parse(&r2, b2, l2, "s", err, sizeof(err)), 0);
		cr_assert_eq(vmm__snap_get_vcpu(r2, 0, &b, err, sizeof(err)), -EBADMSG,
			     "length %zu", n);
		cr_assert(strstr(err, "truncated"), "length %zu: %s", n, err);
		vmm__snapr_free(r2);
		free(b2);
	}
	free(p);
}
