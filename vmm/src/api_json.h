/* SPDX-License-Identifier: MIT */
/*
 * Strict JSON bodies for the control API and --config-file (docs/api.md,
 * "JSON"), on jansson: one object per body, no duplicate keys, nothing
 * after it, every field known and of its type, required fields present.
 * Unknown fields are refused rather than ignored so that a typo in a field
 * name is an error, not a silently default setting.
 */
#ifndef VMM_API_JSON_H
#define VMM_API_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum vmm__json_kind {
	VMM__JSON_STRING,
	VMM__JSON_UINT,		/* an integer >= 0 */
	VMM__JSON_BOOL,
	VMM__JSON_OBJECT,
	VMM__JSON_ARRAY,
};

struct vmm__json_field {
	const char *name;
	enum vmm__json_kind kind;
	bool required;
};

/* Writes the one-line message into err and returns code (a -errno). */
__attribute__((format(printf, 4, 5)))
int vmm__json_fail(char *err, size_t errlen, int code, const char *fmt, ...);

/* Parses buf[0..len) as one JSON object; -EINVAL with one line in err. */
int vmm__json_parse_object(const void *buf, size_t len, json_t **out,
			   char *err, size_t errlen);

/*
 * Checks obj against fields (terminated by a NULL name): every member
 * listed and of its kind, every required one present.  what names the
 * object in the message ("boot-source").  -EINVAL with one line in err.
 */
int vmm__json_check(const json_t *obj, const struct vmm__json_field *fields,
		    const char *what, char *err, size_t errlen);

/* Member accessors for an object already checked: absent members give
 * the fallback. */
const char *vmm__json_str(const json_t *obj, const char *name, const char *fallback);
bool vmm__json_bool(const json_t *obj, const char *name, bool fallback);
uint64_t vmm__json_uint(const json_t *obj, const char *name, uint64_t fallback);

/* Copies a string member into dst (size dstlen); -ENAMETOOLONG with a
 * message naming what.field when it does not fit. */
int vmm__json_copy_str(const json_t *obj, const char *name, char *dst,
		       size_t dstlen, const char *what, char *err, size_t errlen);

/*
 * Text in JSON must be UTF-8; host text (a path, a tap name, a message
 * quoting them) need not be.  The rule (docs/api.md "JSON"): every byte
 * that does not begin a valid UTF-8 sequence is shown as U+FFFD, and text
 * cut to fit is cut between characters.
 */
bool vmm__utf8_valid(const char *s);
/* The precision for "%.*s" that prints at most max bytes of s without
 * cutting a character. */
int vmm__utf8_clip(const char *s, int max);
/* in with invalid bytes replaced by U+FFFD, into out (outlen bytes, NUL
 * terminated, whole characters only); its length. */
size_t vmm__utf8_repair(const char *in, char *out, size_t outlen);
/* A JSON string of s after vmm__utf8_repair(); NULL on allocation failure. */
json_t *vmm__json_text(const char *s);

/* True when one of the first `before` objects of array has string member
 * key equal to id (an id given twice in one --config-file list). */
bool vmm__json_id_seen(const json_t *array, size_t before, const char *key, const char *id);

/* json_dumps() of obj, compact, or NULL on allocation failure; free(). */
char *vmm__json_dump(const json_t *obj);

#endif
