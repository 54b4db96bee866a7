// SPDX-License-Identifier: MIT
// Built by tests/check-install.sh against the installed libvmmem alone.
#include <stdio.h>

#include <vmmem/vmmem.h>

int main(void)
{
	struct vmmem_map *map;
	struct vmmem_region_desc d = { .gpa = 0, .size = VMMEM_PAGE_SIZE,
				       .backing = VMMEM_BACKING_ANON };
	uint32_t v = 0;

	if (vmmem_map_new(&map) || vmmem_map_add_region(map, &d) ||
	    vmmem_store_u32(map, 16, 0xc0ffee) || vmmem_load_u32(map, 16, &v) ||
	    v != 0xc0ffee)
		return 1;
	vmmem_map_free(map);
	printf("libvmmem %s\n", VMMEM_VERSION_STRING);
	return 0;
}
