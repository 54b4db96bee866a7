// SPDX-License-Identifier: MIT
// libFuzzer target: bzImage parsing and loading into a 64 MiB map.  On
// success every reported range must lie in the file or the map and the
// placement rules of boot.rst must hold.
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <loader/bzimage.h>
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

static void check_info(const struct loader_bzimage_info *bz, size_t size)
{
	if (bz->setup_size + bz->kernel_size > size || bz->kernel_size == 0 ||
	    (uint64_t)bz->payload_offset + bz->payload_length > bz->kernel_size ||
	    bz->init_size < bz->kernel_size || bz->header_len > LOADER_SETUP_HEADER_MAX ||
	    !bz->kernel_alignment || (bz->kernel_alignment & (bz->kernel_alignment - 1)) ||
	    bz->version < LOADER_BZIMAGE_MIN_VERSION)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loader_kernel k;
	int err = loader_bzimage_load(ram(), data, size, NULL, &k);

	if (err == -EADDRINUSE) {
		if (!k.overlap.area || k.overlap.segment != LOADER_KERNEL_SEGMENT_BZIMAGE ||
		    k.overlap.start >= LOADER_BOOT_AREA_END || k.overlap.end <= k.overlap.start)
			__builtin_trap();
		return 0;
	}
	if (err) {
		if (err != -ENOEXEC && err != -ENOTSUP && err != -EFAULT && err != -EINVAL)
			__builtin_trap();
		return 0;
	}
	check_info(&k.bz, size);
	if (k.load_addr < LOADER_BOOT_AREA_END || k.load_end > RAM || k.load_end - k.load_addr != k.bz.init_size ||
	    k.entry32 != k.load_addr || (k.has_entry64 && k.entry != k.load_addr + 0x200))
		__builtin_trap();
	/* Linux runs a relocatable kernel at the load address rounded up to
	 * the zero page's kernel_alignment, and never below pref_address. */
	if (k.bz.relocatable && (k.load_addr % k.bz.kernel_alignment ||
				 k.load_addr % k.load_alignment ||
				 k.load_addr < k.bz.pref_address))
		__builtin_trap();
	return 0;
}
