// SPDX-License-Identifier: MIT
// Strict JSON object checks on jansson (api_json.h, docs/api.md "JSON").
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
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
			return vmm__json_fail(err, errlen, -EINVAL, "%s: unknown field '%.64s'", what, key);
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
