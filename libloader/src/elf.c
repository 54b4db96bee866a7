// SPDX-License-Identifier: MIT
// ELF64 vmlinux loading through libelf (System V gABI ch. 4-5, x86_64
// psABI).  Linux links vmlinux with physical load addresses in p_paddr and
// a physical e_entry; the PVH entry comes from the Xen note
// XEN_ELFNOTE_PHYS32_ENTRY (xen/include/public/elfnote.h), 4 or 8 bytes
// depending on whether the kernel emitted .long or _ASM_PTR.
// The image is hostile: the whole program header table is validated, every
// segment checked against the file, the boot area below 1 MiB
// (<loader/layout.h>), the map and every other segment, and only then is
// anything written.
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>

#include <vmmem/access.h>

#include <loader/elf.h>
#include <loader/layout.h>

#include "util.h"

/* Linux x86 COMMAND_LINE_SIZE is 2048 including the NUL. */
#define ELF_CMDLINE_MAX 2047u
/* What Linux's own x86_64 setup header announces for initrd_addr_max. */
#define ELF_INITRD_ADDR_MAX 0x7fffffffu

struct elf_seg {
	uint64_t offset, filesz, paddr, memsz, vaddr;
};

struct elf_image {
	Elf *elf;
	struct elf_seg seg[LOADER_ELF_MAX_PHDRS];
	size_t nseg;
	struct loader_kernel_overlap overlap;	/* set with -EADDRINUSE */
};

static int check_ident(const uint8_t *p, size_t size)
{
	if (size < sizeof(Elf64_Ehdr) || memcmp(p, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if (p[EI_CLASS] != ELFCLASS64 || p[EI_DATA] != ELFDATA2LSB)
		return p[EI_CLASS] == ELFCLASS32 || p[EI_DATA] == ELFDATA2MSB ?
			       -ENOTSUP : -ENOEXEC;
	if (p[EI_VERSION] != EV_CURRENT)
		return -ENOEXEC;
	return 0;
}

static int check_ehdr(const GElf_Ehdr *eh, size_t size, size_t *phnum)
{
	if (eh->e_machine != EM_X86_64)
		return -ENOTSUP;
	if (eh->e_type != ET_EXEC)
		return eh->e_type == ET_DYN ? -ENOTSUP : -ENOEXEC;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum == PN_XNUM || eh->e_phnum > LOADER_ELF_MAX_PHDRS)
		return -ENOEXEC;
	if (!loader__in_bounds(eh->e_phoff,
			       (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), size))
		return -ENOEXEC;
	*phnum = eh->e_phnum;
	return 0;
}

/* A segment in the boot area would be overwritten by the zero page, the
 * page tables or the tables written after it (or overwrite them). */
static int check_boot_area(struct elf_image *img, size_t index, const GElf_Phdr *ph)
{
	const struct loader_area *a = loader_layout_boot_overlap(ph->p_paddr, ph->p_memsz);

	if (!a)
		return 0;
	img->overlap = (struct loader_kernel_overlap){
		.segment = (int)index, .start = ph->p_paddr,
		.end = ph->p_paddr + ph->p_memsz, .area = a,
	};
	return -EADDRINUSE;
}

/* gABI: "p_filesz ... may not be larger than p_memsz"; also checked for an
 * empty segment, which is otherwise skipped. */
static bool segment_in_file(const GElf_Phdr *ph, size_t size)
{
	return ph->p_filesz <= ph->p_memsz &&
	       loader__in_bounds(ph->p_offset, ph->p_filesz, size);
}

static int check_segment(struct elf_image *img, size_t index, const GElf_Phdr *ph,
			 const struct vmmem_map *map)
{
	if (ph->p_paddr + ph->p_memsz < ph->p_paddr)
		return -ENOEXEC;
	if (check_boot_area(img, index, ph))
		return -EADDRINUSE;
	for (size_t i = 0; i < img->nseg; i++)
		if (loader__overlaps(img->seg[i].paddr, img->seg[i].memsz,
				     ph->p_paddr, ph->p_memsz))
			return -ENOEXEC;
	if (map && !vmmem_range_is_backed(map, ph->p_paddr, ph->p_memsz))
		return -EFAULT;
	return 0;
}

static int collect_segments(struct elf_image *img, size_t phnum, size_t size,
			    const struct vmmem_map *map)
{
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		int err;

		if (!gelf_getphdr(img->elf, (int)i, &ph))
			return -ENOEXEC;
		if (ph.p_type != PT_LOAD)
			continue;
		if (!segment_in_file(&ph, size))
			return -ENOEXEC;
		if (ph.p_memsz == 0)
			continue;
		err = check_segment(img, i, &ph, map);
		if (err)
			return err;
		img->seg[img->nseg++] = (struct elf_seg){
			.offset = ph.p_offset, .filesz = ph.p_filesz,
			.paddr = ph.p_paddr, .memsz = ph.p_memsz,
			.vaddr = ph.p_vaddr,
		};
	}
	return img->nseg ? 0 : -ENOEXEC;
}

