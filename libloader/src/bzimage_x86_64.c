// SPDX-License-Identifier: MIT
// bzImage loading per Documentation/arch/x86/boot.rst ("The real-mode
// kernel header", "Details of header fields", "Loading the rest of the
// kernel").  The setup header is read field by field from the file bytes,
// each field only when the announced protocol version defines it and the
// announced header length covers it; the protected-mode kernel (syssize
// paragraphs after the setup sectors) is copied to its load address.
// Bytes past syssize (e.g. a PE signature appended by Secure Boot signing)
// are not part of the kernel and are ignored.
#include <errno.h>
#include <string.h>

#include <vmmem/access.h>

#include <loader/bzimage.h>
#include <loader/layout.h>

#include "util.h"

/* Header field offsets in the image (boot.rst, "The real-mode kernel
 * header"). */
#define BZ_SETUP_SECTS		0x1f1u
#define BZ_SYSSIZE		0x1f4u
#define BZ_BOOT_FLAG		0x1feu
#define BZ_JUMP_LEN		0x201u
#define BZ_HEADER		0x202u
#define BZ_VERSION		0x206u
#define BZ_LOADFLAGS		0x211u
#define BZ_INITRD_ADDR_MAX	0x22cu
#define BZ_KERNEL_ALIGNMENT	0x230u
#define BZ_RELOCATABLE		0x234u
#define BZ_MIN_ALIGNMENT	0x235u
#define BZ_XLOADFLAGS		0x236u
#define BZ_CMDLINE_SIZE		0x238u
#define BZ_PAYLOAD_OFFSET	0x248u
#define BZ_PAYLOAD_LENGTH	0x24cu
#define BZ_PREF_ADDRESS		0x258u
#define BZ_INIT_SIZE		0x260u

#define BZ_BOOT_FLAG_MAGIC	0xaa55u
#define BZ_LOADED_HIGH		0x01u
#define BZ_XLF_KERNEL_64	0x0001u
/* The 64-bit entry is 0x200 bytes into the protected-mode kernel. */
#define BZ_ENTRY64_OFFSET	0x200u
#define BZ_4G			0x100000000ull

/* Bytes of header a protocol version promises, counted from 0. */
static uint32_t header_end_for(uint16_t version)
{
	if (version >= 0x020a)
		return BZ_INIT_SIZE + 4;
	if (version >= 0x0208)
		return BZ_PAYLOAD_LENGTH + 4;
	return BZ_CMDLINE_SIZE + 4;
}

static int check_magic(const uint8_t *p, size_t size, uint32_t *hdr_end)
{
	uint16_t version;

	if (size < BZ_VERSION + 2 ||
	    loader__le16(p + BZ_BOOT_FLAG) != BZ_BOOT_FLAG_MAGIC ||
	    memcmp(p + BZ_HEADER, "HdrS", 4) != 0)
		return -ENOEXEC;
	version = loader__le16(p + BZ_VERSION);
	if (version < LOADER_BZIMAGE_MIN_VERSION)
		return -ENOTSUP;
	*hdr_end = BZ_HEADER + p[BZ_JUMP_LEN];
	if (*hdr_end < header_end_for(version) || *hdr_end > size)
		return -ENOEXEC;
	if (!(p[BZ_LOADFLAGS] & BZ_LOADED_HIGH))
		return -ENOTSUP;
	return 0;
}

