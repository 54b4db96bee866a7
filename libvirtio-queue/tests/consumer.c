// SPDX-License-Identifier: MIT
// Built by tests/check-install.sh against the installed libvirtio-queue
// alone: a driver publishes one chain, the device side pops and returns it.
#include <stdio.h>

#include <virtq/virtq.h>

int main(void)
{
	struct vmmem_map *map;
	struct vmmem_region_desc r = { .gpa = 0, .size = 16 * VMMEM_PAGE_SIZE,
				       .backing = VMMEM_BACKING_ANON };
	struct virtq_driver *drv;
	static struct virtq_queue q;
	struct virtq_chain chain;
	struct virtq_desc d;
	struct virtq_buf buf = { .addr = 0x8000, .len = 64, .writable = true };
	uint16_t head;
	uint32_t len;

	if (vmmem_map_new(&map) || vmmem_map_add_region(map, &r) ||
	    virtq_driver_new(map, 8, 0x1000, 0, &drv) || virtq_queue_init(&q, 8) ||
	    virtq_queue_set_desc_table(&q, virtq_driver_desc_addr(drv)) ||
	    virtq_queue_set_avail_ring(&q, virtq_driver_avail_addr(drv)) ||
	    virtq_queue_set_used_ring(&q, virtq_driver_used_addr(drv)) ||
	    virtq_queue_set_ready(&q, map) || virtq_driver_add(drv, &buf, 1, &head) ||
	    virtq_driver_publish(drv) < 0 || virtq_queue_pop(&q, &chain) != 1 ||
	    virtq_chain_next(&chain, &d) != 1 || virtq_queue_add_used(&q, chain.head, 64) ||
	    virtq_driver_get_used(drv, &head, &len) != 1 || len != 64)
		return 1;
	virtq_driver_free(drv);
	vmmem_map_free(map);
	printf("libvirtio-queue %s\n", VIRTQ_VERSION_STRING);
	return 0;
}
