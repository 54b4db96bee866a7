// SPDX-License-Identifier: MIT
// Reading a snapshot state file (snap_file.h, docs/snapshot.md "What is
// checked on load").  The file is untrusted input: everything is validated
// before a reader is returned (magic, format version, header CRC, table
// bounds, overlaps, duplicates, each section's CRC), and sections are then
// read only through bounded cursors.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "snap_file.h"
#include "snap_le.h"

struct snapr_entry {
	uint32_t type, instance, version, crc;
	uint64_t offset, length;
};

struct vmm__snapr {
	char name[256];
	char version[VMM__SNAP_VERSION_FIELD];
	uint8_t *data;
	size_t len;
	struct snapr_entry *entries;
	size_t count;
};

static const struct {
	uint32_t type;
	const char *name;
} type_names[] = {
	{ VMM__SNAP_CONFIG, "config" },	  { VMM__SNAP_HOST_CPU, "host-cpu" },
	{ VMM__SNAP_MEM_LAYOUT, "memory-layout" }, { VMM__SNAP_VCPU, "vcpu" },
	{ VMM__SNAP_IRQCHIP, "irqchip" }, { VMM__SNAP_PIT, "pit" },
	{ VMM__SNAP_CLOCK, "clock" },	  { VMM__SNAP_SERIAL, "serial" },
	{ VMM__SNAP_I8042, "i8042" },	  { VMM__SNAP_CMOS, "cmos" },
	{ VMM__SNAP_BLK, "blk" },	  { VMM__SNAP_NET, "net" },
	{ VMM__SNAP_VSOCK, "vsock" },
};

const char *vmm__snap_type_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return "section";
}

uint32_t vmm__snap_header_crc(const uint8_t *file, size_t table_end)
{
	uint32_t crc = vmm__crc32c(0, file, VMM__SNAP_HEADER_SIZE - 4);

	return vmm__crc32c(crc, file + VMM__SNAP_HEADER_SIZE,
			   table_end - VMM__SNAP_HEADER_SIZE);
}

void vmm__snapr_free(struct vmm__snapr *r)
{
	if (!r)
		return;
	free(r->data);
	free(r->entries);
	free(r);
}

__attribute__((format(printf, 4, 5)))
static int bad(const struct vmm__snapr *r, char *err, size_t errlen,
	       const char *fmt, ...)
{
	int n = snprintf(err, errlen, "snapshot %s: ", r->name);
	va_list ap;

	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

/* Magic, format version, count and table size, header CRC, file size. */
static int check_header(struct vmm__snapr *r, char *err, size_t errlen)
{
	const uint8_t *h = r->data;
	uint32_t fmt, count;
	uint64_t table_end, size;

	if (r->len < VMM__SNAP_HEADER_SIZE)
		return bad(r, err, errlen, "truncated: %zu bytes, the header alone is %u",
			   r->len, VMM__SNAP_HEADER_SIZE);
	if (memcmp(h, VMM__SNAP_MAGIC, VMM__SNAP_MAGIC_LEN))
		return bad(r, err, errlen, "not a cvmm state file (bad magic)");
	fmt = vmm__le32_get(h + 8);
	if (fmt != VMM__SNAP_FORMAT_VERSION) {
		bad(r, err, errlen, "format version %u, this cvmm reads format version %u",
		    fmt, VMM__SNAP_FORMAT_VERSION);
		return -ENOTSUP;
	}
	count = vmm__le32_get(h + 12);
	if (count > VMM__SNAP_MAX_SECTIONS)
		return bad(r, err, errlen, "%u sections, at most %u are allowed",
			   count, VMM__SNAP_MAX_SECTIONS);
	table_end = VMM__SNAP_HEADER_SIZE + (uint64_t)count * VMM__SNAP_ENTRY_SIZE;
	size = vmm__le64_get(h + 48);
	if (size != r->len)
		return bad(r, err, errlen, "truncated or extended: %zu bytes, the header says %llu",
			   r->len, (unsigned long long)size);
	if (table_end > r->len)
		return bad(r, err, errlen, "section table (%u entries) runs past the end of the file",
			   count);
	if (vmm__snap_header_crc(h, (size_t)table_end) != vmm__le32_get(h + 60))
		return bad(r, err, errlen, "header CRC mismatch");
	if (h[16 + VMM__SNAP_VERSION_FIELD - 1] != 0)
		return bad(r, err, errlen, "cvmm version field is not NUL-terminated");
	memcpy(r->version, h + 16, VMM__SNAP_VERSION_FIELD);
	r->count = count;
	return 0;
}

static int by_offset(const void *a, const void *b)
{
	const struct snapr_entry *x = a, *y = b;

	return (x->offset > y->offset) - (x->offset < y->offset);
}

static int by_key(const void *a, const void *b)
{
	const struct snapr_entry *x = a, *y = b;

	if (x->type != y->type)
		return (x->type > y->type) - (x->type < y->type);
	return (x->instance > y->instance) - (x->instance < y->instance);
}

/* Overlaps and duplicates, on sorted copies so the table keeps its order. */
static int check_layout(struct vmm__snapr *r, char *err, size_t errlen)
{
	struct snapr_entry *s;
	int rc = 0;

	if (r->count < 2)
		return 0;
	s = malloc(r->count * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s, r->entries, r->count * sizeof(*s));
	qsort(s, r->count, sizeof(*s), by_offset);
	for (size_t i = 1; i < r->count && !rc; i++)
		if (s[i].offset - s[i - 1].offset < s[i - 1].length)
			rc = bad(r, err, errlen, "sections %s[%u] and %s[%u] overlap",
				 vmm__snap_type_name(s[i - 1].type), s[i - 1].instance,
				 vmm__snap_type_name(s[i].type), s[i].instance);
	qsort(s, r->count, sizeof(*s), by_key);
	for (size_t i = 1; i < r->count && !rc; i++)
		if (!by_key(&s[i], &s[i - 1]))
			rc = bad(r, err, errlen, "section %s[%u] appears twice",
				 vmm__snap_type_name(s[i].type), s[i].instance);
	free(s);
	return rc;
}

static int check_table(struct vmm__snapr *r, char *err, size_t errlen)
{
	uint64_t table_end = VMM__SNAP_HEADER_SIZE + (uint64_t)r->count * VMM__SNAP_ENTRY_SIZE;

	r->entries = calloc(r->count ? r->count : 1, sizeof(*r->entries));
	if (!r->entries)
		return -ENOMEM;
	for (size_t i = 0; i < r->count; i++) {
		const uint8_t *t = r->data + VMM__SNAP_HEADER_SIZE + i * VMM__SNAP_ENTRY_SIZE;
		struct snapr_entry *e = &r->entries[i];

		e->type = vmm__le32_get(t);
		e->instance = vmm__le32_get(t + 4);
		e->version = vmm__le32_get(t + 8);
		e->crc = vmm__le32_get(t + 12);
		e->offset = vmm__le64_get(t + 16);
		e->length = vmm__le64_get(t + 24);
		/* Differences, not sums: offset + length may wrap. */
		if (e->offset < table_end || e->offset > r->len ||
		    e->length > r->len - e->offset)
			return bad(r, err, errlen, "section %s[%u] lies outside the file",
				   vmm__snap_type_name(e->type), e->instance);
	}
	return check_layout(r, err, errlen);
}

static int check_crcs(struct vmm__snapr *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->count; i++) {
		const struct snapr_entry *e = &r->entries[i];

		if (vmm__crc32c(0, r->data + e->offset, (size_t)e->length) != e->crc)
			return bad(r, err, errlen, "section %s[%u] CRC mismatch",
				   vmm__snap_type_name(e->type), e->instance);
	}
	return 0;
}

