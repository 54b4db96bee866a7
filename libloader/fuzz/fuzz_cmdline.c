// SPDX-License-Identifier: MIT
// libFuzzer target: command line builder.  The input is a capacity byte
// followed by operations (one selector byte and a NUL-terminated string).
// After every operation the line must be NUL-terminated within capacity,
// hold only printable ASCII, have balanced quotes and no empty argument,
// and a failed operation must leave it unchanged.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <loader/cmdline.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct loader_cmdline *c)
{
	bool quoted = false;
	size_t n = strlen(c->buf);

	if (n != c->len || n >= c->cap)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		char ch = c->buf[i];

		if (ch == '"')
			quoted = !quoted;
		if ((unsigned char)ch < 0x20 || (unsigned char)ch >= 0x7f)
			__builtin_trap();
		if (ch == ' ' && !quoted && (i == 0 || i + 1 == n || c->buf[i + 1] == ' '))
			__builtin_trap();
	}
	if (quoted)
		__builtin_trap();
}

static int apply(struct loader_cmdline *c, uint8_t op, const char *s, uint64_t num)
{
	switch (op % 6) {
	case 0:
		return loader_cmdline_add(c, s);
	case 1:
		return loader_cmdline_add_line(c, s);
	case 2:
		return loader_cmdline_add_init_arg(c, s);
	case 3:
		return loader_cmdline_add_kv(c, "key", s);
	case 4:
		return loader_cmdline_add_kv_u64(c, s, num);
	default:
		return loader_cmdline_add_virtio_mmio(c, num & 0xffffff, num >> 8, (uint32_t)num);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[300], before[300], arg[300];
	struct loader_cmdline c;
	size_t i = 1;

	if (size < 1)
		return 0;
	loader_cmdline_init(&c, buf, 1 + data[0]);
	while (i < size) {
		uint8_t op = data[i++];
		size_t n = 0;
		uint64_t num = 0;

		while (i < size && data[i] && n < sizeof(arg) - 1) {
			num = num * 131 + data[i];
			arg[n++] = (char)data[i++];
		}
		arg[n] = 0;
		i++;
		memcpy(before, buf, c.len + 1);
		size_t len = c.len;

		if (apply(&c, op, arg, num) != 0 &&
		    (c.len != len || memcmp(before, buf, len + 1) != 0))
			__builtin_trap();
		check(&c);
	}
	return 0;
}