/* Index of the segment whose physical range holds addr, or -1. */
static long seg_holding(const struct elf_image *img, uint64_t addr)
{
	for (size_t i = 0; i < img->nseg; i++)
		if (addr >= img->seg[i].paddr &&
		    addr - img->seg[i].paddr < img->seg[i].memsz)
			return (long)i;
	return -1;
}

/* Linux's e_entry is physical; other kernels give a virtual one, which is
 * translated through the segment that maps it. */
static int find_entry(const struct elf_image *img, uint64_t e_entry,
		      uint64_t *entry)
{
	if (seg_holding(img, e_entry) >= 0) {
		*entry = e_entry;
		return 0;
	}
	for (size_t i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];

		if (e_entry >= s->vaddr && e_entry - s->vaddr < s->memsz) {
			*entry = s->paddr + (e_entry - s->vaddr);
			return 0;
		}
	}
	return -ENOEXEC;
}

/* Looks for XEN_ELFNOTE_PHYS32_ENTRY in one note segment; the first one
 * found counts.  Every note must be whole: gelf_getnote() returns 0 for a
 * header, name or desc that overruns the segment. */
static int scan_notes(const struct elf_image *img, const GElf_Phdr *ph,
		      size_t size, struct loader_kernel *out)
{
	Elf_Data *d;
	size_t off = 0, name_off, desc_off, next;
	GElf_Nhdr nh;

	if (!loader__in_bounds(ph->p_offset, ph->p_filesz, size))
		return -ENOEXEC;
	/* Notes in an 8-aligned segment (GNU properties) pad name and desc
	 * to 8 bytes, as libelf and readelf read them. */
	d = elf_getdata_rawchunk(img->elf, (int64_t)ph->p_offset, ph->p_filesz,
				 ph->p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
	if (!d)
		return -ENOEXEC;
	while (off < d->d_size) {
		const uint8_t *desc;
		uint64_t v;

		next = gelf_getnote(d, off, &nh, &name_off, &desc_off);
		if (next == 0)
			return -ENOEXEC;
		off = next;
		desc = (const uint8_t *)d->d_buf + desc_off;
		if (out->has_pvh || nh.n_type != LOADER_XEN_ELFNOTE_PHYS32_ENTRY ||
		    nh.n_namesz != 4 ||
		    memcmp((const char *)d->d_buf + name_off, "Xen", 4) != 0)
			continue;
		if (nh.n_descsz != 4 && nh.n_descsz != 8)
			return -ENOEXEC;
		v = nh.n_descsz == 4 ? loader__le32(desc) : loader__le64(desc);
		if (v > UINT32_MAX || seg_holding(img, v) < 0)
			return -ENOEXEC;
		out->has_pvh = true;
		out->pvh_entry = (uint32_t)v;
	}
	return 0;
}

static int find_pvh(const struct elf_image *img, size_t phnum, size_t size,
		    struct loader_kernel *out)
{
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		int err;

		if (!gelf_getphdr(img->elf, (int)i, &ph))
			return -ENOEXEC;
		if (ph.p_type != PT_NOTE || ph.p_filesz == 0)
			continue;
		err = scan_notes(img, &ph, size, out);
		if (err)
			return err;
	}
	return 0;
}

