// SPDX-License-Identifier: MIT
// AML encoder: the expected bytes are worked out by hand from ACPI 6.4
// §20.2 (NameString, PkgLength, integer prefixes, EISAID) and §6.4
// (resource descriptors), not taken from the encoder's output.
#include <criterion/criterion.h>
#include <errno.h>

#include <loader/acpi.h>
#include <loader/aml.h>

static uint8_t buf[512];
static struct loader_aml a;
static size_t len;

static void setup(void)
{
	memset(buf, 0xee, sizeof(buf));
	loader_aml_init(&a, buf, sizeof(buf));
}

TestSuite(aml, .init = setup);

#define EXPECT(...)                                                         \
	do {                                                                \
		static const uint8_t want[] = { __VA_ARGS__ };              \
		cr_assert_eq(loader_aml_finish(&a, &len), 0);               \
		cr_assert_eq(len, sizeof(want), "length %zu", len);         \
		cr_assert_arr_eq(buf, want, sizeof(want));                  \
	} while (0)

Test(aml, name_with_one_op)
{
	loader_aml_name_int(&a, "_UID", 1);
	EXPECT(0x08, '_', 'U', 'I', 'D', 0x01);
}

Test(aml, name_with_zero_op)
{
	loader_aml_name_int(&a, "_UID", 0);
	EXPECT(0x08, '_', 'U', 'I', 'D', 0x00);
}

Test(aml, short_names_are_padded)
{
	loader_aml_name_int(&a, "X", 2);
	EXPECT(0x08, 'X', '_', '_', '_', 0x0a, 0x02);
}

Test(aml, integer_prefixes_by_size)
{
	loader_aml_name_int(&a, "W", 0x1234);
	loader_aml_name_int(&a, "D", 0x12345678);
	loader_aml_name_int(&a, "Q", 0x100000000ull);
	EXPECT(0x08, 'W', '_', '_', '_', 0x0b, 0x34, 0x12,
	       0x08, 'D', '_', '_', '_', 0x0c, 0x78, 0x56, 0x34, 0x12,
	       0x08, 'Q', '_', '_', '_', 0x0e, 0, 0, 0, 0, 1, 0, 0, 0);
}

Test(aml, string)
{
	loader_aml_name_string(&a, "_HID", "LNRO0005");
	EXPECT(0x08, '_', 'H', 'I', 'D', 0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0);
}

Test(aml, eisaid_pnp0501)
{
	loader_aml_name_eisaid(&a, "_HID", "PNP0501");
	EXPECT(0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01);
}

Test(aml, eisaid_pnp0303)
{
	loader_aml_name_eisaid(&a, "_HID", "PNP0303");
	EXPECT(0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x03, 0x03);
}

Test(aml, root_scope)
{
	loader_aml_scope(&a, "\\_SB");
	loader_aml_end(&a);
	EXPECT(0x10, 0x06, '\\', '_', 'S', 'B', '_');
}

Test(aml, device_inside_scope)
{
	loader_aml_scope(&a, "\\_SB");
	loader_aml_device(&a, "COM1");
	loader_aml_name_int(&a, "_UID", 1);
	loader_aml_end(&a);
	loader_aml_end(&a);
	EXPECT(0x10, 0x13, '\\', '_', 'S', 'B', '_',
	       0x5b, 0x82, 0x0b, 'C', 'O', 'M', '1', 0x08, '_', 'U', 'I', 'D', 0x01);
}

Test(aml, dual_and_multi_name_paths)
{
	loader_aml_name_int(&a, "_SB.ABC", 0);
	loader_aml_name_int(&a, "\\_SB.P0.S8", 0);
	loader_aml_name_int(&a, "^^X", 0);
	EXPECT(0x08, 0x2e, '_', 'S', 'B', '_', 'A', 'B', 'C', '_', 0x00,
	       0x08, '\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', '0', '_', '_', 'S', '8', '_', '_', 0x00,
	       0x08, '^', '^', 'X', '_', '_', '_', 0x00);
}

Test(aml, package_of_integers)
{
	static const uint64_t v[] = { 5, 5, 0, 0 };

	loader_aml_name_package(&a, "_S5", v, 4);
	EXPECT(0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00);
}

Test(aml, two_byte_pkglength)
{
	uint8_t data[70];

	memset(data, 0x42, sizeof(data));
	loader_aml_name_buffer(&a, "B", data, sizeof(data));
	cr_assert_eq(loader_aml_finish(&a, &len), 0);
	/* body: 0x0a 0x46 + 70 bytes = 72, plus 2 PkgLength bytes = 74 */
	cr_assert_eq(len, 5 + 1 + 2 + 2 + 70);
	cr_assert_eq(buf[5], 0x11);
	cr_assert_eq(buf[6], 0x40 | (74 & 0xf));
	cr_assert_eq(buf[7], 74 >> 4);
	cr_assert_eq(buf[8], 0x0a);
	cr_assert_eq(buf[9], 70);
	cr_assert_eq(buf[10], 0x42);
	cr_assert_eq(buf[len - 1], 0x42);
}

