// SPDX-License-Identifier: MIT
// The snapshot state-file container (snap_file.h, docs/snapshot.md): the
// writer's layout read back by the reader, and every rejection of the
// reader with its one-line message: magic, format and section versions,
// truncation at every length, a flipped bit in each section and in the
// table, table entries outside the file, overlaps, duplicates, and cursors
// that run short or are not consumed.
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap_file.h"
#include "snap_le.h"

static uint8_t *file;
static size_t file_len;
static char err[512];

/* Three sections: vcpu[0] {u32, u64}, vcpu[1] {u16, u8}, config[0] {string}. */
static void build(void)
{
	struct vmm__snapw *w;

	cr_assert_eq(vmm__snapw_new(&w, "9.8.7-test"), 0);
	vmm__snapw_begin(w, VMM__SNAP_VCPU, 0, 1);
	vmm__snapw_u32(w, 0x11223344u);
	vmm__snapw_u64(w, 0x5566778899aabbccull);
	vmm__snapw_end(w);
	vmm__snapw_begin(w, VMM__SNAP_VCPU, 1, 1);
	vmm__snapw_u16(w, 0xbeef);
	vmm__snapw_u8(w, 0x7f);
	vmm__snapw_end(w);
	vmm__snapw_begin(w, VMM__SNAP_CONFIG, 0, 3);
	vmm__snapw_string(w, "hello");
	vmm__snapw_end(w);
	cr_assert_eq(vmm__snapw_finish(w, &file, &file_len), 0);
	vmm__snapw_free(w);
}

static void teardown(void)
{
	free(file);
	file = NULL;
}

TestSuite(snap_file, .init = build, .fini = teardown);

static int parse(const uint8_t *b, size_t n, struct vmm__snapr **r)
{
	err[0] = 0;
	return vmm__snapr_parse(r, b, n, "state.bin", err, sizeof(err));
}

static int parse_fails(void)
{
	struct vmm__snapr *r = NULL;
	int rc = parse(file, file_len, &r);

	cr_assert_neq(rc, 0, "accepted a corrupt file");
	cr_assert_null(r);
	cr_assert(!strchr(err, '\n'), "one line: %s", err);
	return rc;
}

static uint8_t *entry(unsigned i)
{
	return file + VMM__SNAP_HEADER_SIZE + i * VMM__SNAP_ENTRY_SIZE;
}

/* Recomputes the header CRC after a deliberate edit of the table. */
static void reseal(void)
{
	size_t table_end = VMM__SNAP_HEADER_SIZE +
			   vmm__le32_get(file + 12) * (size_t)VMM__SNAP_ENTRY_SIZE;

	vmm__le32_put(file + 60, vmm__snap_header_crc(file, table_end));
}

Test(snap_file, round_trip_reads_every_field_back)
{
	struct vmm__snapr *r;
	struct vmm__snapc c;
	uint32_t a, type, inst, ver;
	uint64_t b;
	uint16_t h;
	uint8_t x;
	char s[16];

	cr_assert_eq(parse(file, file_len, &r), 0, "%s", err);
	cr_assert_str_eq(vmm__snapr_cvmm_version(r), "9.8.7-test");
	cr_assert_eq(vmm__snapr_count(r), 3);
	cr_assert_eq(vmm__snapr_section(r, 2, &type, &inst, &ver), 0);
	cr_assert_eq(type, VMM__SNAP_CONFIG);
	cr_assert_eq(ver, 3);
	cr_assert_eq(vmm__snapr_section(r, 3, &type, &inst, &ver), -EINVAL);
	cr_assert_eq(vmm__snapr_open_version(r, VMM__SNAP_VCPU, 0, 1, &c, err, sizeof(err)), 0);
	cr_assert_eq(vmm__snapc_u32(&c, &a), 0);
	cr_assert_eq(vmm__snapc_u64(&c, &b), 0);
	cr_assert_eq(a, 0x11223344u);
	cr_assert_eq(b, 0x5566778899aabbccull);
	cr_assert_eq(vmm__snapc_done(&c), 0);
	cr_assert_eq(vmm__snapr_open(r, VMM__SNAP_VCPU, 1, &c, err, sizeof(err)), 0);
	cr_assert_eq(vmm__snapc_u16(&c, &h), 0);
	cr_assert_eq(vmm__snapc_u8(&c, &x), 0);
	cr_assert_eq(h, 0xbeef);
	cr_assert_eq(x, 0x7f);
	cr_assert_eq(vmm__snapc_done(&c), 0);
	cr_assert_eq(vmm__snapr_open(r, VMM__SNAP_CONFIG, 0, &c, err, sizeof(err)), 0);
	cr_assert_eq(vmm__snapc_string(&c, s, sizeof(s), "greeting"), 0);
	cr_assert_str_eq(s, "hello");
	cr_assert_eq(vmm__snapc_done(&c), 0);
	vmm__snapr_free(r);
}

