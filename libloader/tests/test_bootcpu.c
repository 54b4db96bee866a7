// SPDX-License-Identifier: MIT
// Boot vCPU state: the GDT descriptors (checked against their well-known
// encodings, e.g. Linux's 0x00af9b000000ffff for a flat 64-bit code
// segment), the decoded segment registers, the identity page tables (by
// walking them as the MMU would, Intel SDM §4.5) and the control registers
// for the 64-bit and PVH entries.
#include <criterion/criterion.h>
#include <errno.h>

#include <loader/bootcpu.h>
#include <loader/elf.h>
#include <loader/layout.h>

#include "fixtures.h"

static struct vmmem_map *map;
static struct loader_boot_cpu cpu;
static struct loader_kernel k = {
	.format = LOADER_FORMAT_ELF, .entry = 0x1000000, .has_entry64 = true,
	.has_pvh = true, .pvh_entry = 0x1000850,
};

static void setup(void)
{
	map = fx_map(0x200000, 0);
}

static void teardown(void)
{
	vmmem_map_free(map);
}

TestSuite(bootcpu, .init = setup, .fini = teardown);

static uint64_t gdt(unsigned int i)
{
	uint64_t v;

	cr_assert_eq(vmmem_load_u64(map, LOADER_GDT_START + 8 * i, &v), 0);
	return v;
}

static uint64_t u64(uint64_t gpa)
{
	uint64_t v;

	cr_assert_eq(vmmem_load_u64(map, gpa, &v), 0);
	return v;
}

/* Translates a linear address through the 4-level tables at CR3. */
static uint64_t walk(uint64_t va)
{
	uint64_t e = u64(cpu.cr3 + 8 * ((va >> 39) & 511));

	cr_assert(e & 1, "PML4E present");
	e = u64((e & ~0xfffull) + 8 * ((va >> 30) & 511));
	cr_assert(e & 1, "PDPTE present");
	cr_assert_not(e & 0x80, "no 1 GiB pages");
	e = u64((e & ~0xfffull) + 8 * ((va >> 21) & 511));
	cr_assert(e & 1, "PDE present");
	cr_assert(e & 2, "writable");
	cr_assert(e & 0x80, "2 MiB page");
	return (e & ~0x1fffffull & 0xfffffffffffull) | (va & 0x1fffff);
}

Test(bootcpu, long_mode_descriptors)
{
	cr_assert_eq(loader_boot_cpu_setup(map, &k, LOADER_ENTRY_LONG_MODE, &cpu), 0);
	cr_assert_eq(gdt(0), 0);
	cr_assert_eq(gdt(1), 0);
	cr_assert_eq(gdt(2), 0x00af9b000000ffffull, "flat 64-bit code");
	cr_assert_eq(gdt(3), 0x00cf93000000ffffull, "flat data");
	cr_assert_eq(gdt(4), 0x008f8b000000ffffull, "64-bit TSS");
	cr_assert_eq(cpu.gdt_base, LOADER_GDT_START);
	cr_assert_eq(cpu.gdt_limit, 5 * 8 - 1);
	cr_assert_eq(cpu.idt_base, LOADER_IDT_START);
}

Test(bootcpu, long_mode_segments_use_the_boot_protocol_selectors)
{
	cr_assert_eq(loader_boot_cpu_setup(map, &k, LOADER_ENTRY_LONG_MODE, &cpu), 0);
	cr_assert_eq(cpu.cs.selector, 0x10, "__BOOT_CS");
	cr_assert_eq(cpu.ds.selector, 0x18, "__BOOT_DS");
	cr_assert(cpu.cs.l);
	cr_assert_not(cpu.cs.db);
	cr_assert_eq(cpu.cs.type, 0xb);
	cr_assert(cpu.cs.present && cpu.cs.s && cpu.cs.g);
	cr_assert_eq(cpu.cs.dpl, 0);
	cr_assert_eq(cpu.cs.limit, 0xffffffff);
	cr_assert_eq(cpu.ds.type, 0x3);
	cr_assert(cpu.ds.db);
	cr_assert_not(cpu.ds.l);
	cr_assert_eq(cpu.tr.selector, 0x20);
	cr_assert_eq(cpu.tr.type, 0xb);
	cr_assert_not(cpu.tr.s);
}

Test(bootcpu, long_mode_registers)
{
	cr_assert_eq(loader_boot_cpu_setup(map, &k, LOADER_ENTRY_LONG_MODE, &cpu), 0);
	cr_assert_eq(cpu.rip, 0x1000000);
	cr_assert_eq(cpu.rsi, LOADER_ZERO_PAGE_START);
	cr_assert_eq(cpu.rsp, LOADER_BOOT_STACK_POINTER);
	cr_assert_eq(cpu.rflags, 2);
	cr_assert(cpu.cr0 & 1, "PE");
	cr_assert(cpu.cr0 & (1ull << 31), "PG");
	cr_assert(cpu.cr4 & (1u << 5), "PAE");
	cr_assert_eq(cpu.efer & 0x500, 0x500, "LME and LMA");
	cr_assert_eq(cpu.cr3, LOADER_PML4_START);
}