Test(aml, three_byte_pkglength)
{
	static uint8_t big[5000], data[4500];

	loader_aml_init(&a, big, sizeof(big));
	loader_aml_name_buffer(&a, "B", data, sizeof(data));
	cr_assert_eq(loader_aml_finish(&a, &len), 0);
	/* body: 0x0b, 2-byte size, 4500 bytes = 4503; +3 = 4506 = 0x119a */
	cr_assert_eq(big[6], 0x80 | 0xa);
	cr_assert_eq(big[7], 0x19);
	cr_assert_eq(big[8], 0x01);
	cr_assert_eq(big[9], 0x0b);
	cr_assert_eq(len, 5 + 1 + 3 + 3 + 4500);
}

Test(aml, resource_template_io_and_irq)
{
	loader_aml_resources(&a, "_CRS");
	loader_aml_io(&a, 0x3f8, 0x3f8, 1, 8);
	loader_aml_irq_noflags(&a, 4);
	loader_aml_resources_end(&a);
	cr_assert_eq(loader_aml_finish(&a, &len), 0);
	static const uint8_t want[] = { 0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0d,
					0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
					0x22, 0x10, 0x00, 0x79 };
	cr_assert_eq(len, sizeof(want) + 1);
	cr_assert_arr_eq(buf, want, sizeof(want));
	cr_assert_eq(loader_acpi_checksum(buf + 9, 13), 0, "end tag checksum");
}

Test(aml, memory32_fixed_and_extended_interrupt)
{
	loader_aml_resources(&a, "_CRS");
	loader_aml_mem32_fixed(&a, true, 0xd0000000, 0x1000);
	loader_aml_interrupt(&a, false, false, false, 16);
	loader_aml_interrupt(&a, true, true, true, 0x20);
	loader_aml_resources_end(&a);
	cr_assert_eq(loader_aml_finish(&a, &len), 0);
	static const uint8_t want[] = {
		0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xd0, 0x00, 0x10, 0x00, 0x00,
		0x89, 0x06, 0x00, 0x03, 0x01, 0x10, 0x00, 0x00, 0x00,
		0x89, 0x06, 0x00, 0x0d, 0x01, 0x20, 0x00, 0x00, 0x00,
		0x79 };
	cr_assert_arr_eq(buf + 9, want, sizeof(want));
}

Test(aml, rejects_bad_names)
{
	static const char *const bad[] = { "", "abc", "1ABC", "ABCDE", "A..B", "\\", "A-B" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		loader_aml_init(&a, buf, sizeof(buf));
		loader_aml_name_int(&a, bad[i], 1);
		cr_assert_eq(loader_aml_finish(&a, &len), -EINVAL, "name '%s'", bad[i]);
	}
}

Test(aml, rejects_bad_eisaid)
{
	loader_aml_name_eisaid(&a, "_HID", "pnp0501");
	cr_assert_eq(loader_aml_finish(&a, &len), -EINVAL);
	loader_aml_init(&a, buf, sizeof(buf));
	loader_aml_name_eisaid(&a, "_HID", "PNP05G1");
	cr_assert_eq(loader_aml_finish(&a, &len), -EINVAL);
}

Test(aml, rejects_unbalanced_end)
{
	loader_aml_end(&a);
	cr_assert_eq(loader_aml_finish(&a, &len), -EINVAL);
}

Test(aml, rejects_unclosed_scope)
{
	loader_aml_scope(&a, "\\_SB");
	cr_assert_eq(loader_aml_finish(&a, &len), -EINVAL);
}

Test(aml, rejects_resource_outside_template)
{
	loader_aml_io(&a, 0x60, 0x60, 1, 1);
	cr_assert_eq(loader_aml_finish(&a, &len), -EINVAL);
}

Test(aml, rejects_names_inside_template)
{
	loader_aml_resources(&a, "_CRS");
	loader_aml_name_int(&a, "_UID", 0);
	cr_assert_eq(loader_aml_finish(&a, &len), -EINVAL);
}

Test(aml, rejects_irq_above_15_in_irq_descriptor)
{
	loader_aml_resources(&a, "_CRS");
	loader_aml_irq_noflags(&a, 16);
	cr_assert_eq(loader_aml_finish(&a, &len), -EINVAL);
}

Test(aml, rejects_nesting_too_deep)
{
	for (unsigned int i = 0; i <= LOADER_AML_MAX_DEPTH; i++)
		loader_aml_device(&a, "D");
	cr_assert_eq(loader_aml_finish(&a, &len), -EINVAL);
}

Test(aml, full_buffer_is_enospc_and_sticky)
{
	loader_aml_init(&a, buf, 8);
	loader_aml_name_int(&a, "_UID", 0x12345678);
	loader_aml_name_int(&a, "_UID", 1);
	cr_assert_eq(loader_aml_finish(&a, &len), -ENOSPC);
}
