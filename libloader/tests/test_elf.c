// SPDX-License-Identifier: MIT
// ELF vmlinux loading: placement by p_paddr, zero fill, entry, PVH note,
// and one test per rejection of a hostile image.
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <loader/elf.h>
#include <loader/layout.h>

#include "fixtures.h"

static struct vmmem_map *map;
static uint8_t *img;
static struct loader_kernel k;

static void setup(void)
{
	map = fx_map(0x4000000, 0);
	img = fx_elf();
}

static void teardown(void)
{
	free(img);
	vmmem_map_free(map);
}

TestSuite(elf, .init = setup, .fini = teardown);

static int load(size_t size)
{
	return loader_elf_load(map, img, size, NULL, &k);
}

Test(elf, segments_land_at_their_physical_addresses)
{
	uint8_t got[FX_SEG0_FILESZ];

	cr_assert_eq(load(FX_ELF_SIZE), 0);
	cr_assert_eq(vmmem_read(map, FX_SEG0_PADDR, got, sizeof(got)), 0);
	cr_assert_arr_eq(got, img + FX_SEG0_OFF, sizeof(got));
	cr_assert_eq(vmmem_read(map, FX_SEG1_PADDR, got, FX_SEG1_FILESZ), 0);
	cr_assert_arr_eq(got, img + FX_SEG1_OFF, FX_SEG1_FILESZ);
	cr_assert_eq(k.format, LOADER_FORMAT_ELF);
	cr_assert_eq(k.load_addr, FX_SEG0_PADDR);
	cr_assert_eq(k.load_end, FX_SEG1_PADDR + FX_SEG1_FILESZ);
}

Test(elf, memsz_beyond_filesz_is_zeroed)
{
	uint8_t b = 0;

	cr_assert_eq(vmmem_fill(map, FX_SEG0_PADDR, 0xee, FX_SEG0_MEMSZ + 1), 0);
	cr_assert_eq(load(FX_ELF_SIZE), 0);
	for (uint64_t a = FX_SEG0_PADDR + FX_SEG0_FILESZ; a < FX_SEG0_PADDR + FX_SEG0_MEMSZ; a += 0x1f) {
		cr_assert_eq(vmmem_load_u8(map, a, &b), 0);
		cr_assert_eq(b, 0, "byte at %#llx", (unsigned long long)a);
	}
	cr_assert_eq(vmmem_load_u8(map, FX_SEG0_PADDR + FX_SEG0_MEMSZ - 1, &b), 0);
	cr_assert_eq(b, 0);
	cr_assert_eq(vmmem_load_u8(map, FX_SEG0_PADDR + FX_SEG0_MEMSZ, &b), 0);
	cr_assert_eq(b, 0xee, "nothing past memsz is touched");
}

/* With memory_zeroed the loader trusts the caller: the .bss is not written
 * at all (the 0xee stays to show it), while the file bytes still are. */
Test(elf, memory_zeroed_leaves_the_bss_unwritten)
{
	const struct loader_kernel_opts opts = { .memory_zeroed = true };
	uint8_t b = 0;

	cr_assert_eq(vmmem_fill(map, FX_SEG0_PADDR, 0xee, FX_SEG0_MEMSZ), 0);
	cr_assert_eq(loader_elf_load(map, img, FX_ELF_SIZE, &opts, &k), 0);
	cr_assert_eq(vmmem_load_u8(map, FX_SEG0_PADDR, &b), 0);
	cr_assert_eq(b, img[FX_SEG0_OFF]);
	cr_assert_eq(vmmem_load_u8(map, FX_SEG0_PADDR + FX_SEG0_FILESZ - 1, &b), 0);
	cr_assert_eq(b, img[FX_SEG0_OFF + FX_SEG0_FILESZ - 1]);
	for (uint64_t a = FX_SEG0_PADDR + FX_SEG0_FILESZ; a < FX_SEG0_PADDR + FX_SEG0_MEMSZ; a += 0x1f) {
		cr_assert_eq(vmmem_load_u8(map, a, &b), 0);
		cr_assert_eq(b, 0xee, "byte at %#llx", (unsigned long long)a);
	}
}

Test(elf, physical_entry_is_returned)
{
	cr_assert_eq(load(FX_ELF_SIZE), 0);
	cr_assert_eq(k.entry, FX_ENTRY);
	cr_assert(k.has_entry64);
}

