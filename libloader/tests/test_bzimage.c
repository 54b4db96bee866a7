// SPDX-License-Identifier: MIT
// bzImage loading (Documentation/arch/x86/boot.rst): header checks,
// placement rules (pref_address, kernel_alignment, min_alignment,
// init_size, relocatable_kernel), entries, and one test per rejection.
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <loader/bzimage.h>
#include <loader/layout.h>

#include "fixtures.h"

static struct vmmem_map *map;
static uint8_t *img;
static struct loader_kernel k;

static void setup(void)
{
	map = fx_map(0x4000000, 0);
	img = fx_bzimage();
}

static void teardown(void)
{
	free(img);
	vmmem_map_free(map);
}

TestSuite(bzimage, .init = setup, .fini = teardown);

static int load_at(uint64_t addr)
{
	struct loader_kernel_opts o = { .load_addr = addr };

	return loader_bzimage_load(map, img, FX_BZ_SIZE, &o, &k);
}

static int load(void)
{
	return loader_bzimage_load(map, img, FX_BZ_SIZE, NULL, &k);
}

static int parse(size_t size)
{
	struct loader_bzimage_info bz;

	return loader_bzimage_parse(img, size, &bz);
}

Test(bzimage, kernel_goes_to_pref_address)
{
	uint8_t got[FX_BZ_KERNEL_SIZE];

	cr_assert_eq(load(), 0);
	cr_assert_eq(k.load_addr, FX_BZ_PREF);
	cr_assert_eq(vmmem_read(map, FX_BZ_PREF, got, sizeof(got)), 0);
	cr_assert_arr_eq(got, img + FX_BZ_SETUP_SIZE, sizeof(got));
}

Test(bzimage, load_end_covers_init_size)
{
	cr_assert_eq(load(), 0);
	cr_assert_eq(k.load_end, FX_BZ_PREF + FX_BZ_INIT_SIZE);
}

Test(bzimage, entries_follow_the_64_bit_protocol)
{
	cr_assert_eq(load(), 0);
	cr_assert(k.has_entry64);
	cr_assert_eq(k.entry, FX_BZ_PREF + 0x200);
	cr_assert_eq(k.entry32, FX_BZ_PREF);
}

Test(bzimage, no_64_bit_entry_without_xlf_kernel_64)
{
	img[0x236] = 0;
	cr_assert_eq(load(), 0);
	cr_assert_not(k.has_entry64);
	cr_assert_eq(k.entry32, FX_BZ_PREF);
}

Test(bzimage, header_fields_are_reported)
{
	cr_assert_eq(load(), 0);
	cr_assert_eq(k.bz.version, 0x020f);
	cr_assert_eq(k.bz.setup_sects, FX_BZ_SETUP_SECTS);
	cr_assert_eq(k.bz.setup_size, FX_BZ_SETUP_SIZE);
	cr_assert_eq(k.bz.kernel_size, FX_BZ_KERNEL_SIZE);
	cr_assert_eq(k.bz.payload_offset, FX_BZ_PAYLOAD_OFF);
	cr_assert_eq(k.bz.payload_length, FX_BZ_PAYLOAD_LEN);
	cr_assert_eq(k.bz.kernel_alignment, FX_BZ_ALIGN);
	cr_assert_eq(k.cmdline_max, 2047);
	cr_assert_eq(k.initrd_addr_max, 0x7fffffff);
	cr_assert_eq(k.bz.header_len, 0x26c - 0x1f1);
	cr_assert_arr_eq(k.bz.header, img + 0x1f1, k.bz.header_len);
}

Test(bzimage, zero_setup_sects_means_four)
{
	uint8_t *big = calloc(1, 5 * 512 + FX_BZ_KERNEL_SIZE);
	struct loader_bzimage_info bz;

	memcpy(big, img, FX_BZ_SETUP_SIZE);
	memcpy(big + 5 * 512, img + FX_BZ_SETUP_SIZE, FX_BZ_KERNEL_SIZE);
	big[0x1f1] = 0;
	cr_assert_eq(loader_bzimage_parse(big, 5 * 512 + FX_BZ_KERNEL_SIZE, &bz), 0);
	cr_assert_eq(bz.setup_sects, 4);
	cr_assert_eq(bz.setup_size, 5 * 512);
	free(big);
}

/* Linux (head_64.S) never runs a relocatable kernel below its
 * LOAD_PHYSICAL_ADDR, which header.S announces as pref_address. */
Test(bzimage, relocatable_kernel_does_not_fit_when_pref_is_beyond_ram)
{
	fx_put(img, 0x258, 0x10000000, 8); /* 256 MiB: beyond the 64 MiB map */
	cr_assert_eq(load(), -EFAULT);
}

/* Regression: with pref_address unbacked, the search
 * started at LOADER_KERNEL_START and put the kernel below pref_address,
 * where Linux does not run it. */
