// SPDX-License-Identifier: MIT
// Bounded reads from one section of a snapshot state file (snap_file.h):
// every getter checks the remaining length first, and the first failure
// sticks, with one message naming the file and the section.
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "snap_file.h"
#include "snap_le.h"

__attribute__((format(printf, 3, 0)))
static int fail_v(struct vmm__snapc *c, int err, const char *fmt, va_list ap)
{
	int n;

	if (c->err)
		return c->err;
	c->err = err;
	if (!c->msg || !c->msglen)
		return err;
	n = snprintf(c->msg, c->msglen, "snapshot %s: section %s[%u]: ", c->name,
		     vmm__snap_type_name(c->type), c->instance);
	if (n >= 0 && (size_t)n < c->msglen)
		vsnprintf(c->msg + n, c->msglen - (size_t)n, fmt, ap);
	return err;
}

int vmm__snapc_fail(struct vmm__snapc *c, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_v(c, -EBADMSG, fmt, ap);
	va_end(ap);
	return rc;
}

int vmm__snapc_want_versions(struct vmm__snapc *c, uint32_t oldest, uint32_t newest)
{
	if (c->err)
		return c->err;
	if (c->version >= oldest && c->version <= newest)
		return 0;
	if (oldest == newest)
		vmm__snapc_fail(c, "version %u, this cvmm reads version %u", c->version, newest);
	else
		vmm__snapc_fail(c, "version %u, this cvmm reads version %u (and older, down "
				"to %u)", c->version, newest, oldest);
	c->err = -ENOTSUP;
	return -ENOTSUP;
}

int vmm__snapc_want_version(struct vmm__snapc *c, uint32_t want)
{
	return vmm__snapc_want_versions(c, want, want);
}

static const uint8_t *take(struct vmm__snapc *c, size_t n)
{
	const uint8_t *p;

	if (c->err)
		return NULL;
	if (n > c->len - c->pos) {
		vmm__snapc_fail(c, "truncated: %zu bytes needed at byte %zu of %zu",
				n, c->pos, c->len);
		return NULL;
	}
	p = c->p + c->pos;
	c->pos += n;
	return p;
}

int vmm__snapc_bytes(struct vmm__snapc *c, void *p, size_t len)
{
	const uint8_t *s = take(c, len);

	if (!s)
		return c->err;
	if (len)
		memcpy(p, s, len);
	return 0;
}

int vmm__snapc_u8(struct vmm__snapc *c, uint8_t *v)
{
	return vmm__snapc_bytes(c, v, 1);
}

int vmm__snapc_u16(struct vmm__snapc *c, uint16_t *v)
{
	const uint8_t *s = take(c, 2);

	if (!s)
		return c->err;
	*v = vmm__le16_get(s);
	return 0;
}

int vmm__snapc_u32(struct vmm__snapc *c, uint32_t *v)
{
	const uint8_t *s = take(c, 4);

	if (!s)
		return c->err;
	*v = vmm__le32_get(s);
	return 0;
}

int vmm__snapc_u64(struct vmm__snapc *c, uint64_t *v)
{
	const uint8_t *s = take(c, 8);

	if (!s)
		return c->err;
	*v = vmm__le64_get(s);
	return 0;
}

int vmm__snapc_string(struct vmm__snapc *c, char *dst, size_t dstlen,
		      const char *field)
{
	uint32_t n = 0;
	const uint8_t *s;

	if (vmm__snapc_u32(c, &n))
		return c->err;
	if (n >= dstlen)
		return vmm__snapc_fail(c, "%s: %u bytes, at most %zu fit", field, n,
				       dstlen - 1);
	s = take(c, n);
	if (!s)
		return c->err;
	if (memchr(s, 0, n))
		return vmm__snapc_fail(c, "%s: contains a NUL byte", field);
	memcpy(dst, s, n);
	dst[n] = 0;
	return 0;
}

int vmm__snapc_bool(struct vmm__snapc *c, bool *v, const char *field)
{
	uint8_t b = 0;

	if (vmm__snapc_u8(c, &b))
		return c->err;
	if (b > 1)
		return vmm__snapc_fail(c, "%s: %u is not a boolean", field, b);
	*v = b;
	return 0;
}

int vmm__snapc_done(struct vmm__snapc *c)
{
	if (c->err)
		return c->err;
	if (c->pos != c->len)
		return vmm__snapc_fail(c, "%zu trailing bytes after the last field",
				       c->len - c->pos);
	return 0;
}
