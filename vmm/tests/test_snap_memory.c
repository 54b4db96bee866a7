// SPDX-License-Identifier: MIT
// The snapshot memory file (snap_memory.h): zero pages are holes (checked
// with st_blocks), the layout round-trips, restore maps the file
// MAP_PRIVATE (guest writes never reach it) or copies it, and refuses a
// file whose size does not match the layout.
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmmem/access.h>

#include "snap_memory.h"

#define MIB (1024u * 1024u)

static struct vmmem_map *map;
static char dir[] = "/tmp/cvmm-mem-XXXXXX";
static char path[64];
static char err[512];
static struct vmm__snap_mem_layout layout;

/* 4 MiB at 0 and 1 MiB at 4 GiB, with data in three pages only. */
static void setup(void)
{
	struct vmmem_region_desc lo = { .gpa = 0, .size = 4 * MIB };
	struct vmmem_region_desc hi = { .gpa = 1ull << 32, .size = MIB };

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mem", dir);
	cr_assert_eq(vmmem_map_new(&map), 0);
	cr_assert_eq(vmmem_map_add_region(map, &lo), 0);
	cr_assert_eq(vmmem_map_add_region(map, &hi), 0);
	cr_assert_eq(vmmem_write(map, 0x1000, "first", 5), 0);
	cr_assert_eq(vmmem_write(map, 3 * MIB + 0xfff, "x", 1), 0);
	cr_assert_eq(vmmem_write(map, (1ull << 32) + MIB - 1, "z", 1), 0);
}

static void teardown(void)
{
	char cmd[128];

	vmmem_map_free(map);
	/* The snapshot-pair tests leave more than one file. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd)) {
	}
}

TestSuite(snap_memory, .init = setup, .fini = teardown);

static void read_at(const struct vmmem_map *m, uint64_t gpa, char *buf, size_t n)
{
	memset(buf, 0, n + 1);
	cr_assert_eq(vmmem_read(m, gpa, buf, n), 0);
}

Test(snap_memory, zero_pages_are_holes_and_layout_is_contiguous)
{
	struct stat st;

	cr_assert_eq(vmm__snap_mem_write(map, path, &layout, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(layout.nregions, 2);
	cr_assert_eq(layout.regions[0].file_offset, 0);
	cr_assert_eq(layout.regions[1].gpa, 1ull << 32);
	cr_assert_eq(layout.regions[1].file_offset, 4 * MIB);
	cr_assert_eq(layout.file_size, 5 * MIB);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq((uint64_t)st.st_size, 5 * MIB);
	cr_assert_eq(st.st_mode & 0777, 0600);
	/* Three data pages; allow for filesystem block rounding (64 KiB). */
	cr_assert_leq((uint64_t)st.st_blocks * 512, 3 * 64 * 1024,
		      "%lld blocks for 3 data pages", (long long)st.st_blocks);
}