static void fill_kernel(const struct elf_image *img, struct loader_kernel *out)
{
	out->format = LOADER_FORMAT_ELF;
	out->load_addr = UINT64_MAX;
	out->load_end = 0;
	for (size_t i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];

		if (s->paddr < out->load_addr)
			out->load_addr = s->paddr;
		if (s->paddr + s->memsz > out->load_end)
			out->load_end = s->paddr + s->memsz;
	}
	out->has_entry64 = true;
	out->cmdline_max = ELF_CMDLINE_MAX;
	out->initrd_addr_max = ELF_INITRD_ADDR_MAX;
}

static int parse(struct elf_image *img, const struct vmmem_map *map,
		 const void *image, size_t size, struct loader_kernel *out)
{
	GElf_Ehdr eh;
	size_t phnum = 0;
	int err = check_ident(image, size);

	if (err)
		return err;
	elf_version(EV_CURRENT);
	/* libelf only reads an ELF_C_READ_MMAP-style memory image. */
	img->elf = elf_memory((char *)(uintptr_t)image, size);
	if (!img->elf || elf_kind(img->elf) != ELF_K_ELF ||
	    !gelf_getehdr(img->elf, &eh))
		return -ENOEXEC;
	err = check_ehdr(&eh, size, &phnum);
	if (!err)
		err = collect_segments(img, phnum, size, map);
	memset(out, 0, sizeof(*out));
	if (!err)
		err = find_entry(img, eh.e_entry, &out->entry);
	if (!err)
		err = find_pvh(img, phnum, size, out);
	if (!err)
		fill_kernel(img, out);
	return err;
}

/* Hands the overlap details of an -EADDRINUSE refusal to the caller. */
static void refused(const struct elf_image *img, int err, struct loader_kernel *out)
{
	if (err != -EADDRINUSE)
		return;
	memset(out, 0, sizeof(*out));
	out->format = LOADER_FORMAT_ELF;
	out->overlap = img->overlap;
}

int loader_elf_parse(const struct vmmem_map *map, const void *image,
		     size_t size, struct loader_kernel *out)
{
	struct elf_image img = { 0 };
	struct loader_kernel k;
	int err;

	if (!image || !out)
		return -EINVAL;
	err = parse(&img, map, image, size, &k);
	elf_end(img.elf);
	if (!err)
		*out = k;
	else
		refused(&img, err, out);
	return err;
}

/* Segments never overlap (parse() refuses that), so in memory that reads
 * as zero a segment's .bss is zero already. */
static int write_segments(struct vmmem_map *map, const struct elf_image *img,
			  const uint8_t *image, bool memory_zeroed)
{
	for (size_t i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		int err = vmmem_write(map, s->paddr, image + s->offset, s->filesz);

		if (!err && !memory_zeroed)
			err = vmmem_fill(map, s->paddr + s->filesz, 0,
					 s->memsz - s->filesz);
		if (err)
			return err;
	}
	return 0;
}

int loader_elf_load(struct vmmem_map *map, const void *image, size_t size,
		    const struct loader_kernel_opts *opts, struct loader_kernel *out)
{
	struct elf_image img = { 0 };
	struct loader_kernel k;
	int err;

	if (!map || !image || !out)
		return -EINVAL;
	err = parse(&img, map, image, size, &k);
	elf_end(img.elf);
	if (!err)
		err = write_segments(map, &img, image, opts && opts->memory_zeroed);
	if (!err)
		*out = k;
	else
		refused(&img, err, out);
	return err;
}
