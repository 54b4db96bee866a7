// SPDX-License-Identifier: MIT
// Defaults and validation of a VM configuration.  Validation stops at the
// first problem and names the field the way the command line spells it, so
// the user can find the argument to fix.
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rlim/ratelimit.h>
#include <vmm/config.h>

#include "config_internal.h"

void vmm_config_init(struct vmm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_mib = VMM_MEM_DEFAULT_MIB;
	cfg->vcpus = 1;
	cfg->serial.out = VMM_SERIAL_OUT_STDOUT;
	cfg->serial.stdin_input = true;
	cfg->watchdog.panic_detect = true;
	/* Long enough for a kvm-pvm bzImage decompressor (~35 s, IF=0, no
	 * exit), short enough that a wedged CI job ends. */
	cfg->watchdog.stuck_ms = 120000;
	cfg->assists = true;
	cfg->acpi = true;
	cfg->mptable = true;
	cfg->virtio_cmdline = true;
	cfg->log_level = VMM_LOG_WARN;
	cfg->dump_signal = SIGUSR1;
	memcpy(cfg->kvm_path, "/dev/kvm", sizeof("/dev/kvm"));
}

int vmm_config_set_string(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstlen)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

bool vmm_token_bucket_limits(const struct vmm_token_bucket *b)
{
	return b->size != 0 && b->refill_ms != 0;
}

bool vmm_rate_limit_limits(const struct vmm_rate_limit *l)
{
	return vmm_token_bucket_limits(&l->bytes) || vmm_token_bucket_limits(&l->ops);
}

const char *vmm_log_level_name(enum vmm_log_level level)
{
	switch (level) {
	case VMM_LOG_ERROR: return "error";
	case VMM_LOG_WARN: return "warn";
	case VMM_LOG_INFO: return "info";
	case VMM_LOG_DEBUG: return "debug";
	}
	return "?";
}

const char *vmm_seccomp_mode_name(enum vmm_seccomp_mode mode)
{
	switch (mode) {
	case VMM_SECCOMP_KILL: return "kill";
	case VMM_SECCOMP_LOG: return "log";
	case VMM_SECCOMP_OFF: return "off";
	}
	return "?";
}

__attribute__((format(printf, 4, 5)))
static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		/* Paths are echoed: keep the message one printable line. */
		for (size_t i = 0; err[i]; i++)
			if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
				err[i] = '?';
	}
	return code;
}

static bool is_file_or_disk(const struct stat *st)
{
	return S_ISREG(st->st_mode) || S_ISBLK(st->st_mode);
}

/* A file the VMM will read (or write): it must exist, be a regular file or
 * a block device, and be accessible in that mode.  The descriptor goes to
 * *keep, so the file checked is the file used, even if the path is swapped
 * afterwards.  The stat comes first so that a device node is refused
 * unopened; the fstat catches a swap between the two, and O_NONBLOCK keeps
 * a FIFO swapped in from blocking the open. */
static int check_file(const char *field, const char *path, bool writable,
		      char *err, size_t errlen, int *keep)
{
	struct stat st;
	int fd;

	if (path[0] == '\0')
		return fail(err, errlen, -EINVAL, "%s: empty path", field);
	if (stat(path, &st) != 0)
		return fail(err, errlen, -errno, "%s=%s: %s", field, path,
			    strerror(errno));
	if (!is_file_or_disk(&st))
		return fail(err, errlen, -EINVAL,
			    "%s=%s: not a regular file or block device", field, path);
	/* Opening is the only reliable access check (root, ACLs, ro mounts). */
	fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fail(err, errlen, -errno, "%s=%s: cannot open for %s: %s",
			    field, path, writable ? "writing" : "reading",
			    strerror(errno));
	if (fstat(fd, &st) != 0 || !is_file_or_disk(&st) ||
	    fcntl(fd, F_SETFL, 0) != 0) {
		close(fd);
		return fail(err, errlen, -EINVAL,
			    "%s=%s: not a regular file or block device", field, path);
	}
	*keep = fd;
	return 0;
}

