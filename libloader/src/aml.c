// SPDX-License-Identifier: MIT
// AML encoder (ACPI 6.4 §20.2 grammar, §20.2.4 PkgLength, §6.4 resource
// descriptors).  Every open construct reserves the 4-byte PkgLength form;
// closing it measures the body and moves it back to the shortest encoding,
// which is what iasl emits and what ACPICA expects of a well-formed table.
// Errors are sticky: after the first one every call is a no-op and
// loader_aml_finish() reports it.
#include <errno.h>
#include <string.h>

#include <loader/acpi.h>
#include <loader/aml.h>

#include "util.h"

#define ZERO_OP		0x00
#define ONE_OP		0x01
#define NAME_OP		0x08
#define BYTE_PREFIX	0x0a
#define WORD_PREFIX	0x0b
#define DWORD_PREFIX	0x0c
#define STRING_PREFIX	0x0d
#define QWORD_PREFIX	0x0e
#define SCOPE_OP	0x10
#define BUFFER_OP	0x11
#define PACKAGE_OP	0x12
#define EXT_OP_PREFIX	0x5b
#define DEVICE_OP	0x82
#define DUAL_NAME	0x2e
#define MULTI_NAME	0x2f
#define ROOT_CHAR	'\\'
#define PARENT_CHAR	'^'
/* Resource descriptor tags (§6.4.2, §6.4.3). */
#define RES_IRQ_NOFLAGS	0x22
#define RES_IO		0x47
#define RES_END		0x79
#define RES_MEM32_FIXED	0x86
#define RES_EXT_IRQ	0x89

#define PKG_RESERVE	4u
#define PKG_MAX		(1u << 28)

void loader_aml_init(struct loader_aml *a, void *buf, size_t cap)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->cap = cap;
	if (!buf)
		a->err = -EINVAL;
}

