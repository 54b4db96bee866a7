/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the request parser and executor (virtio 1.2 §5.2.6)
 * on a scratch disk file.  The input chooses the negotiated features, a
 * descriptor chain (any address, length and direction, including ones
 * outside guest memory or wrapping 2^64) and the guest memory contents.
 *
 * Invariants checked after every request (a violation traps):
 *  - an accepted request's data segments lie inside device-writable
 *    descriptors for reads and device-readable ones for writes;
 *  - guest memory outside the chain's device-writable buffers is unchanged
 *    (the device never writes into device-readable buffers);
 *  - the status byte written is the parser's verdict when it refused;
 *  - the used length never exceeds the writable bytes of the chain;
 *  - the disk never grows.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vblk/vblk.h>
#include <vmmem/vmmem.h>

#define MEM_REGION 0x1000u
#define MEM_BYTES (2u * MEM_REGION)
#define DISK_BYTES (64u * 512u)
#define MAX_FUZZ_DESCS 12u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vmmem_map *mem;
static struct vblk_file *file;
static struct vblk_backend be;
static uint8_t before[MEM_BYTES], after[MEM_BYTES];
static struct vblk_chain chain;
static struct vblk_request req;

static void init_once(void)
{
	char path[] = "/tmp/vblk-fuzz-XXXXXX";
	struct vmmem_region_desc a = { .gpa = 0, .size = MEM_REGION,
				       .backing = VMMEM_BACKING_ANON };
	struct vmmem_region_desc b = { .gpa = MEM_REGION, .size = MEM_REGION,
				       .backing = VMMEM_BACKING_ANON };
	int fd = mkstemp(path);

	if (fd < 0 || ftruncate(fd, DISK_BYTES) || vmmem_map_new(&mem) ||
	    vmmem_map_add_region(mem, &a) || vmmem_map_add_region(mem, &b))
		abort();
	unlink(path);
	if (vblk_file_open_fd(fd, false, &file))
		abort();
	vblk_file_backend(file, &be);
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static bool in_writable(uint64_t gpa)
{
	for (uint32_t i = 0; i < chain.n; i++)
		if (chain.d[i].write && gpa >= chain.d[i].addr &&
		    gpa - chain.d[i].addr < chain.d[i].len)
			return true;
	return false;
}

static bool seg_inside(const struct vblk_seg *s, bool want_write)
{
	for (uint32_t i = 0; i < chain.n; i++) {
		const struct vblk_desc *d = &chain.d[i];

		if (d->write == want_write && s->addr >= d->addr &&
		    s->addr - d->addr <= d->len && s->len <= d->len - (s->addr - d->addr))
			return true;
	}
	return false;
}

static void check(int err, uint32_t used)
{
	uint64_t writable = 0;
	struct stat st;

	for (uint32_t i = 0; i < chain.n; i++)
		writable += chain.d[i].write ? chain.d[i].len : 0;
	if (used > writable)
		__builtin_trap();
	if (err == 0)
		for (uint32_t i = 0; i < req.nseg; i++)
			if (!seg_inside(&req.seg[i], req.type != VIRTIO_BLK_T_OUT))
				__builtin_trap();
	if (vmmem_read(mem, 0, after, MEM_BYTES))
		__builtin_trap();
	if (memcmp(before, after, MEM_BYTES))
		for (uint64_t g = 0; g < MEM_BYTES; g++)
			if (before[g] != after[g] && !in_writable(g))
				__builtin_trap();
	if (err && req.has_status && after[req.status_addr] != req.status)
		__builtin_trap();
	if (fstat(be.fd, &st) || st.st_size != DISK_BYTES)
		__builtin_trap();
}

static uint64_t fuzz_addr(uint32_t raw)
{
	/* Mostly inside guest memory; sometimes far outside or wrapping. */
	if (raw >> 30 == 3)
		return UINT64_MAX - (raw & 0xffffu);
	if (raw >> 30 == 2)
		return (uint64_t)raw << 4;
	return raw % (MEM_BYTES + 0x100u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t id[VIRTIO_BLK_ID_BYTES] = "fuzz";
	struct vblk_limits lim = {
		.capacity = DISK_BYTES / 512, .max_discard_sectors = 32,
		.max_discard_seg = 4, .discard_sector_alignment = 2,
		.max_write_zeroes_sectors = 32, .max_write_zeroes_seg = 4,
	};
	uint32_t n;
	int err;

	if (!mem)
		init_once();
	if (size < 2)
		return 0;
	lim.read_only = data[0] & 1;
	lim.flush = data[0] & 2;
	lim.discard = data[0] & 4;
	lim.write_zeroes = data[0] & 8;
	lim.seg_max = 1u + (data[0] >> 4);
	n = data[1] % (MAX_FUZZ_DESCS + 1);
	data += 2;
	size -= 2;
	vblk_chain_reset(&chain);
	for (uint32_t i = 0; i < n && size >= 9; i++, data += 9, size -= 9)
		vblk_chain_push(&chain, fuzz_addr(rd32(data)), rd32(data + 4) % 0x3000u,
				data[8] & 1);
	chain.bad = n && size > 0 && data[0] == 0xbd;
	if (vmmem_fill(mem, 0, 0, MEM_BYTES) ||
	    vmmem_write(mem, 0, data, size < MEM_BYTES ? size : MEM_BYTES) ||
	    vmmem_read(mem, 0, before, MEM_BYTES))
		__builtin_trap();
	err = vblk_parse(mem, &lim, &chain, &req);
	if ((err == 0) != (req.status == VIRTIO_BLK_S_OK))
		__builtin_trap();
	check(err, vblk_process(mem, &be, id, &req));
	return 0;
}
