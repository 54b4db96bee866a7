// SPDX-License-Identifier: MIT
// libvmmem in isolation: build a guest map of two RAM regions with a gap
// between them (as x86 RAM is split around the MMIO hole), write a message
// that crosses from one adjacent region into the next, show that the gap is
// refused, and print the pages the writes dirtied.
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vmmem/vmmem.h>

#define LOW_GPA 0x0ull
#define LOW_SIZE (2ull << 20)
#define HIGH_GPA (LOW_SIZE + (1ull << 20))	/* 1 MiB hole */
#define HIGH_SIZE (2ull << 20)
#define SPLIT_GPA (1ull << 20)			/* low RAM is two adjacent regions */

static int add(struct vmmem_map *map, uint64_t gpa, uint64_t size)
{
	struct vmmem_region_desc d = { .gpa = gpa, .size = size,
				       .backing = VMMEM_BACKING_MEMFD,
				       .flags = VMMEM_REGION_DIRTY_LOG };
	return vmmem_map_add_region(map, &d);
}

static int print_region(void *ctx, const struct vmmem_region_info *r)
{
	(void)ctx;
	printf("  region gpa=%#llx size=%#llx fd=%d\n", (unsigned long long)r->gpa,
	       (unsigned long long)r->size, r->fd);
	return 0;
}

static void print_dirty(struct vmmem_map *map)
{
	for (size_t i = 0; i < vmmem_map_region_count(map); i++) {
		struct vmmem_region_info r;
		uint64_t words[8] = { 0 };

		if (vmmem_map_region_info(map, i, &r) ||
		    vmmem_dirty_fetch_clear(map, i, words, 8))
			continue;
		for (size_t page = 0; page < 8 * 64; page++)
			if (words[page / 64] >> (page % 64) & 1)
				printf("  dirty page gpa=%#llx\n",
				       (unsigned long long)(r.gpa + page * VMMEM_PAGE_SIZE));
	}
}

int main(void)
{
	static const char msg[] = "hello across the region boundary";
	char back[sizeof(msg)];
	struct vmmem_map *map;
	uint32_t word;
	int err;

	printf("libvmmem %s\n", VMMEM_VERSION_STRING);
	if (vmmem_map_new(&map) || add(map, LOW_GPA, SPLIT_GPA) ||
	    add(map, SPLIT_GPA, LOW_SIZE - SPLIT_GPA) || add(map, HIGH_GPA, HIGH_SIZE)) {
		fprintf(stderr, "two_regions: cannot build the map\n");
		return 1;
	}
	vmmem_map_for_each_region(map, print_region, NULL);
	printf("  total %llu MiB\n", (unsigned long long)(vmmem_map_total_size(map) >> 20));

	err = vmmem_write(map, SPLIT_GPA - 10, msg, sizeof(msg));
	err = err ? err : vmmem_read(map, SPLIT_GPA - 10, back, sizeof(back));
	if (err || memcmp(back, msg, sizeof(msg))) {
		fprintf(stderr, "two_regions: cross-region copy failed (%d)\n", err);
		return 1;
	}
	printf("read back: \"%s\"\n", back);
	if (vmmem_store_u32(map, HIGH_GPA + 0x1000, 0xfeedface) ||
	    vmmem_load_u32(map, HIGH_GPA + 0x1000, &word))
		return 1;
	printf("u32 above the hole: %#x\n", word);

	err = vmmem_write(map, LOW_SIZE - 2, msg, 4);
	printf("write into the hole: %s\n", err == -EFAULT ? "refused (-EFAULT)" : "ACCEPTED?!");
	print_dirty(map);
	vmmem_map_free(map);
	return err == -EFAULT ? 0 : 1;
}
