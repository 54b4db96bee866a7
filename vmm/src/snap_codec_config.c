// SPDX-License-Identifier: MIT
// The config section of a snapshot (docs/snapshot.md, "config"): every
// field of struct vmm_config that rebuilds the same machine on restore,
// strings as length + bytes, counts checked against the arrays, enums and
// booleans against their ranges.  Version 2 carries each rate limiter
// whole (two buckets of size, one_time_burst, refill_ms); version 1, where
// a limiter was one per-second number per bucket (bytes only for net),
// is still read: N becomes the bucket {N, 0, 1000} it always meant.
#include <errno.h>
#include <string.h>

#include "snap_codec.h"

static void put_bucket(struct vmm__snapw *w, const struct vmm_token_bucket *b)
{
	vmm__snapw_u64(w, b->size);
	vmm__snapw_u64(w, b->one_time_burst);
	vmm__snapw_u64(w, b->refill_ms);
}

static void put_limit(struct vmm__snapw *w, const struct vmm_rate_limit *l)
{
	put_bucket(w, &l->bytes);
	put_bucket(w, &l->ops);
}

static void put_block(struct vmm__snapw *w, const struct vmm_block_config *b)
{
	vmm__snapw_string(w, b->path);
	vmm__snapw_u8(w, b->read_only);
	put_limit(w, &b->limit);
}

static void put_net(struct vmm__snapw *w, const struct vmm_net_config *n)
{
	vmm__snapw_string(w, n->tap);
	vmm__snapw_bytes(w, n->mac, sizeof(n->mac));
	vmm__snapw_u8(w, n->has_mac);
	put_limit(w, &n->rx_limit);
	put_limit(w, &n->tx_limit);
}

static void put_devices(struct vmm__snapw *w, const struct vmm_config *cfg)
{
	uint32_t nblocks = cfg->nblocks < VMM_MAX_BLOCKS ? cfg->nblocks : VMM_MAX_BLOCKS;
	uint32_t nnets = cfg->nnets < VMM_MAX_NETS ? cfg->nnets : VMM_MAX_NETS;

	vmm__snapw_u32(w, nblocks);
	for (uint32_t i = 0; i < nblocks; i++)
		put_block(w, &cfg->blocks[i]);
	vmm__snapw_u8(w, cfg->vsock.enabled);
	vmm__snapw_u64(w, cfg->vsock.guest_cid);
	vmm__snapw_string(w, cfg->vsock.uds_path);
	vmm__snapw_u32(w, nnets);
	for (uint32_t i = 0; i < nnets; i++)
		put_net(w, &cfg->nets[i]);
	vmm__snapw_u32(w, (uint32_t)cfg->serial.out);
	vmm__snapw_string(w, cfg->serial.out_path);
	vmm__snapw_u8(w, cfg->serial.stdin_input);
	vmm__snapw_u64(w, cfg->serial.rate_bytes_per_s);
	vmm__snapw_u64(w, cfg->serial.burst_bytes);
	vmm__snapw_u8(w, cfg->watchdog.panic_detect);
	vmm__snapw_u32(w, cfg->watchdog.stuck_ms);
}

void vmm__snap_put_config(struct vmm__snapw *w, const struct vmm_config *cfg)
{
	vmm__snapw_begin(w, VMM__SNAP_CONFIG, 0, VMM__SNAP_CONFIG_V);
	vmm__snapw_u64(w, cfg->mem_mib);
	vmm__snapw_u32(w, cfg->vcpus);
	vmm__snapw_string(w, cfg->kernel_path);
	vmm__snapw_string(w, cfg->cmdline);
	vmm__snapw_u32(w, (uint32_t)cfg->boot);
	vmm__snapw_string(w, cfg->initramfs_path);
	put_devices(w, cfg);
	vmm__snapw_u8(w, cfg->boot_timer);
	vmm__snapw_u8(w, cfg->assists);
	vmm__snapw_u8(w, cfg->acpi);
	vmm__snapw_u8(w, cfg->mptable);
	vmm__snapw_u8(w, cfg->virtio_cmdline);
	vmm__snapw_u32(w, (uint32_t)cfg->log_level);
	vmm__snapw_string(w, cfg->kvm_path);
	vmm__snapw_u64(w, cfg->start_ns);
	vmm__snapw_u32(w, (uint32_t)cfg->dump_signal);
	vmm__snapw_end(w);
}

/* A u32 enum that must be <= max. */
static int get_enum(struct vmm__snapc *c, uint32_t max, uint32_t *v, const char *field)
{
	if (vmm__snapc_u32(c, v))
		return c->err;
	if (*v > max)
		return vmm__snapc_fail(c, "%s: %u is out of range (0..%u)", field, *v, max);
	return 0;
}

static int get_count(struct vmm__snapc *c, uint32_t max, uint32_t *v, const char *field)
{
	if (vmm__snapc_u32(c, v))
		return c->err;
	if (*v > max)
		return vmm__snapc_fail(c, "%s: %u, at most %u", field, *v, max);
	return 0;
}

/* Version 1's per-second number: a bucket of N refilled over 1000 ms. */
static void get_v1_bucket(struct vmm__snapc *c, struct vmm_token_bucket *b)
{
	uint64_t per_s = 0;

	vmm__snapc_u64(c, &per_s);
	*b = (struct vmm_token_bucket){ .size = per_s, .refill_ms = per_s ? 1000 : 0 };
}

