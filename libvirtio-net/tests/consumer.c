// SPDX-License-Identifier: MIT
// Built by tests/check-install.sh against the installed libvirtio-net
// alone: a device over the loopback backend initialises and offers MAC.
#include <stdio.h>

#include <vmmem/vmmem.h>
#include <vnet/vnet.h>

int main(void)
{
	static struct vnet_device dev;
	struct vmmem_map *map;
	struct vmmem_region_desc d = { .gpa = 0, .size = VMMEM_PAGE_SIZE,
				       .backing = VMMEM_BACKING_ANON };
	struct vnet_loopback *lb;
	struct vnet_backend be;
	struct vnet_device_config cfg = { .has_mac = true, .mac = { 0x52, 0x54 } };
	uint64_t v;

	if (vmmem_map_new(&map) || vmmem_map_add_region(map, &d) ||
	    vnet_loopback_new(1, 0, &lb))
		return 1;
	vnet_loopback_backend(lb, &be);
	cfg.backend = &be;
	cfg.mem = map;
	if (vnet_device_init(&dev, &cfg) ||
	    vnet_device_mmio_read(&dev, VIRTQ_MMIO_CONFIG_OFFSET, 1, &v) || v != 0x52)
		return 1;
	vnet_loopback_free(lb);
	vmmem_map_free(map);
	printf("libvirtio-net %s\n", VNET_VERSION_STRING);
	return 0;
}
