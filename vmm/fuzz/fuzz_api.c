// SPDX-License-Identifier: MIT
// libFuzzer target for the control API's request path, HTTP and JSON
// (api_http.h, api_control.h): the input is a byte stream on one
// connection, parsed request after request as the server does, and each
// accepted request is handled by the real controller in front of a fake
// machine (tests/api_fake.h), so that the JSON decoding and the state rules
// see every request the parser lets through.  Invariants: no crash or
// sanitizer report; a rejection has a known status and a non-empty
// one-line reason; an accepted request lies within the input, keeps its
// body within the caps and its path NUL-terminated; a byte-by-byte feed of
// the first request's bytes agrees with the whole-buffer verdict; every
// answer is 200 with a JSON object, 204 without a body, or 400 with a
// one-line fault_message.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_fake.h"
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

static void check_reply(const struct vmm__api_reply *rep)
{
	json_t *o;

	if (rep->status == 204) {
		if (rep->body || rep->body_len)
			__builtin_trap();
		return;
	}
	if ((rep->status != 200 && rep->status != 400) || !rep->body)
		__builtin_trap();
	o = json_loadb(rep->body, rep->body_len, 0, NULL);
	if (!json_is_object(o))
		__builtin_trap();
	if (rep->status == 400) {
		const char *m = json_string_value(json_object_get(o, "fault_message"));

		if (!m || !*m || strchr(m, '\n'))
			__builtin_trap();
	}
	json_decref(o);
}

/* A fresh controller per input: the state rules start from "Not started". */
static void handle(struct vmm__api_ctl *ctl, const struct vmm__http_request *req)
{
	struct vmm__api_reply rep;

	vmm__api_handle(ctl, req, &rep);
	check_reply(&rep);
	free(rep.body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmm_config base;
	static struct api_fake fake;
	static struct vmm__api_ctl ctl;
	struct vmm__http_request req;
	struct vmm__http_error err;
	size_t off = 0;
	bool first = true;

	vmm_config_init(&base);
	memset(&fake, 0, sizeof(fake));
	vmm__api_ctl_init(&ctl, &fake_ops, &fake, &base);

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
		handle(&ctl, &req);
		off += rc;
	}
	vmm__api_ctl_destroy(&ctl);
	return 0;
}
