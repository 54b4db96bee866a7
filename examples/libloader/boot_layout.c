// SPDX-License-Identifier: MIT
// Example: everything a VMM writes into guest memory before the first
// instruction, using libloader alone.  Builds a guest map split around the
// MMIO hole, loads a kernel (bzImage or ELF, auto-detected) and an optional
// initrd, builds the command line, E820, ACPI and MP tables, then the boot
// params (64-bit entry) or the PVH start info (ELF with a PVH note) and the
// boot vCPU's tables and registers, and prints where everything went.  Without a kernel argument it loads a tiny
// built-in ELF so that it runs anywhere.
// Usage: loader-boot-layout [KERNEL [INITRD [MEM_MIB]]]
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <loader/loader.h>
#include <vmmem/vmmem.h>

#define VIRTIO_DEVICES 2

/* A minimal ELF "kernel": one PT_LOAD at 16 MiB and a PVH note. */
static size_t tiny_kernel(uint8_t *img, size_t cap)
{
	struct {
		Elf64_Nhdr nh;
		char name[4];
		uint32_t entry;
	} note = { { 4, 4, LOADER_XEN_ELFNOTE_PHYS32_ENTRY }, "Xen", 0x1000000 };
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_entry = 0x1000000, .e_phoff = sizeof(eh), .e_ehsize = sizeof(eh),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2,
	};
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_offset = 0x200, .p_paddr = 0x1000000,
		  .p_vaddr = 0x1000000, .p_filesz = 2, .p_memsz = 0x1000 },
		{ .p_type = PT_NOTE, .p_offset = 0x100, .p_filesz = sizeof(note) },
	};

	if (cap < 0x202)
		return 0;
	memset(img, 0, 0x202);
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + sizeof(eh), ph, sizeof(ph));
	memcpy(img + 0x100, &note, sizeof(note));
	img[0x200] = 0xf4; /* hlt */
	img[0x201] = 0xf4;
	return 0x202;
}

static int add_ram(struct vmmem_map *map, uint64_t gpa, uint64_t size)
{
	struct vmmem_region_desc d = { .gpa = gpa, .size = size, .backing = VMMEM_BACKING_ANON };

	return size ? vmmem_map_add_region(map, &d) : 0;
}

/* RAM below the hole first, the rest above 4 GiB. */
static int build_map(struct vmmem_map **map, uint64_t mem)
{
	uint64_t low = mem < LOADER_MMIO_HOLE_START ? mem : LOADER_MMIO_HOLE_START;
	int err = vmmem_map_new(map);

	if (!err)
		err = add_ram(*map, 0, low);
	if (!err)
		err = add_ram(*map, LOADER_HIGH_RAM_START, mem - low);
	return err;
}

static int load_kernel(struct vmmem_map *map, const char *path, struct loader_kernel *k)
{
	static uint8_t tiny[0x300];

	if (path)
		return loader_kernel_load_file(map, path, NULL, k);
	return loader_kernel_load(map, tiny, tiny_kernel(tiny, sizeof(tiny)), NULL, k);
}

static int platform_tables(struct vmmem_map *map, struct loader_acpi_layout *acpi)
{
	struct loader_acpi_virtio_mmio v[VIRTIO_DEVICES];
	size_t mp_used;
	int err;

	for (unsigned int i = 0; i < VIRTIO_DEVICES; i++)
		v[i] = (struct loader_acpi_virtio_mmio){
			.base = LOADER_VIRTIO_MMIO_START + i * LOADER_VIRTIO_MMIO_STRIDE,
			.size = LOADER_VIRTIO_MMIO_STRIDE, .gsi = LOADER_VIRTIO_FIRST_GSI + i };
	struct loader_acpi_cfg cfg = {
		.cpus = 2, .lapic_addr = LOADER_LAPIC_START, .ioapic_addr = LOADER_IOAPIC_START,
		.ioapic_id = 2, .com1 = true, .i8042 = true, .rtc = true,
		.virtio = v, .n_virtio = VIRTIO_DEVICES,
	};
	struct loader_mptable_cfg mp = {
		.cpus = 2, .lapic_addr = LOADER_LAPIC_START, .ioapic_addr = LOADER_IOAPIC_START,
		.ioapic_id = 2, .ioapic_pins = LOADER_IOAPIC_PINS,
	};

	err = loader_acpi_write(map, LOADER_ACPI_START, LOADER_ACPI_SIZE, &cfg, acpi);
	if (!err)
		err = loader_mptable_write(map, LOADER_MPTABLE_START, LOADER_MPTABLE_SIZE, &mp,
					   &mp_used);
	if (err)
		return err;
	printf("ACPI      RSDP %#llx, XSDT %#llx, FADT %#llx, MADT %#llx, DSDT %#llx (%u bytes)\n",
	       (unsigned long long)acpi->rsdp, (unsigned long long)acpi->xsdt,
	       (unsigned long long)acpi->fadt, (unsigned long long)acpi->madt,
	       (unsigned long long)acpi->dsdt, acpi->dsdt_len);
	printf("MP table  %#llx (%zu bytes)\n", (unsigned long long)LOADER_MPTABLE_START, mp_used);
	return 0;
}

static int build_cmdline(struct vmmem_map *map, const struct loader_kernel *k,
			 struct loader_cmdline *c, char *buf, size_t cap)
{
	int err;