/* Values are not checked here: building the device refuses what
 * libratelimit's rlim_init refuses, as for any configuration. */
static void get_bucket(struct vmm__snapc *c, struct vmm_token_bucket *b)
{
	if (c->version == 1) {
		get_v1_bucket(c, b);
		return;
	}
	vmm__snapc_u64(c, &b->size);
	vmm__snapc_u64(c, &b->one_time_burst);
	vmm__snapc_u64(c, &b->refill_ms);
}

static void get_limit(struct vmm__snapc *c, struct vmm_rate_limit *l, bool has_ops)
{
	get_bucket(c, &l->bytes);
	if (c->version > 1 || has_ops)
		get_bucket(c, &l->ops);
}

static void get_block(struct vmm__snapc *c, struct vmm_block_config *b)
{
	vmm__snapc_string(c, b->path, sizeof(b->path), "block path");
	vmm__snapc_bool(c, &b->read_only, "block read_only");
	get_limit(c, &b->limit, true);
}

static void get_net(struct vmm__snapc *c, struct vmm_net_config *n)
{
	vmm__snapc_string(c, n->tap, VMM_TAP_NAME_MAX + 1, "net tap");
	vmm__snapc_bytes(c, n->mac, sizeof(n->mac));
	vmm__snapc_bool(c, &n->has_mac, "net has_mac");
	/* Version 1's net limiters counted bytes only. */
	get_limit(c, &n->rx_limit, false);
	get_limit(c, &n->tx_limit, false);
}

static int get_devices(struct vmm__snapc *c, struct vmm_config *cfg)
{
	uint32_t out = 0;

	if (get_count(c, VMM_MAX_BLOCKS, &cfg->nblocks, "nblocks"))
		return c->err;
	for (uint32_t i = 0; i < cfg->nblocks; i++)
		get_block(c, &cfg->blocks[i]);
	vmm__snapc_bool(c, &cfg->vsock.enabled, "vsock enabled");
	vmm__snapc_u64(c, &cfg->vsock.guest_cid);
	vmm__snapc_string(c, cfg->vsock.uds_path, VMM_VSOCK_UDS_MAX + 1, "vsock uds_path");
	if (get_count(c, VMM_MAX_NETS, &cfg->nnets, "nnets"))
		return c->err;
	for (uint32_t i = 0; i < cfg->nnets; i++)
		get_net(c, &cfg->nets[i]);
	get_enum(c, VMM_SERIAL_OUT_NONE, &out, "serial out");
	cfg->serial.out = (enum vmm_serial_out)out;
	vmm__snapc_string(c, cfg->serial.out_path, sizeof(cfg->serial.out_path),
			  "serial out_path");
	vmm__snapc_bool(c, &cfg->serial.stdin_input, "serial stdin_input");
	vmm__snapc_u64(c, &cfg->serial.rate_bytes_per_s);
	vmm__snapc_u64(c, &cfg->serial.burst_bytes);
	vmm__snapc_bool(c, &cfg->watchdog.panic_detect, "watchdog panic_detect");
	vmm__snapc_u32(c, &cfg->watchdog.stuck_ms);
	return c->err;
}

static int get_flags(struct vmm__snapc *c, struct vmm_config *cfg)
{
	uint32_t level = 0, sig = 0;

	vmm__snapc_bool(c, &cfg->boot_timer, "boot_timer");
	vmm__snapc_bool(c, &cfg->assists, "assists");
	vmm__snapc_bool(c, &cfg->acpi, "acpi");
	vmm__snapc_bool(c, &cfg->mptable, "mptable");
	vmm__snapc_bool(c, &cfg->virtio_cmdline, "virtio_cmdline");
	get_enum(c, VMM_LOG_DEBUG, &level, "log_level");
	cfg->log_level = (enum vmm_log_level)level;
	vmm__snapc_string(c, cfg->kvm_path, sizeof(cfg->kvm_path), "kvm_path");
	vmm__snapc_u64(c, &cfg->start_ns);
	vmm__snapc_u32(c, &sig);
	if (!c->err && sig > 64)
		vmm__snapc_fail(c, "dump_signal: %u is not a signal", sig);
	cfg->dump_signal = (int)sig;
	return c->err;
}

int vmm__snap_get_config(const struct vmm__snapr *r, struct vmm_config *cfg,
			 char *err, size_t errlen)
{
	struct vmm__snapc c;
	uint32_t boot = 0;

	if (vmm__snapr_open(r, VMM__SNAP_CONFIG, 0, &c, err, errlen) ||
	    vmm__snapc_want_versions(&c, 1, VMM__SNAP_CONFIG_V))
		return c.err;
	memset(cfg, 0, sizeof(*cfg));
	vmm__snapc_u64(&c, &cfg->mem_mib);
	vmm__snapc_u32(&c, &cfg->vcpus);
	vmm__snapc_string(&c, cfg->kernel_path, sizeof(cfg->kernel_path), "kernel_path");
	vmm__snapc_string(&c, cfg->cmdline, sizeof(cfg->cmdline), "cmdline");
	get_enum(&c, VMM_BOOT_64BIT, &boot, "boot");
	cfg->boot = (enum vmm_boot_entry)boot;
	vmm__snapc_string(&c, cfg->initramfs_path, sizeof(cfg->initramfs_path),
			  "initramfs_path");
	if (!c.err)
		get_devices(&c, cfg);
	if (!c.err)
		get_flags(&c, cfg);
	return vmm__snapc_done(&c);
}