int vmm__snapr_parse(struct vmm__snapr **out, const void *buf, size_t len,
		     const char *name, char *err, size_t errlen)
{
	struct vmm__snapr *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "state");
	if (len > VMM__SNAP_MAX_FILE) {
		bad(r, err, errlen, "%zu bytes, larger than the %u-byte limit", len,
		    VMM__SNAP_MAX_FILE);
		vmm__snapr_free(r);
		return -EFBIG;
	}
	r->data = malloc(len ? len : 1);
	if (!r->data) {
		vmm__snapr_free(r);
		return -ENOMEM;
	}
	if (len)
		memcpy(r->data, buf, len);
	r->len = len;
	rc = check_header(r, err, errlen);
	if (!rc)
		rc = check_table(r, err, errlen);
	if (!rc)
		rc = check_crcs(r, err, errlen);
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "snapshot %s: out of memory", r->name);
		vmm__snapr_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static int read_whole(int fd, uint8_t **buf, size_t *len)
{
	struct stat st;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > VMM__SNAP_MAX_FILE)
		return -EFBIG;
	*buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!*buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	*len = got;	/* a file that shrank is caught as truncated */
	return 0;
}

int vmm__snapr_load_file(struct vmm__snapr **out, const char *path, char *err,
			 size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "snapshot %s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	rc = read_whole(fd, &buf, &len);
	close(fd);
	if (rc) {
		snprintf(err, errlen, "snapshot %s: cannot read: %s", path,
			 rc == -EFBIG ? "larger than the 64 MiB limit" : strerror(-rc));
		free(buf);
		return rc;
	}
	rc = vmm__snapr_parse(out, buf, len, path, err, errlen);
	free(buf);
	return rc;
}

const char *vmm__snapr_cvmm_version(const struct vmm__snapr *r)
{
	return r->version;
}

size_t vmm__snapr_count(const struct vmm__snapr *r)
{
	return r->count;
}

int vmm__snapr_section(const struct vmm__snapr *r, size_t idx, uint32_t *type,
		       uint32_t *instance, uint32_t *version)
{
	if (idx >= r->count)
		return -EINVAL;
	*type = r->entries[idx].type;
	*instance = r->entries[idx].instance;
	*version = r->entries[idx].version;
	return 0;
}

static const struct snapr_entry *find(const struct vmm__snapr *r, uint32_t type,
				      uint32_t instance)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->entries[i].type == type && r->entries[i].instance == instance)
			return &r->entries[i];
	return NULL;
}

bool vmm__snapr_has(const struct vmm__snapr *r, uint32_t type, uint32_t instance)
{
	return find(r, type, instance) != NULL;
}

int vmm__snapr_open(const struct vmm__snapr *r, uint32_t type, uint32_t instance,
		    struct vmm__snapc *c, char *msg, size_t msglen)
{
	const struct snapr_entry *e = find(r, type, instance);

	*c = (struct vmm__snapc){ .type = type, .instance = instance,
				  .name = r->name, .msg = msg, .msglen = msglen };
	if (!e) {
		snprintf(msg, msglen, "snapshot %s: no section %s[%u]", r->name,
			 vmm__snap_type_name(type), instance);
		c->err = -ENOENT;
		return -ENOENT;
	}
	c->p = r->data + e->offset;
	c->len = (size_t)e->length;
	c->version = e->version;
	return 0;
}

int vmm__snapr_open_version(const struct vmm__snapr *r, uint32_t type,
			    uint32_t instance, uint32_t version,
			    struct vmm__snapc *c, char *msg, size_t msglen)
{
	int rc = vmm__snapr_open(r, type, instance, c, msg, msglen);

	return rc ? rc : vmm__snapc_want_version(c, version);
}