Test(snap_file, integers_are_little_endian_on_disk)
{
	/* vcpu[0]'s payload starts right after the 3-entry table. */
	const uint8_t *p = file + vmm__le64_get(entry(0) + 16);

	cr_assert_eq(memcmp(file, "CVMMSNAP", 8), 0);
	cr_assert_eq(file[8], VMM__SNAP_FORMAT_VERSION);
	cr_assert_eq(p[0], 0x44);
	cr_assert_eq(p[3], 0x11);
	cr_assert_eq(p[4], 0xcc);
	cr_assert_eq(p[11], 0x55);
	cr_assert_eq(vmm__le64_get(file + 48), file_len);
}

Test(snap_file, bad_magic_is_refused)
{
	file[0] = 'X';
	cr_assert_eq(parse_fails(), -EBADMSG);
	cr_assert_str_eq(err, "snapshot state.bin: not a cvmm state file (bad magic)");
}

Test(snap_file, newer_format_version_is_refused_naming_both)
{
	vmm__le32_put(file + 8, VMM__SNAP_FORMAT_VERSION + 1);
	cr_assert_eq(parse_fails(), -ENOTSUP);
	cr_assert(strstr(err, "format version 2, this cvmm reads format version 1"), "%s", err);
}

Test(snap_file, older_format_version_is_refused_naming_both)
{
	vmm__le32_put(file + 8, VMM__SNAP_FORMAT_VERSION - 1);
	cr_assert_eq(parse_fails(), -ENOTSUP);
	cr_assert(strstr(err, "format version 0, this cvmm reads format version 1"), "%s", err);
}

Test(snap_file, section_version_mismatch_is_refused_naming_both)
{
	struct vmm__snapr *r;
	struct vmm__snapc c;

	cr_assert_eq(parse(file, file_len, &r), 0);
	cr_assert_eq(vmm__snapr_open_version(r, VMM__SNAP_CONFIG, 0, 4, &c, err, sizeof(err)),
		     -ENOTSUP);
	cr_assert_str_eq(err, "snapshot state.bin: section config[0]: version 3, this cvmm reads version 4");
	vmm__snapr_free(r);
}

Test(snap_file, truncation_at_every_length_is_refused)
{
	for (size_t n = 0; n < file_len; n++) {
		struct vmm__snapr *r = NULL;

		cr_assert_eq(parse(file, n, &r), -EBADMSG, "length %zu", n);
		cr_assert(strstr(err, "truncated"), "length %zu: %s", n, err);
		cr_assert_null(r);
	}
}

Test(snap_file, appended_bytes_are_refused)
{
	uint8_t *big = calloc(1, file_len + 1);
	struct vmm__snapr *r = NULL;

	memcpy(big, file, file_len);
	cr_assert_eq(parse(big, file_len + 1, &r), -EBADMSG);
	cr_assert(strstr(err, "extended"), "%s", err);
	free(big);
}