static void fail(struct loader_aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

static bool room(struct loader_aml *a, size_t n)
{
	if (a->err)
		return false;
	if (n > a->cap - a->len) {
		fail(a, -ENOSPC);
		return false;
	}
	return true;
}

static void emit(struct loader_aml *a, const void *p, size_t n)
{
	if (room(a, n)) {
		memcpy(a->buf + a->len, p, n);
		a->len += n;
	}
}

static void emit_byte(struct loader_aml *a, uint8_t b)
{
	emit(a, &b, 1);
}

static bool seg_char(char ch, bool first)
{
	return (ch >= 'A' && ch <= 'Z') || ch == '_' ||
	       (!first && ch >= '0' && ch <= '9');
}

/* Encodes one NameString (§20.2.2) into out[]; returns its length or 0. */
static size_t encode_name(const char *name, uint8_t *out, size_t cap)
{
	size_t n = 0, segs = 1, head;

	if (*name == ROOT_CHAR)
		out[n++] = (uint8_t)*name++;
	else
		while (*name == PARENT_CHAR && n < 8)
			out[n++] = (uint8_t)*name++;
	for (const char *p = name; *p; p++)
		segs += *p == '.';
	if (!*name || segs > 32 || n + 2 + 4 * segs > cap)
		return 0;
	if (segs == 2)
		out[n++] = DUAL_NAME;
	else if (segs > 2) {
		out[n++] = MULTI_NAME;
		out[n++] = (uint8_t)segs;
	}
	for (size_t s = 0; s < segs; s++) {
		head = 0;
		for (; *name && *name != '.'; name++, head++)
			if (head >= 4 || !seg_char(*name, head == 0))
				return 0;
		if (head == 0)
			return 0;
		memcpy(out + n, name - head, head);
		memset(out + n + head, '_', 4 - head);
		n += 4;
		if (*name == '.')
			name++;
	}
	return n;
}

static void emit_name(struct loader_aml *a, const char *name)
{
	uint8_t enc[2 + 8 + 4 * 32];
	size_t n = name ? encode_name(name, enc, sizeof(enc)) : 0;

	if (!n)
		fail(a, -EINVAL);
	else
		emit(a, enc, n);
}

static void emit_int(struct loader_aml *a, uint64_t v)
{
	uint8_t b[9];
	size_t n;

	if (v <= 1) {
		emit_byte(a, v ? ONE_OP : ZERO_OP);
		return;
	}
	if (v <= 0xff) {
		b[0] = BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		b[0] = WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffff) {
		b[0] = DWORD_PREFIX;
		n = 4;
	} else {
		b[0] = QWORD_PREFIX;
		n = 8;
	}
	loader__put64(b + 1, v);
	emit(a, b, 1 + n);
}

static bool usable(struct loader_aml *a, bool want_resources)
{
	if (!a->err && a->in_resources != want_resources)
		fail(a, -EINVAL);
	return !a->err;
}

/* Opens a PkgLength-prefixed construct after its opcode bytes. */
static void open_pkg(struct loader_aml *a)
{
	if (a->depth == LOADER_AML_MAX_DEPTH) {
		fail(a, -EINVAL);
		return;
	}
	if (!room(a, PKG_RESERVE))
		return;
	a->open[a->depth++] = a->len;
	a->len += PKG_RESERVE;
}

/* Closes the innermost construct, shrinking its PkgLength (§20.2.4). */
static void close_pkg(struct loader_aml *a)
{
	size_t pos, body, n;
	uint32_t total;

	if (a->err)
		return;
	if (a->depth == 0) {
		fail(a, -EINVAL);
		return;
	}
	pos = a->open[--a->depth];
	body = a->len - pos - PKG_RESERVE;
	n = body + 1 < 0x40 ? 1 : body + 2 < 0x1000 ? 2 : body + 3 < 0x100000 ? 3 : 4;
	if (body + n >= PKG_MAX) {
		fail(a, -EINVAL);
		return;
	}
	total = (uint32_t)(body + n);
	memmove(a->buf + pos + n, a->buf + pos + PKG_RESERVE, body);
	if (n == 1) {
		a->buf[pos] = (uint8_t)total;
	} else {
		a->buf[pos] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
		for (size_t i = 1; i < n; i++)
			a->buf[pos + i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	a->len -= PKG_RESERVE - n;
}

void loader_aml_scope(struct loader_aml *a, const char *name)
{
	if (!usable(a, false))
		return;
	emit_byte(a, SCOPE_OP);
	open_pkg(a);
	emit_name(a, name);
}

void loader_aml_device(struct loader_aml *a, const char *name)
{
	static const uint8_t op[2] = { EXT_OP_PREFIX, DEVICE_OP };

	if (!usable(a, false))
		return;
	emit(a, op, 2);
	open_pkg(a);
	emit_name(a, name);
}

void loader_aml_end(struct loader_aml *a)
{
	if (usable(a, false))
		close_pkg(a);
}

static void name_head(struct loader_aml *a, const char *name)
{
	emit_byte(a, NAME_OP);
	emit_name(a, name);
}

void loader_aml_name_int(struct loader_aml *a, const char *name, uint64_t v)
{
	if (!usable(a, false))
		return;
	name_head(a, name);
	emit_int(a, v);
}

void loader_aml_name_string(struct loader_aml *a, const char *name, const char *s)
{
	if (!usable(a, false))
		return;
	if (!s) {
		fail(a, -EINVAL);
		return;
	}
	for (const char *p = s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			fail(a, -EINVAL);
	name_head(a, name);
	emit_byte(a, STRING_PREFIX);
	emit(a, s, strlen(s) + 1);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* EISAID() compression (§6.1.5): three 5-bit letters and four hex digits,
 * stored big-endian within a little-endian DWORD. */
static bool eisaid(const char *id, uint32_t *out)
{
	uint16_t letters = 0, product = 0;

	if (strlen(id) != 7)
		return false;
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return false;
		letters = (uint16_t)((letters << 5) | (id[i] - 0x40));
	}
	for (int i = 3; i < 7; i++) {
		int h = hexval(id[i]);

		if (h < 0)
			return false;
		product = (uint16_t)((product << 4) | h);
	}
	*out = (uint32_t)(letters >> 8) | (uint32_t)(letters & 0xff) << 8 |
	       (uint32_t)(product >> 8) << 16 | (uint32_t)(product & 0xff) << 24;
	return true;
}

void loader_aml_name_eisaid(struct loader_aml *a, const char *name, const char *id)
{
	uint8_t b[5] = { DWORD_PREFIX };
	uint32_t v;

	if (!usable(a, false))
		return;
	if (!id || !eisaid(id, &v)) {
		fail(a, -EINVAL);
		return;
	}
	loader__put32(b + 1, v);
	name_head(a, name);
	emit(a, b, sizeof(b));
}

/* Inserts the BufferSize integer in front of the n bytes just written. */
static void insert_buffer_size(struct loader_aml *a, size_t n)
{
	size_t at = a->len - n, before = a->len, isz;

	emit_int(a, n);
	if (a->err)
		return;
	isz = a->len - before;
	uint8_t tmp[9];

	memcpy(tmp, a->buf + before, isz);
	memmove(a->buf + at + isz, a->buf + at, n);
	memcpy(a->buf + at, tmp, isz);
}

void loader_aml_name_buffer(struct loader_aml *a, const char *name,
			    const void *data, size_t len)
{
	if (!usable(a, false))
		return;
	if (!data && len) {
		fail(a, -EINVAL);
		return;
	}
	name_head(a, name);
	emit_byte(a, BUFFER_OP);
	open_pkg(a);
	emit(a, data, len);
	insert_buffer_size(a, len);
	close_pkg(a);
}

void loader_aml_name_package(struct loader_aml *a, const char *name,
			     const uint64_t *v, size_t n)
{
	if (!usable(a, false))
		return;
	if ((!v && n) || n > 255) {
		fail(a, -EINVAL);
		return;
	}
	name_head(a, name);
	emit_byte(a, PACKAGE_OP);
	open_pkg(a);
	emit_byte(a, (uint8_t)n);
	for (size_t i = 0; i < n; i++)
		emit_int(a, v[i]);
	close_pkg(a);
}

void loader_aml_resources(struct loader_aml *a, const char *name)
{
	if (!usable(a, false))
		return;
	name_head(a, name);
	emit_byte(a, BUFFER_OP);
	open_pkg(a);
	a->in_resources = true;
}

void loader_aml_mem32_fixed(struct loader_aml *a, bool writable, uint32_t base,
			    uint32_t length)
{
	uint8_t d[12] = { RES_MEM32_FIXED, 9, 0, writable ? 1 : 0 };

	if (!usable(a, true))
		return;
	loader__put32(d + 4, base);
	loader__put32(d + 8, length);
	emit(a, d, sizeof(d));
}

void loader_aml_io(struct loader_aml *a, uint16_t min, uint16_t max,
		   uint8_t align, uint8_t length)
{
	uint8_t d[8] = { RES_IO, 1 /* 16-bit decode */ };

	if (!usable(a, true))
		return;
	if (min > max) {
		fail(a, -EINVAL);
		return;
	}
	loader__put16(d + 2, min);
	loader__put16(d + 4, max);
	d[6] = align;
	d[7] = length;
	emit(a, d, sizeof(d));
}

void loader_aml_irq_noflags(struct loader_aml *a, uint8_t irq)
{
	uint8_t d[3] = { RES_IRQ_NOFLAGS };

	if (!usable(a, true))
		return;
	if (irq > 15) {
		fail(a, -EINVAL);
		return;
	}
	loader__put16(d + 1, (uint16_t)(1u << irq));
	emit(a, d, sizeof(d));
}

void loader_aml_interrupt(struct loader_aml *a, bool level, bool active_low,
			  bool shared, uint32_t gsi)
{
	/* Flags: consumer, edge unless level, polarity, sharing (§6.4.3.6). */
	uint8_t d[9] = { RES_EXT_IRQ, 6, 0,
			 (uint8_t)(0x01 | (level ? 0 : 0x02) | (active_low ? 0x04 : 0) |
				   (shared ? 0x08 : 0)),
			 1 };

	if (!usable(a, true))
		return;
	loader__put32(d + 5, gsi);
	emit(a, d, sizeof(d));
}

void loader_aml_resources_end(struct loader_aml *a)
{
	size_t start;

	if (!usable(a, true))
		return;
	start = a->open[a->depth - 1] + PKG_RESERVE;
	emit_byte(a, RES_END);
	emit_byte(a, 0);
	if (a->err)
		return;
	a->buf[a->len - 1] = loader_acpi_checksum(a->buf + start, a->len - start);
	a->in_resources = false;
	insert_buffer_size(a, a->len - start);
	close_pkg(a);
}

int loader_aml_finish(struct loader_aml *a, size_t *len)
{
	if (!a->err && (a->depth || a->in_resources))
		a->err = -EINVAL;
	if (!a->err && len)
		*len = a->len;
	return a->err;
}
