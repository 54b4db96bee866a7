/* SPDX-License-Identifier: MIT */
/*
 * Configuration of one virtual machine: memory, vCPUs, kernel, initramfs,
 * command line, block devices, serial console, boot timer, watchdog and
 * log level.  The struct is plain data owned by the caller; strings are
 * stored inline so that a configuration can be copied and outlives argv.
 *
 * vmm_config_validate() checks everything that can be checked without
 * opening /dev/kvm and reports the first problem as one sentence that
 * names the field and the value (the cvmm command line shows it verbatim).
 */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMM_WUR __attribute__((warn_unused_result))

#define VMM_PATH_MAX 4096u
/* Linux x86 COMMAND_LINE_SIZE is 2048; the loader enforces the kernel's own
 * cmdline_size, this only bounds storage. */
#define VMM_CMDLINE_MAX 4096u
#define VMM_MAX_BLOCKS 8u
/* virtio-mmio devices of all kinds share the IOAPIC pins 16..23, one each. */
#define VMM_MAX_VIRTIO 8u
#define VMM_MAX_NETS 8u
/* IFNAMSIZ - 1 */
#define VMM_TAP_NAME_MAX 15u
/* Longest vsock.uds: sockaddr_un holds 107 bytes, and the device appends
 * "_<port>" (up to 11 bytes) for guest-initiated connections. */
#define VMM_VSOCK_UDS_MAX 96u
/* Error messages are one line. */
#define VMM_ERR_MAX 512u

/* Guest RAM bounds: 16 MiB keeps room for the boot tables and a small
 * kernel; 1 TiB is far above what this host could back. */
#define VMM_MEM_MIN_MIB 16u
#define VMM_MEM_MAX_MIB (1024u * 1024u)
#define VMM_MEM_DEFAULT_MIB 256u
/* Upper bound before asking KVM (KVM_CAP_MAX_VCPUS is checked in vmm_new). */
#define VMM_VCPUS_MAX 254u

enum vmm_log_level {
	VMM_LOG_ERROR,
	VMM_LOG_WARN,
	VMM_LOG_INFO,
	VMM_LOG_DEBUG,
};

/* How an ELF kernel is entered (a bzImage always takes the 64-bit entry). */
enum vmm_boot_entry {
	VMM_BOOT_AUTO,		/* PVH when the ELF has the note, else 64-bit */
	VMM_BOOT_PVH,		/* 32-bit PVH entry with hvm_start_info */
	VMM_BOOT_64BIT,		/* 64-bit entry with boot params */
};

enum vmm_serial_out {
	VMM_SERIAL_OUT_STDOUT,	/* the guest console goes to stdout */
	VMM_SERIAL_OUT_FILE,	/* appended to serial.out_path */
	VMM_SERIAL_OUT_NONE,	/* discarded (still counted in metrics) */
};

/*
 * One token bucket of a device's rate limiter (libratelimit, the model of
 * Firecracker's TokenBucket): `size` tokens when full, refilled linearly
 * over `refill_ms` (empty to full), plus `one_time_burst` tokens spent
 * first and never refilled.  A bucket with size 0 or refill_ms 0 does not
 * limit; the command line and the control API store such a bucket as all
 * zeros.  The largest accepted values are libratelimit's
 * (RLIM_MAX_TOKENS for size and burst, RLIM_MAX_REFILL_MS), checked by
 * vmm_config_validate().  `--block rate=N` is {N, 0, 1000}: N per second.
 */
struct vmm_token_bucket {
	uint64_t size;
	uint64_t one_time_burst;
	uint64_t refill_ms;
};

/* A rate limiter: an I/O passes only when both buckets can pay for it.
 * bytes counts bytes, ops counts operations (block requests, frames). */
struct vmm_rate_limit {
	struct vmm_token_bucket bytes;
	struct vmm_token_bucket ops;
};

struct vmm_block_config {
	char path[VMM_PATH_MAX];
	bool read_only;
	/* The guest's I/O on this disk: bytes read and written, requests. */
	struct vmm_rate_limit limit;
};

/* One virtio-vsock device (virtio 1.2 §5.10), host side over Unix sockets. */
struct vmm_vsock_config {
	bool enabled;
	uint64_t guest_cid;	/* 3 .. 0xfffffffe */
	char uds_path[VMM_PATH_MAX];	/* listening socket; must not exist yet */
};

/* One virtio-net device (virtio 1.2 §5.1) on a host tap interface. */
struct vmm_net_config {
	char tap[VMM_PATH_MAX];	/* interface name; created if missing */
	uint8_t mac[6];
	bool has_mac;		/* else the guest picks a random one */
	/* Per direction, bytes and frames.  rx: to the guest, tx: from it. */
	struct vmm_rate_limit rx_limit;
	struct vmm_rate_limit tx_limit;
};

