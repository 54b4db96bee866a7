// SPDX-License-Identifier: MIT
// key=value splitting, numbers, sizes and booleans of the command line.
#include <criterion/criterion.h>
#include <errno.h>

#include <vmm/args.h>

static int pair(const char **cur, char *k, char *v)
{
	return vmm_args_next_pair(cur, k, 32, v, 256);
}

Test(pairs, splits_on_commas)
{
	const char *cur = "path=a.img,read_only=on";
	char k[32], v[256];

	cr_assert_eq(pair(&cur, k, v), 1);
	cr_assert_str_eq(k, "path");
	cr_assert_str_eq(v, "a.img");
	cr_assert_eq(pair(&cur, k, v), 1);
	cr_assert_str_eq(k, "read_only");
	cr_assert_str_eq(v, "on");
	cr_assert_eq(pair(&cur, k, v), 0);
}

Test(pairs, quotes_protect_commas_and_are_removed)
{
	const char *cur = "cmdline=\"console=ttyS0,115200 panic=1\",path=x";
	char k[32], v[256];

	cr_assert_eq(pair(&cur, k, v), 1);
	cr_assert_str_eq(v, "console=ttyS0,115200 panic=1");
	cr_assert_eq(pair(&cur, k, v), 1);
	cr_assert_str_eq(v, "x");
}

Test(pairs, commas_not_followed_by_a_key_stay_in_the_value)
{
	const char *cur = "cmdline=console=ttyS0,115200 clearcpuid=cx16,smap,popcnt x,path=k";
	char k[32], v[256];

	cr_assert_eq(pair(&cur, k, v), 1);
	cr_assert_str_eq(k, "cmdline");
	cr_assert_str_eq(v, "console=ttyS0,115200 clearcpuid=cx16,smap,popcnt x");
	cr_assert_eq(pair(&cur, k, v), 1);
	cr_assert_str_eq(k, "path");
	cr_assert_str_eq(v, "k");
}

Test(pairs, value_may_contain_equals)
{
	const char *cur = "cmdline=root=/dev/vda";
	char k[32], v[256];

	cr_assert_eq(pair(&cur, k, v), 1);
	cr_assert_str_eq(v, "root=/dev/vda");
}

Test(pairs, rejects_missing_equals)
{
	const char *cur = "path";
	char k[32], v[256];

	cr_assert_eq(pair(&cur, k, v), -EINVAL);
}

Test(pairs, rejects_empty_key)
{
	const char *cur = "=x";
	char k[32], v[256];

	cr_assert_eq(pair(&cur, k, v), -EINVAL);
}

Test(pairs, rejects_unterminated_quote)
{
	const char *cur = "cmdline=\"abc";
	char k[32], v[256];

	cr_assert_eq(pair(&cur, k, v), -EINVAL);
}

Test(pairs, rejects_trailing_comma)
{
	const char *cur = "path=x,";
	char k[32], v[256];

	cr_assert_eq(pair(&cur, k, v), -EINVAL);
}

Test(pairs, rejects_oversize_key_and_value)
{
	char big[600];
	const char *cur;
	char k[32], v[256];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cur = big;
	cr_assert_eq(pair(&cur, k, v), -EINVAL);
	big[0] = 'k';
	big[1] = '=';
	cur = big;
	cr_assert_eq(pair(&cur, k, v), -EINVAL);
}

Test(pairs, empty_value_is_allowed)
{
	const char *cur = "cmdline=";
	char k[32], v[256];

	cr_assert_eq(pair(&cur, k, v), 1);
	cr_assert_str_eq(v, "");
}

Test(numbers, decimal_and_hex)
{
	uint64_t v;

	cr_assert_eq(vmm_args_parse_u64("512", &v), 0);
	cr_assert_eq(v, 512);
	cr_assert_eq(vmm_args_parse_u64("0x1F", &v), 0);
	cr_assert_eq(v, 31);
	cr_assert_eq(vmm_args_parse_u64("18446744073709551615", &v), 0);
	cr_assert_eq(v, UINT64_MAX);
}

Test(numbers, rejects_junk_sign_and_overflow)
{
	uint64_t v;

	cr_assert_eq(vmm_args_parse_u64("", &v), -EINVAL);
	cr_assert_eq(vmm_args_parse_u64("12a", &v), -EINVAL);
	cr_assert_eq(vmm_args_parse_u64("-1", &v), -EINVAL);
	cr_assert_eq(vmm_args_parse_u64(" 1", &v), -EINVAL);
	cr_assert_eq(vmm_args_parse_u64("0x", &v), -EINVAL);
	cr_assert_eq(vmm_args_parse_u64("18446744073709551616", &v), -ERANGE);
}

Test(sizes, binary_suffixes)
{
	uint64_t v;

	cr_assert_eq(vmm_args_parse_size("4096", &v), 0);
	cr_assert_eq(v, 4096);
	cr_assert_eq(vmm_args_parse_size("2k", &v), 0);
	cr_assert_eq(v, 2048);
	cr_assert_eq(vmm_args_parse_size("512M", &v), 0);
	cr_assert_eq(v, 512ull << 20);
	cr_assert_eq(vmm_args_parse_size("2GiB", &v), 0);
	cr_assert_eq(v, 2ull << 30);
	cr_assert_eq(vmm_args_parse_size("1TB", &v), 0);
	cr_assert_eq(v, 1ull << 40);
}

Test(sizes, rejects_bad_units_and_overflow)
{
	uint64_t v;

	cr_assert_eq(vmm_args_parse_size("", &v), -EINVAL);
	cr_assert_eq(vmm_args_parse_size("M", &v), -EINVAL);
	cr_assert_eq(vmm_args_parse_size("12Q", &v), -EINVAL);
	cr_assert_eq(vmm_args_parse_size("12 M", &v), -EINVAL);
	cr_assert_eq(vmm_args_parse_size("1.5G", &v), -EINVAL);
	cr_assert_eq(vmm_args_parse_size("17179869184G", &v), -ERANGE);
}

Test(booleans, accepted_spellings)
{
	bool b = false;

	cr_assert_eq(vmm_args_parse_bool("on", &b), 0);
	cr_assert(b);
	cr_assert_eq(vmm_args_parse_bool("OFF", &b), 0);
	cr_assert(!b);
	cr_assert_eq(vmm_args_parse_bool("yes", &b), 0);
	cr_assert(b);
	cr_assert_eq(vmm_args_parse_bool("0", &b), 0);
	cr_assert(!b);
	cr_assert_eq(vmm_args_parse_bool("maybe", &b), -EINVAL);
}

/* Property: any string either parses to a value or is rejected, and a
 * value that parses prints back to the same number. */
Test(numbers, random_strings_never_misparse)
{
	unsigned seed = 12345;

	for (int i = 0; i < 20000; i++) {
		char s[24], back[32];
		size_t n;
		uint64_t v;

		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 22;
		for (size_t j = 0; j < n; j++) {
			seed = seed * 1103515245u + 12345u;
			s[j] = "0123456789x-k "[(seed >> 16) % 14];
		}
		s[n] = '\0';
		if (vmm_args_parse_u64(s, &v) == 0 && s[1] != 'x') {
			snprintf(back, sizeof(back), "%llu", (unsigned long long)v);
			/* leading zeros are the only allowed difference */
			const char *t = s;
			while (*t == '0' && t[1])
				t++;
			cr_assert_str_eq(back, t, "'%s' parsed as %s", s, back);
		}
	}
}
