// SPDX-License-Identifier: MIT
// Boot params (zero page): setup header copy, loader fields, command line,
// ramdisk, RSDP and E820, read back through <asm/bootparam.h>.
#include <asm/bootparam.h>
#include <criterion/criterion.h>
#include <errno.h>

#include <loader/bootparams.h>
#include <loader/bzimage.h>
#include <loader/elf.h>
#include <loader/layout.h>

#include "fixtures.h"

static struct vmmem_map *map;
static struct loader_e820 e820;
static struct loader_kernel k;
static struct boot_params bp;

static void setup(void)
{
	map = fx_map(0x4000000, 0);
	cr_assert_eq(loader_e820_build(map, &e820), 0);
}

static void teardown(void)
{
	vmmem_map_free(map);
}

TestSuite(bootparams, .init = setup, .fini = teardown);

static void write_and_read(const struct loader_boot_params_cfg *cfg)
{
	memset(&bp, 0xcc, sizeof(bp));
	cr_assert_eq(loader_boot_params_write(map, LOADER_ZERO_PAGE_START, cfg), 0);
	cr_assert_eq(vmmem_read(map, LOADER_ZERO_PAGE_START, &bp, sizeof(bp)), 0);
}

static void load_bzimage(void)
{
	uint8_t *img = fx_bzimage();

	cr_assert_eq(loader_bzimage_load(map, img, FX_BZ_SIZE, NULL, &k), 0);
	free(img);
}

Test(bootparams, bzimage_setup_header_is_copied)
{
	struct loader_boot_params_cfg cfg = { .kernel = &k, .e820 = &e820 };

	load_bzimage();
	write_and_read(&cfg);
	cr_assert_eq(bp.hdr.header, 0x53726448);
	cr_assert_eq(bp.hdr.version, 0x020f);
	cr_assert_eq(bp.hdr.boot_flag, 0xaa55);
	cr_assert_eq(bp.hdr.setup_sects, FX_BZ_SETUP_SECTS);
	cr_assert_eq(bp.hdr.kernel_alignment, FX_BZ_ALIGN);
	cr_assert_eq(bp.hdr.init_size, FX_BZ_INIT_SIZE);
	cr_assert_eq(bp.hdr.pref_address, FX_BZ_PREF);
}

Test(bootparams, loader_fields_are_set)
{
	struct loader_boot_params_cfg cfg = {
		.kernel = &k, .e820 = &e820, .cmdline_addr = LOADER_CMDLINE_START,
		.cmdline_len = 100, .initrd_addr = 0x3000000, .initrd_size = 0x12345,
		.rsdp_addr = LOADER_ACPI_START,
	};

	load_bzimage();
	write_and_read(&cfg);
	cr_assert_eq(bp.hdr.type_of_loader, LOADER_TYPE_OF_LOADER);
	cr_assert_eq(bp.hdr.cmd_line_ptr, LOADER_CMDLINE_START);
	cr_assert_eq(bp.ext_cmd_line_ptr, 0);
	cr_assert_eq(bp.hdr.ramdisk_image, 0x3000000);
	cr_assert_eq(bp.hdr.ramdisk_size, 0x12345);
	cr_assert_eq(bp.ext_ramdisk_image, 0);
	cr_assert_eq(bp.acpi_rsdp_addr, LOADER_ACPI_START);
	cr_assert(bp.hdr.loadflags & LOADED_HIGH);
	cr_assert_not(bp.hdr.loadflags & CAN_USE_HEAP);
}

Test(bootparams, ramdisk_above_4g_uses_ext_fields)
{
	struct loader_boot_params_cfg cfg = {
		.kernel = &k, .e820 = &e820, .initrd_addr = 0x123456000ull,
		.initrd_size = 0x1000,
	};

	load_bzimage();
	write_and_read(&cfg);
	cr_assert_eq(bp.hdr.ramdisk_image, 0x23456000);
	cr_assert_eq(bp.ext_ramdisk_image, 1);
}

Test(bootparams, e820_table_is_copied)
{
	struct loader_boot_params_cfg cfg = { .kernel = &k, .e820 = &e820 };

	load_bzimage();
	write_and_read(&cfg);
	cr_assert_eq(bp.e820_entries, e820.count);
	for (size_t i = 0; i < e820.count; i++) {
		cr_assert_eq(bp.e820_table[i].addr, e820.entry[i].addr);
		cr_assert_eq(bp.e820_table[i].size, e820.entry[i].size);
		cr_assert_eq(bp.e820_table[i].type, e820.entry[i].type);
	}
}

Test(bootparams, elf_kernel_gets_a_synthesised_header)
{
	uint8_t *img = fx_elf();
	struct loader_boot_params_cfg cfg = { .kernel = &k, .e820 = &e820,
					      .rsdp_addr = LOADER_ACPI_START };

	cr_assert_eq(loader_elf_load(map, img, FX_ELF_SIZE, NULL, &k), 0);
	free(img);
	write_and_read(&cfg);
	cr_assert_eq(bp.hdr.header, 0x53726448);
	cr_assert_eq(bp.hdr.boot_flag, 0xaa55);
	cr_assert_geq(bp.hdr.version, 0x020e, "kernel reads acpi_rsdp_addr from 2.14");
	cr_assert_eq(bp.hdr.type_of_loader, LOADER_TYPE_OF_LOADER);
	cr_assert_eq(bp.acpi_rsdp_addr, LOADER_ACPI_START);
}

