// SPDX-License-Identifier: MIT
// Writing a snapshot state file (snap_file.h, docs/snapshot.md "State
// file"): sections are appended to one growing payload buffer, the table is
// kept beside it, and the header, table and payloads are laid out only when
// the file is finished, so a failed snapshot never leaves a partial file.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "snap_file.h"
#include "snap_le.h"

struct snapw_entry {
	uint32_t type, instance, version, crc;
	uint64_t offset, length;	/* offset within the payload buffer */
};

struct vmm__snapw {
	char version[VMM__SNAP_VERSION_FIELD];
	struct snapw_entry *entries;
	size_t nentries, capentries;
	uint8_t *data;
	size_t len, cap;
	bool open;
	int err;
};

int vmm__snapw_new(struct vmm__snapw **out, const char *cvmm_version)
{
	struct vmm__snapw *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	snprintf(w->version, sizeof(w->version), "%s", cvmm_version ? cvmm_version : "");
	*out = w;
	return 0;
}

void vmm__snapw_free(struct vmm__snapw *w)
{
	if (!w)
		return;
	free(w->entries);
	free(w->data);
	free(w);
}

int vmm__snapw_error(const struct vmm__snapw *w)
{
	return w->err;
}

static void fail(struct vmm__snapw *w, int err)
{
	if (!w->err)
		w->err = err;
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

void vmm__snapw_begin(struct vmm__snapw *w, uint32_t type, uint32_t instance,
		      uint32_t version)
{
	struct snapw_entry *e;

	if (w->err)
		return;
	if (w->open || w->nentries >= VMM__SNAP_MAX_SECTIONS) {
		fail(w, -EINVAL);
		return;
	}
	for (size_t i = 0; i < w->nentries; i++)
		if (w->entries[i].type == type && w->entries[i].instance == instance) {
			fail(w, -EEXIST);
			return;
		}
	if (!grow((void **)&w->entries, &w->capentries, w->nentries + 1, sizeof(*e))) {
		fail(w, -ENOMEM);
		return;
	}
	e = &w->entries[w->nentries++];
	*e = (struct snapw_entry){ .type = type, .instance = instance,
				   .version = version, .offset = w->len };
	w->open = true;
}

void vmm__snapw_bytes(struct vmm__snapw *w, const void *p, size_t len)
{
	if (w->err)
		return;
	if (!w->open) {
		fail(w, -EINVAL);
		return;
	}
	if (len > VMM__SNAP_MAX_FILE || w->len + len > VMM__SNAP_MAX_FILE) {
		fail(w, -EFBIG);
		return;
	}
	if (!grow((void **)&w->data, &w->cap, w->len + len, 1)) {
		fail(w, -ENOMEM);
		return;
	}
	if (len)
		memcpy(w->data + w->len, p, len);
	w->len += len;
}

void vmm__snapw_u8(struct vmm__snapw *w, uint8_t v)
{
	vmm__snapw_bytes(w, &v, 1);
}

void vmm__snapw_u16(struct vmm__snapw *w, uint16_t v)
{
	uint8_t b[2];

	vmm__le16_put(b, v);
	vmm__snapw_bytes(w, b, sizeof(b));
}

void vmm__snapw_u32(struct vmm__snapw *w, uint32_t v)
{
	uint8_t b[4];

	vmm__le32_put(b, v);
	vmm__snapw_bytes(w, b, sizeof(b));
}

void vmm__snapw_u64(struct vmm__snapw *w, uint64_t v)
{
	uint8_t b[8];

	vmm__le64_put(b, v);
	vmm__snapw_bytes(w, b, sizeof(b));
}

void vmm__snapw_string(struct vmm__snapw *w, const char *s)
{
	size_t n = strlen(s);

	if (n > UINT32_MAX) {
		fail(w, -EINVAL);
		return;
	}
	vmm__snapw_u32(w, (uint32_t)n);
	vmm__snapw_bytes(w, s, n);
}

void vmm__snapw_end(struct vmm__snapw *w)
{
	struct snapw_entry *e;

	if (w->err)
		return;
	if (!w->open) {
		fail(w, -EINVAL);
		return;
	}
	e = &w->entries[w->nentries - 1];
	e->length = w->len - e->offset;
	/* An empty section may come before any payload was buffered, while
	 * w->data is still NULL: no pointer arithmetic on it then. */
	e->crc = vmm__crc32c(0, e->length ? w->data + e->offset : (const uint8_t *)"",
			     (size_t)e->length);
	w->open = false;
}

int vmm__snapw_finish(struct vmm__snapw *w, uint8_t **buf, size_t *len)
{
	size_t table = VMM__SNAP_HEADER_SIZE + w->nentries * VMM__SNAP_ENTRY_SIZE;
	size_t total = table + w->len;
	uint8_t *b, *h;

	if (w->err)
		return w->err;
	if (w->open)
		return -EINVAL;
	if (total > VMM__SNAP_MAX_FILE)
		return -EFBIG;
	b = calloc(1, total);
	if (!b)
		return -ENOMEM;
	h = b;
	memcpy(h, VMM__SNAP_MAGIC, VMM__SNAP_MAGIC_LEN);
	vmm__le32_put(h + 8, VMM__SNAP_FORMAT_VERSION);
	vmm__le32_put(h + 12, (uint32_t)w->nentries);
	memcpy(h + 16, w->version, strlen(w->version));
	vmm__le64_put(h + 48, total);
	for (size_t i = 0; i < w->nentries; i++) {
		const struct snapw_entry *e = &w->entries[i];
		uint8_t *t = b + VMM__SNAP_HEADER_SIZE + i * VMM__SNAP_ENTRY_SIZE;

		vmm__le32_put(t, e->type);
		vmm__le32_put(t + 4, e->instance);
		vmm__le32_put(t + 8, e->version);
		vmm__le32_put(t + 12, e->crc);
		vmm__le64_put(t + 16, table + e->offset);
		vmm__le64_put(t + 24, e->length);
	}
	if (w->len)
		memcpy(b + table, w->data, w->len);
	vmm__le32_put(h + 60, vmm__snap_header_crc(b, table));
	*buf = b;
	*len = total;
	return 0;
}

int vmm__snap_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* The rename is only durable once the directory entry is on disk too. */
static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, err = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		err = -errno;
	close(fd);
	return err;
}

