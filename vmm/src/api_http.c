// SPDX-License-Identifier: MIT
// Strict HTTP/1.1 request parsing for the control API (api_http.h,
// docs/api.md "HTTP"; RFC 9112 section 3 request line, section 5 header
// fields, section 6 message body).  Stateless: every call re-walks the
// buffer from its start, line by line, and judges a line only once it is
// complete, which is what makes a byte-by-byte feed agree with a whole one.
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api_http.h"

/* Parser state carried across header lines. */
struct head_state {
	bool have_length;
	uint64_t length;
	bool conn_close, conn_keep;
};

__attribute__((format(printf, 3, 4)))
static ssize_t fail(struct vmm__http_error *err, int status, const char *fmt,
		    ...)
{
	va_list ap;

	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	if (status == 413 || status == 414 || status == 431)
		return -E2BIG;
	if (status == 405 || status == 501 || status == 505)
		return -ENOTSUP;
	return -EINVAL;
}

/* RFC 9110 section 5.6.2 tchar. */
static bool is_tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_vchar(uint8_t c)
{
	return c > 0x20 && c < 0x7f;
}

/*
 * Finds the LF ending the line that starts at buf[0]; returns its index
 * or -1.  A bare LF (no CR before it) is reported through *bare.
 */
static ssize_t line_end(const uint8_t *buf, size_t len, bool *bare)
{
	const uint8_t *lf = memchr(buf, '\n', len);

	if (!lf)
		return -1;
	*bare = lf == buf || lf[-1] != '\r';
	return lf - buf;
}

static ssize_t parse_method(const uint8_t *m, size_t n,
			    struct vmm__http_request *req,
			    struct vmm__http_error *err)
{
	if (n == 3 && !memcmp(m, "GET", 3))
		req->method = VMM__HTTP_GET;
	else if (n == 3 && !memcmp(m, "PUT", 3))
		req->method = VMM__HTTP_PUT;
	else if (n == 5 && !memcmp(m, "PATCH", 5))
		req->method = VMM__HTTP_PATCH;
	else {
		if (n == 0)
			return fail(err, 400, "empty method");
		for (size_t i = 0; i < n; i++)
			if (!is_tchar(m[i]))
				return fail(err, 400, "bad character in method");
		return fail(err, 405, "method not allowed (GET, PUT, PATCH)");
	}
	return 0;
}

/* The target's characters: visible ASCII (its length is checked first). */
static ssize_t check_target(const uint8_t *t, size_t n,
			    struct vmm__http_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (!is_vchar(t[i]))
			return fail(err, 400, "bad character in request target");
	return 0;
}

static ssize_t parse_version(const uint8_t *v, size_t n, bool *http10,
			     struct vmm__http_error *err)
{
	if (n != 8 || memcmp(v, "HTTP/", 5) || v[5] < '0' || v[5] > '9' ||
	    v[6] != '.' || v[7] < '0' || v[7] > '9')
		return fail(err, 400, "malformed HTTP version");
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return fail(err, 505, "HTTP version not supported (1.0, 1.1)");
	*http10 = v[7] == '0';
	return 0;
}

/*
 * The request line buf[0..n) without its CRLF; complete says whether the
 * CRLF was seen.  An incomplete line is judged only by its method and its
 * target's length, so an endless target gets 414 before the head cap; the
 * head walk judges those two first on a complete line too, which keeps a
 * byte-by-byte feed and a whole buffer in agreement.
 */
static ssize_t parse_request_line(const uint8_t *buf, size_t n, bool complete,
				  struct vmm__http_request *req, bool *http10,
				  struct vmm__http_error *err)
{
	const uint8_t *sp1 = memchr(buf, ' ', n), *sp2, *tend;
	ssize_t rc;

	if (!sp1)
		return complete ? fail(err, 400, "malformed request line") : 0;
	rc = parse_method(buf, sp1 - buf, req, err);
	if (rc)
		return rc;
	sp2 = memchr(sp1 + 1, ' ', n - (sp1 + 1 - buf));
	tend = sp2 ? sp2 : buf + n;
	if ((size_t)(tend - sp1 - 1) > VMM__HTTP_PATH_MAX)
		return fail(err, 414, "request target longer than %u bytes",
			    VMM__HTTP_PATH_MAX);
	if (!complete)
		return 0;
	if (!sp2)
		return fail(err, 400, "malformed request line");
	if (sp2 == sp1 + 1 || sp1[1] != '/')
		return fail(err, 400, "request target must start with '/'");
	rc = check_target(sp1 + 1, sp2 - sp1 - 1, err);
	if (rc)
		return rc;
	memcpy(req->path, sp1 + 1, sp2 - sp1 - 1);
	req->path[sp2 - sp1 - 1] = '\0';
	return parse_version(sp2 + 1, buf + n - sp2 - 1, http10, err);
}

static ssize_t parse_content_length(const uint8_t *v, size_t n,
				    struct head_state *st,
				    struct vmm__http_error *err)
{
	uint64_t x = 0;

	if (st->have_length)
		return fail(err, 400, "duplicate Content-Length");
	if (n == 0)
		return fail(err, 400, "empty Content-Length");
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return fail(err, 400, "Content-Length is not digits");
		if (x > (UINT64_MAX - 9) / 10)
			return fail(err, 400, "Content-Length overflows");
		x = x * 10 + (v[i] - '0');
	}
	if (x > VMM__HTTP_BODY_MAX)
		return fail(err, 413, "body longer than %u bytes",
			    VMM__HTTP_BODY_MAX);
	st->have_length = true;
	st->length = x;
	return 0;
}

