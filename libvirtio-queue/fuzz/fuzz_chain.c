// SPDX-License-Identifier: MIT
// libFuzzer target: the avail ring and descriptor chain walker (virtio 1.2
// §2.7.5, §2.7.6).  The input is copied over the first pages of guest RAM
// (descriptor table, avail ring, indirect tables, all guest-controlled),
// then the device pops and walks every chain.  Each returned descriptor
// must be non-empty, backed by RAM, not wrapping, readable before
// writable; every walk must end; every popped head must be returnable.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <virtq/virtq.h>

#define RAM_SIZE	0x4000u
#define HIGH_BASE	0x10000u
#define QSIZE		16u
#define DESC		0x0u
#define AVAIL		0x100u
#define USED		0x200u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(struct vmmem_map *mem, struct virtq_queue *q, struct virtq_chain *c)
{
	struct virtq_desc d;
	unsigned int n = 0;
	bool writable = false;
	int r;

	while ((r = virtq_chain_next(c, &d)) == 1) {
		if (d.len == 0 || d.addr + d.len < d.addr ||
		    !vmmem_range_is_backed(mem, d.addr, d.len))
			__builtin_trap();
		if (!virtq_desc_is_writable(&d) && writable)
			__builtin_trap();
		writable |= virtq_desc_is_writable(&d);
		if (++n > QSIZE + VIRTQ_INDIRECT_MAX)
			__builtin_trap();	/* a loop got through */
	}
	if (virtq_chain_next(c, &d) != r)
		__builtin_trap();	/* the end or the error is sticky */
	if (virtq_queue_add_used(q, c->head, 0) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmmem_map *mem;
	static struct virtq_queue q;
	struct virtq_chain c;
	int r, pops = 0;

	if (mem == NULL) {
		struct vmmem_region_desc lo = { .gpa = 0, .size = RAM_SIZE,
						.backing = VMMEM_BACKING_ANON };
		struct vmmem_region_desc hi = { .gpa = HIGH_BASE, .size = RAM_SIZE,
						.backing = VMMEM_BACKING_ANON };

		if (vmmem_map_new(&mem) || vmmem_map_add_region(mem, &lo) ||
		    vmmem_map_add_region(mem, &hi))
			__builtin_trap();
	}
	if (size < 1)
		return 0;
	if (vmmem_fill(mem, 0, 0, RAM_SIZE) ||
	    vmmem_write(mem, 0, data + 1, size - 1 < RAM_SIZE ? size - 1 : RAM_SIZE))
		__builtin_trap();
	if (virtq_queue_init(&q, QSIZE) || virtq_queue_set_desc_table(&q, DESC) ||
	    virtq_queue_set_avail_ring(&q, AVAIL) || virtq_queue_set_used_ring(&q, USED) ||
	    virtq_queue_set_features(&q, data[0] & 1 ? UINT64_C(1) << VIRTIO_F_INDIRECT_DESC : 0) ||
	    virtq_queue_set_ready(&q, mem))
		__builtin_trap();
	while ((r = virtq_queue_pop(&q, &c)) == 1) {
		walk(mem, &q, &c);
		if (++pops > (int)QSIZE)
			__builtin_trap();	/* more than the ring can hold */
	}
	if (r == 0 && q.inflight_count != 0)
		__builtin_trap();
	return 0;
}
