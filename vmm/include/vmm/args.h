/* SPDX-License-Identifier: MIT */
/*
 * The oneshot command line of cvmm (docs/boot-path.md), in the reference VMM's
 * style: each option takes one argument made of comma-separated key=value
 * pairs; a value may be double-quoted to carry commas and spaces.
 *
 *   cvmm --memory size_mib=512 --vcpu num=2 \
 *        --kernel path=vmlinuz,cmdline="console=ttyS0 reboot=k panic=1" \
 *        --initramfs path=initrd.img --block path=disk.img,read_only=on
 *
 * An unquoted comma ends a value only when "key=" follows it, so a
 * command line whose quotes the shell removed (cmdline=console=ttyS0,115200
 * clearcpuid=cx16,smap) still arrives whole.
 *
 * Parsing only fills a struct vmm_config; files are checked later by
 * vmm_config_validate().  Every error is one line naming the option, the
 * key and the value.
 */
#ifndef VMM_ARGS_H
#define VMM_ARGS_H

#include <stdio.h>

#include <vmm/config.h>

enum vmm_args_action {
	VMM_ARGS_RUN,		/* cfg is filled, boot it */
	VMM_ARGS_HELP,		/* --help was given */
	VMM_ARGS_VERSION,	/* --version was given */
};

/*
 * Parses argv[1..argc) into cfg (which the caller initialised with
 * vmm_config_init()).  Returns a VMM_ARGS_* action, or -EINVAL with err
 * set.  --help and --version win over anything after them.
 */
VMM_WUR int vmm_args_parse(int argc, char *const argv[], struct vmm_config *cfg,
			   char *err, size_t errlen);

/* Prints the option summary (every option and key). */
void vmm_args_usage(FILE *out, const char *prog);

/*
 * Splits one option argument into its next key and value.  *cursor walks
 * the argument; key and value are copied into caller buffers, the value
 * unquoted.  Returns 1 when a pair was produced, 0 at the end, -EINVAL on
 * a missing '=', an empty key, an unterminated quote or an oversize item.
 */
VMM_WUR int vmm_args_next_pair(const char **cursor, char *key, size_t keylen,
			       char *value, size_t valuelen);

/* Strict unsigned decimal (optionally 0x hex) with no trailing junk. */
VMM_WUR int vmm_args_parse_u64(const char *s, uint64_t *out);

/*
 * A size with an optional binary suffix: K, M, G, T (KiB..TiB, case
 * insensitive, an optional trailing "iB" or "B").  Plain numbers are bytes.
 * -EINVAL on junk, -ERANGE on overflow.
 */
VMM_WUR int vmm_args_parse_size(const char *s, uint64_t *bytes);

/* on/off, true/false, yes/no, 1/0. */
VMM_WUR int vmm_args_parse_bool(const char *s, bool *out);

/* "52:54:00:12:34:56" (hex, either case, exactly six bytes); -EINVAL. */
VMM_WUR int vmm_args_parse_mac(const char *s, uint8_t mac[6]);

#endif
