// SPDX-License-Identifier: MIT
// Strict JSON object checks on jansson (api_json.h, docs/api.md "JSON").
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_json.h"

int vmm__json_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

int vmm__json_parse_object(const void *buf, size_t len, json_t **out,
			   char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;

	/* DISABLE_EOF_CHECK stays off: trailing bytes after the object are an
	 * error.  ALLOW_NUL stays off: a NUL inside a string is refused. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return vmm__json_fail(err, errlen, -EINVAL, "invalid JSON at line %d column %d: %s",
			    je.line, je.column, je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return vmm__json_fail(err, errlen, -EINVAL, "the body must be a JSON object");
	}
	*out = root;
	return 0;
}

static bool kind_matches(const json_t *v, enum vmm__json_kind kind)
{
	switch (kind) {
	case VMM__JSON_STRING: return json_is_string(v);
	case VMM__JSON_UINT: return json_is_integer(v) && json_integer_value(v) >= 0;
	case VMM__JSON_BOOL: return json_is_boolean(v);
	case VMM__JSON_OBJECT: return json_is_object(v);
	case VMM__JSON_ARRAY: return json_is_array(v);
	}
	return false;
}

static const char *kind_name(enum vmm__json_kind kind)
{
	switch (kind) {
	case VMM__JSON_STRING: return "a string";
	case VMM__JSON_UINT: return "a non-negative integer";
	case VMM__JSON_BOOL: return "true or false";
	case VMM__JSON_OBJECT: return "an object";
	case VMM__JSON_ARRAY: return "an array";
	}
	return "?";
}

static const struct vmm__json_field *find_field(const struct vmm__json_field *fields,
						const char *name)
{
	for (const struct vmm__json_field *f = fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

int vmm__json_check(const json_t *obj, const struct vmm__json_field *fields,
		    const char *what, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return vmm__json_fail(err, errlen, -EINVAL, "%s: must be a JSON object", what);
	json_object_foreach((json_t *)obj, key, v) {
		const struct vmm__json_field *f = find_field(fields, key);

		if (!f)
			return vmm__json_fail(err, errlen, -EINVAL, "%s: unknown field '%.*s'", what,
					      vmm__utf8_clip(key, 64), key);
		if (!kind_matches(v, f->kind))
			return vmm__json_fail(err, errlen, -EINVAL, "%s.%s: must be %s", what, key,
				    kind_name(f->kind));
	}
	for (const struct vmm__json_field *f = fields; f->name; f++)
		if (f->required && !json_object_get(obj, f->name))
			return vmm__json_fail(err, errlen, -EINVAL, "%s.%s: missing", what, f->name);
	return 0;
}

const char *vmm__json_str(const json_t *obj, const char *name, const char *fallback)
{
	const json_t *v = json_object_get(obj, name);

	return json_is_string(v) ? json_string_value(v) : fallback;
}

bool vmm__json_bool(const json_t *obj, const char *name, bool fallback)
{
	const json_t *v = json_object_get(obj, name);

	return json_is_boolean(v) ? json_is_true(v) : fallback;
}

uint64_t vmm__json_uint(const json_t *obj, const char *name, uint64_t fallback)
{
	const json_t *v = json_object_get(obj, name);

	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : fallback;
}

int vmm__json_copy_str(const json_t *obj, const char *name, char *dst,
		       size_t dstlen, const char *what, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, name);
	size_t len = json_string_length(v);

	if (len >= dstlen) {
		snprintf(err, errlen, "%s.%s: longer than %zu bytes", what, name,
			 dstlen - 1);
		return -ENAMETOOLONG;
	}
	memcpy(dst, json_string_value(v), len);
	dst[len] = '\0';
	return 0;
}

char *vmm__json_dump(const json_t *obj)
{
	return json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* Bytes of the valid UTF-8 sequence (RFC 3629: no overlong form, no
 * surrogate, nothing past U+10FFFF) that starts s, or 0.  s is a C string,
 * so a sequence cut by its NUL is invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* The second byte's range excludes overlongs, surrogates and > U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

bool vmm__utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_seq(p);

		if (!n)
			return false;
		p += n;
	}
	return true;
}

int vmm__utf8_clip(const char *s, int max)
{
	size_t n = strnlen(s, max > 0 ? (size_t)max : 0);

	/* s[n] continues a character that began before n: end before it (a
	 * character has at most 3 continuation bytes). */
	for (int back = 0; back < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; back++)
		n--;
	return (int)n;
}

size_t vmm__utf8_repair(const char *in, char *out, size_t outlen)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *p = (const unsigned char *)in;
	size_t len = 0;

	if (!outlen)
		return 0;
	while (*p) {
		size_t n = utf8_seq(p);
		const char *src = n ? (const char *)p : fffd;
		size_t m = n ? n : 3;

		if (len + m >= outlen)
			break;	/* whole characters only */
		memcpy(out + len, src, m);
		len += m;
		p += n ? n : 1;
	}
	out[len] = '\0';
	return len;
}

json_t *vmm__json_text(const char *s)
{
	size_t cap;
	char *fixed;
	json_t *j;

	if (vmm__utf8_valid(s))
		return json_string(s);
	cap = strlen(s) * 3 + 1;
	fixed = malloc(cap);
	if (!fixed)
		return NULL;
	vmm__utf8_repair(s, fixed, cap);
	j = json_string(fixed);
	free(fixed);
	return j;
}

bool vmm__json_id_seen(const json_t *array, size_t before, const char *key, const char *id)
{
	for (size_t i = 0; i < before && i < json_array_size(array); i++) {
		const json_t *o = json_array_get(array, i);

		if (json_is_object(o) && strcmp(vmm__json_str(o, key, ""), id) == 0)
			return true;
	}
	return false;
}