static int check_sizes(const struct vmm_config *cfg, char *err, size_t errlen)
{
	if (cfg->mem_mib < VMM_MEM_MIN_MIB || cfg->mem_mib > VMM_MEM_MAX_MIB)
		return fail(err, errlen, -EINVAL,
			    "memory.size_mib=%llu: must be between %u and %u",
			    (unsigned long long)cfg->mem_mib, VMM_MEM_MIN_MIB,
			    VMM_MEM_MAX_MIB);
	if (cfg->mem_hugepages && cfg->mem_mib % 2)
		return fail(err, errlen, -EINVAL,
			    "memory.size_mib=%llu: not a whole number of 2 MiB huge pages (memory.hugepages=on)",
			    (unsigned long long)cfg->mem_mib);
	if (cfg->vcpus < 1 || cfg->vcpus > VMM_VCPUS_MAX)
		return fail(err, errlen, -EINVAL,
			    "vcpu.num=%u: must be between 1 and %u", cfg->vcpus,
			    VMM_VCPUS_MAX);
	if (cfg->nblocks > VMM_MAX_BLOCKS)
		return fail(err, errlen, -EINVAL, "block: %u devices, at most %u",
			    cfg->nblocks, VMM_MAX_BLOCKS);
	if (cfg->nnets > VMM_MAX_NETS)
		return fail(err, errlen, -EINVAL, "net: %u devices, at most %u",
			    cfg->nnets, VMM_MAX_NETS);
	if (cfg->nblocks + (cfg->vsock.enabled ? 1u : 0u) + cfg->nnets > VMM_MAX_VIRTIO)
		return fail(err, errlen, -EINVAL,
			    "virtio: %u devices (block, vsock and net), at most %u",
			    cfg->nblocks + (cfg->vsock.enabled ? 1u : 0u) + cfg->nnets,
			    VMM_MAX_VIRTIO);
	if (cfg->serial.rate_bytes_per_s == 0 && cfg->serial.burst_bytes != 0)
		return fail(err, errlen, -EINVAL,
			    "serial.burst=%llu: needs serial.rate",
			    (unsigned long long)cfg->serial.burst_bytes);
	if (cfg->serial.out == VMM_SERIAL_OUT_FILE && cfg->serial.out_path[0] == '\0')
		return fail(err, errlen, -EINVAL, "serial.out=file: needs serial.path");
	return 0;
}

/* libratelimit's maxima (rlim_init refuses more), named as the command
 * line spells the key: "block[0].rate_burst=...", "net[1].tx_ops=...". */
static int check_bucket(const char *dev, uint32_t i, const char *key,
			const struct vmm_token_bucket *b, char *err, size_t errlen)
{
	if (b->size > RLIM_MAX_TOKENS)
		return fail(err, errlen, -EINVAL, "%s[%u].%s=%llu: at most %llu", dev, i, key,
			    (unsigned long long)b->size, RLIM_MAX_TOKENS);
	if (b->one_time_burst > RLIM_MAX_TOKENS)
		return fail(err, errlen, -EINVAL, "%s[%u].%s_burst=%llu: at most %llu", dev, i,
			    key, (unsigned long long)b->one_time_burst, RLIM_MAX_TOKENS);
	if (b->refill_ms > RLIM_MAX_REFILL_MS)
		return fail(err, errlen, -EINVAL, "%s[%u].%s_refill_ms=%llu: at most %llu", dev,
			    i, key, (unsigned long long)b->refill_ms, RLIM_MAX_REFILL_MS);
	return 0;
}

static int check_limit(const char *dev, uint32_t i, const char *bytes_key,
		       const char *ops_key, const struct vmm_rate_limit *l, char *err,
		       size_t errlen)
{
	int r = check_bucket(dev, i, bytes_key, &l->bytes, err, errlen);

	return r ? r : check_bucket(dev, i, ops_key, &l->ops, err, errlen);
}

/* The device checks the same again; here the message names the key. */
static int check_vsock(const struct vmm_vsock_config *vc, char *err, size_t errlen)
{
	if (!vc->enabled)
		return 0;
	if (vc->guest_cid < 3 || vc->guest_cid > 0xfffffffeull)
		return fail(err, errlen, -EINVAL,
			    "vsock.cid=%llu: must be between 3 and 4294967294",
			    (unsigned long long)vc->guest_cid);
	if (vc->uds_path[0] == '\0')
		return fail(err, errlen, -EINVAL, "vsock.uds: missing (--vsock cid=N,uds=PATH)");
	if (strlen(vc->uds_path) > VMM_VSOCK_UDS_MAX)
		return fail(err, errlen, -EINVAL,
			    "vsock.uds=%.40s...: longer than %u bytes (a Unix socket path)",
			    vc->uds_path, VMM_VSOCK_UDS_MAX);
	return 0;
}

