// SPDX-License-Identifier: MIT
// Kernel command line builder following Linux's own parser (lib/cmdline.c
// next_arg(), kernel/params.c parse_args()): arguments are split at
// whitespace outside double quotes, a double quote toggles quoting and
// cannot be escaped, and the first bare "--" ends the kernel's arguments
// (the rest is passed to init).  The builder only ever produces lines that
// parser splits back into exactly the arguments it was given.
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <vmmem/access.h>

#include <loader/cmdline.h>

#define NO_INIT SIZE_MAX

void loader_cmdline_init(struct loader_cmdline *c, char *buf, size_t cap)
{
	c->buf = buf;
	c->cap = cap;
	c->len = 0;
	c->init_pos = NO_INIT;
	if (buf && cap)
		buf[0] = '\0';
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	       ch == '\v' || ch == '\f';
}

/* Printable ASCII; spaces only between quotes; quotes balanced. */
static bool valid_arg(const char *s, size_t n)
{
	bool quoted = false;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"')
			quoted = !quoted;
		else if (ch < 0x20 || ch >= 0x7f || (ch == ' ' && !quoted))
			return false;
	}
	return !quoted;
}

/* Length after adding an n-byte argument (with its separator). */
static size_t grown_len(const struct loader_cmdline *c, size_t n, bool init)
{
	size_t sep = c->len ? 1 : 0;

	/* The first init argument also brings "-- " (and a space before it
	 * when the line is not empty). */
	if (init && c->init_pos == NO_INIT)
		sep += 3;
	return c->len + sep + n;
}

/*
 * Opens an n-byte gap for one argument, with the separators, and returns
 * it; kernel arguments go before " -- ", init arguments at the end.
 */
static char *make_room(struct loader_cmdline *c, size_t n, bool init)
{
	char *gap;

	if (init) {
		if (c->init_pos == NO_INIT) {
			c->init_pos = c->len;
			if (c->len)
				c->buf[c->len++] = ' ';
			memcpy(c->buf + c->len, "--", 2);
			c->len += 2;
		}
		c->buf[c->len++] = ' ';
		gap = c->buf + c->len;
	} else if (c->init_pos == NO_INIT) {
		if (c->len)
			c->buf[c->len++] = ' ';
		gap = c->buf + c->len;
	} else {
		/* "k1 -- i1" -> "k1 NEW -- i1";  "-- i1" -> "NEW -- i1" */
		size_t at = c->init_pos, shift = n + 1;
		size_t put = at ? at + 1 : 0;

		memmove(c->buf + at + shift, c->buf + at, c->len - at);
		if (at)
			c->buf[at] = ' ';
		else
			c->buf[n] = ' ';
		c->init_pos = at ? at + shift : n;
		c->len++; /* the separator; the argument is counted below */
		gap = c->buf + put;
	}
	c->len += n;
	c->buf[c->len] = '\0';
	return gap;
}

/* Linux strips the quotes before comparing with "--", so "--" in any
 * quoting would end the kernel's arguments. */
static bool is_separator(const char *s, size_t n)
{
	size_t dashes = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-')
			dashes++;
		else if (s[i] != '"')
			return false;
	}
	return dashes == 2;
}

static int add_span(struct loader_cmdline *c, const char *s, size_t n, bool init)
{
	if (!valid_arg(s, n) || (!init && is_separator(s, n)))
		return -EINVAL;
	if (grown_len(c, n, init) >= c->cap)
		return -ENOSPC;
	memcpy(make_room(c, n, init), s, n);
	return 0;
}

int loader_cmdline_add(struct loader_cmdline *c, const char *arg)
{
	if (!c || !c->buf || !arg)
		return -EINVAL;
	return add_span(c, arg, strlen(arg), false);
}

int loader_cmdline_add_init_arg(struct loader_cmdline *c, const char *arg)
{
	if (!c || !c->buf || !arg)
		return -EINVAL;
	return add_span(c, arg, strlen(arg), true);
}

/* Next token of line at *pos, split as Linux's next_arg() does. */
static bool next_token(const char *line, size_t *pos, size_t *start, size_t *n)
{
	size_t i = *pos;
	bool quoted = false;

	while (is_space(line[i]))
		i++;
	if (!line[i])
		return false;
	*start = i;
	for (; line[i] && (quoted || !is_space(line[i])); i++)
		if (line[i] == '"')
			quoted = !quoted;
	*n = i - *start;
	*pos = i;
	return true;
}

