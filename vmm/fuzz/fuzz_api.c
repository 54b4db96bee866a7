// SPDX-License-Identifier: MIT
// libFuzzer target for the control API's HTTP parser (api_http.h): the
// input is a byte stream on one connection, parsed request after request
// as the server does.  Invariants: no crash or sanitizer report; a
// rejection has a known status and a non-empty one-line reason; an
// accepted request lies within the input, keeps its body within the caps
// and its path NUL-terminated; a byte-by-byte feed of the first request's
// bytes agrees with the whole-buffer verdict.
#include <stdint.h>
#include <string.h>

#include "api_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct vmm__http_error *err)
{
	static const int ok[] = { 400, 405, 411, 413, 414, 431, 501, 505 };
	bool known = false;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		known |= err->status == ok[i];
	if (!known || !err->reason[0] || strchr(err->reason, '\n'))
		__builtin_trap();
}

/* Every proper prefix of a decided buffer must ask for more or decide the
 * same way. */
static void check_prefixes(const uint8_t *data, size_t size, ssize_t whole,
			   int status)
{
	struct vmm__http_request req;
	struct vmm__http_error err;

	for (size_t i = 1; i < size && i < 2048; i++) {
		ssize_t rc = vmm__http_parse(data, i, &req, &err);

		if (rc == 0)
			continue;
		if (rc != whole || (rc < 0 && err.status != status))
			__builtin_trap();
		return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmm__http_request req;
	struct vmm__http_error err;
	size_t off = 0;
	bool first = true;

	while (off < size) {
		ssize_t rc = vmm__http_parse(data + off, size - off, &req, &err);

		if (first && rc != 0)
			check_prefixes(data, size, rc, err.status);
		first = false;
		if (rc < 0) {
			check_error(&err);
			break;
		}
		if (rc == 0)
			break;
		if ((size_t)rc > size - off || req.body_len > VMM__HTTP_BODY_MAX ||
		    !memchr(req.path, 0, sizeof(req.path)) || req.path[0] != '/' ||
		    req.body + req.body_len != data + off + rc)
			__builtin_trap();
		off += rc;
	}
	return 0;
}