static int read_layout(const uint8_t *p, size_t size,
		       struct loader_bzimage_info *bz)
{
	bz->setup_sects = p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : 4;
	bz->setup_size = ((uint64_t)bz->setup_sects + 1) * 512;
	bz->kernel_size = (uint64_t)loader__le32(p + BZ_SYSSIZE) * 16;
	if (bz->kernel_size == 0 ||
	    !loader__in_bounds(bz->setup_size, bz->kernel_size, size))
		return -ENOEXEC;
	if (bz->version >= 0x0208) {
		bz->payload_offset = loader__le32(p + BZ_PAYLOAD_OFFSET);
		bz->payload_length = loader__le32(p + BZ_PAYLOAD_LENGTH);
		if (!loader__in_bounds(bz->payload_offset, bz->payload_length,
				       bz->kernel_size))
			return -ENOEXEC;
	}
	return 0;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int read_placement(const uint8_t *p, struct loader_bzimage_info *bz)
{
	bz->relocatable = p[BZ_RELOCATABLE] != 0;
	bz->kernel_alignment = loader__le32(p + BZ_KERNEL_ALIGNMENT);
	bz->initrd_addr_max = loader__le32(p + BZ_INITRD_ADDR_MAX);
	bz->cmdline_size = loader__le32(p + BZ_CMDLINE_SIZE);
	bz->init_size = (uint32_t)bz->kernel_size;
	if (bz->version >= 0x020a) {
		bz->min_alignment = p[BZ_MIN_ALIGNMENT];
		bz->pref_address = loader__le64(p + BZ_PREF_ADDRESS);
		bz->init_size = loader__le32(p + BZ_INIT_SIZE);
	}
	if (bz->version >= 0x020c)
		bz->xloadflags = loader__le16(p + BZ_XLOADFLAGS);
	if (!is_pow2(bz->kernel_alignment) || bz->min_alignment > 31 ||
	    (1u << bz->min_alignment) > bz->kernel_alignment ||
	    bz->init_size < bz->kernel_size)
		return -ENOEXEC;
	return 0;
}

int loader_bzimage_parse(const void *image, size_t size,
			 struct loader_bzimage_info *info)
{
	const uint8_t *p = image;
	struct loader_bzimage_info bz = { 0 };
	uint32_t hdr_end = 0;
	int err;

	if (!image || !info)
		return -EINVAL;
	err = check_magic(p, size, &hdr_end);
	if (err)
		return err;
	bz.version = loader__le16(p + BZ_VERSION);
	bz.loadflags = p[BZ_LOADFLAGS];
	err = read_layout(p, size, &bz);
	if (!err)
		err = read_placement(p, &bz);
	if (err)
		return err;
	bz.header_len = hdr_end - BZ_SETUP_SECTS;
	if (bz.header_len > LOADER_SETUP_HEADER_MAX)
		bz.header_len = LOADER_SETUP_HEADER_MAX;
	memcpy(bz.header, p + BZ_SETUP_SECTS, bz.header_len);
	*info = bz;
	return 0;
}

/* The alignment a relocated kernel must have: kernel_alignment, relaxed to
 * min_alignment when the caller chose the address (boot.rst 2.10). */
static uint64_t required_alignment(const struct loader_bzimage_info *bz,
				   bool caller_chose)
{
	if (caller_chose && bz->version >= 0x020a && bz->min_alignment)
		return 1ull << bz->min_alignment;
	return bz->kernel_alignment;
}

static bool fits(const struct vmmem_map *map, uint64_t addr, uint64_t need)
{
	return addr + need >= addr && addr + need <= BZ_4G &&
	       vmmem_range_is_backed(map, addr, need);
}

struct search {
	uint64_t need, align, from, found;
};

/* First kernel_alignment boundary at or above s->from in this region with
 * need bytes after it, below 4 GiB. */
static int search_region(void *ctx, const struct vmmem_region_info *r)
{
	struct search *s = ctx;
	uint64_t start = r->gpa < s->from ? s->from : r->gpa;

	if (start > BZ_4G)
		return 0;
	start = loader__align_up(start, s->align);
	if (start >= r->gpa && start - r->gpa < r->size &&
	    s->need <= r->size - (start - r->gpa) && start + s->need <= BZ_4G) {
		s->found = start;
		return 1;
	}
	return 0;
}

/* The kernel owns init_size bytes from its load address; none of them may
 * fall in the boot area, where the zero page, command line and page tables
 * go (<loader/layout.h>).  Fills *o when they would. */
static int boot_area_clear(const struct loader_bzimage_info *bz, uint64_t addr,
			   struct loader_kernel_overlap *o)
{
	const struct loader_area *a = loader_layout_boot_overlap(addr, bz->init_size);

