/* SPDX-License-Identifier: MIT */
/*
 * Kernel command line builder.  Follows the parser in Linux lib/cmdline.c
 * and kernel/params.c: arguments are separated by single spaces, a value
 * containing spaces is enclosed in double quotes (which cannot be escaped,
 * so a value may not contain one), and everything after " -- " goes to
 * init.  The caller owns the buffer; its capacity, less the NUL, is the
 * maximum length (use the kernel header's cmdline_size).
 */
#ifndef LOADER_CMDLINE_H
#define LOADER_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

#include <vmmem/map.h>

#define LOADER_CMDLINE_WUR __attribute__((warn_unused_result))

struct loader_cmdline {
	char *buf;		/* NUL-terminated at all times */
	size_t cap;		/* bytes in buf, NUL included */
	size_t len;		/* strlen(buf) */
	size_t init_pos;	/* offset of " -- " or SIZE_MAX when none */
};

/* Starts an empty line in buf[cap].  cap must be at least 1. */
void loader_cmdline_init(struct loader_cmdline *c, char *buf, size_t cap);

/*
 * Appends one kernel argument, which must be non-empty printable ASCII
 * with no space outside one pair of double quotes.  Kernel arguments always
 * go before the init arguments.  -EINVAL for a malformed argument, -ENOSPC
 * when it does not fit (the line is unchanged on any error).
 */
LOADER_CMDLINE_WUR int loader_cmdline_add(struct loader_cmdline *c,
					  const char *arg);

/*
 * Appends every argument of a user-supplied line (e.g. from a VMM's
 * --kernel cmdline="...").  Arguments after a "--" go to init.  Same errors
 * as loader_cmdline_add(); quotes must balance.  The line is unchanged on
 * error.
 */
LOADER_CMDLINE_WUR int loader_cmdline_add_line(struct loader_cmdline *c,
					       const char *line);

/* Appends key=value, quoting the value when it holds spaces.  key must be
 * a non-empty word without '=', spaces or quotes; value may be "" (gives
 * key=) and may not contain a double quote or control characters. */
LOADER_CMDLINE_WUR int loader_cmdline_add_kv(struct loader_cmdline *c,
					     const char *key, const char *value);

/* Appends key=<decimal value>. */
LOADER_CMDLINE_WUR int loader_cmdline_add_kv_u64(struct loader_cmdline *c,
						 const char *key,
						 uint64_t value);

/*
 * Appends virtio_mmio.device=<size>@<addr>:<irq> (Linux
 * drivers/virtio/virtio_mmio.c, VIRTIO_MMIO_CMDLINE_DEVICES): size with a
 * K/M/G suffix when exact, addr in hex, irq in decimal.  -EINVAL for size
 * 0 or a window that wraps 2^64.
 */
LOADER_CMDLINE_WUR int loader_cmdline_add_virtio_mmio(struct loader_cmdline *c,
						      uint64_t size,
						      uint64_t addr,
						      uint32_t irq);

/* Appends one argument for init, after " -- " (added once). */
LOADER_CMDLINE_WUR int loader_cmdline_add_init_arg(struct loader_cmdline *c,
						   const char *arg);

/* The line so far (NUL-terminated, owned by the builder's buffer). */
const char *loader_cmdline_str(const struct loader_cmdline *c);

/* Writes the line and its NUL at gpa.  -EFAULT when not backed. */
LOADER_CMDLINE_WUR int loader_cmdline_write(struct vmmem_map *map, uint64_t gpa,
					    const struct loader_cmdline *c);

#endif