Test(snap_file, flipped_bit_in_each_section_names_that_section)
{
	static const char *const names[] = { "vcpu[0]", "vcpu[1]", "config[0]" };

	for (unsigned s = 0; s < 3; s++) {
		uint64_t off = vmm__le64_get(entry(s) + 16);
		uint64_t len = vmm__le64_get(entry(s) + 24);

		for (uint64_t i = 0; i < len; i++) {
			for (unsigned bit = 0; bit < 8; bit += 7) {
				char want[128];

				file[off + i] ^= (uint8_t)(1u << bit);
				cr_assert_eq(parse_fails(), -EBADMSG);
				snprintf(want, sizeof(want),
					 "snapshot state.bin: section %s CRC mismatch", names[s]);
				cr_assert_str_eq(err, want);
				file[off + i] ^= (uint8_t)(1u << bit);
			}
		}
	}
}

Test(snap_file, flipped_bit_in_table_or_version_field_fails_the_header_crc)
{
	size_t table_end = VMM__SNAP_HEADER_SIZE + 3 * VMM__SNAP_ENTRY_SIZE;

	for (size_t i = 16; i < table_end; i++) {
		if (i >= 48 && i < 64)
			continue;	/* file size and the CRC itself: tested apart */
		file[i] ^= 0x04;
		cr_assert_eq(parse_fails(), -EBADMSG);
		cr_assert_str_eq(err, "snapshot state.bin: header CRC mismatch", "byte %zu", i);
		file[i] ^= 0x04;
	}
	file[60] ^= 1;
	parse_fails();
	cr_assert_str_eq(err, "snapshot state.bin: header CRC mismatch");
}

Test(snap_file, section_count_over_the_cap_is_refused)
{
	vmm__le32_put(file + 12, VMM__SNAP_MAX_SECTIONS + 1);
	cr_assert_eq(parse_fails(), -EBADMSG);
	cr_assert(strstr(err, "at most 4096"), "%s", err);
}

Test(snap_file, table_running_past_the_file_is_refused)
{
	vmm__le32_put(file + 12, 40);
	cr_assert_eq(parse_fails(), -EBADMSG);
	cr_assert(strstr(err, "section table (40 entries) runs past the end"), "%s", err);
}

Test(snap_file, offset_plus_length_overflow_is_refused)
{
	vmm__le64_put(entry(1) + 16, UINT64_MAX - 2);
	vmm__le64_put(entry(1) + 24, 16);
	reseal();
	cr_assert_eq(parse_fails(), -EBADMSG);
	cr_assert_str_eq(err, "snapshot state.bin: section vcpu[1] lies outside the file");
}

Test(snap_file, length_past_the_end_is_refused)
{
	vmm__le64_put(entry(2) + 24, vmm__le64_get(entry(2) + 24) + 1);
	reseal();
	parse_fails();
	cr_assert_str_eq(err, "snapshot state.bin: section config[0] lies outside the file");
}

Test(snap_file, section_inside_the_table_is_refused)
{
	vmm__le64_put(entry(0) + 16, VMM__SNAP_HEADER_SIZE);
	reseal();
	parse_fails();
	cr_assert_str_eq(err, "snapshot state.bin: section vcpu[0] lies outside the file");
}

Test(snap_file, overlapping_sections_are_refused)
{
	/* vcpu[1] starts one byte before vcpu[0] ends. */
	uint64_t end0 = vmm__le64_get(entry(0) + 16) + vmm__le64_get(entry(0) + 24);

	vmm__le64_put(entry(1) + 16, end0 - 1);
	reseal();
	parse_fails();
	cr_assert_str_eq(err, "snapshot state.bin: sections vcpu[0] and vcpu[1] overlap");
}

Test(snap_file, duplicate_section_is_refused)
{
	vmm__le32_put(entry(1) + 4, 0);	/* vcpu[1] becomes a second vcpu[0] */
	reseal();
	parse_fails();
	cr_assert_str_eq(err, "snapshot state.bin: section vcpu[0] appears twice");
}

