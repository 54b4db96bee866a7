/* SPDX-License-Identifier: MIT */
/*
 * The snapshot memory file (docs/snapshot.md, "Memory file"): guest RAM,
 * the regions of a vmmem map one after another at page-aligned offsets.
 * All-zero pages are not written, so the file is sparse.  The layout
 * ({gpa, size, file_offset} per region and the file size) goes into the
 * state file's memory-layout section.  Restore maps the file MAP_PRIVATE
 * (VMMEM_REGION_PRIVATE): pages load on first touch and guest writes never
 * reach the file; or, with VMM__SNAP_MEM_COPY, reads it into anonymous
 * memory.
 */
#ifndef VMM_SNAP_MEMORY_H
#define VMM_SNAP_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmmem/map.h>

#include "snap_file.h"

struct vmm__snap_mem_region {
	uint64_t gpa, size, file_offset;
};

struct vmm__snap_mem_layout {
	uint64_t file_size;
	uint32_t nregions;
	struct vmm__snap_mem_region regions[VMMEM_MAX_REGIONS];
};

/* Restore flag: read the file into anonymous memory instead of mapping it. */
#define VMM__SNAP_MEM_COPY (1u << 0)

/*
 * Writes map's RAM to path (created 0600 through a temporary file and a
 * rename, so an existing file is replaced only by a complete one), skipping
 * zero pages, and fills layout.  -errno with one line in err.
 */
int vmm__snap_mem_write(const struct vmmem_map *map, const char *path,
			struct vmm__snap_mem_layout *layout, char *err, size_t errlen);

/* The layout vmm__snap_mem_write() would give map, without writing. */
int vmm__snap_mem_layout_of(const struct vmmem_map *map, struct vmm__snap_mem_layout *layout);

/* True when a and b name one file: the same string, the same name in the
 * same directory, or two names of one existing file. */
bool vmm__snap_same_file(const char *a, const char *b);

/*
 * Writes a snapshot pair (docs/snapshot.md, "The file formats"): w holds
 * every section of the state file, including the memory layout that
 * vmm__snap_mem_layout_of(map) gave.  Both files are first written and
 * fsynced complete under temporary names; only then is the old state file
 * removed, the memory file renamed into place, and the state file last.
 * A failure before that leaves both paths as they were; a failure or crash
 * after it leaves no state file, never an old state file with new RAM.
 * -EINVAL when both paths name one file.  -errno with one line in err.
 */
int vmm__snap_write_pair(const struct vmmem_map *map, struct vmm__snapw *w,
			 const struct vmm__snap_mem_layout *layout, const char *state_path,
			 const char *mem_path, char *err, size_t errlen);

/*
 * Builds a new map from path and layout; refuses a file whose size is not
 * layout->file_size (-EINVAL).  flags: 0 or VMM__SNAP_MEM_COPY.
 * Region flags of the new map: VMMEM_REGION_PRIVATE (or none when copied)
 * plus extra_region_flags (e.g. VMMEM_REGION_DIRTY_LOG).
 */
int vmm__snap_mem_restore(const char *path, const struct vmm__snap_mem_layout *layout,
			  uint32_t flags, uint32_t extra_region_flags,
			  struct vmmem_map **out, char *err, size_t errlen);

/* The memory-layout section.  get_ checks count, alignment, that regions
 * are in GPA order without overlap and that they are laid out one after
 * another from offset 0 up to file_size. */
void vmm__snap_put_mem_layout(struct vmm__snapw *w, const struct vmm__snap_mem_layout *l);
int vmm__snap_get_mem_layout(const struct vmm__snapr *r, struct vmm__snap_mem_layout *l,
			     char *err, size_t errlen);

#endif