Test(elf, virtual_entry_is_translated_through_its_segment)
{
	fx_ehdr(img)->e_entry = FX_SEG1_VADDR + 0x20;
	cr_assert_eq(load(FX_ELF_SIZE), 0);
	cr_assert_eq(k.entry, FX_SEG1_PADDR + 0x20);
}

Test(elf, pvh_entry_comes_from_the_xen_note)
{
	cr_assert_eq(load(FX_ELF_SIZE), 0);
	cr_assert(k.has_pvh);
	cr_assert_eq(k.pvh_entry, FX_PVH_ENTRY);
}

Test(elf, four_byte_pvh_note_is_accepted)
{
	uint32_t v = FX_PVH_ENTRY + 4;
	size_t n = fx_note(img + FX_ELF_NOTES, 18, &v, 4);

	fx_phdr(img, 2)->p_filesz = n;
	cr_assert_eq(load(FX_ELF_SIZE), 0);
	cr_assert_eq(k.pvh_entry, FX_PVH_ENTRY + 4);
}

Test(elf, image_without_pvh_note_has_no_pvh_entry)
{
	fx_phdr(img, 2)->p_type = PT_NULL;
	cr_assert_eq(load(FX_ELF_SIZE), 0);
	cr_assert_not(k.has_pvh);
}

Test(elf, parse_does_not_touch_guest_memory)
{
	uint8_t b = 1;

	cr_assert_eq(loader_elf_parse(map, img, FX_ELF_SIZE, &k), 0);
	cr_assert_eq(vmmem_load_u8(map, FX_SEG0_PADDR, &b), 0);
	cr_assert_eq(b, 0);
}

Test(elf, rejects_non_elf)
{
	img[0] = 'X';
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_truncated_header)
{
	cr_assert_eq(load(sizeof(Elf64_Ehdr) - 1), -ENOEXEC);
}

Test(elf, rejects_elf32)
{
	img[EI_CLASS] = ELFCLASS32;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOTSUP);
}

Test(elf, rejects_big_endian)
{
	img[EI_DATA] = ELFDATA2MSB;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOTSUP);
}

Test(elf, rejects_bad_ident_version)
{
	img[EI_VERSION] = 7;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_foreign_machine)
{
	fx_ehdr(img)->e_machine = EM_AARCH64;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOTSUP);
}

Test(elf, rejects_relocatable_object)
{
	fx_ehdr(img)->e_type = ET_REL;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_position_independent_executable)
{
	fx_ehdr(img)->e_type = ET_DYN;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOTSUP);
}

Test(elf, rejects_program_headers_past_end_of_file)
{
	fx_ehdr(img)->e_phoff = FX_ELF_SIZE - sizeof(Elf64_Phdr);
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_huge_program_header_offset)
{
	fx_ehdr(img)->e_phoff = UINT64_MAX - 8;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_wrong_phentsize)
{
	fx_ehdr(img)->e_phentsize = sizeof(Elf64_Phdr) - 1;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_zero_program_headers)
{
	fx_ehdr(img)->e_phnum = 0;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_too_many_program_headers)
{
	fx_ehdr(img)->e_phnum = LOADER_ELF_MAX_PHDRS + 1;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_image_without_load_segments)
{
	fx_phdr(img, 0)->p_type = PT_NULL;
	fx_phdr(img, 1)->p_type = PT_NULL;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_segment_data_past_end_of_file)
{
	fx_phdr(img, 1)->p_offset = FX_ELF_SIZE - FX_SEG1_FILESZ + 1;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_truncated_file)
{
	cr_assert_eq(load(FX_ELF_SIZE - 1), -ENOEXEC);
}

