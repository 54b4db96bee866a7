// SPDX-License-Identifier: MIT
// The cvmm options (docs/boot-path.md): a table of options, each with the keys it
// accepts and a setter per key.  Errors name the option, key and value.
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <vmm/args.h>

#define KEY_MAX 32
#define VALUE_MAX VMM_CMDLINE_MAX

struct key_def;

struct parse_ctx {
	struct vmm_config *cfg;
	const char *opt;
	const struct key_def *key;	/* the key being applied */
	char *err;
	size_t errlen;
};

typedef int (*key_setter_fn)(struct parse_ctx *pc, const char *value);

struct key_def {
	const char *key;
	key_setter_fn set;
	const char *help;
	unsigned arg;		/* for setters shared by several keys */
};

/* An option takes either key=value pairs (keys) or one plain value (plain),
 * given as "--opt VALUE" or "--opt=VALUE". */
struct opt_def {
	const char *name;
	const struct key_def *keys;
	key_setter_fn plain;
	int (*begin)(struct parse_ctx *pc);	/* NULL or per-use setup */
	const char *help;
	int (*end)(struct parse_ctx *pc);	/* NULL or checks after all keys */
};

__attribute__((format(printf, 3, 4)))
static int fail(struct parse_ctx *pc, int code, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(pc->err, pc->errlen, "%s ", pc->opt);

	if (n < 0 || (size_t)n >= pc->errlen)
		return code;
	va_start(ap, fmt);
	vsnprintf(pc->err + n, pc->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

static int set_u64(struct parse_ctx *pc, const char *key, const char *value,
		   uint64_t *out)
{
	int r = vmm_args_parse_u64(value, out);

	if (r == -ERANGE)
		return fail(pc, -EINVAL, "%s=%s: number too large", key, value);
	if (r)
		return fail(pc, -EINVAL, "%s=%s: not a number", key, value);
	return 0;
}

static int set_bool(struct parse_ctx *pc, const char *key, const char *value,
		    bool *out)
{
	if (vmm_args_parse_bool(value, out))
		return fail(pc, -EINVAL, "%s=%s: expected on or off", key, value);
	return 0;
}

static int set_str(struct parse_ctx *pc, const char *key, const char *value,
		   char *dst, size_t dstlen)
{
	if (vmm_config_set_string(dst, dstlen, value))
		return fail(pc, -EINVAL, "%s=%.40s...: longer than %zu bytes", key,
			    value, dstlen - 1);
	return 0;
}

/* --memory */
static int mem_size_mib(struct parse_ctx *pc, const char *v)
{
	return set_u64(pc, "size_mib", v, &pc->cfg->mem_mib);
}

static int mem_size(struct parse_ctx *pc, const char *v)
{
	uint64_t bytes;
	int r = vmm_args_parse_size(v, &bytes);

	if (r)
		return fail(pc, -EINVAL, "size=%s: not a size (e.g. 512M, 2G)", v);
	if (bytes % (1u << 20))
		return fail(pc, -EINVAL, "size=%s: not a whole number of MiB", v);
	pc->cfg->mem_mib = bytes >> 20;
	return 0;
}

static int mem_hugepages(struct parse_ctx *pc, const char *v)
{
	return set_bool(pc, "hugepages", v, &pc->cfg->mem_hugepages);
}

/* --vcpu */
static int vcpu_num(struct parse_ctx *pc, const char *v)
{
	uint64_t n;
	int r = set_u64(pc, "num", v, &n);

	if (r)
		return r;
	if (n > UINT32_MAX)
		return fail(pc, -EINVAL, "num=%s: number too large", v);
	pc->cfg->vcpus = (uint32_t)n;
	return 0;
}

static int vcpu_assists(struct parse_ctx *pc, const char *v)
{
	return set_bool(pc, "assists", v, &pc->cfg->assists);
}

/* --kernel, --initramfs */
static int kernel_path(struct parse_ctx *pc, const char *v)
{
	return set_str(pc, "path", v, pc->cfg->kernel_path, sizeof(pc->cfg->kernel_path));
}

static int kernel_cmdline(struct parse_ctx *pc, const char *v)
{
	return set_str(pc, "cmdline", v, pc->cfg->cmdline, sizeof(pc->cfg->cmdline));
}

static int kernel_boot(struct parse_ctx *pc, const char *v)
{
	if (strcmp(v, "auto") == 0)
		pc->cfg->boot = VMM_BOOT_AUTO;
	else if (strcmp(v, "pvh") == 0)
		pc->cfg->boot = VMM_BOOT_PVH;
	else if (strcmp(v, "64bit") == 0)
		pc->cfg->boot = VMM_BOOT_64BIT;
	else
		return fail(pc, -EINVAL, "boot=%s: expected auto, pvh or 64bit", v);
	return 0;
}

static int initramfs_path(struct parse_ctx *pc, const char *v)
{
	return set_str(pc, "path", v, pc->cfg->initramfs_path,
		       sizeof(pc->cfg->initramfs_path));
}

/* --block (repeatable: each use adds a device) */
static struct vmm_block_config *cur_block(struct parse_ctx *pc)
{
	return &pc->cfg->blocks[pc->cfg->nblocks - 1];
}

static int block_begin(struct parse_ctx *pc)
{
	if (pc->cfg->nblocks >= VMM_MAX_BLOCKS)
		return fail(pc, -EINVAL, "given more than %u times", VMM_MAX_BLOCKS);
	memset(&pc->cfg->blocks[pc->cfg->nblocks], 0, sizeof(struct vmm_block_config));
	pc->cfg->nblocks++;
	return 0;
}

static int block_path(struct parse_ctx *pc, const char *v)
{
	return set_str(pc, "path", v, cur_block(pc)->path, sizeof(cur_block(pc)->path));
}

static int block_ro(struct parse_ctx *pc, const char *v)
{
	return set_bool(pc, "read_only", v, &cur_block(pc)->read_only);
}

/*
 * Rate limiter keys (docs/cvmm.md): every bucket B (--block rate and iops,
 * --net rx_rate, rx_ops, tx_rate and tx_ops) has B=size, B_burst= and
 * B_refill_ms=.  key_def.arg says which bucket and field a key sets.  B=N
 * alone is N per second (refill_ms defaults to 1000 once the option's keys
 * are all read); a burst or refill time without B is refused, as is
 * B_refill_ms=0.  The maxima are libratelimit's, checked by
 * vmm_config_validate() (vmm_new) whatever filled the configuration.
 */
#define LIM_SIZE 0u
#define LIM_BURST 1u
#define LIM_REFILL 2u
#define LIM_FIELD 3u		/* mask of the three above */
#define LIM_OPS 4u		/* the ops bucket, else bytes */
#define LIM_TX 8u		/* --net: the tx limiter, else rx */

static struct vmm_token_bucket *limit_bucket(struct vmm_rate_limit *l, unsigned arg)
{
	return arg & LIM_OPS ? &l->ops : &l->bytes;
}

static int set_bucket(struct parse_ctx *pc, struct vmm_rate_limit *l, const char *v)
{
	const char *key = pc->key->key;
	struct vmm_token_bucket *b = limit_bucket(l, pc->key->arg);
	uint64_t n;
	int r = set_u64(pc, key, v, &n);

	if (r)
		return r;
	switch (pc->key->arg & LIM_FIELD) {
	case LIM_SIZE:
		b->size = n;
		break;
	case LIM_BURST:
		b->one_time_burst = n;
		break;
	default:
		if (n == 0)
			return fail(pc, -EINVAL, "%s=%s: must be at least 1 (no limit is a "
				    "size of 0)", key, v);
		b->refill_ms = n;
		break;
	}
	return 0;
}

/* After all keys: the default refill time, and no burst or refill time
 * for a bucket without a size.  size_key names the bucket's size key. */
static int end_bucket(struct parse_ctx *pc, struct vmm_token_bucket *b,
		      const char *size_key)
{
	if (b->size == 0 && b->one_time_burst)
		return fail(pc, -EINVAL, "%s_burst=%llu: needs a non-zero %s", size_key,
			    (unsigned long long)b->one_time_burst, size_key);
	if (b->size == 0 && b->refill_ms)
		return fail(pc, -EINVAL, "%s_refill_ms=%llu: needs a non-zero %s", size_key,
			    (unsigned long long)b->refill_ms, size_key);
	if (b->size && !b->refill_ms)
		b->refill_ms = 1000;
	return 0;
}

static int block_limit(struct parse_ctx *pc, const char *v)
{
	return set_bucket(pc, &cur_block(pc)->limit, v);
}

static int block_end(struct parse_ctx *pc)
{
	struct vmm_rate_limit *l = &cur_block(pc)->limit;
	int r = end_bucket(pc, &l->bytes, "rate");

	return r ? r : end_bucket(pc, &l->ops, "iops");
}

/* --vsock (one device; ranges are checked by vmm_config_validate) */
static int vsock_begin(struct parse_ctx *pc)
{
	if (pc->cfg->vsock.enabled)
		return fail(pc, -EINVAL, "given twice: cvmm has one vsock device");
	pc->cfg->vsock.enabled = true;
	return 0;
}

static int vsock_cid(struct parse_ctx *pc, const char *v)
{
	return set_u64(pc, "cid", v, &pc->cfg->vsock.guest_cid);
}

static int vsock_uds(struct parse_ctx *pc, const char *v)
{
	return set_str(pc, "uds", v, pc->cfg->vsock.uds_path,
		       sizeof(pc->cfg->vsock.uds_path));
}

/* --net (repeatable: each use adds a device) */
static struct vmm_net_config *cur_net(struct parse_ctx *pc)
{
	return &pc->cfg->nets[pc->cfg->nnets - 1];
}

static int net_begin(struct parse_ctx *pc)
{
	if (pc->cfg->nnets >= VMM_MAX_NETS)
		return fail(pc, -EINVAL, "given more than %u times", VMM_MAX_NETS);
	memset(&pc->cfg->nets[pc->cfg->nnets], 0, sizeof(struct vmm_net_config));
	pc->cfg->nnets++;
	return 0;
}

static int net_tap(struct parse_ctx *pc, const char *v)
{
	return set_str(pc, "tap", v, cur_net(pc)->tap, sizeof(cur_net(pc)->tap));
}

static int net_mac(struct parse_ctx *pc, const char *v)
{
	struct vmm_net_config *nc = cur_net(pc);

	if (vmm_args_parse_mac(v, nc->mac))
		return fail(pc, -EINVAL, "mac=%s: expected six hex bytes like 52:54:00:12:34:56", v);
	nc->has_mac = true;
	return 0;
}

static int net_limit(struct parse_ctx *pc, const char *v)
{
	struct vmm_net_config *nc = cur_net(pc);

	return set_bucket(pc, pc->key->arg & LIM_TX ? &nc->tx_limit : &nc->rx_limit, v);
}

static int net_end(struct parse_ctx *pc)
{
	struct vmm_net_config *nc = cur_net(pc);
	int r;

	if ((r = end_bucket(pc, &nc->rx_limit.bytes, "rx_rate")) ||
	    (r = end_bucket(pc, &nc->rx_limit.ops, "rx_ops")) ||
	    (r = end_bucket(pc, &nc->tx_limit.bytes, "tx_rate")))
		return r;
	return end_bucket(pc, &nc->tx_limit.ops, "tx_ops");
}

/* --serial */
static int serial_out(struct parse_ctx *pc, const char *v)
{
	if (strcmp(v, "stdout") == 0)
		pc->cfg->serial.out = VMM_SERIAL_OUT_STDOUT;
	else if (strcmp(v, "file") == 0)
		pc->cfg->serial.out = VMM_SERIAL_OUT_FILE;
	else if (strcmp(v, "none") == 0)
		pc->cfg->serial.out = VMM_SERIAL_OUT_NONE;
	else
		return fail(pc, -EINVAL, "out=%s: expected stdout, file or none", v);
	return 0;
}

static int serial_path(struct parse_ctx *pc, const char *v)
{
	pc->cfg->serial.out = VMM_SERIAL_OUT_FILE;
	return set_str(pc, "path", v, pc->cfg->serial.out_path,
		       sizeof(pc->cfg->serial.out_path));
}

static int serial_in(struct parse_ctx *pc, const char *v)
{
	if (strcmp(v, "stdin") == 0)
		pc->cfg->serial.stdin_input = true;
	else if (strcmp(v, "none") == 0)
		pc->cfg->serial.stdin_input = false;
	else
		return fail(pc, -EINVAL, "in=%s: expected stdin or none", v);
	return 0;
}

static int serial_rate(struct parse_ctx *pc, const char *v)
{
	return set_u64(pc, "rate", v, &pc->cfg->serial.rate_bytes_per_s);
}

static int serial_burst(struct parse_ctx *pc, const char *v)
{
	return set_u64(pc, "burst", v, &pc->cfg->serial.burst_bytes);
}

/* --watchdog */
static int wd_panic(struct parse_ctx *pc, const char *v)
{
	return set_bool(pc, "panic", v, &pc->cfg->watchdog.panic_detect);
}

static int wd_stuck(struct parse_ctx *pc, const char *v)
{
	uint64_t ms;
	int r = set_u64(pc, "stuck_ms", v, &ms);

	if (r)
		return r;
	if (ms > UINT32_MAX)
		return fail(pc, -EINVAL, "stuck_ms=%s: number too large", v);
	pc->cfg->watchdog.stuck_ms = (uint32_t)ms;
	return 0;
}

/* --platform */
static int plat_acpi(struct parse_ctx *pc, const char *v)
{
	return set_bool(pc, "acpi", v, &pc->cfg->acpi);
}

static int plat_mptable(struct parse_ctx *pc, const char *v)
{
	return set_bool(pc, "mptable", v, &pc->cfg->mptable);
}

static int plat_virtio_cmdline(struct parse_ctx *pc, const char *v)
{
	return set_bool(pc, "virtio_cmdline", v, &pc->cfg->virtio_cmdline);
}

/* --boot-timer, --log, --kvm */
static int timer_enabled(struct parse_ctx *pc, const char *v)
{
	return set_bool(pc, "enabled", v, &pc->cfg->boot_timer);
}

static int log_level(struct parse_ctx *pc, const char *v)
{
	for (int l = VMM_LOG_ERROR; l <= VMM_LOG_DEBUG; l++) {
		if (strcmp(v, vmm_log_level_name((enum vmm_log_level)l)) == 0) {
			pc->cfg->log_level = (enum vmm_log_level)l;
			return 0;
		}
	}
	return fail(pc, -EINVAL, "level=%s: expected error, warn, info or debug", v);
}

static int kvm_path(struct parse_ctx *pc, const char *v)
{
	return set_str(pc, "path", v, pc->cfg->kvm_path, sizeof(pc->cfg->kvm_path));
}

static int api_sock(struct parse_ctx *pc, const char *v)
{
	if (*v == '\0')
		return fail(pc, -EINVAL, "needs a socket path");
	return set_str(pc, "path", v, pc->cfg->process.api_sock,
		       sizeof(pc->cfg->process.api_sock));
}

static int config_file(struct parse_ctx *pc, const char *v)
{
	if (*v == '\0')
		return fail(pc, -EINVAL, "needs a file path");
	return set_str(pc, "path", v, pc->cfg->process.config_file,
		       sizeof(pc->cfg->process.config_file));
}

static int seccomp_mode(struct parse_ctx *pc, const char *v)
{
	static const enum vmm_seccomp_mode modes[] = {
		VMM_SECCOMP_KILL, VMM_SECCOMP_LOG, VMM_SECCOMP_OFF,
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(v, vmm_seccomp_mode_name(modes[i])) == 0) {
			pc->cfg->process.seccomp = modes[i];
			return 0;
		}
	}
	return fail(pc, -EINVAL, "%s: expected off, log or kill", v);
}

static const struct key_def memory_keys[] = {
	{ "size_mib", mem_size_mib, "guest RAM in MiB (default 256)", 0 },
	{ "size", mem_size, "guest RAM with a unit: 512M, 2G", 0 },
	{ "hugepages", mem_hugepages, "on: back guest RAM with 2 MiB huge pages from the host's pool (vm.nr_hugepages)", 0 },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def vcpu_keys[] = {
	{ "num", vcpu_num, "number of vCPUs (default 1)", 0 },
	{ "assists", vcpu_assists, "on|off: kvm-pvm emulation assists (default on)", 0 },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def kernel_keys[] = {
	{ "path", kernel_path, "bzImage or ELF vmlinux (64-bit entry or PVH note)", 0 },
	{ "cmdline", kernel_cmdline, "kernel command line (quote it)", 0 },
	{ "boot", kernel_boot, "auto|pvh|64bit: ELF entry (default auto: PVH if the note exists)", 0 },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def initramfs_keys[] = {
	{ "path", initramfs_path, "initramfs image", 0 },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def block_keys[] = {
	{ "path", block_path, "disk image or block device", 0 },
	{ "read_only", block_ro, "on|off (default off)", 0 },
	{ "rate", block_limit, "bytes read and written per refill time, per second by default (0: unlimited)",
	  LIM_SIZE },
	{ "rate_burst", block_limit, "one-time extra bytes, spent first (needs rate)", LIM_BURST },
	{ "rate_refill_ms", block_limit, "ms to refill the rate bucket (default 1000)", LIM_REFILL },
	{ "iops", block_limit, "requests per refill time (default 0: unlimited)",
	  LIM_OPS | LIM_SIZE },
	{ "iops_burst", block_limit, "one-time extra requests (needs iops)", LIM_OPS | LIM_BURST },
	{ "iops_refill_ms", block_limit, "ms to refill the iops bucket (default 1000)",
	  LIM_OPS | LIM_REFILL },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def vsock_keys[] = {
	{ "cid", vsock_cid, "guest CID, 3..4294967294", 0 },
	{ "uds", vsock_uds, "host Unix socket; guest port P connects to PATH_P", 0 },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def net_keys[] = {
	{ "tap", net_tap, "host tap interface (created if missing)", 0 },
	{ "mac", net_mac, "guest MAC, XX:XX:XX:XX:XX:XX (default: the guest picks one)", 0 },
	{ "rx_rate", net_limit, "bytes to the guest per refill time, per second by default (0: unlimited)",
	  LIM_SIZE },
	{ "rx_rate_burst", net_limit, "one-time extra bytes to the guest (needs rx_rate)", LIM_BURST },
	{ "rx_rate_refill_ms", net_limit, "ms to refill the rx_rate bucket (default 1000)",
	  LIM_REFILL },
	{ "rx_ops", net_limit, "frames to the guest per refill time (default 0: unlimited)",
	  LIM_OPS | LIM_SIZE },
	{ "rx_ops_burst", net_limit, "one-time extra frames to the guest (needs rx_ops)",
	  LIM_OPS | LIM_BURST },
	{ "rx_ops_refill_ms", net_limit, "ms to refill the rx_ops bucket (default 1000)",
	  LIM_OPS | LIM_REFILL },
	{ "tx_rate", net_limit, "bytes from the guest, as rx_rate", LIM_TX | LIM_SIZE },
	{ "tx_rate_burst", net_limit, "as rx_rate_burst, from the guest", LIM_TX | LIM_BURST },
	{ "tx_rate_refill_ms", net_limit, "as rx_rate_refill_ms, from the guest",
	  LIM_TX | LIM_REFILL },
	{ "tx_ops", net_limit, "frames from the guest, as rx_ops", LIM_TX | LIM_OPS | LIM_SIZE },
	{ "tx_ops_burst", net_limit, "as rx_ops_burst, from the guest", LIM_TX | LIM_OPS | LIM_BURST },
	{ "tx_ops_refill_ms", net_limit, "as rx_ops_refill_ms, from the guest",
	  LIM_TX | LIM_OPS | LIM_REFILL },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def serial_keys[] = {
	{ "out", serial_out, "stdout|file|none (default stdout)", 0 },
	{ "path", serial_path, "file receiving the console (implies out=file)", 0 },
	{ "in", serial_in, "stdin|none (default stdin)", 0 },
	{ "rate", serial_rate, "flood budget in bytes/s (default 0: unlimited)", 0 },
	{ "burst", serial_burst, "flood budget burst in bytes", 0 },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def watchdog_keys[] = {
	{ "panic", wd_panic, "on|off: end on a guest kernel panic (default on)", 0 },
	{ "stuck_ms", wd_stuck, "end when a vCPU has IF=0 and no exit this long (default 120000, 0=off)", 0 },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def platform_keys[] = {
	{ "acpi", plat_acpi, "on|off: ACPI tables (default on)", 0 },
	{ "mptable", plat_mptable, "on|off: MP table (default on)", 0 },
	{ "virtio_cmdline", plat_virtio_cmdline, "on|off: append virtio_mmio.device= (default on)", 0 },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def timer_keys[] = {
	{ "enabled", timer_enabled, "on|off: log port 0x80 writes with a timestamp", 0 },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def log_keys[] = {
	{ "level", log_level, "error|warn|info|debug (default warn)", 0 },
	{ NULL, NULL, NULL, 0 },
};
static const struct key_def kvm_keys[] = {
	{ "path", kvm_path, "KVM device (default /dev/kvm)", 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct opt_def options[] = {
	{ "--memory", memory_keys, NULL, NULL, "guest memory", NULL },
	{ "--vcpu", vcpu_keys, NULL, NULL, "virtual CPUs", NULL },
	{ "--kernel", kernel_keys, NULL, NULL, "guest kernel (required)", NULL },
	{ "--initramfs", initramfs_keys, NULL, NULL, "initial ramdisk", NULL },
	{ "--block", block_keys, NULL, block_begin, "virtio-blk disk (repeatable)", block_end },
	{ "--vsock", vsock_keys, NULL, vsock_begin, "virtio-vsock device (one)", NULL },
	{ "--net", net_keys, NULL, net_begin, "virtio-net on a tap (repeatable)", net_end },
	{ "--serial", serial_keys, NULL, NULL, "16550A console at 0x3f8, IRQ 4", NULL },
	{ "--watchdog", watchdog_keys, NULL, NULL, "guest panic and stuck vCPU detection", NULL },
	{ "--platform", platform_keys, NULL, NULL, "firmware tables", NULL },
	{ "--boot-timer", timer_keys, NULL, NULL, "port 0x80 boot timer", NULL },
	{ "--log", log_keys, NULL, NULL, "VMM log on stderr", NULL },
	{ "--kvm", kvm_keys, NULL, NULL, "KVM device", NULL },
	{ "--api-sock", NULL, api_sock, NULL, "control API on this Unix socket (docs/api.md)", NULL },
	{ "--config-file", NULL, config_file, NULL, "JSON machine configuration (docs/api.md)", NULL },
	{ "--seccomp", NULL, seccomp_mode, NULL, "kill|log|off: syscall filters (default kill)", NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

/* name is "--opt" or "--opt=VALUE"; only plain options take the second form. */
static const struct opt_def *find_option(const char *name, const char **inline_value)
{
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);

	*inline_value = NULL;
	for (const struct opt_def *o = options; o->name; o++) {
		if (strlen(o->name) != len || strncmp(o->name, name, len) != 0)
			continue;
		if (eq && !o->plain)
			return NULL;
		*inline_value = eq ? eq + 1 : NULL;
		return o;
	}
	return NULL;
}

static void list_keys(const struct opt_def *o, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const struct key_def *k = o->keys; k->key && used < len; k++) {
		int n = snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "", k->key);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static int apply_option(struct parse_ctx *pc, const struct opt_def *o,
			const char *arg)
{
	static char value[VALUE_MAX];	/* parsing is single-threaded startup work */
	char key[KEY_MAX], known[256];
	const char *cur = arg;
	int r;

	if (o->begin && (r = o->begin(pc)) != 0)
		return r;
	if (*arg == '\0')
		return fail(pc, -EINVAL, "needs key=value pairs");
	while ((r = vmm_args_next_pair(&cur, key, sizeof(key), value, sizeof(value))) > 0) {
		const struct key_def *k;

		for (k = o->keys; k->key; k++)
			if (strcmp(k->key, key) == 0)
				break;
		if (!k->key) {
			list_keys(o, known, sizeof(known));
			return fail(pc, -EINVAL, "%s=%s: unknown key '%s' (known: %s)",
				    key, value, key, known);
		}
		pc->key = k;
		r = k->set(pc, value);
		if (r)
			return r;
	}
	if (r < 0)
		return fail(pc, -EINVAL, "%s: malformed; expected key=value[,key=value...]",
			    arg);
	return o->end ? o->end(pc) : 0;
}

/* The message echoes what the user typed; keep it one printable line. */
static int one_line(char *err, size_t errlen, int r)
{
	for (size_t i = 0; i < errlen && err[i]; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			err[i] = '?';
	return r;
}

static int apply_argument(struct parse_ctx *pc, const struct opt_def *o,
			  const char *arg)
{
	return o->plain ? o->plain(pc, arg) : apply_option(pc, o, arg);
}

static int parse(int argc, char *const argv[], struct vmm_config *cfg, char *err,
		 size_t errlen)
{
	struct parse_ctx pc = { .cfg = cfg, .err = err, .errlen = errlen };

	for (int i = 1; i < argc; i++) {
		const struct opt_def *o;
		const char *inline_value;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return VMM_ARGS_HELP;
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0)
			return VMM_ARGS_VERSION;
		o = find_option(argv[i], &inline_value);
		if (!o) {
			snprintf(err, errlen, "%s: unknown option (see --help)", argv[i]);
			return -EINVAL;
		}
		pc.opt = o->name;
		if (inline_value) {
			if (apply_argument(&pc, o, inline_value))
				return -EINVAL;
			continue;
		}
		if (i + 1 >= argc) {
			snprintf(err, errlen, "%s: missing its %s argument", argv[i],
				 o->plain ? "value" : "key=value");
			return -EINVAL;
		}
		if (apply_argument(&pc, o, argv[++i]))
			return -EINVAL;
	}
	return VMM_ARGS_RUN;
}

int vmm_args_parse(int argc, char *const argv[], struct vmm_config *cfg,
		   char *err, size_t errlen)
{
	int r = parse(argc, argv, cfg, err, errlen);

	return r < 0 && errlen ? one_line(err, errlen, r) : r;
}

void vmm_args_usage(FILE *out, const char *prog)
{
	fprintf(out, "usage: %s --kernel path=FILE[,cmdline=\"...\"] [OPTION KEY=VALUE[,KEY=VALUE...]]...\n"
		"       %s --api-sock PATH [OPTION ...]     (configured over the control API)\n"
		"       %s --config-file FILE [OPTION ...]  (configured from JSON)\n"
		"       %s --help | --version\n\n", prog, prog, prog, prog);
	for (const struct opt_def *o = options; o->name; o++) {
		if (o->plain) {
			fprintf(out, "%s VALUE  (%s)\n", o->name, o->help);
			continue;
		}
		fprintf(out, "%s  (%s)\n", o->name, o->help);
		for (const struct key_def *k = o->keys; k->key; k++)
			fprintf(out, "    %-18s %s\n", k->key, k->help);
	}
	fprintf(out, "\nexit codes: 0 guest reset, 1 bad configuration, 2 usage,"
		" 3 guest poweroff, 4 triple fault, 5 guest kernel panic,"
		" 6 stuck vCPU, 7 internal error, 128+N signal N\n");
}