/* Connection: a comma list; "close" and "keep-alive" matter (RFC 9112 9.6). */
static void parse_connection(const uint8_t *v, size_t n, struct head_state *st)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == 5 && !strncasecmp((const char *)v + s, "close", 5))
			st->conn_close = true;
		if (e - s == 10 &&
		    !strncasecmp((const char *)v + s, "keep-alive", 10))
			st->conn_keep = true;
	}
}

/* One header field line buf[0..n) without its CRLF. */
static ssize_t parse_header(const uint8_t *buf, size_t n, struct head_state *st,
			    struct vmm__http_error *err)
{
	size_t colon = 0, vs, ve;

	if (buf[0] == ' ' || buf[0] == '\t')
		return fail(err, 400, "obsolete header line folding");
	while (colon < n && buf[colon] != ':') {
		if (!is_tchar(buf[colon]))
			return fail(err, 400, "bad character in header name");
		colon++;
	}
	if (colon == n || colon == 0)
		return fail(err, 400, "header line without name and ':'");
	for (vs = colon + 1; vs < n; vs++)
		if (buf[vs] != '\t' && !is_vchar(buf[vs]) && buf[vs] != ' ')
			return fail(err, 400, "control character in header value");
	for (vs = colon + 1; vs < n && (buf[vs] == ' ' || buf[vs] == '\t');)
		vs++;
	for (ve = n; ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t');)
		ve--;
	if (colon == 14 && !strncasecmp((const char *)buf, "Content-Length", 14))
		return parse_content_length(buf + vs, ve - vs, st, err);
	if (colon == 17 &&
	    !strncasecmp((const char *)buf, "Transfer-Encoding", 17))
		return fail(err, 501, "Transfer-Encoding is not supported");
	if (colon == 10 && !strncasecmp((const char *)buf, "Connection", 10))
		parse_connection(buf + vs, ve - vs, st);
	return 0;
}

/*
 * Walks the head; returns its length including the empty line, 0 when
 * incomplete, or a negative errno.
 */
static ssize_t parse_head(const uint8_t *buf, size_t len,
			  struct vmm__http_request *req, struct head_state *st,
			  bool *http10, struct vmm__http_error *err)
{
	size_t cap = len < VMM__HTTP_HEAD_MAX ? len : VMM__HTTP_HEAD_MAX;
	size_t pos = 0;
	bool bare;

	for (unsigned line = 0;; line++) {
		ssize_t end = line_end(buf + pos, cap - pos, &bare), rc;

		if (end < 0) {
			if (line == 0) {
				rc = parse_request_line(buf, cap, false, req,
							http10, err);
				if (rc)
					return rc;
			}
			if (len >= VMM__HTTP_HEAD_MAX)
				return fail(err, 431, "header block longer than %u bytes",
					    VMM__HTTP_HEAD_MAX);
			return 0;
		}
		if (line == 0) {
			/* What an incomplete prefix of this line was judged by. */
			rc = parse_request_line(buf, end, false, req, http10,
						err);
			if (rc)
				return rc;
		}
		if (bare)
			return fail(err, 400, "line ends in bare LF, not CRLF");
		if (memchr(buf + pos, '\r', end - 1))
			return fail(err, 400, "CR inside a line");
		if (line == 0)
			rc = parse_request_line(buf, end - 1, true, req, http10,
						err);
		else if (end == 1)
			return pos + 2;
		else
			rc = parse_header(buf + pos, end - 1, st, err);
		if (rc)
			return rc;
		pos += end + 1;
	}
}

ssize_t vmm__http_parse(const uint8_t *buf, size_t len,
			struct vmm__http_request *req,
			struct vmm__http_error *err)
{
	struct head_state st = { 0 };
	bool http10 = false;
	ssize_t head;

	memset(req, 0, sizeof(*req));
	err->status = 0;
	err->reason[0] = '\0';
	head = parse_head(buf, len, req, &st, &http10, err);
	if (head <= 0)
		return head;
	if (!st.have_length && req->method != VMM__HTTP_GET)
		return fail(err, 411, "PUT and PATCH need a Content-Length");
	if (len - head < st.length)
		return 0;
	req->keep_alive = http10 ? st.conn_keep && !st.conn_close
				 : !st.conn_close;
	req->body = buf + head;
	req->body_len = st.length;
	return head + st.length;
}

const char *vmm__http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

ssize_t vmm__http_format_response(char *out, size_t outlen, int status,
				  const char *body, size_t body_len,
				  bool close)
{
	const char *conn = close ? "Connection: close\r\n" : "";
	int n;

	if (status < 100 || status > 599 || (status == 204 && body_len))
		return -EINVAL;
	if (status == 204)
		n = snprintf(out, outlen, "HTTP/1.1 204 No Content\r\n%s\r\n",
			     conn);
	else
		n = snprintf(out, outlen,
			     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
			     "Content-Length: %zu\r\n%s\r\n",
			     status, vmm__http_status_text(status), body_len,
			     conn);
	if (n < 0 || (size_t)n >= outlen || outlen - n < body_len)
		return -ENOSPC;
	if (body_len)
		memcpy(out + n, body, body_len);
	return n + body_len;
}
