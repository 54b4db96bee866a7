// SPDX-License-Identifier: MIT
// Command line builder: separators, quoting, key=value, init arguments
// after "--", the virtio_mmio.device form, size limits, atomic failure.
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <loader/cmdline.h>

#include "fixtures.h"

static char buf[128];
static struct loader_cmdline c;

static void setup(void)
{
	memset(buf, 'X', sizeof(buf));
	loader_cmdline_init(&c, buf, sizeof(buf));
}

TestSuite(cmdline, .init = setup);

Test(cmdline, starts_empty)
{
	cr_assert_str_eq(loader_cmdline_str(&c), "");
}

Test(cmdline, arguments_are_separated_by_one_space)
{
	cr_assert_eq(loader_cmdline_add(&c, "console=ttyS0"), 0);
	cr_assert_eq(loader_cmdline_add(&c, "quiet"), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "console=ttyS0 quiet");
}

Test(cmdline, kv_quotes_values_with_spaces)
{
	cr_assert_eq(loader_cmdline_add_kv(&c, "dyndbg", "file x.c +p"), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "dyndbg=\"file x.c +p\"");
}

Test(cmdline, kv_with_empty_value)
{
	cr_assert_eq(loader_cmdline_add_kv(&c, "root", ""), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "root=");
}

Test(cmdline, kv_u64_is_decimal)
{
	cr_assert_eq(loader_cmdline_add_kv_u64(&c, "panic", 18446744073709551615ull), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "panic=18446744073709551615");
}

Test(cmdline, kv_rejects_quote_in_value)
{
	cr_assert_eq(loader_cmdline_add_kv(&c, "a", "b\"c"), -EINVAL);
}

Test(cmdline, kv_rejects_bad_keys)
{
	cr_assert_eq(loader_cmdline_add_kv(&c, "", "x"), -EINVAL);
	cr_assert_eq(loader_cmdline_add_kv(&c, "a=b", "x"), -EINVAL);
	cr_assert_eq(loader_cmdline_add_kv(&c, "a b", "x"), -EINVAL);
	cr_assert_eq(loader_cmdline_add_kv(&c, "a\"", "x"), -EINVAL);
}

Test(cmdline, quoted_argument_may_hold_spaces)
{
	cr_assert_eq(loader_cmdline_add(&c, "a=\"b c\""), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "a=\"b c\"");
}

Test(cmdline, rejects_bare_space)
{
	cr_assert_eq(loader_cmdline_add(&c, "a b"), -EINVAL);
}

Test(cmdline, rejects_unbalanced_quote)
{
	cr_assert_eq(loader_cmdline_add(&c, "a=\"b"), -EINVAL);
}

Test(cmdline, rejects_empty_and_control_characters)
{
	cr_assert_eq(loader_cmdline_add(&c, ""), -EINVAL);
	cr_assert_eq(loader_cmdline_add(&c, "a\tb"), -EINVAL);
	cr_assert_eq(loader_cmdline_add(&c, "a\nb"), -EINVAL);
	cr_assert_eq(loader_cmdline_add(&c, "\x7f"), -EINVAL);
	cr_assert_eq(loader_cmdline_add(&c, "\xc3\xa9"), -EINVAL);
}

Test(cmdline, bare_dashdash_is_not_a_kernel_argument)
{
	cr_assert_eq(loader_cmdline_add(&c, "--"), -EINVAL);
}

Test(cmdline, quoted_dashdash_is_not_a_kernel_argument_either)
{
	/* Linux strips quotes before it looks for "--". */
	cr_assert_eq(loader_cmdline_add(&c, "\"--\""), -EINVAL);
	cr_assert_eq(loader_cmdline_add(&c, "-\"\"-"), -EINVAL);
	cr_assert_eq(loader_cmdline_add(&c, "---"), 0);
}

Test(cmdline, init_arguments_follow_dashdash)
{
	cr_assert_eq(loader_cmdline_add(&c, "quiet"), 0);
	cr_assert_eq(loader_cmdline_add_init_arg(&c, "single"), 0);
	cr_assert_eq(loader_cmdline_add_init_arg(&c, "x=1"), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "quiet -- single x=1");
}

Test(cmdline, kernel_arguments_stay_before_dashdash)
{
	cr_assert_eq(loader_cmdline_add(&c, "a"), 0);
	cr_assert_eq(loader_cmdline_add_init_arg(&c, "i"), 0);
	cr_assert_eq(loader_cmdline_add(&c, "b"), 0);
	cr_assert_eq(loader_cmdline_add_kv(&c, "c", "d e"), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "a b c=\"d e\" -- i");
}

Test(cmdline, kernel_argument_after_init_only_line)
{
	cr_assert_eq(loader_cmdline_add_init_arg(&c, "i"), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "-- i");
	cr_assert_eq(loader_cmdline_add(&c, "k"), 0);
	cr_assert_eq(loader_cmdline_add(&c, "l"), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "k l -- i");
}

