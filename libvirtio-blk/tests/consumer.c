// SPDX-License-Identifier: MIT
// Built by tests/check-install.sh against the installed libvirtio-blk alone:
// parses a GET_ID request laid out in guest memory.
#include <stdio.h>
#include <string.h>

#include <vblk/vblk.h>
#include <vmmem/vmmem.h>

int main(void)
{
	static struct vblk_chain chain;
	static struct vblk_request req;
	struct vmmem_map *map;
	struct vmmem_region_desc d = { .gpa = 0, .size = VMMEM_PAGE_SIZE,
				       .backing = VMMEM_BACKING_ANON };
	struct vblk_limits lim = { .capacity = 8, .seg_max = 4 };
	uint32_t type = VIRTIO_BLK_T_GET_ID;

	if (vmmem_map_new(&map) || vmmem_map_add_region(map, &d) ||
	    vmmem_write(map, 0, &type, sizeof(type)))
		return 1;
	vblk_chain_reset(&chain);
	vblk_chain_push(&chain, 0, 16, false);
	vblk_chain_push(&chain, 64, 21, true);
	if (vblk_parse(map, &lim, &chain, &req) || req.status_addr != 84)
		return 1;
	vmmem_map_free(map);
	printf("libvirtio-blk %s\n", VBLK_VERSION_STRING);
	return 0;
}