Test(bzimage, relocatable_kernel_moves_up_from_an_unbacked_pref_address)
{
	struct vmmem_region_desc lo = { .gpa = 0, .size = 0x2000000,
					.backing = VMMEM_BACKING_ANON };
	struct vmmem_region_desc hi = { .gpa = 0x3000000, .size = 0x1000000,
					.backing = VMMEM_BACKING_ANON };
	struct vmmem_map *holed;

	cr_assert_eq(vmmem_map_new(&holed), 0);
	cr_assert_eq(vmmem_map_add_region(holed, &lo), 0);
	cr_assert_eq(vmmem_map_add_region(holed, &hi), 0);
	fx_put(img, 0x258, 0x1f00000, 8);	/* 31 MiB, straddles the hole */
	fx_put(img, 0x260, 0x400000, 4);	/* init_size 4 MiB */
	fx_put(img, 0x230, 0x100000, 4);	/* kernel_alignment 1 MiB */
	img[0x235] = 20;
	cr_assert_eq(loader_bzimage_load(holed, img, FX_BZ_SIZE, NULL, &k), 0);
	cr_assert_geq(k.load_addr, k.bz.pref_address);
	cr_assert_eq(k.load_addr, 0x3000000);
	vmmem_map_free(holed);
}

Test(bzimage, relocation_honours_kernel_alignment)
{
	fx_put(img, 0x230, 0x2000000, 4);  /* 32 MiB alignment, pref 16 MiB */
	cr_assert_eq(load(), 0);
	cr_assert_eq(k.load_addr, 0x2000000);
}

Test(bzimage, non_relocatable_kernel_stays_at_pref_address)
{
	img[0x234] = 0;
	fx_put(img, 0x258, 0x10000000, 8);
	cr_assert_eq(load(), -EFAULT);
}

Test(bzimage, caller_address_aligned_to_min_alignment_is_accepted)
{
	cr_assert_eq(load_at(0x2200000), 0);
	cr_assert_eq(k.load_addr, 0x2200000);
	cr_assert_eq(k.entry, 0x2200200);
}

Test(bzimage, caller_address_below_min_alignment_is_rejected)
{
	cr_assert_eq(load_at(0x2100000), -EINVAL);
}

/* Regression: Linux would decompress at pref_address
 * instead, a range the loader never checked. */
Test(bzimage, caller_address_below_pref_address_is_refused)
{
	cr_assert_eq(load_at(FX_BZ_PREF - FX_BZ_ALIGN), -EINVAL);
	cr_assert_eq(load_at(0x200000), -EINVAL);
}

Test(bzimage, caller_address_of_non_relocatable_kernel_must_be_pref)
{
	img[0x234] = 0;
	cr_assert_eq(load_at(0x2200000), -EINVAL);
	cr_assert_eq(load_at(FX_BZ_PREF), 0);
}

Test(bzimage, caller_address_must_have_init_size_backed)
{
	fx_put(img, 0x260, 0x400000, 4); /* init_size 4 MiB */
	cr_assert_eq(load_at(0x4000000 - 0x200000), -EFAULT);
	cr_assert_eq(load_at(0x4000000 - 0x400000), 0);
}

Test(bzimage, kernel_without_pref_address_goes_to_1mib)
{
	fx_put(img, 0x258, 0, 8);
	img[0x234] = 0;
	cr_assert_eq(load(), 0);
	cr_assert_eq(k.load_addr, LOADER_HIMEM_START);
}

Test(bzimage, trailing_bytes_after_syssize_are_ignored)
{
	uint8_t *big = calloc(1, FX_BZ_SIZE + 1472);

	memcpy(big, img, FX_BZ_SIZE);
	cr_assert_eq(loader_bzimage_load(map, big, FX_BZ_SIZE + 1472, NULL, &k), 0);
	cr_assert_eq(k.bz.kernel_size, FX_BZ_KERNEL_SIZE);
	free(big);
}

Test(bzimage, rejects_tiny_file)
{
	cr_assert_eq(parse(0x200), -ENOEXEC);
}

Test(bzimage, rejects_missing_boot_flag)
{
	img[0x1fe] = 0;
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOEXEC);
}

Test(bzimage, rejects_missing_hdrs_magic)
{
	img[0x205] = 'T';
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOEXEC);
}

Test(bzimage, rejects_old_protocol_version)
{
	fx_put(img, 0x206, 0x0205, 2);
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOTSUP);
}

Test(bzimage, rejects_zimage_without_loaded_high)
{
	img[0x211] = 0;
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOTSUP);
}

Test(bzimage, rejects_header_shorter_than_its_version)
{
	img[0x201] = 0x40; /* header ends at 0x242, 2.15 needs 0x264 */
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOEXEC);
}

Test(bzimage, rejects_header_past_end_of_file)
{
	cr_assert_eq(parse(0x240), -ENOEXEC);
}

Test(bzimage, rejects_setup_sectors_past_end_of_file)
{
	img[0x1f1] = 0xff;
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOEXEC);
}

Test(bzimage, rejects_truncated_kernel)
{
	cr_assert_eq(parse(FX_BZ_SIZE - 1), -ENOEXEC);
}