Test(bootparams, rest_of_the_page_is_zero)
{
	struct loader_boot_params_cfg cfg = { .kernel = &k, .e820 = &e820 };

	load_bzimage();
	write_and_read(&cfg);
	cr_assert_eq(bp.screen_info.orig_video_mode, 0);
	cr_assert_eq(bp.hdr.setup_data, 0);
	cr_assert_eq(bp.eddbuf_entries, 0);
}

/* Regression: a command line above 4 GiB was put in
 * ext_cmd_line_ptr, but the boot page tables map only the low 4 GiB and
 * the kernel reads the line before it builds its own. */
Test(bootparams, rejects_command_line_above_4g)
{
	struct loader_boot_params_cfg cfg = { .kernel = &k, .e820 = &e820,
					      .cmdline_addr = 0x200001000ull };

	load_bzimage();
	cr_assert(k.has_entry64);
	cr_assert_eq(loader_boot_params_write(map, LOADER_ZERO_PAGE_START, &cfg), -EINVAL);
}

Test(bootparams, rejects_command_line_whose_nul_reaches_4g)
{
	struct loader_boot_params_cfg cfg = { .kernel = &k, .e820 = &e820,
					      .cmdline_addr = 0x100000000ull - 10,
					      .cmdline_len = 10 };

	load_bzimage();
	cr_assert_eq(loader_boot_params_write(map, LOADER_ZERO_PAGE_START, &cfg), -EINVAL);
	cfg.cmdline_len = 9;
	write_and_read(&cfg);
	cr_assert_eq(bp.hdr.cmd_line_ptr, 0xfffffff6u);
	cr_assert_eq(bp.ext_cmd_line_ptr, 0);
}

Test(bootparams, rejects_command_line_above_4g_without_64_bit_entry)
{
	uint8_t *img = fx_bzimage();
	struct loader_boot_params_cfg cfg = { .kernel = &k, .e820 = &e820,
					      .cmdline_addr = 0x100000000ull };

	img[0x236] = 0; /* no XLF_KERNEL_64 */
	cr_assert_eq(loader_bzimage_load(map, img, FX_BZ_SIZE, NULL, &k), 0);
	free(img);
	cr_assert_eq(loader_boot_params_write(map, LOADER_ZERO_PAGE_START, &cfg), -EINVAL);
}

Test(bootparams, rejects_command_line_longer_than_the_kernel_takes)
{
	struct loader_boot_params_cfg cfg = { .kernel = &k, .e820 = &e820,
					      .cmdline_addr = LOADER_CMDLINE_START,
					      .cmdline_len = 2048 };

	load_bzimage();
	cr_assert_eq(loader_boot_params_write(map, LOADER_ZERO_PAGE_START, &cfg), -EINVAL);
}

/* A bzImage announcing cmdline_size 0 takes no command line at all. */
Test(bootparams, rejects_any_command_line_for_cmdline_size_0)
{
	uint8_t *img = fx_bzimage();
	struct loader_boot_params_cfg cfg = { .kernel = &k, .e820 = &e820,
					      .cmdline_addr = LOADER_CMDLINE_START,
					      .cmdline_len = 1 };

	fx_put(img, 0x238, 0, 4);
	cr_assert_eq(loader_bzimage_load(map, img, FX_BZ_SIZE, NULL, &k), 0);
	free(img);
	cr_assert_eq(k.cmdline_max, 0);
	cr_assert_eq(loader_boot_params_write(map, LOADER_ZERO_PAGE_START, &cfg), -EINVAL);
	cfg.cmdline_len = 0;
	cr_assert_eq(loader_boot_params_write(map, LOADER_ZERO_PAGE_START, &cfg), 0);
}

/* Regression: at a caller address aligned only to
 * min_alignment, the zero page kept the image's kernel_alignment, and
 * Linux (head_64.S: ALIGN_UP(load address, kernel_alignment)) decompressed
 * above the range the loader had checked. */
Test(bootparams, kernel_alignment_divides_a_caller_chosen_load_address)
{
	uint8_t *img = fx_bzimage();
	struct loader_kernel_opts o = { .load_addr = 0x1200000 };
	struct loader_boot_params_cfg cfg = { .kernel = &k, .e820 = &e820 };

	fx_put(img, 0x230, 0x1000000, 4);	/* kernel_alignment 16 MiB */
	img[0x235] = 21;			/* min_alignment 2 MiB */
	cr_assert_eq(loader_bzimage_load(map, img, FX_BZ_SIZE, &o, &k), 0);
	free(img);
	cr_assert_eq(k.load_addr, 0x1200000);
	write_and_read(&cfg);
	cr_assert_neq(bp.hdr.kernel_alignment, 0);
	cr_assert_eq(k.load_addr % bp.hdr.kernel_alignment, 0,
		     "kernel_alignment %#x", bp.hdr.kernel_alignment);
	cr_assert_eq(bp.hdr.kernel_alignment, 1u << 21);
}

Test(bootparams, rejects_missing_e820_or_kernel)
{
	struct loader_boot_params_cfg cfg = { .kernel = &k };

	cr_assert_eq(loader_boot_params_write(map, LOADER_ZERO_PAGE_START, &cfg), -EINVAL);
	cfg.e820 = &e820;
	cfg.kernel = NULL;
	cr_assert_eq(loader_boot_params_write(map, LOADER_ZERO_PAGE_START, &cfg), -EINVAL);
}

Test(bootparams, rejects_unbacked_page)
{
	struct loader_boot_params_cfg cfg = { .kernel = &k, .e820 = &e820 };

	load_bzimage();
	cr_assert_eq(loader_boot_params_write(map, 0x4000000 - 0x800, &cfg), -EFAULT);
}
