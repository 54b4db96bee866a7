// SPDX-License-Identifier: MIT
// cvmm-jailer's one error convention: each step leaves exactly one line in
// the caller's buffer and returns -errno, so main() prints one line.
#include "jail.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int jail__fail(char *err, const char *fmt, ...)
{
	int e = errno ? errno : EINVAL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, JAIL_ERR_MAX, fmt, ap);
	va_end(ap);
	return -e;
}

int jail__path(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	/* A cut path would name another file: make it name none. */
	if (n < 0 || (size_t)n >= len) {
		out[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}