	loader_cmdline_init(c, buf, k->cmdline_max + 1 < cap ? k->cmdline_max + 1 : cap);
	err = loader_cmdline_add_line(c, "console=ttyS0 reboot=k panic=1");
	for (unsigned int i = 0; !err && i < VIRTIO_DEVICES; i++)
		err = loader_cmdline_add_virtio_mmio(c, LOADER_VIRTIO_MMIO_STRIDE,
						     LOADER_VIRTIO_MMIO_START + i * LOADER_VIRTIO_MMIO_STRIDE,
						     LOADER_VIRTIO_FIRST_GSI + i);
	if (!err)
		err = loader_cmdline_write(map, LOADER_CMDLINE_START, c);
	if (!err)
		printf("cmdline   %#llx \"%s\"\n", (unsigned long long)LOADER_CMDLINE_START,
		       loader_cmdline_str(c));
	return err;
}

static void print_e820(const struct loader_e820 *e)
{
	static const char *const type[] = { "?", "RAM", "reserved", "ACPI", "NVS", "unusable" };

	for (size_t i = 0; i < e->count; i++)
		printf("E820      [0x%012llx-0x%012llx) %s\n",
		       (unsigned long long)e->entry[i].addr,
		       (unsigned long long)(e->entry[i].addr + e->entry[i].size),
		       e->entry[i].type < 6 ? type[e->entry[i].type] : "?");
}

static int boot_info(struct vmmem_map *map, const struct loader_kernel *k,
		     const struct loader_initrd *rd, const struct loader_cmdline *c,
		     uint64_t rsdp)
{
	struct loader_e820 e820;
	struct loader_boot_cpu cpu;
	bool pvh = k->format == LOADER_FORMAT_ELF && k->has_pvh;
	int err = loader_e820_build(map, &e820);

	if (!err)
		err = loader_boot_cpu_setup(map, k, pvh ? LOADER_ENTRY_PVH : LOADER_ENTRY_LONG_MODE,
					    &cpu);
	if (err)
		return err;
	print_e820(&e820);
	printf("vCPU      rip %#llx rsp %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx, "
	       "cs %#x ds %#x tr %#x, GDT %#llx\n",
	       (unsigned long long)cpu.rip, (unsigned long long)cpu.rsp,
	       (unsigned long long)cpu.cr0, (unsigned long long)cpu.cr3,
	       (unsigned long long)cpu.cr4, (unsigned long long)cpu.efer, cpu.cs.selector,
	       cpu.ds.selector, cpu.tr.selector, (unsigned long long)cpu.gdt_base);
	if (pvh) {
		struct loader_pvh_cfg p = { .cmdline_addr = LOADER_CMDLINE_START,
			.initrd_addr = rd->addr, .initrd_size = rd->size,
			.rsdp_addr = rsdp, .e820 = &e820 };

		printf("PVH       start info %#llx, enter at %#x with EBX = start info\n",
		       (unsigned long long)LOADER_PVH_INFO_START, k->pvh_entry);
		return loader_pvh_write(map, LOADER_PVH_INFO_START, LOADER_PVH_INFO_SIZE, &p);
	}
	struct loader_boot_params_cfg b = { .kernel = k, .cmdline_addr = LOADER_CMDLINE_START,
		.cmdline_len = (uint32_t)c->len, .initrd_addr = rd->addr,
		.initrd_size = rd->size, .rsdp_addr = rsdp, .e820 = &e820 };

	printf("zero page %#llx, 64-bit entry %#llx with RSI = zero page\n",
	       (unsigned long long)LOADER_ZERO_PAGE_START, (unsigned long long)k->entry);
	return loader_boot_params_write(map, LOADER_ZERO_PAGE_START, &b);
}

static int run(const char *kernel, const char *initrd, uint64_t mem)
{
	struct vmmem_map *map = NULL;
	struct loader_kernel k;
	struct loader_initrd rd = { 0 };
	struct loader_acpi_layout acpi;
	struct loader_cmdline c;
	static char line[LOADER_CMDLINE_MAX_SIZE];
	int err = build_map(&map, mem);

	if (!err)
		err = load_kernel(map, kernel, &k);
	if (!err) {
		printf("kernel    %s: %s at [%#llx-%#llx), entry %#llx",
		       kernel ? kernel : "(built-in)",
		       k.format == LOADER_FORMAT_ELF ? "ELF" : "bzImage",
		       (unsigned long long)k.load_addr, (unsigned long long)k.load_end,
		       (unsigned long long)k.entry);
		if (k.has_pvh)
			printf(", PVH entry %#x", k.pvh_entry);
		if (k.format == LOADER_FORMAT_BZIMAGE)
			printf(", protocol %u.%02u, payload %u bytes at +%#x", k.bz.version >> 8,
			       k.bz.version & 0xff, k.bz.payload_length, k.bz.payload_offset);
		printf("\n");
	}
	if (!err && initrd) {
		err = loader_initrd_load_file(map, initrd, 0, &k, &rd);
		if (!err)
			printf("initrd    [%#llx-%#llx)\n", (unsigned long long)rd.addr,
			       (unsigned long long)(rd.addr + rd.size));
	}
	if (!err)
		err = build_cmdline(map, &k, &c, line, sizeof(line));
	if (!err)
		err = platform_tables(map, &acpi);
	if (!err)
		err = boot_info(map, &k, &rd, &c, acpi.rsdp);
	vmmem_map_free(map);
	return err;
}

int main(int argc, char **argv)
{
	const char *kernel = argc > 1 ? argv[1] : NULL;
	const char *initrd = argc > 2 ? argv[2] : NULL;
	uint64_t mib = argc > 3 ? strtoull(argv[3], NULL, 0) : 512;
	int err;

	if (mib < 64 || mib > (1u << 20)) {
		fprintf(stderr, "usage: %s [KERNEL [INITRD [MEM_MIB >= 64]]]\n", argv[0]);
		return 2;
	}
	err = run(kernel, initrd, mib << 20);
	if (err) {
		fprintf(stderr, "loader-boot-layout: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
