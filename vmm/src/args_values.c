// SPDX-License-Identifier: MIT
// Value syntax of the oneshot command line: key=value pairs split on commas
// outside double quotes, strict numbers, sizes with binary suffixes, and
// booleans.  Nothing here trusts its input to be well formed.
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <vmm/args.h>

/*
 * Whether an unquoted comma at p ends the value: only when a key follows
 * ("<lowercase word>=").  The shell strips the quotes users put around
 * cmdline="console=ttyS0,115200 clearcpuid=cx16,smap", and such a value
 * must survive intact; its commas are followed by no "word=".
 */
static bool comma_ends_value(const char *p)
{
	size_t n = 0;

	if (p[1] == '\0')
		return true;	/* trailing comma: reported as an error */
	while ((p[1 + n] >= 'a' && p[1 + n] <= 'z') || p[1 + n] == '_' ||
	       (n > 0 && p[1 + n] >= '0' && p[1 + n] <= '9'))
		n++;
	return n > 0 && p[1 + n] == '=';
}

int vmm_args_next_pair(const char **cursor, char *key, size_t keylen,
		       char *value, size_t valuelen)
{
	const char *p = *cursor;
	size_t k = 0, v = 0;
	bool quoted = false;

	if (*p == '\0')
		return 0;
	while (*p && *p != '=' && *p != ',') {
		if (k + 1 >= keylen)
			return -EINVAL;
		key[k++] = *p++;
	}
	key[k] = '\0';
	if (k == 0 || *p != '=')
		return -EINVAL;
	p++;
	/* Quotes may open and close anywhere in the value, as in a shell word,
	 * so cmdline="a b",x=1 and path="my disk".img both work. */
	while (*p && (quoted || *p != ',' || !comma_ends_value(p))) {
		if (*p == '"') {
			quoted = !quoted;
			p++;
			continue;
		}
		if (v + 1 >= valuelen)
			return -EINVAL;
		value[v++] = *p++;
	}
	value[v] = '\0';
	if (quoted)
		return -EINVAL;
	if (*p == ',') {
		p++;
		if (*p == '\0')	/* a trailing comma hides a missing pair */
			return -EINVAL;
	}
	*cursor = p;
	return 1;
}

int vmm_args_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return -EINVAL;
	for (; *s; s++) {
		unsigned d;

		if (isdigit((unsigned char)*s))
			d = (unsigned)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static unsigned suffix_shift(char c)
{
	switch (tolower((unsigned char)c)) {
	case 'k': return 10;
	case 'm': return 20;
	case 'g': return 30;
	case 't': return 40;
	default: return 0;
	}
}

int vmm_args_parse_size(const char *s, uint64_t *bytes)
{
	char num[32];
	size_t n = strlen(s);
	unsigned shift = 0;
	uint64_t v;
	int r;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	/* Optional unit: K, KB, KiB (all binary; a VMM has no use for 1000). */
	if (n > 2 && strcasecmp(num + n - 2, "ib") == 0 && suffix_shift(num[n - 3])) {
		n -= 2;
	} else if (n > 1 && tolower((unsigned char)num[n - 1]) == 'b' &&
		   suffix_shift(num[n - 2])) {
		n -= 1;
	}
	num[n] = '\0';
	shift = suffix_shift(num[n - 1]);
	if (shift)
		num[--n] = '\0';
	r = vmm_args_parse_u64(num, &v);
	if (r)
		return r;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = v << shift;
	return 0;
}

int vmm_args_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "on", "true", "yes", "1" };
	static const char *const no[] = { "off", "false", "no", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int vmm_args_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t out[6];

	for (int i = 0; i < 6; i++, s += 3) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (hi < 0 || lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, out, sizeof(out));
	return 0;
}
