// SPDX-License-Identifier: MIT
// Writing and restoring the snapshot memory file (snap_memory.h,
// docs/snapshot.md "Memory file").  Zero pages are skipped with pwrite at
// explicit offsets and a final ftruncate, which leaves holes: a freshly
// booted guest's untouched RAM costs no disk blocks.  Restore never maps
// past the end of the file (vmmem refuses that too: it would SIGBUS).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap_codec.h"
#include "snap_memory.h"

static bool page_is_zero(const uint8_t *p)
{
	uint64_t first;

	/* Compare the page with itself shifted by 8: zero iff the first word
	 * is zero and every word equals its predecessor. */
	memcpy(&first, p, sizeof(first));
	return first == 0 && !memcmp(p, p + 8, VMMEM_PAGE_SIZE - 8);
}

/* Runs of non-zero pages, each written with one pwrite. */
static int write_region(int fd, const uint8_t *hva, uint64_t size, uint64_t off)
{
	uint64_t run = 0, pos;

	for (pos = 0; pos < size; pos += VMMEM_PAGE_SIZE) {
		if (!page_is_zero(hva + pos))
			continue;
		if (pos > run) {
			int rc = vmm__snap_pwrite_all(fd, hva + run, (size_t)(pos - run),
							 off + run);
			if (rc)
				return rc;
		}
		run = pos + VMMEM_PAGE_SIZE;
	}
	if (size > run)
		return vmm__snap_pwrite_all(fd, hva + run, (size_t)(size - run), off + run);
	return 0;
}

struct write_ctx {
	int fd;
	const struct vmmem_map *map;
	struct vmm__snap_mem_layout *layout;
};

static int write_one(void *ctx, const struct vmmem_region_info *ri)
{
	struct write_ctx *w = ctx;
	struct vmm__snap_mem_layout *l = w->layout;
	struct vmm__snap_mem_region *reg;

	if (l->nregions >= VMMEM_MAX_REGIONS)
		return -EINVAL;
	reg = &l->regions[l->nregions];
	*reg = (struct vmm__snap_mem_region){ .gpa = ri->gpa, .size = ri->size,
					      .file_offset = l->file_size };
	l->nregions++;
	l->file_size += ri->size;
	if (w->fd < 0)		/* the layout only */
		return 0;
	return write_region(w->fd, ri->hva, ri->size, reg->file_offset);
}

/* Trailing zero pages: the size comes from ftruncate, not a write. */
static int fill_mem(void *ctx, int fd)
{
	struct write_ctx *w = ctx;
	int rc;

	w->fd = fd;
	memset(w->layout, 0, sizeof(*w->layout));
	rc = vmmem_map_for_each_region(w->map, write_one, w);
	if (!rc && ftruncate(fd, (off_t)w->layout->file_size) < 0)
		rc = -errno;
	return rc;
}

int vmm__snap_mem_layout_of(const struct vmmem_map *map, struct vmm__snap_mem_layout *layout)
{
	struct write_ctx ctx = { .fd = -1, .map = map, .layout = layout };

	memset(layout, 0, sizeof(*layout));
	return vmmem_map_for_each_region(map, write_one, &ctx);
}

/* dirname and basename of path, each in its own copy (both may modify). */
static bool same_entry(const char *a, const char *b)
{
	char *da = strdup(a), *db = strdup(b), *ba = strdup(a), *bb = strdup(b);
	struct stat sa, sb;
	bool same = false;

	if (da && db && ba && bb && strcmp(basename(ba), basename(bb)) == 0 &&
	    stat(dirname(da), &sa) == 0 && stat(dirname(db), &sb) == 0)
		same = sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	free(da);
	free(db);
	free(ba);
	free(bb);
	return same;
}

bool vmm__snap_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0 || same_entry(a, b))
		return true;
	/* Two names of one existing file (a hard link, a symlink). */
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Both files are complete on disk, in temporaries: the old state file goes
 * first, so that no moment pairs it with the new memory file. */
static int commit_pair(struct vmm__snap_staged *mem, struct vmm__snap_staged *state,
		       const char *state_path, const char *mem_path, char *err,
		       size_t errlen)
{
	int rc = vmm__snap_unlink_durable(state_path);

	if (rc) {
		snprintf(err, errlen, "snapshot %s: cannot remove the previous state file: %s",
			 state_path, strerror(-rc));
		return rc;
	}
	rc = vmm__snap_stage_commit(mem, mem_path);
	if (rc) {
		snprintf(err, errlen, "memory file %s: cannot write: %s (the previous "
			 "snapshot's state file %s is removed)", mem_path, strerror(-rc),
			 state_path);
		return rc;
	}
	rc = vmm__snap_stage_commit(state, state_path);
	if (rc)
		snprintf(err, errlen, "snapshot %s: cannot write: %s (there is no state file "
			 "for the memory file %s)", state_path, strerror(-rc), mem_path);
	return rc;
}