Test(bzimage, rejects_huge_syssize)
{
	fx_put(img, 0x1f4, 0xffffffff, 4);
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOEXEC);
}

Test(bzimage, rejects_zero_syssize)
{
	fx_put(img, 0x1f4, 0, 4);
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOEXEC);
}

Test(bzimage, rejects_payload_past_the_kernel)
{
	fx_put(img, 0x24c, FX_BZ_KERNEL_SIZE, 4);
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOEXEC);
}

Test(bzimage, rejects_payload_offset_overflow)
{
	fx_put(img, 0x248, 0xffffff00, 4);
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOEXEC);
}

Test(bzimage, rejects_alignment_not_a_power_of_two)
{
	fx_put(img, 0x230, 0x300000, 4);
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOEXEC);
}

Test(bzimage, rejects_min_alignment_above_kernel_alignment)
{
	img[0x235] = 22;
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOEXEC);
}

Test(bzimage, rejects_init_size_below_kernel_size)
{
	fx_put(img, 0x260, FX_BZ_KERNEL_SIZE - 16, 4);
	cr_assert_eq(parse(FX_BZ_SIZE), -ENOEXEC);
}

Test(bzimage, rejects_pref_address_that_wraps)
{
	img[0x234] = 0;
	fx_put(img, 0x258, UINT64_MAX - 0x1000, 8);
	cr_assert_eq(load(), -EFAULT);
}

Test(bzimage, failed_load_writes_nothing)
{
	uint8_t b = 1;

	img[0x234] = 0;
	fx_put(img, 0x258, 0x4000000 - 0x1000, 8);
	cr_assert_eq(load(), -EFAULT);
	cr_assert_eq(vmmem_load_u8(map, 0x4000000 - 0x1000, &b), 0);
	cr_assert_eq(b, 0);
}

/* Issue 13: a non-relocatable kernel with pref_address 0x1000 was loaded
 * over 0x1000-0x11000, on the zero page and the page tables. */
Test(bzimage, rejects_non_relocatable_kernel_on_the_boot_area)
{
	uint8_t b = 1;

	img[0x234] = 0;
	fx_put(img, 0x258, 0x1000, 8);
	cr_assert_eq(load(), -EADDRINUSE);
	cr_assert_eq(k.format, LOADER_FORMAT_BZIMAGE);
	cr_assert_eq(k.overlap.segment, LOADER_KERNEL_SEGMENT_BZIMAGE);
	cr_assert_eq(k.overlap.start, 0x1000);
	cr_assert_eq(k.overlap.end, 0x1000 + FX_BZ_INIT_SIZE);
	cr_assert_str_eq(k.overlap.area->name, "PVH start info");
	cr_assert_eq(vmmem_load_u8(map, 0x1000, &b), 0);
	cr_assert_eq(b, 0, "nothing written");
}

Test(bzimage, rejects_kernel_straddling_1mib)
{
	img[0x234] = 0;
	fx_put(img, 0x258, LOADER_HIMEM_START - 0x1000, 8);
	cr_assert_eq(load(), -EADDRINUSE);
	cr_assert_str_eq(k.overlap.area->name, "MP table");
}

Test(bzimage, relocatable_kernel_with_pref_in_the_boot_area_moves)
{
	fx_put(img, 0x230, 0x1000, 4);	/* kernel_alignment 4 KiB */
	img[0x235] = 12;
	fx_put(img, 0x258, LOADER_ZERO_PAGE_START, 8);
	cr_assert_eq(load(), 0);
	cr_assert_eq(k.load_addr, LOADER_KERNEL_START);
}

Test(bzimage, caller_address_in_the_boot_area_is_refused)
{
	fx_put(img, 0x230, 0x1000, 4);
	img[0x235] = 12;
	cr_assert_eq(load_at(LOADER_CMDLINE_START), -EADDRINUSE);
	cr_assert_str_eq(k.overlap.area->name, "command line");
}

Test(bzimage, overlap_error_names_the_kernel_and_address)
{
	char msg[256];

	img[0x234] = 0;
	fx_put(img, 0x258, 0x1000, 8);
	cr_assert_eq(load(), -EADDRINUSE);
	cr_assert_gt(loader_kernel_strerror(-EADDRINUSE, &k, msg, sizeof(msg)), 0);
	cr_assert(strstr(msg, "bzImage protected-mode kernel at [0x1000, 0x11000)") != NULL,
		  "%s", msg);
}

/* Regression (found by fuzz-loader-bzimage): a relocatable kernel whose
 * preferred address is off its alignment is moved to an aligned one, the
 * next one up (it never runs below pref_address). */
Test(bzimage, relocatable_kernel_is_never_loaded_unaligned)
{
	fx_put(img, 0x258, FX_BZ_PREF + 0x1000, 8);
	cr_assert_eq(load(), 0);
	cr_assert_eq(k.load_addr % FX_BZ_ALIGN, 0);
	cr_assert_eq(k.load_addr, FX_BZ_PREF + FX_BZ_ALIGN);
}
