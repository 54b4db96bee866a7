/* SPDX-License-Identifier: MIT */
/*
 * The snapshot state file container (docs/snapshot.md, "State file"): a
 * header (magic, format version, cvmm version, section count), a section
 * table (type, instance, section version, offset, length, CRC32C of each
 * payload) and the payloads, every integer little-endian and written field
 * by field, never as a struct image.
 *
 * Writing: vmm__snapw_begin() a section, put its fields, vmm__snapw_end();
 * errors are sticky (the first one is kept and every later call is a
 * no-op), so a codec writes a whole struct and the caller checks once, at
 * vmm__snapw_write_file() or vmm__snapw_finish().
 *
 * Reading: vmm__snapr_parse() or vmm__snapr_load_file() validates the
 * whole file (magic, versions, header CRC, table bounds and overlaps, every
 * section CRC, duplicates) before it returns a reader; a section is then
 * read through a bounded cursor whose getters fail with -EBADMSG on a
 * short read.  Every failure leaves one line in err, starting with
 * "snapshot NAME: ".
 */
#ifndef VMM_SNAP_FILE_H
#define VMM_SNAP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMM__SNAP_MAGIC "CVMMSNAP"
#define VMM__SNAP_MAGIC_LEN 8u
/* Bumped when the header or table layout changes; sections carry their own. */
#define VMM__SNAP_FORMAT_VERSION 1u
#define VMM__SNAP_HEADER_SIZE 64u
#define VMM__SNAP_ENTRY_SIZE 32u
#define VMM__SNAP_VERSION_FIELD 32u	/* cvmm version, NUL padded */
/* Caps on what a reader accepts: a state file is small (KiBs per vCPU). */
#define VMM__SNAP_MAX_FILE (64u << 20)
#define VMM__SNAP_MAX_SECTIONS 4096u

/* Section types (docs/snapshot.md, "Sections"); the ids are file format. */
enum vmm__snap_type {
	VMM__SNAP_CONFIG = 1,		/* struct vmm_config, instance 0 */
	VMM__SNAP_HOST_CPU = 2,		/* host CPU identity, instance 0 */
	VMM__SNAP_MEM_LAYOUT = 3,	/* memory file layout, instance 0 */
	VMM__SNAP_VCPU = 16,		/* struct kvmw_vcpu_state, instance = vCPU index */
	VMM__SNAP_IRQCHIP = 32,		/* struct kvm_irqchip, instance = chip_id */
	VMM__SNAP_PIT = 33,		/* struct kvm_pit_state2, instance 0 */
	VMM__SNAP_CLOCK = 34,		/* struct kvm_clock_data, instance 0 */
	VMM__SNAP_SERIAL = 48,		/* superio_serial_state, instance = port index */
	VMM__SNAP_I8042 = 49,		/* superio_i8042_state, instance 0 */
	VMM__SNAP_CMOS = 50,		/* superio_cmos_state, instance 0 */
	VMM__SNAP_BLK = 64,		/* vblk_device_state, instance = block index */
	VMM__SNAP_NET = 65,		/* vnet_device_state, instance = net index */
	VMM__SNAP_VSOCK = 66,		/* vsock_device_state, instance 0 */
};

/* "vcpu", "irqchip", ...; "type<N>" is not returned: unknown gives "section". */
const char *vmm__snap_type_name(uint32_t type);

/* ---- writer ---- */

struct vmm__snapw;

/* -ENOMEM.  cvmm_version is truncated to VMM__SNAP_VERSION_FIELD - 1 bytes. */
int vmm__snapw_new(struct vmm__snapw **out, const char *cvmm_version);
void vmm__snapw_free(struct vmm__snapw *w);

/* Opens a section; -EEXIST (sticky) for a (type, instance) already written,
 * -EINVAL when a section is still open or the table is full. */
void vmm__snapw_begin(struct vmm__snapw *w, uint32_t type, uint32_t instance,
		      uint32_t version);
void vmm__snapw_u8(struct vmm__snapw *w, uint8_t v);
void vmm__snapw_u16(struct vmm__snapw *w, uint16_t v);
void vmm__snapw_u32(struct vmm__snapw *w, uint32_t v);
void vmm__snapw_u64(struct vmm__snapw *w, uint64_t v);
/* len raw bytes, no length prefix (both sides know it). */
void vmm__snapw_bytes(struct vmm__snapw *w, const void *p, size_t len);
/* u32 length, then the bytes (no NUL). */
void vmm__snapw_string(struct vmm__snapw *w, const char *s);
/* Closes the open section and computes its CRC. */
void vmm__snapw_end(struct vmm__snapw *w);
/* The sticky error: 0 or the first -errno. */
int vmm__snapw_error(const struct vmm__snapw *w);

/* The whole file in a malloc'd buffer (*buf, *len); the caller frees it. */
int vmm__snapw_finish(struct vmm__snapw *w, uint8_t **buf, size_t *len);

/*
 * Writes the file atomically: a temporary file in path's directory, mode
 * 0600, fsync, rename over path, fsync of the directory.  -errno with one
 * line in err ("snapshot PATH: ...").
 */
int vmm__snapw_write_file(struct vmm__snapw *w, const char *path, char *err,
			  size_t errlen);

/*
 * Creates path atomically: fill(ctx, fd) writes a temporary file (mode
 * 0600) in path's directory, which is then fsynced and renamed over path,
 * and the directory fsynced.  0 or -errno; on failure path is untouched.
 */