Test(elf, rejects_segment_offset_overflow)
{
	fx_phdr(img, 1)->p_offset = UINT64_MAX - 0x10;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_filesz_above_memsz)
{
	fx_phdr(img, 1)->p_memsz = FX_SEG1_FILESZ - 1;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

/* Regression: PT_LOAD entries with p_memsz 0 were
 * skipped before any check (gABI: p_filesz may not exceed p_memsz). */
Test(elf, rejects_empty_load_segment_with_file_bytes)
{
	fx_phdr(img, 1)->p_memsz = 0;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_empty_load_segment_past_end_of_file)
{
	fx_phdr(img, 1)->p_memsz = 0;
	fx_phdr(img, 1)->p_filesz = 0;
	fx_phdr(img, 1)->p_offset = FX_ELF_SIZE + 1;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, empty_load_segment_is_ignored)
{
	fx_phdr(img, 1)->p_memsz = 0;
	fx_phdr(img, 1)->p_filesz = 0;
	fx_phdr(img, 1)->p_paddr = 0;	/* would be in the boot area */
	cr_assert_eq(load(FX_ELF_SIZE), 0);
	cr_assert_eq(k.load_end, FX_SEG0_PADDR + FX_SEG0_MEMSZ);
}

Test(elf, rejects_physical_range_that_wraps)
{
	fx_phdr(img, 0)->p_paddr = UINT64_MAX - 0x100;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_huge_memsz_as_unbacked)
{
	fx_phdr(img, 0)->p_memsz = 0x100000000000ull;
	cr_assert_eq(load(FX_ELF_SIZE), -EFAULT);
}

Test(elf, rejects_segment_outside_the_map)
{
	fx_phdr(img, 1)->p_paddr = 0x4000000 - FX_SEG1_FILESZ + 1;
	cr_assert_eq(load(FX_ELF_SIZE), -EFAULT);
}

Test(elf, rejects_overlapping_segments)
{
	fx_phdr(img, 1)->p_paddr = FX_SEG0_PADDR + FX_SEG0_MEMSZ - 1;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

/* Issue 13: a PT_LOAD on the zero page loaded with rc 0, and the boot
 * params written later silently overwrote it. */
Test(elf, rejects_segment_on_the_zero_page)
{
	uint8_t b = 1;

	fx_phdr(img, 1)->p_paddr = LOADER_ZERO_PAGE_START;
	cr_assert_eq(load(FX_ELF_SIZE), -EADDRINUSE);
	cr_assert_eq(k.format, LOADER_FORMAT_ELF);
	cr_assert_eq(k.overlap.segment, 1, "program header index");
	cr_assert_eq(k.overlap.start, LOADER_ZERO_PAGE_START);
	cr_assert_eq(k.overlap.end, LOADER_ZERO_PAGE_START + FX_SEG1_FILESZ);
	cr_assert_not_null(k.overlap.area);
	cr_assert_str_eq(k.overlap.area->name, "zero page");
	cr_assert_eq(vmmem_load_u8(map, LOADER_ZERO_PAGE_START, &b), 0);
	cr_assert_eq(b, 0, "nothing written");
}

Test(elf, parse_rejects_segment_in_the_boot_area_too)
{
	fx_phdr(img, 0)->p_paddr = LOADER_PAGE_TABLES_START;
	cr_assert_eq(loader_elf_parse(NULL, img, FX_ELF_SIZE, &k), -EADDRINUSE);
	cr_assert_eq(k.overlap.segment, 0);
	cr_assert_str_eq(k.overlap.area->name, "page tables");
}

Test(elf, rejects_segment_in_a_gap_of_the_boot_area)
{
	fx_phdr(img, 1)->p_paddr = 0x40000;	/* between cmdline and EBDA */
	cr_assert_eq(load(FX_ELF_SIZE), -EADDRINUSE);
	cr_assert_eq(k.overlap.area->start, LOADER_BOOT_AREA_START);
	cr_assert_eq(k.overlap.area->size, LOADER_BOOT_AREA_END - LOADER_BOOT_AREA_START);
}

Test(elf, rejects_segment_reaching_into_the_boot_area_from_below_1mib)
{
	fx_phdr(img, 0)->p_paddr = LOADER_HIMEM_START - 0x10;
	cr_assert_eq(load(FX_ELF_SIZE), -EADDRINUSE);
	cr_assert_str_eq(k.overlap.area->name, "MP table");
}

Test(elf, segment_starting_at_1mib_is_accepted)
{
	cr_assert_eq(fx_phdr(img, 0)->p_paddr, LOADER_HIMEM_START);
	cr_assert_eq(load(FX_ELF_SIZE), 0);
	cr_assert_null(k.overlap.area);
}

Test(elf, overlap_error_names_segment_and_address)
{
	char msg[256];

	fx_phdr(img, 1)->p_paddr = LOADER_ZERO_PAGE_START;
	cr_assert_eq(load(FX_ELF_SIZE), -EADDRINUSE);
	cr_assert_gt(loader_kernel_strerror(-EADDRINUSE, &k, msg, sizeof(msg)), 0);
	cr_assert(strstr(msg, "ELF program header 1 at [0x7000,") != NULL, "%s", msg);
	cr_assert(strstr(msg, "zero page [0x7000, 0x8000)") != NULL, "%s", msg);
}

Test(elf, rejects_entry_outside_every_segment)
{
	fx_ehdr(img)->e_entry = 0x3000000;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_pvh_note_of_odd_size)
{
	uint16_t v = 0x1234;
	size_t n = fx_note(img + FX_ELF_NOTES, 18, &v, 2);

	fx_phdr(img, 2)->p_filesz = n;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_pvh_entry_outside_the_image)
{
	uint64_t v = 0x3000000;
	size_t n = fx_note(img + FX_ELF_NOTES, 18, &v, 8);

	fx_phdr(img, 2)->p_filesz = n;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

/* Regression: a note header that overran its segment
 * ended the note scan silently, and the image loaded as one without PVH. */
Test(elf, rejects_note_name_overrunning_the_segment)
{
	((Elf64_Nhdr *)(void *)(img + FX_ELF_NOTES))->n_namesz = 0xffffffffu;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_note_desc_overrunning_the_segment)
{
	((Elf64_Nhdr *)(void *)(img + FX_ELF_NOTES))->n_descsz = 0xfffffffcu;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_pvh_note_truncated_by_the_segment)
{
	fx_phdr(img, 2)->p_filesz -= 4;	/* cuts the 8-byte PVH value short */
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

/* With the stricter note checks, reading an 8-aligned note segment with
 * 4-byte padding would misread the note after "Linux\0" and refuse it. */
Test(elf, eight_byte_aligned_note_segment_uses_eight_byte_padding)
{
	uint8_t *n = img + FX_ELF_NOTES;
	Elf64_Nhdr a = { .n_namesz = 6, .n_descsz = 4, .n_type = 1 };
	Elf64_Nhdr b = { .n_namesz = 4, .n_descsz = 8, .n_type = 18 };
	uint32_t version = 0x100;
	uint64_t pvh = FX_PVH_ENTRY;

	memset(n, 0, 0x100);
	memcpy(n, &a, 12);
	memcpy(n + 12, "Linux", 6);
	memcpy(n + 24, &version, 4);	/* name padded to 8 */
	memcpy(n + 32, &b, 12);		/* desc padded to 8 */
	memcpy(n + 44, "Xen", 4);
	memcpy(n + 48, &pvh, 8);
	fx_phdr(img, 2)->p_filesz = fx_phdr(img, 2)->p_memsz = 56;
	fx_phdr(img, 2)->p_align = 8;
	cr_assert_eq(load(FX_ELF_SIZE), 0);
	cr_assert(k.has_pvh);
	cr_assert_eq(k.pvh_entry, FX_PVH_ENTRY);
}

/* Every note is checked, also those after the PVH note. */
Test(elf, rejects_note_segment_ending_inside_a_note_header)
{
	fx_phdr(img, 2)->p_filesz += 8;	/* 8 zero bytes: not a whole header */
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, rejects_note_segment_past_end_of_file)
{
	fx_phdr(img, 2)->p_offset = FX_ELF_SIZE - 8;
	cr_assert_eq(load(FX_ELF_SIZE), -ENOEXEC);
}

Test(elf, failed_load_writes_nothing)
{
	uint8_t b = 1;

	fx_phdr(img, 1)->p_paddr = 0x4000000 - 8; /* second segment unbacked */
	cr_assert_eq(load(FX_ELF_SIZE), -EFAULT);
	cr_assert_eq(vmmem_load_u8(map, FX_SEG0_PADDR, &b), 0);
	cr_assert_eq(b, 0, "first segment was not written");
}

Test(elf, null_arguments_are_rejected)
{
	cr_assert_eq(loader_elf_load(NULL, img, FX_ELF_SIZE, NULL, &k), -EINVAL);
	cr_assert_eq(loader_elf_load(map, NULL, FX_ELF_SIZE, NULL, &k), -EINVAL);
	cr_assert_eq(loader_elf_parse(map, img, FX_ELF_SIZE, NULL), -EINVAL);
}
