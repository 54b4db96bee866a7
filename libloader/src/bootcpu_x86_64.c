// SPDX-License-Identifier: MIT
// Boot vCPU state (Intel SDM vol. 3A §3.4.5 segment descriptors, §4.5
// 4-level paging, §9.8 entering long mode).  Descriptors are encoded from
// the access/flags word the way Linux's GDT_ENTRY() does, and the segment
// registers are decoded from the very same words so the two cannot
// disagree.  Long mode gets an identity map of the low 4 GiB with 2 MiB
// pages, which covers the kernel, the boot structures and the MMIO hole.
#include <errno.h>
#include <string.h>

#include <vmmem/access.h>

#include <loader/bootcpu.h>
#include <loader/layout.h>

#define X86_CR0_PE	(1ull << 0)
#define X86_CR0_ET	(1ull << 4)
#define X86_CR0_PG	(1ull << 31)
#define X86_CR4_PAE	(1ull << 5)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define RFLAGS_RESERVED	(1ull << 1)
#define PTE_PRESENT	(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)
/* End of the identity map write_page_tables() builds. */
#define IDENTITY_MAP_END	0x100000000ull

/* Access byte and flags nibble (G, D/B, L, AVL) of each descriptor. */
#define DESC_CODE64	0xa09bu	/* G, L, present, code execute/read accessed */
#define DESC_CODE32	0xc09bu	/* G, D/B, present, code execute/read accessed */
#define DESC_DATA	0xc093u	/* G, D/B, present, data read/write accessed */
#define DESC_TSS64	0x808bu	/* G, present, busy 64-bit TSS */
#define DESC_TSS32	0x008bu	/* present, busy 32-bit TSS, byte limit */

enum { GDT_CODE = 2, GDT_DATA = 3, GDT_TSS = 4, GDT_ENTRIES = 5 };

static uint64_t gdt_entry(uint16_t flags, uint32_t base, uint32_t limit)
{
	return ((uint64_t)(base & 0xff000000u) << 32) |
	       ((uint64_t)(base & 0x00ffffffu) << 16) | (limit & 0xffffu) |
	       ((uint64_t)(limit & 0xf0000u) << 32) |
	       ((uint64_t)(flags & 0xf0ffu) << 40);
}

static struct loader_segment segment(uint64_t e, unsigned int index)
{
	uint32_t limit = (uint32_t)((e & 0xffff) | ((e >> 32) & 0xf0000));
	struct loader_segment s = {
		.base = ((e >> 16) & 0xffffff) | ((e >> 32) & 0xff000000),
		.selector = (uint16_t)(index * 8),
		.type = (uint8_t)((e >> 40) & 0xf),
		.s = (e >> 44) & 1, .dpl = (uint8_t)((e >> 45) & 3),
		.present = (e >> 47) & 1, .avl = (e >> 52) & 1,
		.l = (e >> 53) & 1, .db = (e >> 54) & 1, .g = (e >> 55) & 1,
	};

	s.limit = s.g ? (limit << 12) | 0xfff : limit;
	return s;
}

static int write_gdt_idt(struct vmmem_map *map, bool long_mode,
			 struct loader_boot_cpu *out)
{
	uint64_t gdt[GDT_ENTRIES] = { 0 };
	uint64_t idt = 0;
	int err;

	gdt[GDT_CODE] = gdt_entry(long_mode ? DESC_CODE64 : DESC_CODE32, 0, 0xfffff);
	gdt[GDT_DATA] = gdt_entry(DESC_DATA, 0, 0xfffff);
	/* PVH wants a 32-bit TSS of limit 0x67; long mode a 64-bit one. */
	gdt[GDT_TSS] = long_mode ? gdt_entry(DESC_TSS64, 0, 0xfffff)
				 : gdt_entry(DESC_TSS32, 0, 0x67);
	err = vmmem_write(map, LOADER_GDT_START, gdt, sizeof(gdt));
	if (!err)
		err = vmmem_write(map, LOADER_IDT_START, &idt, sizeof(idt));
	if (err)
		return err;
	out->gdt_base = LOADER_GDT_START;
	out->gdt_limit = sizeof(gdt) - 1;
	out->idt_base = LOADER_IDT_START;
	out->idt_limit = sizeof(idt) - 1;
	out->cs = segment(gdt[GDT_CODE], GDT_CODE);
	out->ds = segment(gdt[GDT_DATA], GDT_DATA);
	out->tr = segment(gdt[GDT_TSS], GDT_TSS);
	return 0;
}

/* PML4[0] -> PDPT, PDPT[0..3] -> four PDs of 512 2 MiB pages each, built
 * one 4 KiB table at a time in a buffer on the stack (a static one would
 * not be thread-safe, and a thread-local one costs every thread of the
 * caller its size). */
static int write_page_tables(struct vmmem_map *map)
{
	uint64_t t[512];
	int err;

	memset(t, 0, sizeof(t));
	t[0] = LOADER_PDPT_START | PTE_PRESENT | PTE_RW;
	err = vmmem_write(map, LOADER_PML4_START, t, sizeof(t));
	for (uint64_t i = 0; i < 4; i++)
		t[i] = (LOADER_PD_START + i * 0x1000) | PTE_PRESENT | PTE_RW;
	if (!err)
		err = vmmem_write(map, LOADER_PDPT_START, t, sizeof(t));
	for (uint64_t i = 0; i < 4 && !err; i++) {
		for (uint64_t j = 0; j < 512; j++)
			t[j] = ((i * 512 + j) << 21) | PTE_PRESENT | PTE_RW | PTE_PS;
		err = vmmem_write(map, LOADER_PD_START + i * 0x1000, t, sizeof(t));
	}
	return err;
}

/* The kernel's range lies below 4 GiB: all that 32-bit code with paging
 * off can address (PVH), and all the identity map covers (64-bit). */
static bool range_below_4g(const struct loader_kernel *k)
{
	return k->load_addr < IDENTITY_MAP_END && k->load_end <= IDENTITY_MAP_END;
}

/* boot.rst, "64-bit Boot Protocol": the kernel's range and its entry must
 * be identity-mapped, or the first instruction faults. */
static bool in_identity_map(const struct loader_kernel *k)
{
	return k->entry < IDENTITY_MAP_END && range_below_4g(k);
}

int loader_boot_cpu_setup(struct vmmem_map *map, const struct loader_kernel *k,
			  enum loader_entry_mode mode, struct loader_boot_cpu *out)
{
	bool long_mode = mode == LOADER_ENTRY_LONG_MODE;
	int err;

	if (!map || !k || !out || (mode != LOADER_ENTRY_LONG_MODE && mode != LOADER_ENTRY_PVH) ||
	    (long_mode ? !k->has_entry64 || !in_identity_map(k)
		       : !k->has_pvh || !range_below_4g(k)))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = write_gdt_idt(map, long_mode, out);
	if (!err && long_mode)
		err = write_page_tables(map);
	if (err)
		return err;
	out->rflags = RFLAGS_RESERVED;
	out->rsp = LOADER_BOOT_STACK_POINTER;
	if (long_mode) {
		out->rip = k->entry;
		out->rsi = LOADER_ZERO_PAGE_START;
		out->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
		out->cr3 = LOADER_PML4_START;
		out->cr4 = X86_CR4_PAE;
		out->efer = EFER_LME | EFER_LMA;
	} else {
		out->rip = k->pvh_entry;
		out->rbx = LOADER_PVH_INFO_START;
		out->cr0 = X86_CR0_PE | X86_CR0_ET;
	}
	return 0;
}
