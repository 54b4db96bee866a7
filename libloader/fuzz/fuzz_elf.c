// SPDX-License-Identifier: MIT
// libFuzzer target: ELF vmlinux loading into a 64 MiB map.  On success the
// reported range, entry and PVH entry must be consistent, backed and clear
// of the boot area; any failure must be one of the documented errors, and
// an -EADDRINUSE must name a segment that overlaps the boot area.
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <loader/elf.h>
#include <loader/layout.h>
#include <vmmem/vmmem.h>

#define RAM (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vmmem_map *ram(void)
{
	static struct vmmem_map *map;
	struct vmmem_region_desc d = { .gpa = 0, .size = RAM, .backing = VMMEM_BACKING_ANON };

	if (!map && (vmmem_map_new(&map) || vmmem_map_add_region(map, &d)))
		__builtin_trap();
	return map;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Half the inputs (by length) load as into fresh memory: skipping the
	 * .bss fill must not change what is accepted or reported. */
	const struct loader_kernel_opts opts = { .memory_zeroed = size & 1 };
	struct loader_kernel k;
	int err = loader_elf_load(ram(), data, size, &opts, &k);

	if (err == -EADDRINUSE) {
		/* The refusal must name a segment that really hits the boot area. */
		if (!k.overlap.area || k.overlap.segment < 0 ||
		    k.overlap.start >= LOADER_BOOT_AREA_END || k.overlap.end <= k.overlap.start)
			__builtin_trap();
		return 0;
	}
	if (err) {
		if (err != -ENOEXEC && err != -ENOTSUP && err != -EFAULT)
			__builtin_trap();
		return 0;
	}
	if (k.format != LOADER_FORMAT_ELF || k.load_addr < LOADER_BOOT_AREA_END ||
	    k.load_addr >= k.load_end ||
	    k.load_end > RAM || k.entry < k.load_addr || k.entry >= k.load_end)
		__builtin_trap();
	if (k.has_pvh && (k.pvh_entry < k.load_addr || k.pvh_entry >= k.load_end))
		__builtin_trap();
	return 0;
}