/* Dry run: checks every token and the final length before any change. */
static int plan_line(const struct loader_cmdline *c, const char *line)
{
	struct loader_cmdline sim = *c;
	size_t pos = 0, start, n;
	bool init = false;

	while (next_token(line, &pos, &start, &n)) {
		if (!init && is_separator(line + start, n)) {
			init = true;
			continue;
		}
		if (!valid_arg(line + start, n))
			return -EINVAL;
		sim.len = grown_len(&sim, n, init);
		if (init && sim.init_pos == NO_INIT)
			sim.init_pos = 0;
		if (sim.len >= sim.cap)
			return -ENOSPC;
	}
	return 0;
}

int loader_cmdline_add_line(struct loader_cmdline *c, const char *line)
{
	size_t pos = 0, start, n;
	bool init = false;
	int err;

	if (!c || !c->buf || !line)
		return -EINVAL;
	err = plan_line(c, line);
	if (err)
		return err;
	while (next_token(line, &pos, &start, &n)) {
		if (!init && is_separator(line + start, n)) {
			init = true;
			continue;
		}
		memcpy(make_room(c, n, init), line + start, n);
	}
	return 0;
}

static bool valid_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (*k == '=' || *k == '"' || (unsigned char)*k <= ' ' ||
		    (unsigned char)*k >= 0x7f)
			return false;
	return true;
}

static bool valid_value(const char *v, bool *needs_quotes)
{
	*needs_quotes = false;
	for (; *v; v++) {
		if (*v == '"' || (unsigned char)*v < ' ' || (unsigned char)*v >= 0x7f)
			return false;
		if (*v == ' ')
			*needs_quotes = true;
	}
	return true;
}

int loader_cmdline_add_kv(struct loader_cmdline *c, const char *key,
			  const char *value)
{
	size_t klen, vlen, n;
	bool quote;
	char *p;

	if (!c || !c->buf || !key || !value || !valid_key(key) ||
	    !valid_value(value, &quote))
		return -EINVAL;
	klen = strlen(key);
	vlen = strlen(value);
	n = klen + 1 + vlen + (quote ? 2 : 0);
	if (grown_len(c, n, false) >= c->cap)
		return -ENOSPC;
	p = make_room(c, n, false);
	memcpy(p, key, klen);
	p += klen;
	*p++ = '=';
	if (quote)
		*p++ = '"';
	memcpy(p, value, vlen);
	if (quote)
		p[vlen] = '"';
	return 0;
}

int loader_cmdline_add_kv_u64(struct loader_cmdline *c, const char *key,
			      uint64_t value)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, value);
	return loader_cmdline_add_kv(c, key, num);
}

/* memparse() in Linux accepts K/M/G suffixes; use the largest exact one. */
static void format_size(char *out, size_t cap, uint64_t size)
{
	static const char suffix[] = "GMK";
	static const unsigned int shift[] = { 30, 20, 10 };

	for (size_t i = 0; i < 3; i++) {
		if (size % (1ull << shift[i]) == 0) {
			snprintf(out, cap, "%" PRIu64 "%c", size >> shift[i], suffix[i]);
			return;
		}
	}
	snprintf(out, cap, "%" PRIu64, size);
}

int loader_cmdline_add_virtio_mmio(struct loader_cmdline *c, uint64_t size,
				   uint64_t addr, uint32_t irq)
{
	char sz[24], dev[64];

	if (size == 0 || addr + size < addr)
		return -EINVAL;
	format_size(sz, sizeof(sz), size);
	snprintf(dev, sizeof(dev), "%s@0x%" PRIx64 ":%" PRIu32, sz, addr, irq);
	return loader_cmdline_add_kv(c, "virtio_mmio.device", dev);
}

const char *loader_cmdline_str(const struct loader_cmdline *c)
{
	return c->buf;
}

int loader_cmdline_write(struct vmmem_map *map, uint64_t gpa,
			 const struct loader_cmdline *c)
{
	if (!map || !c || !c->buf)
		return -EINVAL;
	return vmmem_write(map, gpa, c->buf, c->len + 1);
}