static int check_net(uint32_t i, const struct vmm_net_config *nc, char *err,
		     size_t errlen)
{
	int r;

	if (nc->tap[0] == '\0')
		return fail(err, errlen, -EINVAL, "net[%u].tap: missing (--net tap=NAME)", i);
	if (strlen(nc->tap) > VMM_TAP_NAME_MAX)
		return fail(err, errlen, -EINVAL,
			    "net[%u].tap=%.40s: longer than %u bytes (an interface name)",
			    i, nc->tap, VMM_TAP_NAME_MAX);
	if (nc->has_mac && (nc->mac[0] & 1))
		return fail(err, errlen, -EINVAL,
			    "net[%u].mac=%02x:%02x:%02x:%02x:%02x:%02x: a multicast address",
			    i, nc->mac[0], nc->mac[1], nc->mac[2], nc->mac[3], nc->mac[4],
			    nc->mac[5]);
	r = check_limit("net", i, "rx_rate", "rx_ops", &nc->rx_limit, err, errlen);
	return r ? r : check_limit("net", i, "tx_rate", "tx_ops", &nc->tx_limit, err, errlen);
}

void vmm__input_files_init(struct vmm__input_files *f)
{
	f->kernel = -1;
	f->initramfs = -1;
	for (uint32_t i = 0; i < VMM_MAX_BLOCKS; i++)
		f->blocks[i] = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void vmm__input_files_close(struct vmm__input_files *f)
{
	close_fd(&f->kernel);
	close_fd(&f->initramfs);
	for (uint32_t i = 0; i < VMM_MAX_BLOCKS; i++)
		close_fd(&f->blocks[i]);
}

/* need_kernel: false for a restored machine, which boots no kernel. */
static int check_settings(const struct vmm_config *cfg, bool need_kernel, char *err,
			  size_t errlen)
{
	int r = check_sizes(cfg, err, errlen);

	if (r)
		return r;
	if (need_kernel && cfg->kernel_path[0] == '\0')
		return fail(err, errlen, -EINVAL, "kernel.path: missing (--kernel path=...)");
	r = check_vsock(&cfg->vsock, err, errlen);
	if (r)
		return r;
	for (uint32_t i = 0; i < cfg->nnets; i++) {
		r = check_net(i, &cfg->nets[i], err, errlen);
		if (r)
			return r;
	}
	for (uint32_t i = 0; i < cfg->nblocks; i++) {
		r = check_limit("block", i, "rate", "iops", &cfg->blocks[i].limit, err, errlen);
		if (r)
			return r;
	}
	return 0;
}

/* Opens every file the configuration names into f (check_settings() has
 * bounded nblocks); on failure the caller closes what is open. */
static int check_files(const struct vmm_config *cfg, char *err, size_t errlen,
		       struct vmm__input_files *f)
{
	char field[32];
	int r;

	r = check_file("kernel.path", cfg->kernel_path, false, err, errlen, &f->kernel);
	if (r)
		return r;
	if (cfg->initramfs_path[0]) {
		r = check_file("initramfs.path", cfg->initramfs_path, false, err, errlen,
			       &f->initramfs);
		if (r)
			return r;
	}
	for (uint32_t i = 0; i < cfg->nblocks; i++) {
		snprintf(field, sizeof(field), "block[%u].path", i);
		r = check_file(field, cfg->blocks[i].path, !cfg->blocks[i].read_only,
			       err, errlen, &f->blocks[i]);
		if (r)
			return r;
	}
	return 0;
}

int vmm__config_check_machine(const struct vmm_config *cfg, char *err, size_t errlen)
{
	return check_settings(cfg, false, err, errlen);
}

int vmm_config_validate(const struct vmm_config *cfg, char *err, size_t errlen)
{
	return vmm__config_check(cfg, err, errlen, NULL);
}

int vmm__config_check(const struct vmm_config *cfg, char *err, size_t errlen,
		      struct vmm__input_files *keep)
{
	struct vmm__input_files files;
	int r;

	vmm__input_files_init(&files);
	r = check_settings(cfg, true, err, errlen);
	if (r == 0)
		r = check_files(cfg, err, errlen, &files);
	if (r || !keep)
		vmm__input_files_close(&files);
	if (keep)
		*keep = files;
	return r;
}