Test(snap_file, missing_section_is_enoent_with_its_name)
{
	struct vmm__snapr *r;
	struct vmm__snapc c;

	cr_assert_eq(parse(file, file_len, &r), 0);
	cr_assert_not(vmm__snapr_has(r, VMM__SNAP_BLK, 0));
	cr_assert_eq(vmm__snapr_open(r, VMM__SNAP_BLK, 0, &c, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "snapshot state.bin: no section blk[0]");
	vmm__snapr_free(r);
}

Test(snap_file, short_cursor_fails_and_stays_failed)
{
	struct vmm__snapr *r;
	struct vmm__snapc c;
	uint64_t v;
	uint8_t b;

	cr_assert_eq(parse(file, file_len, &r), 0);
	cr_assert_eq(vmm__snapr_open(r, VMM__SNAP_VCPU, 1, &c, err, sizeof(err)), 0);
	cr_assert_eq(vmm__snapc_u64(&c, &v), -EBADMSG);
	cr_assert_str_eq(err, "snapshot state.bin: section vcpu[1]: truncated: 8 bytes needed at byte 0 of 3");
	/* Sticky: a byte that would fit is still refused. */
	cr_assert_eq(vmm__snapc_u8(&c, &b), -EBADMSG);
	cr_assert_eq(vmm__snapc_done(&c), -EBADMSG);
	vmm__snapr_free(r);
}

Test(snap_file, unconsumed_cursor_is_refused)
{
	struct vmm__snapr *r;
	struct vmm__snapc c;
	uint32_t v;

	cr_assert_eq(parse(file, file_len, &r), 0);
	cr_assert_eq(vmm__snapr_open(r, VMM__SNAP_VCPU, 0, &c, err, sizeof(err)), 0);
	cr_assert_eq(vmm__snapc_u32(&c, &v), 0);
	cr_assert_eq(vmm__snapc_done(&c), -EBADMSG);
	cr_assert_str_eq(err, "snapshot state.bin: section vcpu[0]: 8 trailing bytes after the last field");
	vmm__snapr_free(r);
}

Test(snap_file, string_longer_than_its_field_is_refused)
{
	struct vmm__snapr *r;
	struct vmm__snapc c;
	char s[5];

	cr_assert_eq(parse(file, file_len, &r), 0);
	cr_assert_eq(vmm__snapr_open(r, VMM__SNAP_CONFIG, 0, &c, err, sizeof(err)), 0);
	cr_assert_eq(vmm__snapc_string(&c, s, sizeof(s), "greeting"), -EBADMSG);
	cr_assert(strstr(err, "greeting: 5 bytes, at most 4 fit"), "%s", err);
	vmm__snapr_free(r);
}

static void one_section(const void *payload, size_t n)
{
	struct vmm__snapw *w;

	free(file);
	cr_assert_eq(vmm__snapw_new(&w, "t"), 0);
	vmm__snapw_begin(w, VMM__SNAP_CMOS, 0, 1);
	vmm__snapw_bytes(w, payload, n);
	vmm__snapw_end(w);
	cr_assert_eq(vmm__snapw_finish(w, &file, &file_len), 0);
	vmm__snapw_free(w);
}

Test(snap_file, string_with_a_nul_byte_is_refused)
{
	const uint8_t p[] = { 3, 0, 0, 0, 'a', 0, 'b' };
	struct vmm__snapr *r;
	struct vmm__snapc c;
	char s[8];

	one_section(p, sizeof(p));
	cr_assert_eq(parse(file, file_len, &r), 0);
	cr_assert_eq(vmm__snapr_open(r, VMM__SNAP_CMOS, 0, &c, err, sizeof(err)), 0);
	cr_assert_eq(vmm__snapc_string(&c, s, sizeof(s), "path"), -EBADMSG);
	cr_assert(strstr(err, "path: contains a NUL byte"), "%s", err);
	vmm__snapr_free(r);
}

Test(snap_file, boolean_other_than_0_or_1_is_refused)
{
	const uint8_t p[] = { 2 };
	struct vmm__snapr *r;
	struct vmm__snapc c;
	bool b;

	one_section(p, sizeof(p));
	cr_assert_eq(parse(file, file_len, &r), 0);
	cr_assert_eq(vmm__snapr_open(r, VMM__SNAP_CMOS, 0, &c, err, sizeof(err)), 0);
	cr_assert_eq(vmm__snapc_bool(&c, &b, "acpi"), -EBADMSG);
	cr_assert(strstr(err, "acpi: 2 is not a boolean"), "%s", err);
	vmm__snapr_free(r);
}

Test(snap_file, writer_refuses_a_duplicate_section)
{
	struct vmm__snapw *w;
	uint8_t *b;
	size_t n;

	cr_assert_eq(vmm__snapw_new(&w, "t"), 0);
	vmm__snapw_begin(w, VMM__SNAP_PIT, 0, 1);
	vmm__snapw_end(w);
	vmm__snapw_begin(w, VMM__SNAP_PIT, 0, 1);
	cr_assert_eq(vmm__snapw_error(w), -EEXIST);
	cr_assert_eq(vmm__snapw_finish(w, &b, &n), -EEXIST);
	vmm__snapw_free(w);
}

Test(snap_file, writer_refuses_fields_outside_a_section_and_unclosed_sections)
{
	struct vmm__snapw *w;
	uint8_t *b;
	size_t n;

	cr_assert_eq(vmm__snapw_new(&w, "t"), 0);
	vmm__snapw_u32(w, 1);
	cr_assert_eq(vmm__snapw_error(w), -EINVAL);
	vmm__snapw_free(w);
	cr_assert_eq(vmm__snapw_new(&w, "t"), 0);
	vmm__snapw_begin(w, VMM__SNAP_PIT, 0, 1);
	cr_assert_eq(vmm__snapw_finish(w, &b, &n), -EINVAL);
	vmm__snapw_begin(w, VMM__SNAP_CLOCK, 0, 1);	/* nested */
	cr_assert_eq(vmm__snapw_error(w), -EINVAL);
	vmm__snapw_free(w);
}

Test(snap_file, empty_file_with_no_sections_is_valid)
{
	struct vmm__snapw *w;
	struct vmm__snapr *r;

	free(file);
	cr_assert_eq(vmm__snapw_new(&w, "t"), 0);
	cr_assert_eq(vmm__snapw_finish(w, &file, &file_len), 0);
	vmm__snapw_free(w);
	cr_assert_eq(file_len, VMM__SNAP_HEADER_SIZE);
	cr_assert_eq(parse(file, file_len, &r), 0);
	cr_assert_eq(vmm__snapr_count(r), 0);
	vmm__snapr_free(r);
}

static char dir[] = "/tmp/cvmm-snap-XXXXXX";

Test(snap_file, write_file_is_atomic_0600_and_loads_back)
{
	struct vmm__snapw *w;
	struct vmm__snapr *r;
	struct stat st;
	char path[64];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.bin", dir);
	cr_assert_eq(vmm__snapw_new(&w, "1.0"), 0);
	vmm__snapw_begin(w, VMM__SNAP_CLOCK, 0, 1);
	vmm__snapw_u64(w, 42);
	vmm__snapw_end(w);
	cr_assert_eq(vmm__snapw_write_file(w, path, err, sizeof(err)), 0, "%s", err);
	vmm__snapw_free(w);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(vmm__snapr_load_file(&r, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(vmm__snapr_cvmm_version(r), "1.0");
	cr_assert(vmm__snapr_has(r, VMM__SNAP_CLOCK, 0));
	vmm__snapr_free(r);
	/* No temporary file is left beside it. */
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
	cr_assert_eq(system(cmd), 0);
	unlink(path);
	rmdir(dir);
}

Test(snap_file, load_refuses_a_missing_or_oversized_file)
{
	struct vmm__snapr *r = NULL;
	char path[64];
	int fd;

	cr_assert_eq(vmm__snapr_load_file(&r, "/nonexistent/state.bin", err, sizeof(err)),
		     -ENOENT);
	cr_assert(strstr(err, "snapshot /nonexistent/state.bin: cannot open"), "%s", err);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, VMM__SNAP_MAX_FILE + 1), 0);
	close(fd);
	cr_assert_eq(vmm__snapr_load_file(&r, path, err, sizeof(err)), -EFBIG);
	cr_assert(strstr(err, "larger than the 64 MiB limit"), "%s", err);
	cr_assert_null(r);
	unlink(path);
	rmdir(dir);
}