int vmm__snap_write_pair(const struct vmmem_map *map, struct vmm__snapw *w,
			 const struct vmm__snap_mem_layout *layout, const char *state_path,
			 const char *mem_path, char *err, size_t errlen)
{
	struct vmm__snap_mem_layout written;
	struct write_ctx mctx = { .map = map, .layout = &written };
	struct vmm__snap_staged mem = { NULL }, state = { NULL };
	struct vmm__snap_buf b;
	uint8_t *buf = NULL;
	int rc;

	if (vmm__snap_same_file(state_path, mem_path)) {
		snprintf(err, errlen, "snapshot %s: the state file and the memory file must "
			 "be two files", state_path);
		return -EINVAL;
	}
	rc = vmm__snapw_finish(w, &buf, &b.len);
	if (rc) {
		snprintf(err, errlen, "snapshot %s: cannot build the state: %s", state_path,
			 strerror(-rc));
		return rc;
	}
	b.buf = buf;
	rc = vmm__snap_stage(mem_path, fill_mem, &mctx, &mem);
	if (rc)
		snprintf(err, errlen, "memory file %s: cannot write: %s", mem_path, strerror(-rc));
	if (rc == 0 && memcmp(&written, layout, sizeof(written)) != 0) {
		/* The state file already holds layout: never pair it with
		 * another one (a VM is paused while it is saved). */
		snprintf(err, errlen, "memory file %s: the memory layout changed while it "
			 "was written", mem_path);
		rc = -EIO;
	}
	if (rc == 0) {
		rc = vmm__snap_stage(state_path, vmm__snap_fill_buf, &b, &state);
		if (rc)
			snprintf(err, errlen, "snapshot %s: cannot write: %s", state_path,
				 strerror(-rc));
	}
	if (rc == 0)
		rc = commit_pair(&mem, &state, state_path, mem_path, err, errlen);
	vmm__snap_stage_drop(&mem);
	vmm__snap_stage_drop(&state);
	free(buf);
	return rc;
}

int vmm__snap_mem_write(const struct vmmem_map *map, const char *path,
			struct vmm__snap_mem_layout *layout, char *err, size_t errlen)
{
	struct write_ctx ctx = { .map = map, .layout = layout };
	int rc = vmm__snap_write_atomic(path, fill_mem, &ctx);

	if (rc)
		snprintf(err, errlen, "memory file %s: cannot write: %s", path, strerror(-rc));
	return rc;
}