struct vmm_serial_config {
	enum vmm_serial_out out;
	char out_path[VMM_PATH_MAX];
	bool stdin_input;	/* forward stdin to the UART receiver */
	/* Flood budget (token bucket); rate 0 disables it. */
	uint64_t rate_bytes_per_s;
	uint64_t burst_bytes;
};

/* What a seccomp filter does to a syscall outside its thread's list
 * (docs/seccomp.md). */
enum vmm_seccomp_mode {
	VMM_SECCOMP_KILL,	/* the default: report the call, end the process */
	VMM_SECCOMP_LOG,	/* allow it and let the kernel log it (development) */
	VMM_SECCOMP_OFF,	/* no filters */
};

/* Longest control API socket path: sockaddr_un's sun_path less its NUL. */
#define VMM_API_SOCK_MAX 107u

/* The process around the machine: how cvmm is driven and confined. */
struct vmm_process_config {
	char api_sock[VMM_API_SOCK_MAX + 1];	/* "" = no control API */
	char config_file[VMM_PATH_MAX];		/* "" = none (docs/api.md) */
	enum vmm_seccomp_mode seccomp;
};

struct vmm_watchdog_config {
	bool panic_detect;	/* "Kernel panic - not syncing" on the console ends the VM */
	/* A vCPU with interrupts disabled and no exit for this long ends the
	 * VM; 0 disables the check. */
	uint32_t stuck_ms;
};

struct vmm_config {
	uint64_t mem_mib;
	/* Back guest RAM with 2 MiB huge pages from the host's pool
	 * (vm.nr_hugepages), reserved at start; mem_mib must be even. */
	bool mem_hugepages;
	uint32_t vcpus;
	char kernel_path[VMM_PATH_MAX];
	char cmdline[VMM_CMDLINE_MAX];
	enum vmm_boot_entry boot;
	char initramfs_path[VMM_PATH_MAX];	/* "" = none */
	struct vmm_block_config blocks[VMM_MAX_BLOCKS];
	uint32_t nblocks;
	struct vmm_vsock_config vsock;
	struct vmm_net_config nets[VMM_MAX_NETS];
	uint32_t nnets;
	struct vmm_serial_config serial;
	struct vmm_watchdog_config watchdog;
	bool boot_timer;	/* log port 0x80 writes with a timestamp */
	bool assists;		/* kvm-pvm emulation assists (docs/kvm-pvm.md) */
	bool acpi;		/* RSDP/XSDT/FADT/MADT/DSDT */
	bool mptable;		/* an MP table as well */
	/* Also describe virtio-mmio devices as virtio_mmio.device= on the
	 * command line (for kernels built with VIRTIO_MMIO_CMDLINE_DEVICES and
	 * for the guest kit, which has no ACPI parser). */
	bool virtio_cmdline;
	enum vmm_log_level log_level;
	char kvm_path[VMM_PATH_MAX];	/* normally /dev/kvm */
	/* CLOCK_MONOTONIC origin of the boot timer; 0 = when vmm_new() runs. */
	uint64_t start_ns;
	/* Signal that prints the state dump to stderr (docs/cvmm.md, "State
	 * dump"): SIGUSR1 (the default) or SIGUSR2; 0 = none. */
	int dump_signal;
	struct vmm_process_config process;
};

/* Fills cfg with the defaults documented in cvmm.md. */
void vmm_config_init(struct vmm_config *cfg);

/*
 * Checks ranges and presence of files (kernel, initramfs and disks must be
 * readable regular files or block devices, a writable disk must be
 * writable).  Returns 0, or -EINVAL/-ENOENT/-EACCES with one line in err
 * naming the field, e.g. "memory.size_mib=0: must be at least 16".
 */
VMM_WUR int vmm_config_validate(const struct vmm_config *cfg, char *err,
				size_t errlen);

/* Whether a bucket, or any bucket of a limiter, limits (size and
 * refill_ms both non-zero). */
bool vmm_token_bucket_limits(const struct vmm_token_bucket *b);
bool vmm_rate_limit_limits(const struct vmm_rate_limit *l);

/* Copies src into dst (size dstlen); -ENAMETOOLONG when it does not fit. */
VMM_WUR int vmm_config_set_string(char *dst, size_t dstlen, const char *src);

const char *vmm_log_level_name(enum vmm_log_level level);

/* "kill", "log" or "off". */
const char *vmm_seccomp_mode_name(enum vmm_seccomp_mode mode);

#endif