Test(snap_memory, private_restore_reads_the_file_and_keeps_it_unchanged)
{
	struct vmmem_map *m;
	struct vmmem_region_info ri;
	char buf[8], fbuf[8] = { 0 };
	int fd;

	cr_assert_eq(vmm__snap_mem_write(map, path, &layout, err, sizeof(err)), 0);
	cr_assert_eq(vmm__snap_mem_restore(path, &layout, 0, 0, &m, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(vmmem_map_region_count(m), 2);
	cr_assert_eq(vmmem_map_region_info(m, 0, &ri), 0);
	cr_assert(ri.flags & VMMEM_REGION_PRIVATE);
	read_at(m, 0x1000, buf, 5);
	cr_assert_str_eq(buf, "first");
	read_at(m, 3 * MIB + 0xfff, buf, 1);
	cr_assert_str_eq(buf, "x");
	read_at(m, (1ull << 32) + MIB - 1, buf, 1);
	cr_assert_str_eq(buf, "z");
	cr_assert_eq(vmmem_write(m, 0x1000, "guest", 5), 0);
	read_at(m, 0x1000, buf, 5);
	cr_assert_str_eq(buf, "guest");
	fd = open(path, O_RDONLY);
	cr_assert_eq(pread(fd, fbuf, 5, 0x1000), 5);
	cr_assert_str_eq(fbuf, "first");
	close(fd);
	vmmem_map_free(m);
}

Test(snap_memory, copy_restore_gives_anonymous_memory_with_the_same_bytes)
{
	struct vmmem_map *m;
	struct vmmem_region_info ri;
	char buf[8];

	cr_assert_eq(vmm__snap_mem_write(map, path, &layout, err, sizeof(err)), 0);
	cr_assert_eq(vmm__snap_mem_restore(path, &layout, VMM__SNAP_MEM_COPY,
					   VMMEM_REGION_DIRTY_LOG, &m, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(vmmem_map_region_info(m, 1, &ri), 0);
	cr_assert_eq(ri.fd, -1);
	cr_assert_eq(ri.flags, VMMEM_REGION_DIRTY_LOG);
	read_at(m, 0x1000, buf, 5);
	cr_assert_str_eq(buf, "first");
	read_at(m, (1ull << 32) + MIB - 1, buf, 1);
	cr_assert_str_eq(buf, "z");
	vmmem_map_free(m);
}

Test(snap_memory, file_shorter_than_the_layout_is_refused)
{
	struct vmmem_map *m = NULL;

	cr_assert_eq(vmm__snap_mem_write(map, path, &layout, err, sizeof(err)), 0);
	cr_assert_eq(truncate(path, 5 * MIB - 4096), 0);
	cr_assert_eq(vmm__snap_mem_restore(path, &layout, 0, 0, &m, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "bytes, the snapshot's layout needs 5242880"), "%s", err);
	cr_assert_null(m);
}

Test(snap_memory, file_longer_than_the_layout_is_refused)
{
	struct vmmem_map *m = NULL;

	cr_assert_eq(vmm__snap_mem_write(map, path, &layout, err, sizeof(err)), 0);
	cr_assert_eq(truncate(path, 5 * MIB + 4096), 0);
	cr_assert_eq(vmm__snap_mem_restore(path, &layout, 0, 0, &m, err, sizeof(err)), -EINVAL);
}

Test(snap_memory, missing_file_is_refused)
{
	struct vmmem_map *m = NULL;

	layout.file_size = MIB;
	cr_assert_eq(vmm__snap_mem_restore("/nonexistent/mem", &layout, 0, 0, &m, err,
					   sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "memory file /nonexistent/mem: cannot open"), "%s", err);
}

/* Layout section validation: one section per bad layout. */
static int decode(const struct vmm__snap_mem_layout *l)
{
	struct vmm__snapw *w;
	struct vmm__snapr *r;
	struct vmm__snap_mem_layout out;
	uint8_t *buf;
	size_t len;
	int rc;

	cr_assert_eq(vmm__snapw_new(&w, "t"), 0);
	vmm__snap_put_mem_layout(w, l);
	cr_assert_eq(vmm__snapw_finish(w, &buf, &len), 0);
	vmm__snapw_free(w);
	cr_assert_eq(vmm__snapr_parse(&r, buf, len, "s", err, sizeof(err)), 0);
	rc = vmm__snap_get_mem_layout(r, &out, err, sizeof(err));
	vmm__snapr_free(r);
	free(buf);
	return rc;
}

static void two_regions(struct vmm__snap_mem_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->nregions = 2;
	l->regions[0] = (struct vmm__snap_mem_region){ 0, 0x10000, 0 };
	l->regions[1] = (struct vmm__snap_mem_region){ 0x100000, 0x2000, 0x10000 };
	l->file_size = 0x12000;
}

Test(snap_memory, layout_decode_accepts_a_valid_layout)
{
	struct vmm__snap_mem_layout l;

	two_regions(&l);
	cr_assert_eq(decode(&l), 0, "%s", err);
}

Test(snap_memory, layout_with_unaligned_region_is_refused)
{
	struct vmm__snap_mem_layout l;

	two_regions(&l);
	l.regions[1].size = 0x2001;
	l.file_size = 0x12001;
	cr_assert_eq(decode(&l), -EBADMSG);
	cr_assert(strstr(err, "region 1 (gpa 0x100000 size 0x2001) is not page aligned"), "%s", err);
}

Test(snap_memory, layout_with_overlapping_regions_is_refused)
{
	struct vmm__snap_mem_layout l;

	two_regions(&l);
	l.regions[1].gpa = 0xf000;
	cr_assert_eq(decode(&l), -EBADMSG);
	cr_assert(strstr(err, "region 1 overlaps or precedes region 0"), "%s", err);
}

Test(snap_memory, layout_with_a_gap_in_the_file_is_refused)
{
	struct vmm__snap_mem_layout l;

	two_regions(&l);
	l.regions[1].file_offset = 0x11000;
	l.file_size = 0x13000;
	cr_assert_eq(decode(&l), -EBADMSG);
	cr_assert(strstr(err, "region 1 at file offset 0x11000, expected 0x10000"), "%s", err);
}

Test(snap_memory, layout_whose_size_disagrees_is_refused)
{
	struct vmm__snap_mem_layout l;

	two_regions(&l);
	l.file_size += 0x1000;
	cr_assert_eq(decode(&l), -EBADMSG);
	cr_assert(strstr(err, "regions cover 0x12000 bytes, file size 0x13000"), "%s", err);
}

Test(snap_memory, layout_with_no_region_is_refused)
{
	struct vmm__snap_mem_layout l = { 0 };

	cr_assert_eq(decode(&l), -EBADMSG);
	cr_assert(strstr(err, "0 memory regions"), "%s", err);
}

Test(snap_memory, layout_with_a_region_wrapping_2_64_is_refused)
{
	struct vmm__snap_mem_layout l;

	two_regions(&l);
	l.regions[1].gpa = 0xfffffffffffff000ull;
	cr_assert_eq(decode(&l), -EBADMSG);
	cr_assert(strstr(err, "wraps"), "%s", err);
}

/* Snapshot pairs (vmm__snap_write_pair): the state file holds the layout
 * of the memory file next to it, and a failed write never pairs an old
 * state file with new RAM. */

static char state_path[96], mem_path[96];

/* A state file with the memory layout of map, its first byte set to fill. */
static int write_pair(uint8_t fill, const char *state, const char *mem)
{
	struct vmm__snap_mem_layout l;
	struct vmm__snapw *w;
	int rc;

	cr_assert_eq(vmmem_write(map, 0, &fill, 1), 0);
	cr_assert_eq(vmm__snapw_new(&w, "t"), 0);
	cr_assert_eq(vmm__snap_mem_layout_of(map, &l), 0);
	vmm__snap_put_mem_layout(w, &l);
	err[0] = '\0';
	rc = vmm__snap_write_pair(map, w, &l, state, mem, err, sizeof(err));
	vmm__snapw_free(w);
	return rc;
}

static uint8_t *slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	uint8_t *buf;
	long n;

	cr_assert(f, "%s", p);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Names in dir other than . and .. */
static unsigned entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	cr_assert(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void pair_paths(void)
{
	snprintf(state_path, sizeof(state_path), "%s/vm.state", dir);
	snprintf(mem_path, sizeof(mem_path), "%s/vm.mem", dir);
}

Test(snap_memory, pair_is_written_whole_and_loads)
{
	struct vmm__snapr *r;
	struct vmm__snap_mem_layout l;
	struct stat st;

	pair_paths();
	cr_assert_eq(write_pair(0xaa, state_path, mem_path), 0, "%s", err);
	cr_assert_eq(entries(), 2, "temporary files left behind");
	cr_assert_eq(vmm__snapr_load_file(&r, state_path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vmm__snap_get_mem_layout(r, &l, err, sizeof(err)), 0, "%s", err);
	vmm__snapr_free(r);
	cr_assert_eq(stat(mem_path, &st), 0);
	cr_assert_eq((uint64_t)st.st_size, l.file_size);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(stat(state_path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
}

Test(snap_memory, failed_state_write_leaves_the_old_pair_unchanged)
{
	char bad_state[128];
	uint8_t *mem0, *state0, *mem1, *state1;
	size_t mlen0, slen0, mlen1, slen1;

	pair_paths();
	cr_assert_eq(write_pair(0xaa, state_path, mem_path), 0, "%s", err);
	mem0 = slurp(mem_path, &mlen0);
	state0 = slurp(state_path, &slen0);
	/* The same memory file, a state file that cannot be written: the new
	 * RAM (0xbb) must not replace the old one. */
	snprintf(bad_state, sizeof(bad_state), "%s/no-such-dir/vm.state", dir);
	cr_assert_eq(write_pair(0xbb, bad_state, mem_path), -ENOENT);
	cr_assert(strstr(err, "no-such-dir/vm.state: cannot write"), "%s", err);
	mem1 = slurp(mem_path, &mlen1);
	state1 = slurp(state_path, &slen1);
	cr_assert(mlen1 == mlen0 && memcmp(mem0, mem1, mlen0) == 0,
		  "the memory file changed (byte 0 is 0x%02x)", mem1[0]);
	cr_assert(slen1 == slen0 && memcmp(state0, state1, slen0) == 0);
	cr_assert_eq(entries(), 2, "temporary files left behind");
	free(mem0);
	free(state0);
	free(mem1);
	free(state1);
}

Test(snap_memory, failed_memory_write_leaves_the_old_pair_unchanged)
{
	char bad_mem[128];
	uint8_t *state0, *state1;
	size_t slen0, slen1;

	pair_paths();
	cr_assert_eq(write_pair(0xaa, state_path, mem_path), 0, "%s", err);
	state0 = slurp(state_path, &slen0);
	snprintf(bad_mem, sizeof(bad_mem), "%s/no-such-dir/vm.mem", dir);
	cr_assert_eq(write_pair(0xbb, state_path, bad_mem), -ENOENT);
	cr_assert(strstr(err, "memory file"), "%s", err);
	state1 = slurp(state_path, &slen1);
	cr_assert(slen1 == slen0 && memcmp(state0, state1, slen0) == 0);
	cr_assert_eq(entries(), 2);
	free(state0);
	free(state1);
}

Test(snap_memory, pair_refuses_one_file_for_both)
{
	char other[128];

	pair_paths();
	cr_assert_eq(write_pair(0xaa, mem_path, mem_path), -EINVAL);
	cr_assert(strstr(err, "must be two files"), "%s", err);
	/* Another spelling of the same name, before the file exists. */
	snprintf(other, sizeof(other), "%s/./vm.mem", dir);
	cr_assert_eq(write_pair(0xaa, other, mem_path), -EINVAL);
	cr_assert_eq(entries(), 0, "nothing is written");
	/* A second name (hard link) of an existing file. */
	cr_assert_eq(write_pair(0xaa, state_path, mem_path), 0, "%s", err);
	snprintf(other, sizeof(other), "%s/link.mem", dir);
	cr_assert_eq(link(mem_path, other), 0);
	cr_assert_eq(write_pair(0xaa, other, mem_path), -EINVAL);
}