int vmm__snap_stage(const char *path, vmm__snap_fill_fn fill, void *ctx,
		    struct vmm__snap_staged *st)
{
	int fd, rc;

	st->tmp = NULL;
	if (asprintf(&st->tmp, "%s.tmp.XXXXXX", path) < 0) {
		st->tmp = NULL;
		return -ENOMEM;
	}
	/* mkstemp creates the file with mode 0600. */
	fd = mkostemp(st->tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		free(st->tmp);
		st->tmp = NULL;
		return rc;
	}
	rc = fill(ctx, fd);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (rc)
		vmm__snap_stage_drop(st);
	return rc;
}

int vmm__snap_stage_commit(struct vmm__snap_staged *st, const char *path)
{
	int rc = 0;

	if (rename(st->tmp, path) < 0) {
		rc = -errno;
		vmm__snap_stage_drop(st);
		return rc;
	}
	free(st->tmp);
	st->tmp = NULL;
	return fsync_dir_of(path);
}

void vmm__snap_stage_drop(struct vmm__snap_staged *st)
{
	if (!st->tmp)
		return;
	unlink(st->tmp);
	free(st->tmp);
	st->tmp = NULL;
}

int vmm__snap_write_atomic(const char *path, vmm__snap_fill_fn fill, void *ctx)
{
	struct vmm__snap_staged st;
	int rc = vmm__snap_stage(path, fill, ctx, &st);

	return rc ? rc : vmm__snap_stage_commit(&st, path);
}

int vmm__snap_unlink_durable(const char *path)
{
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : -errno;
	return fsync_dir_of(path);
}

int vmm__snap_fill_buf(void *ctx, int fd)
{
	const struct vmm__snap_buf *b = ctx;

	return vmm__snap_pwrite_all(fd, b->buf, b->len, 0);
}

int vmm__snapw_write_file(struct vmm__snapw *w, const char *path, char *err,
			  size_t errlen)
{
	struct vmm__snap_buf b;
	uint8_t *buf = NULL;
	int rc;

	rc = vmm__snapw_finish(w, &buf, &b.len);
	if (rc) {
		snprintf(err, errlen, "snapshot %s: cannot build the state: %s",
			 path, strerror(-rc));
		return rc;
	}
	b.buf = buf;
	rc = vmm__snap_write_atomic(path, vmm__snap_fill_buf, &b);
	if (rc)
		snprintf(err, errlen, "snapshot %s: cannot write: %s", path, strerror(-rc));
	free(buf);
	return rc;
}
