// SPDX-License-Identifier: MIT
// libFuzzer target: arbitrary (op, gpa, len) sequences against a map with
// adjacent regions, a gap and a region ending at 2^64.  Every accessor must
// agree with vmmem_range_is_backed() about what is backed, and never touch
// memory outside the regions (ASan would catch it).
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vmmem/vmmem.h>

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

static struct vmmem_map *map;
static uint8_t buf[0x3000];

static void add(uint64_t gpa, uint64_t size)
{
	struct vmmem_region_desc d = { .gpa = gpa, .size = size,
				       .backing = VMMEM_BACKING_ANON,
				       .flags = VMMEM_REGION_DIRTY_LOG };

	CHECK(vmmem_map_add_region(map, &d) == 0);
}

static void build_map(void)
{
	CHECK(vmmem_map_new(&map) == 0);
	add(0x0, 0x2000);
	add(0x2000, 0x1000);
	add(0x10000, 0x1000);
	add(0xffffffffffffe000ull, 0x2000);
}

/* Interesting addresses: region edges, and anything the input says. */
static uint64_t pick_gpa(const uint8_t *p)
{
	static const uint64_t edges[] = {
		0x0, 0x1fff, 0x2000, 0x2fff, 0x3000, 0xffff, 0x10000, 0x10fff,
		0x11000, 0xffffffffffffe000ull, 0xfffffffffffffff8ull, UINT64_MAX,
	};
	uint64_t raw;

	memcpy(&raw, p + 1, sizeof(raw));
	if (p[0] & 0x80)
		return raw;
	return edges[p[0] % (sizeof(edges) / sizeof(edges[0]))] + (int8_t)p[1];
}

static void one_op(uint8_t op, uint64_t gpa, uint64_t len)
{
	bool backed = vmmem_range_is_backed(map, gpa, len);
	size_t n = len > sizeof(buf) ? sizeof(buf) : (size_t)len;
	struct vmmem_slice s;
	struct iovec iov[8];
	struct vmmem_iovec v;
	void *hva;
	uint64_t q;
	int err;

	switch (op % 7) {
	case 0:
		err = vmmem_read(map, gpa, buf, n);
		CHECK(n == 0 ? err == 0 : (err == 0) == vmmem_range_is_backed(map, gpa, n));
		break;
	case 1:
		err = vmmem_write(map, gpa, buf, n);
		CHECK(n == 0 ? err == 0 : (err == 0) == vmmem_range_is_backed(map, gpa, n));
		break;
	case 2:
		err = vmmem_translate(map, gpa, len, &hva);
		CHECK(err == 0 ? backed : (err == -EINVAL ? len == 0 : err == -EFAULT));
		if (!err)
			memset(hva, 1, len > 64 ? 64 : (size_t)len);
		break;
	case 3:
		err = vmmem_get_slice(map, gpa, len, VMMEM_WRITE, &s);
		CHECK(err != 0 || (backed && s.len == len));
		if (!err)
			((volatile uint8_t *)s.ptr)[s.len - 1] = 2;
		break;
	case 4:
		vmmem_iovec_init(&v, iov, 8);
		err = vmmem_iovec_append(map, &v, gpa, len, VMMEM_WRITE);
		CHECK(err == 0 ? (backed && v.bytes == len) : v.count == 0);
		for (size_t i = 0; !err && i < v.count; i++)
			memset(iov[i].iov_base, 3, iov[i].iov_len > 64 ? 64 : iov[i].iov_len);
		break;
	case 5:
		err = vmmem_load_u64(map, gpa, &q);
		CHECK((err == 0) == vmmem_range_is_backed(map, gpa, 8));
		break;
	default:
		err = vmmem_store_release_u16(map, gpa, 7);
		CHECK(err == 0 ? (gpa % 2 == 0 && vmmem_range_is_backed(map, gpa, 2)) : 1);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!map)
		build_map();
	while (size >= 14) {
		uint64_t len = (uint64_t)data[10] | (uint64_t)data[11] << 8;

		if (data[12] & 0x80)
			len = UINT64_MAX - len; /* huge lengths that wrap */
		one_op(data[13], pick_gpa(data), len);
		data += 14;
		size -= 14;
	}
	return 0;
}
