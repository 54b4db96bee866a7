/* SPDX-License-Identifier: MIT */
/*
 * Synthetic images and guest maps for the unit tests.  Each fixture is a
 * minimal valid image built field by field from the specs (gABI ELF64 with
 * a Xen PVH note; a boot-protocol 2.15 bzImage); the tests then break one
 * field at a time to reach each rejection path.
 */
#ifndef LOADER_TEST_FIXTURES_H
#define LOADER_TEST_FIXTURES_H

#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <vmmem/vmmem.h>

/* A map with RAM at [0, low) and, when high is non-zero, [4 GiB, 4 GiB+high). */
static inline struct vmmem_map *fx_map(uint64_t low, uint64_t high)
{
	struct vmmem_map *m;
	struct vmmem_region_desc lo = { .gpa = 0, .size = low, .backing = VMMEM_BACKING_ANON };
	struct vmmem_region_desc hi = { .gpa = 0x100000000ull, .size = high,
					.backing = VMMEM_BACKING_ANON };

	cr_assert_eq(vmmem_map_new(&m), 0);
	cr_assert_eq(vmmem_map_add_region(m, &lo), 0);
	if (high)
		cr_assert_eq(vmmem_map_add_region(m, &hi), 0);
	return m;
}

/* An unlinked temporary file holding size bytes of data; its descriptor. */
static inline int fx_temp_file(const void *data, size_t size)
{
	char path[] = "/tmp/loader-test-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	unlink(path);
	cr_assert_eq(write(fd, data, size), (ssize_t)size);
	return fd;
}

/* ---- ELF: ehdr, 3 phdrs (LOAD, LOAD, NOTE), notes at 0x100, data at 0x200 */
#define FX_ELF_SIZE	0x380u
#define FX_ELF_NOTES	0x100u
#define FX_SEG0_OFF	0x200u
#define FX_SEG0_PADDR	0x100000u
#define FX_SEG0_FILESZ	0x100u
#define FX_SEG0_MEMSZ	0x2000u
#define FX_SEG1_OFF	0x300u
#define FX_SEG1_PADDR	0x200000u
#define FX_SEG1_VADDR	0xffffffff80200000ull
#define FX_SEG1_FILESZ	0x80u
#define FX_ENTRY	0x100010u
#define FX_PVH_ENTRY	0x100040u

static inline Elf64_Ehdr *fx_ehdr(uint8_t *img)
{
	return (Elf64_Ehdr *)(void *)img;
}

static inline Elf64_Phdr *fx_phdr(uint8_t *img, unsigned int i)
{
	return (Elf64_Phdr *)(void *)(img + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr));
}

/* Writes one note (name "Xen") at p; returns its padded size. */
static inline size_t fx_note(uint8_t *p, uint32_t type, const void *desc, uint32_t descsz)
{
	Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = descsz, .n_type = type };

	memcpy(p, &nh, sizeof(nh));
	memcpy(p + sizeof(nh), "Xen", 4);
	memcpy(p + sizeof(nh) + 4, desc, descsz);
	return sizeof(nh) + 4 + ((descsz + 3u) & ~3u);
}

/* A valid tiny vmlinux-like image in a malloc'd FX_ELF_SIZE buffer. */
static inline uint8_t *fx_elf(void)
{
	uint8_t *img = calloc(1, FX_ELF_SIZE);
	Elf64_Ehdr *eh = fx_ehdr(img);
	uint64_t pvh = FX_PVH_ENTRY;
	size_t n;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = FX_ENTRY;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	*fx_phdr(img, 0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = FX_SEG0_OFF,
		.p_vaddr = FX_SEG0_PADDR, .p_paddr = FX_SEG0_PADDR,
		.p_filesz = FX_SEG0_FILESZ, .p_memsz = FX_SEG0_MEMSZ, .p_align = 0x1000 };
	*fx_phdr(img, 1) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = FX_SEG1_OFF,
		.p_vaddr = FX_SEG1_VADDR, .p_paddr = FX_SEG1_PADDR,
		.p_filesz = FX_SEG1_FILESZ, .p_memsz = FX_SEG1_FILESZ, .p_align = 0x1000 };
	n = fx_note(img + FX_ELF_NOTES, 6, "linux\0\0", 8);
	n += fx_note(img + FX_ELF_NOTES + n, 18, &pvh, 8);
	*fx_phdr(img, 2) = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = FX_ELF_NOTES,
		.p_filesz = n, .p_memsz = n, .p_align = 4 };
	for (unsigned int i = 0; i < FX_SEG0_FILESZ; i++)
		img[FX_SEG0_OFF + i] = (uint8_t)(0xa0 ^ i);
	for (unsigned int i = 0; i < FX_SEG1_FILESZ; i++)
		img[FX_SEG1_OFF + i] = (uint8_t)(0x3c ^ i);
	return img;
}

/* ---- bzImage: 1 setup sector, 0x1000-byte protected-mode kernel */
#define FX_BZ_SETUP_SECTS	1u
#define FX_BZ_SETUP_SIZE	0x400u
#define FX_BZ_KERNEL_SIZE	0x1000u
#define FX_BZ_SIZE		(FX_BZ_SETUP_SIZE + FX_BZ_KERNEL_SIZE)
#define FX_BZ_PREF		0x1000000u
#define FX_BZ_ALIGN		0x200000u
#define FX_BZ_INIT_SIZE		0x10000u
#define FX_BZ_PAYLOAD_OFF	0x100u
#define FX_BZ_PAYLOAD_LEN	0x200u

static inline void fx_put(uint8_t *img, size_t off, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

static inline uint8_t *fx_bzimage(void)
{
	uint8_t *img = calloc(1, FX_BZ_SIZE);

	img[0x1f1] = FX_BZ_SETUP_SECTS;
	fx_put(img, 0x1f4, FX_BZ_KERNEL_SIZE / 16, 4);	/* syssize */
	fx_put(img, 0x1fe, 0xaa55, 2);			/* boot_flag */
	img[0x200] = 0xeb;				/* jump */
	img[0x201] = 0x6a;				/* header ends at 0x26c */
	memcpy(img + 0x202, "HdrS", 4);
	fx_put(img, 0x206, 0x020f, 2);			/* version */
	img[0x211] = 0x01;				/* LOADED_HIGH */
	fx_put(img, 0x214, 0x100000, 4);		/* code32_start */
	fx_put(img, 0x22c, 0x7fffffff, 4);		/* initrd_addr_max */
	fx_put(img, 0x230, FX_BZ_ALIGN, 4);		/* kernel_alignment */
	img[0x234] = 1;					/* relocatable_kernel */
	img[0x235] = 21;				/* min_alignment */
	fx_put(img, 0x236, 0x0003, 2);			/* XLF_KERNEL_64 | ABOVE_4G */
	fx_put(img, 0x238, 2047, 4);			/* cmdline_size */
	fx_put(img, 0x248, FX_BZ_PAYLOAD_OFF, 4);
	fx_put(img, 0x24c, FX_BZ_PAYLOAD_LEN, 4);
	fx_put(img, 0x258, FX_BZ_PREF, 8);		/* pref_address */
	fx_put(img, 0x260, FX_BZ_INIT_SIZE, 4);		/* init_size */
	for (unsigned int i = 0; i < FX_BZ_KERNEL_SIZE; i++)
		img[FX_BZ_SETUP_SIZE + i] = (uint8_t)(0x5a ^ i ^ (i >> 8));
	return img;
}

#endif