Test(bootcpu, page_tables_identity_map_the_low_4g)
{
	static const uint64_t probes[] = { 0, 0x7000, 0x1000850, 0x3fffffff, 0x40000000,
					   0xbfffffff, 0xd0000000, 0xfec00000, 0xfee00fff,
					   0xffffffff };

	cr_assert_eq(loader_boot_cpu_setup(map, &k, LOADER_ENTRY_LONG_MODE, &cpu), 0);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		cr_assert_eq(walk(probes[i]), probes[i], "va %#llx",
			     (unsigned long long)probes[i]);
}

Test(bootcpu, pvh_is_flat_protected_mode_without_paging)
{
	cr_assert_eq(loader_boot_cpu_setup(map, &k, LOADER_ENTRY_PVH, &cpu), 0);
	cr_assert_eq(gdt(2), 0x00cf9b000000ffffull, "flat 32-bit code");
	cr_assert_eq(gdt(3), 0x00cf93000000ffffull);
	cr_assert_eq(gdt(4), 0x00008b0000000067ull, "32-bit TSS, limit 0x67");
	cr_assert_eq(cpu.rip, 0x1000850);
	cr_assert_eq(cpu.rbx, LOADER_PVH_INFO_START);
	cr_assert(cpu.cr0 & 1);
	cr_assert_not(cpu.cr0 & (1ull << 31), "paging off");
	cr_assert_eq(cpu.cr4, 0);
	cr_assert_eq(cpu.efer, 0);
	cr_assert(cpu.cs.db);
	cr_assert_not(cpu.cs.l);
	cr_assert_eq(cpu.cs.limit, 0xffffffff);
	cr_assert_eq(cpu.tr.limit, 0x67);
	cr_assert_not(cpu.tr.g);
}

Test(bootcpu, rejects_mode_the_kernel_lacks)
{
	struct loader_kernel no_pvh = k, no64 = k;

	no_pvh.has_pvh = false;
	no64.has_entry64 = false;
	cr_assert_eq(loader_boot_cpu_setup(map, &no_pvh, LOADER_ENTRY_PVH, &cpu), -EINVAL);
	cr_assert_eq(loader_boot_cpu_setup(map, &no64, LOADER_ENTRY_LONG_MODE, &cpu), -EINVAL);
	cr_assert_eq(loader_boot_cpu_setup(map, &k, (enum loader_entry_mode)7, &cpu), -EINVAL);
}

/* Regression: an ELF kernel above 4 GiB loaded, and its
 * entry, outside the identity map, would fault on the first instruction. */
Test(bootcpu, long_mode_refuses_an_elf_kernel_above_4g)
{
	struct vmmem_map *m = fx_map(0x200000, 0x2000000);
	uint8_t *img = fx_elf();
	struct loader_kernel high;

	fx_phdr(img, 0)->p_paddr = fx_phdr(img, 0)->p_vaddr = 0x101000000ull;
	fx_phdr(img, 1)->p_paddr = 0x101100000ull;
	fx_phdr(img, 2)->p_type = PT_NULL;	/* no PVH note */
	fx_ehdr(img)->e_entry = 0x101000010ull;
	cr_assert_eq(loader_elf_load(m, img, FX_ELF_SIZE, NULL, &high), 0);
	cr_assert_eq(loader_boot_cpu_setup(m, &high, LOADER_ENTRY_LONG_MODE, &cpu), -EINVAL);
	free(img);
	vmmem_map_free(m);
}

/* A kernel range may end at 4 GiB exactly, not a byte later, nor start
 * there. */
static void refuses_a_range_reaching_past_4g(enum loader_entry_mode mode)
{
	struct loader_kernel big = k;

	big.load_addr = 0x1000000;
	big.load_end = 0x100000000ull;
	cr_assert_eq(loader_boot_cpu_setup(map, &big, mode, &cpu), 0);
	big.load_end = 0x100000001ull;
	cr_assert_eq(loader_boot_cpu_setup(map, &big, mode, &cpu), -EINVAL);
	big.load_addr = 0x100000000ull;
	big.load_end = 0x101000000ull;
	cr_assert_eq(loader_boot_cpu_setup(map, &big, mode, &cpu), -EINVAL);
}

Test(bootcpu, long_mode_refuses_a_kernel_range_reaching_past_4g)
{
	refuses_a_range_reaching_past_4g(LOADER_ENTRY_LONG_MODE);
}

/* Regression: PVH enters in 32-bit mode with paging off, which cannot
 * reach a kernel range above 4 GiB; it was accepted. */
Test(bootcpu, pvh_refuses_a_kernel_range_reaching_past_4g)
{
	refuses_a_range_reaching_past_4g(LOADER_ENTRY_PVH);
}

Test(bootcpu, rejects_unbacked_low_memory)
{
	struct vmmem_region_desc d = { .gpa = 0x200000, .size = 0x100000,
				       .backing = VMMEM_BACKING_ANON };
	struct vmmem_map *m;

	cr_assert_eq(vmmem_map_new(&m), 0);
	cr_assert_eq(vmmem_map_add_region(m, &d), 0);
	cr_assert_eq(loader_boot_cpu_setup(m, &k, LOADER_ENTRY_LONG_MODE, &cpu), -EFAULT);
	vmmem_map_free(m);
}