static int read_full(int fd, uint8_t *p, uint64_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, p, len > (1u << 30) ? (1u << 30) : (size_t)len,
				  (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* the file shrank under us */
		p += n;
		len -= (uint64_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int add_copied(struct vmmem_map *map, int fd, const struct vmm__snap_mem_region *r,
		      uint32_t rflags)
{
	struct vmmem_region_desc d = { .gpa = r->gpa, .size = r->size,
				       .backing = VMMEM_BACKING_ANON, .flags = rflags };
	void *hva;
	int rc = vmmem_map_add_region(map, &d);

	if (!rc)
		rc = vmmem_translate(map, r->gpa, r->size, &hva);
	if (!rc)
		rc = read_full(fd, hva, r->size, r->file_offset);
	return rc;
}

static int build_map(int fd, const struct vmm__snap_mem_layout *l, uint32_t flags,
		     uint32_t rflags, struct vmmem_map *map)
{
	for (uint32_t i = 0; i < l->nregions; i++) {
		const struct vmm__snap_mem_region *r = &l->regions[i];
		struct vmmem_region_desc d = { .gpa = r->gpa, .size = r->size,
					       .backing = VMMEM_BACKING_FILE, .fd = fd,
					       .fd_offset = r->file_offset,
					       .flags = rflags | VMMEM_REGION_PRIVATE };
		int rc = (flags & VMM__SNAP_MEM_COPY) ? add_copied(map, fd, r, rflags)
						      : vmmem_map_add_region(map, &d);

		if (rc)
			return rc;
	}
	return 0;
}

int vmm__snap_mem_restore(const char *path, const struct vmm__snap_mem_layout *layout,
			  uint32_t flags, uint32_t extra_region_flags,
			  struct vmmem_map **out, char *err, size_t errlen)
{
	struct vmmem_map *map = NULL;
	struct stat st;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "memory file %s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != layout->file_size) {
		snprintf(err, errlen, "memory file %s: %lld bytes, the snapshot's layout needs %llu",
			 path, (long long)st.st_size, (unsigned long long)layout->file_size);
		close(fd);
		return -EINVAL;
	}
	rc = vmmem_map_new(&map);
	if (!rc)
		rc = build_map(fd, layout, flags, extra_region_flags, map);
	close(fd);	/* file regions keep their own descriptor */
	if (rc) {
		snprintf(err, errlen, "memory file %s: cannot map guest RAM: %s", path,
			 strerror(-rc));
		vmmem_map_free(map);
		return rc;
	}
	*out = map;
	return 0;
}

void vmm__snap_put_mem_layout(struct vmm__snapw *w, const struct vmm__snap_mem_layout *l)
{
	uint32_t n = l->nregions < VMMEM_MAX_REGIONS ? l->nregions : VMMEM_MAX_REGIONS;

	vmm__snapw_begin(w, VMM__SNAP_MEM_LAYOUT, 0, VMM__SNAP_MEM_LAYOUT_V);
	vmm__snapw_u64(w, l->file_size);
	vmm__snapw_u32(w, n);
	for (uint32_t i = 0; i < n; i++) {
		vmm__snapw_u64(w, l->regions[i].gpa);
		vmm__snapw_u64(w, l->regions[i].size);
		vmm__snapw_u64(w, l->regions[i].file_offset);
	}
	vmm__snapw_end(w);
}

/* Aligned, non-empty, above the previous region, at the next file offset. */
static int check_region(struct vmm__snapc *c, const struct vmm__snap_mem_layout *l,
			uint32_t i)
{
	const struct vmm__snap_mem_region *r = &l->regions[i];
	uint64_t want_off = i ? l->regions[i - 1].file_offset + l->regions[i - 1].size : 0;

	if (!r->size || r->size % VMMEM_PAGE_SIZE || r->gpa % VMMEM_PAGE_SIZE ||
	    r->size > UINT64_MAX - r->gpa)
		return vmm__snapc_fail(c, "region %u (gpa 0x%llx size 0x%llx) is not page aligned or wraps",
				       i, (unsigned long long)r->gpa, (unsigned long long)r->size);
	if (i && r->gpa - l->regions[i - 1].gpa < l->regions[i - 1].size)
		return vmm__snapc_fail(c, "region %u overlaps or precedes region %u", i, i - 1);
	if (r->file_offset != want_off)
		return vmm__snapc_fail(c, "region %u at file offset 0x%llx, expected 0x%llx",
				       i, (unsigned long long)r->file_offset,
				       (unsigned long long)want_off);
	return 0;
}

static int check_layout(struct vmm__snapc *c, const struct vmm__snap_mem_layout *l)
{
	uint64_t end = 0;

	for (uint32_t i = 0; i < l->nregions; i++) {
		if (check_region(c, l, i))
			return c->err;
		if (l->regions[i].size > UINT64_MAX - end)
			return vmm__snapc_fail(c, "region sizes overflow");
		end += l->regions[i].size;
	}
	if (end != l->file_size)
		return vmm__snapc_fail(c, "regions cover 0x%llx bytes, file size 0x%llx",
				       (unsigned long long)end,
				       (unsigned long long)l->file_size);
	return 0;
}

int vmm__snap_get_mem_layout(const struct vmm__snapr *r, struct vmm__snap_mem_layout *l,
			     char *err, size_t errlen)
{
	struct vmm__snapc c;

	if (vmm__snapr_open_version(r, VMM__SNAP_MEM_LAYOUT, 0, VMM__SNAP_MEM_LAYOUT_V,
				    &c, err, errlen))
		return c.err;
	memset(l, 0, sizeof(*l));
	vmm__snapc_u64(&c, &l->file_size);
	if (vmm__snapc_u32(&c, &l->nregions))
		return c.err;
	if (l->nregions == 0 || l->nregions > VMMEM_MAX_REGIONS)
		return vmm__snapc_fail(&c, "%u memory regions, 1..%u allowed", l->nregions,
				       VMMEM_MAX_REGIONS);
	for (uint32_t i = 0; i < l->nregions && !c.err; i++) {
		vmm__snapc_u64(&c, &l->regions[i].gpa);
		vmm__snapc_u64(&c, &l->regions[i].size);
		vmm__snapc_u64(&c, &l->regions[i].file_offset);
	}
	if (!c.err)
		check_layout(&c, l);
	return vmm__snapc_done(&c);
}