/* All of buf at offset off (pwrite, retried on EINTR and short writes). */
int vmm__snap_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

typedef int (*vmm__snap_fill_fn)(void *ctx, int fd);
int vmm__snap_write_atomic(const char *path, vmm__snap_fill_fn fill, void *ctx);
/* A fill function writing one buffer whole at offset 0; ctx is a
 * struct vmm__snap_buf. */
struct vmm__snap_buf {
	const uint8_t *buf;
	size_t len;
};
int vmm__snap_fill_buf(void *ctx, int fd);

/*
 * vmm__snap_write_atomic() in two steps, so that several files can be
 * complete on disk before any of them replaces its path: stage writes and
 * fsyncs the temporary file (0 or -errno; nothing is left on failure);
 * commit renames it over path and fsyncs the directory (on a failed
 * rename the temporary file is removed); drop removes a staged file that
 * will not be committed (a no-op after commit or a failure).
 */
struct vmm__snap_staged {
	char *tmp;	/* the temporary file's path; NULL when none */
};
int vmm__snap_stage(const char *path, vmm__snap_fill_fn fill, void *ctx,
		    struct vmm__snap_staged *st);
int vmm__snap_stage_commit(struct vmm__snap_staged *st, const char *path);
void vmm__snap_stage_drop(struct vmm__snap_staged *st);
/* Removes path (absent is fine) and fsyncs its directory; 0 or -errno. */
int vmm__snap_unlink_durable(const char *path);

/* ---- reader ---- */

struct vmm__snapr;

/* A bounded view of one section's payload.  err/errlen receive the message
 * of the first failing getter; getters after a failure keep failing. */
struct vmm__snapc {
	const uint8_t *p;
	size_t len, pos;
	uint32_t type, instance, version;
	int err;
	const char *name;	/* file name for messages */
	char *msg;
	size_t msglen;
};

/*
 * Validates buf (len bytes; copied) as a state file named name in messages.
 * 0, or -EBADMSG (corrupt, truncated), -ENOTSUP (format version), -EFBIG
 * (over VMM__SNAP_MAX_FILE), -ENOMEM, with one line in err.
 */
int vmm__snapr_parse(struct vmm__snapr **out, const void *buf, size_t len,
		     const char *name, char *err, size_t errlen);
/* Reads path (up to VMM__SNAP_MAX_FILE) and parses it; -errno of open/read too. */
int vmm__snapr_load_file(struct vmm__snapr **out, const char *path, char *err,
			 size_t errlen);
void vmm__snapr_free(struct vmm__snapr *r);

/* The cvmm version string of the writer (NUL-terminated). */
const char *vmm__snapr_cvmm_version(const struct vmm__snapr *r);
size_t vmm__snapr_count(const struct vmm__snapr *r);
/* Section idx in table order; -EINVAL when idx is out of range. */
int vmm__snapr_section(const struct vmm__snapr *r, size_t idx, uint32_t *type,
		       uint32_t *instance, uint32_t *version);
bool vmm__snapr_has(const struct vmm__snapr *r, uint32_t type, uint32_t instance);

/*
 * A cursor on section (type, instance), messages into msg.  -ENOENT with
 * "snapshot NAME: no section vcpu[1]" when it is absent.
 */
int vmm__snapr_open(const struct vmm__snapr *r, uint32_t type, uint32_t instance,
		    struct vmm__snapc *c, char *msg, size_t msglen);

/* vmm__snapr_open(), then vmm__snapc_want_version(version). */
int vmm__snapr_open_version(const struct vmm__snapr *r, uint32_t type,
			    uint32_t instance, uint32_t version,
			    struct vmm__snapc *c, char *msg, size_t msglen);

/* Getters: 0, or -EBADMSG ("... section vcpu[1] truncated at byte N"). */
int vmm__snapc_u8(struct vmm__snapc *c, uint8_t *v);
int vmm__snapc_u16(struct vmm__snapc *c, uint16_t *v);
int vmm__snapc_u32(struct vmm__snapc *c, uint32_t *v);
int vmm__snapc_u64(struct vmm__snapc *c, uint64_t *v);
int vmm__snapc_bytes(struct vmm__snapc *c, void *p, size_t len);
/* A string written by vmm__snapw_string() into dst (size dstlen, NUL
 * terminated); -EBADMSG when it does not fit or holds a NUL byte. */
int vmm__snapc_string(struct vmm__snapc *c, char *dst, size_t dstlen,
		      const char *field);
/* A u8 that must be 0 or 1. */
int vmm__snapc_bool(struct vmm__snapc *c, bool *v, const char *field);
/* Fails the cursor with -EBADMSG and "... section vcpu[1]: <fmt>". */
int vmm__snapc_fail(struct vmm__snapc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Refuses a section version other than want (-ENOTSUP, naming both). */
int vmm__snapc_want_version(struct vmm__snapc *c, uint32_t want);
/* The same for a decoder that reads every version from oldest to newest
 * (c->version then says which layout to decode); the message starts as
 * vmm__snapc_want_version(newest)'s does. */
int vmm__snapc_want_versions(struct vmm__snapc *c, uint32_t oldest, uint32_t newest);
/* The cursor's error; or -EBADMSG when bytes are left unread. */
int vmm__snapc_done(struct vmm__snapc *c);

#endif