	if (!a)
		return 0;
	*o = (struct loader_kernel_overlap){
		.segment = LOADER_KERNEL_SEGMENT_BZIMAGE, .start = addr,
		.end = addr + bz->init_size < addr ? UINT64_MAX : addr + bz->init_size,
		.area = a,
	};
	return -EADDRINUSE;
}

/* The caller's address must be where the kernel runs (boot.rst: a
 * non-relocatable kernel only at pref_address).  A relocatable one never
 * runs below pref_address: Linux's head_64.S moves up to its
 * LOAD_PHYSICAL_ADDR, which header.S announces as pref_address, and would
 * use init_size bytes there that nobody checked. */
static int caller_address(const struct vmmem_map *map,
			  const struct loader_bzimage_info *bz, uint64_t pref,
			  uint64_t wanted, struct loader_kernel_overlap *o)
{
	if (!bz->relocatable ? wanted != pref
			     : (wanted & (required_alignment(bz, true) - 1)) != 0)
		return -EINVAL;
	if (boot_area_clear(bz, wanted, o))
		return -EADDRINUSE;
	if (wanted < pref)
		return -EINVAL;
	return fits(map, wanted, bz->init_size) ? 0 : -EFAULT;
}

/* pref_address when it is backed, aligned and clear of the boot area,
 * else the first aligned backed range above it and LOADER_KERNEL_START: a
 * relocatable kernel runs only at a kernel_alignment boundary, and not
 * below pref_address (caller_address()). */
static int relocatable_address(const struct vmmem_map *map,
			       const struct loader_bzimage_info *bz, uint64_t pref,
			       uint64_t *addr)
{
	struct search s = { .need = bz->init_size,
			    .align = required_alignment(bz, false),
			    .from = pref > LOADER_KERNEL_START ? pref : LOADER_KERNEL_START };
	struct loader_kernel_overlap unused;

	if (fits(map, pref, s.need) && !(pref & (s.align - 1)) &&
	    !boot_area_clear(bz, pref, &unused)) {
		*addr = pref;
		return 0;
	}
	if (vmmem_map_for_each_region(map, search_region, &s) != 1)
		return -EFAULT;
	*addr = s.found;
	return 0;
}

static int choose_address(const struct vmmem_map *map,
			  const struct loader_bzimage_info *bz,
			  uint64_t wanted, uint64_t *addr,
			  struct loader_kernel_overlap *o)
{
	uint64_t pref = bz->pref_address ? bz->pref_address : LOADER_HIMEM_START;

	if (wanted) {
		*addr = wanted;
		return caller_address(map, bz, pref, wanted, o);
	}
	if (bz->relocatable)
		return relocatable_address(map, bz, pref, addr);
	/* A kernel that cannot move and would land on the boot structures
	 * (pref_address 0x1000, say) cannot be booted here. */
	*addr = pref;
	if (boot_area_clear(bz, pref, o))
		return -EADDRINUSE;
	return fits(map, pref, bz->init_size) ? 0 : -EFAULT;
}

/* The alignment the kernel is told its load address has (kernel_alignment
 * in the zero page): Linux's head_64.S decompresses at the load address
 * rounded up to it.  An address the caller aligned only to min_alignment
 * needs the lower value (boot.rst: "kernel_alignment = 1 << min_alignment");
 * otherwise the image's own value stays. */
static uint32_t load_alignment(const struct loader_bzimage_info *bz, uint64_t addr)
{
	if (bz->relocatable && (addr & (bz->kernel_alignment - 1)))
		return (uint32_t)required_alignment(bz, true);
	return bz->kernel_alignment;
}

int loader_bzimage_load(struct vmmem_map *map, const void *image, size_t size,
			const struct loader_kernel_opts *opts,
			struct loader_kernel *out)
{
	struct loader_kernel k = { .format = LOADER_FORMAT_BZIMAGE };
	uint64_t addr;
	int err;

	if (!map || !image || !out)
		return -EINVAL;
	err = loader_bzimage_parse(image, size, &k.bz);
	if (!err)
		err = choose_address(map, &k.bz, opts ? opts->load_addr : 0, &addr,
				     &k.overlap);
	if (err == -EADDRINUSE)
		*out = (struct loader_kernel){ .format = LOADER_FORMAT_BZIMAGE,
					       .overlap = k.overlap };
	if (!err)
		err = vmmem_write(map, addr, (const uint8_t *)image + k.bz.setup_size,
				  k.bz.kernel_size);
	if (err)
		return err;
	k.load_addr = addr;
	k.load_end = addr + k.bz.init_size;
	k.load_alignment = load_alignment(&k.bz, addr);
	k.entry32 = addr;
	k.has_entry64 = (k.bz.xloadflags & BZ_XLF_KERNEL_64) != 0;
	k.entry = k.has_entry64 ? addr + BZ_ENTRY64_OFFSET : 0;
	k.cmdline_max = k.bz.cmdline_size < LOADER_CMDLINE_MAX_SIZE ?
				k.bz.cmdline_size : LOADER_CMDLINE_MAX_SIZE - 1;
	k.initrd_addr_max = k.bz.initrd_addr_max;
	*out = k;
	return 0;
}
