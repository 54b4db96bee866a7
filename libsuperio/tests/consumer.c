// SPDX-License-Identifier: MIT
// Built by tests/check-install.sh against the installed libsuperio alone:
// a guest-style write through the UART reaches the output callback.
#include <stdio.h>
#include <sys/types.h>

#include <superio/superio.h>

static size_t seen;

static ssize_t out(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	seen += len;
	return (ssize_t)len;
}

int main(void)
{
	static const struct superio_serial_ops ops = { .version = SUPERIO_SERIAL_OPS_VERSION,
						       .write = out };
	struct superio_serial_config cfg = { .ops = &ops };
	struct superio_serial uart;

	if (superio_serial_init(&uart, &cfg) || superio_serial_write(&uart, 0, 1, 'A') ||
	    seen != 1)
		return 1;
	printf("libsuperio %s\n", SUPERIO_VERSION_STRING);
	return 0;
}