Test(cmdline, virtio_mmio_device_form)
{
	cr_assert_eq(loader_cmdline_add_virtio_mmio(&c, 0x1000, 0xd0000000, 16), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "virtio_mmio.device=4K@0xd0000000:16");
}

Test(cmdline, virtio_mmio_size_suffixes)
{
	cr_assert_eq(loader_cmdline_add_virtio_mmio(&c, 0x200000, 0x1000, 5), 0);
	cr_assert_eq(loader_cmdline_add_virtio_mmio(&c, 0x40000000, 0x1000, 5), 0);
	cr_assert_eq(loader_cmdline_add_virtio_mmio(&c, 0x200, 0x1000, 5), 0);
	cr_assert_str_eq(loader_cmdline_str(&c),
			 "virtio_mmio.device=2M@0x1000:5 virtio_mmio.device=1G@0x1000:5 "
			 "virtio_mmio.device=512@0x1000:5");
}

Test(cmdline, virtio_mmio_rejects_empty_or_wrapping_window)
{
	cr_assert_eq(loader_cmdline_add_virtio_mmio(&c, 0, 0x1000, 5), -EINVAL);
	cr_assert_eq(loader_cmdline_add_virtio_mmio(&c, 0x2000, UINT64_MAX - 0xfff, 5), -EINVAL);
}

Test(cmdline, capacity_leaves_room_for_the_nul)
{
	char small[6];

	loader_cmdline_init(&c, small, sizeof(small));
	cr_assert_eq(loader_cmdline_add(&c, "abcdef"), -ENOSPC);
	cr_assert_eq(loader_cmdline_add(&c, "abcde"), 0);
	cr_assert_eq(loader_cmdline_add(&c, "a"), -ENOSPC);
	cr_assert_str_eq(loader_cmdline_str(&c), "abcde");
}

Test(cmdline, failed_add_leaves_the_line_unchanged)
{
	char small[12];

	loader_cmdline_init(&c, small, sizeof(small));
	cr_assert_eq(loader_cmdline_add(&c, "abc"), 0);
	cr_assert_eq(loader_cmdline_add_init_arg(&c, "d"), 0);
	cr_assert_eq(loader_cmdline_add(&c, "toolong"), -ENOSPC);
	cr_assert_eq(loader_cmdline_add_kv(&c, "k", "vvvvvv"), -ENOSPC);
	cr_assert_eq(loader_cmdline_add_init_arg(&c, "eeeeee"), -ENOSPC);
	cr_assert_str_eq(loader_cmdline_str(&c), "abc -- d");
}

Test(cmdline, add_line_splits_like_linux)
{
	cr_assert_eq(loader_cmdline_add_line(&c, "  console=ttyS0\t a=\"x  y\" -- init1 -- z "), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "console=ttyS0 a=\"x  y\" -- init1 -- z");
}

Test(cmdline, add_line_is_all_or_nothing)
{
	cr_assert_eq(loader_cmdline_add(&c, "first"), 0);
	cr_assert_eq(loader_cmdline_add_line(&c, "ok bad\x01 more"), -EINVAL);
	cr_assert_eq(loader_cmdline_add_line(&c, "ok \"unbalanced"), -EINVAL);
	cr_assert_str_eq(loader_cmdline_str(&c), "first");
}

Test(cmdline, add_line_checks_the_total_length)
{
	char small[16];

	loader_cmdline_init(&c, small, sizeof(small));
	cr_assert_eq(loader_cmdline_add_line(&c, "aaaa bbbb -- cccc"), -ENOSPC);
	cr_assert_str_eq(loader_cmdline_str(&c), "");
	cr_assert_eq(loader_cmdline_add_line(&c, "aaaa bbbb -- cc"), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "aaaa bbbb -- cc");
}

Test(cmdline, write_copies_the_nul)
{
	struct vmmem_map *m = fx_map(0x100000, 0);
	char got[8];

	cr_assert_eq(vmmem_fill(m, 0x20000, 'Z', 8), 0);
	cr_assert_eq(loader_cmdline_add(&c, "abc"), 0);
	cr_assert_eq(loader_cmdline_write(m, 0x20000, &c), 0);
	cr_assert_eq(vmmem_read(m, 0x20000, got, 5), 0);
	cr_assert_arr_eq(got, "abc\0Z", 5);
	cr_assert_eq(loader_cmdline_write(m, 0x100000 - 2, &c), -EFAULT);
	vmmem_map_free(m);
}

/* Regression (found by fuzz-loader-cmdline): the first init argument on an
 * empty line needs room for "-- " too. */
Test(cmdline, first_init_argument_on_empty_line_counts_its_separator)
{
	char small[7];

	loader_cmdline_init(&c, small, 6);
	cr_assert_eq(loader_cmdline_add_init_arg(&c, "nic"), -ENOSPC);
	cr_assert_str_eq(loader_cmdline_str(&c), "");
	loader_cmdline_init(&c, small, 7);
	cr_assert_eq(loader_cmdline_add_init_arg(&c, "nic"), 0);
	cr_assert_str_eq(loader_cmdline_str(&c), "-- nic");
}
