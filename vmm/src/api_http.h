/* SPDX-License-Identifier: MIT */
/*
 * A small strict HTTP/1.1 request parser and response formatter for the
 * control API socket (docs/api.md, "HTTP"; RFC 9112 sections 2-7).  The
 * parser takes a byte buffer that may hold a partial request and either
 * reports a whole request, asks for more bytes, or rejects with a status
 * code and a one-line reason.  It walks the head line by line and judges
 * each line only once its CRLF is present, so feeding a request one byte
 * at a time yields the same verdict as feeding it whole.
 *
 * Strictness, chosen because the only clients are local tools: every line
 * ends in CRLF (a bare LF is 400), no control characters or bytes >= 0x80
 * anywhere in the head (HTAB only inside header values), no obs-fold, no
 * Transfer-Encoding (501), exactly one Content-Length of plain digits.
 */
#ifndef VMM_API_HTTP_H
#define VMM_API_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Request line + headers + the empty line, in bytes. */
#define VMM__HTTP_HEAD_MAX 8192u
/* Request body (Content-Length) in bytes. */
#define VMM__HTTP_BODY_MAX 32768u
/* Request target (path) in bytes. */
#define VMM__HTTP_PATH_MAX 256u
/* Longest reason line in struct vmm__http_error. */
#define VMM__HTTP_REASON_MAX 128u

enum vmm__http_method {
	VMM__HTTP_GET = 1,
	VMM__HTTP_PUT,
	VMM__HTTP_PATCH,
};

struct vmm__http_request {
	enum vmm__http_method method;
	char path[VMM__HTTP_PATH_MAX + 1];	/* NUL-terminated target */
	bool keep_alive;	/* false after "Connection: close" or HTTP/1.0 */
	const uint8_t *body;	/* points into the parsed buffer */
	size_t body_len;
};

struct vmm__http_error {
	int status;		/* 400, 405, 411, 413, 414, 431, 501 or 505 */
	char reason[VMM__HTTP_REASON_MAX];
};

/*
 * Parses one request at the start of buf[0..len).  Returns the bytes the
 * whole request (head and body) takes, 0 when more bytes are needed, or a
 * negative errno with *err filled: -EINVAL (400, 411), -E2BIG (413, 414,
 * 431) or -ENOTSUP (405, 501, 505).  Pipelined requests: call again on
 * the bytes after the returned count.
 */
ssize_t vmm__http_parse(const uint8_t *buf, size_t len,
			struct vmm__http_request *req,
			struct vmm__http_error *err);

/* The reason phrase of a status code this API uses, "Unknown" otherwise. */
const char *vmm__http_status_text(int status);

/*
 * Writes a response into out[0..outlen): status line, then for a status
 * other than 204 "Content-Type: application/json" and Content-Length with
 * body[0..body_len) after the head, and "Connection: close" when close.
 * A 204 carries no body (body_len must be 0).  Returns the byte count, or
 * -ENOSPC when out is too small, -EINVAL for a body on 204 or a status
 * outside 100..599.
 */
ssize_t vmm__http_format_response(char *out, size_t outlen, int status,
				  const char *body, size_t body_len,
				  bool close);

#endif
