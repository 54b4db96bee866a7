// SPDX-License-Identifier: MIT
// Real Debian kernels (linux-image-*-cloud-amd64 and linux-image-*-amd64,
// fetched by tests/artifacts/fetch-debian-kernel.sh): both formats are
// loaded into a map split around the MMIO hole, and placement, entries,
// the PVH entry, the compressed payload and the boot params are checked
// against what readelf and the raw file bytes say.  The test fails when the
// kernels cannot be fetched.
#define _GNU_SOURCE
#include <asm/bootparam.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <loader/loader.h>

#include "fixtures.h"

struct paths {
	char bzimage[2][1024], vmlinux[2][1024];
};

static struct paths P;
static struct vmmem_map *map;

static void fetch(void)
{
	const char *script = getenv("CVMM_FETCH_KERNEL");
	char cmd[2048], line[2048];
	FILE *p;
	int st;

	cr_assert_not_null(script, "CVMM_FETCH_KERNEL not set (run through meson test)");
	snprintf(cmd, sizeof(cmd), "%s all", script);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *eq = strchr(line, '=');
		int flavour = strncmp(line, "cloud-", 6) == 0 ? 0 : 1;

		if (!eq)
			continue;
		eq[strcspn(eq, "\n")] = 0;
		if (strstr(line, "-bzimage="))
			snprintf(P.bzimage[flavour], sizeof(P.bzimage[0]), "%s", eq + 1);
		else if (strstr(line, "-vmlinux="))
			snprintf(P.vmlinux[flavour], sizeof(P.vmlinux[0]), "%s", eq + 1);
	}
	st = pclose(p);
	cr_assert_eq(st, 0, "%s failed (exit %d): cannot fetch Debian kernels", script, st);
	for (int i = 0; i < 2; i++)
		cr_assert(P.bzimage[i][0] && P.vmlinux[i][0], "fetch script output incomplete");
}

static void setup(void)
{
	fetch();
	map = fx_map(LOADER_MMIO_HOLE_START, 0x40000000);
}

static void teardown(void)
{
	vmmem_map_free(map);
}

TestSuite(kernels, .init = setup, .fini = teardown, .timeout = 300);

struct file {
	uint8_t *p;
	size_t n;
};

static struct file map_file(const char *path)
{
	struct file f;
	struct stat st;
	int fd = open(path, O_RDONLY);

	cr_assert_geq(fd, 0, "%s", path);
	cr_assert_eq(fstat(fd, &st), 0);
	f.n = (size_t)st.st_size;
	f.p = mmap(NULL, f.n, PROT_READ, MAP_PRIVATE, fd, 0);
	cr_assert_neq(f.p, MAP_FAILED);
	close(fd);
	return f;
}

static void same_bytes(uint64_t gpa, const uint8_t *want, size_t n)
{
	static uint8_t got[4096];

	cr_assert_leq(n, sizeof(got));
	cr_assert_eq(vmmem_read(map, gpa, got, n), 0);
	cr_assert_arr_eq(got, want, n, "guest bytes at %#llx", (unsigned long long)gpa);
}

static void check_bzimage(int flavour, const uint8_t *magic, size_t magic_len)
{
	struct file f = map_file(P.bzimage[flavour]);
	struct loader_kernel k;
	uint64_t setup = ((uint64_t)(f.p[0x1f1] ? f.p[0x1f1] : 4) + 1) * 512;
	uint64_t ksize;

	cr_assert_eq(loader_kernel_load_file(map, P.bzimage[flavour], NULL, &k), 0);
	cr_assert_eq(k.format, LOADER_FORMAT_BZIMAGE);
	cr_assert_eq(k.bz.version, f.p[0x206] | f.p[0x207] << 8);
	cr_assert_geq(k.bz.version, 0x020f);
	cr_assert_eq(k.bz.setup_size, setup);
	cr_assert_eq(k.load_addr, k.bz.pref_address);
	cr_assert_eq(k.load_addr, 0x1000000, "Debian's CONFIG_PHYSICAL_START");
	cr_assert(k.has_entry64);
	cr_assert_eq(k.entry, k.load_addr + 0x200);
	cr_assert_eq(k.load_end, k.load_addr + k.bz.init_size);
	cr_assert_geq(k.bz.init_size, k.bz.kernel_size);
	ksize = k.bz.kernel_size;
	cr_assert_leq(setup + ksize, f.n);
	same_bytes(k.load_addr, f.p + setup, 4096);
	same_bytes(k.load_addr + ksize - 4096, f.p + setup + ksize - 4096, 4096);
	/* The payload is where the header says and is what the build made. */
	cr_assert_arr_eq(f.p + setup + k.bz.payload_offset, magic, magic_len,
			 "payload magic");
	cr_assert_eq(k.initrd_addr_max, 0x7fffffff);
	cr_assert_eq(k.cmdline_max, 2047);
	munmap(f.p, f.n);
}

Test(kernels, cloud_bzimage_is_placed_per_the_boot_protocol)
{
	static const uint8_t lz4_legacy[] = { 0x02, 0x21, 0x4c, 0x18 };

	check_bzimage(0, lz4_legacy, sizeof(lz4_legacy));
}

Test(kernels, generic_bzimage_is_placed_per_the_boot_protocol)
{
	static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

	check_bzimage(1, xz, sizeof(xz));
}

/* e_entry and the PVH note value, as binutils' readelf reads them. */
static void readelf_facts(const char *path, uint64_t *entry, uint64_t *pvh)
{
	char cmd[1200], line[512];
	FILE *p;
	bool next_is_pvh = false;

	*entry = *pvh = 0;
	snprintf(cmd, sizeof(cmd), "readelf -hn '%s'", path);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *s;

		if ((s = strstr(line, "Entry point address:")))
			*entry = strtoull(s + 20, NULL, 0);
		if (next_is_pvh && (s = strstr(line, "description data:"))) {
			unsigned int b[8] = { 0 };
			int n = sscanf(s + 17, "%x %x %x %x %x %x %x %x", &b[0], &b[1],
				       &b[2], &b[3], &b[4], &b[5], &b[6], &b[7]);

			cr_assert_geq(n, 4);
			for (int i = n - 1; i >= 0; i--)
				*pvh = *pvh << 8 | b[i];
			next_is_pvh = false;
		}
		if (strstr(line, "Xen") && strstr(line, "(0x00000012)"))
			next_is_pvh = true;
	}
	cr_assert_eq(pclose(p), 0, "readelf (binutils) is needed");
	cr_assert_neq(*entry, 0);
	cr_assert_neq(*pvh, 0, "no XEN_ELFNOTE_PHYS32_ENTRY in %s", path);
}

static void check_vmlinux(int flavour)
{
	struct loader_kernel k;
	uint64_t entry, pvh;

	readelf_facts(P.vmlinux[flavour], &entry, &pvh);
	cr_assert_eq(loader_kernel_load_file(map, P.vmlinux[flavour], NULL, &k), 0);
	cr_assert_eq(k.format, LOADER_FORMAT_ELF);
	cr_assert_eq(k.entry, entry);
	cr_assert(k.has_pvh);
	cr_assert_eq(k.pvh_entry, pvh);
	cr_assert_eq(k.load_addr, 0x1000000);
	cr_assert_gt(k.load_end, k.pvh_entry);
}

Test(kernels, cloud_vmlinux_loads_with_its_pvh_entry)
{
	check_vmlinux(0);
}

Test(kernels, generic_vmlinux_loads_with_its_pvh_entry)
{
	check_vmlinux(1);
}

Test(kernels, elf_segments_land_at_their_physical_addresses)
{
	struct file f = map_file(P.vmlinux[0]);
	struct loader_kernel k;
	const Elf64_Ehdr *eh = (const void *)f.p;

	cr_assert_eq(loader_kernel_load(map, f.p, f.n, NULL, &k), 0);
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(f.p + eh->e_phoff + i * sizeof(*ph));

		if (ph->p_type != PT_LOAD || ph->p_filesz < 4096)
			continue;
		same_bytes(ph->p_paddr, f.p + ph->p_offset, 4096);
		same_bytes(ph->p_paddr + ph->p_filesz - 4096,
			   f.p + ph->p_offset + ph->p_filesz - 4096, 4096);
	}
	munmap(f.p, f.n);
}

Test(kernels, boot_params_for_the_cloud_bzimage)
{
	struct file f = map_file(P.bzimage[0]);
	struct loader_kernel k;
	struct loader_e820 e820;
	struct loader_initrd rd;
	struct boot_params bp;
	static uint8_t initrd[1 << 20];
	struct loader_boot_params_cfg cfg;

	cr_assert_eq(loader_kernel_load(map, f.p, f.n, NULL, &k), 0);
	cr_assert_eq(loader_initrd_load(map, initrd, sizeof(initrd), 0, &k, &rd), 0);
	cr_assert(rd.addr >= k.load_end || rd.addr + rd.size <= k.load_addr);
	cr_assert_leq(rd.addr + rd.size - 1, k.initrd_addr_max);
	cr_assert_eq(loader_e820_build(map, &e820), 0);
	cfg = (struct loader_boot_params_cfg){
		.kernel = &k, .e820 = &e820, .cmdline_addr = LOADER_CMDLINE_START,
		.cmdline_len = 20, .initrd_addr = rd.addr, .initrd_size = rd.size,
		.rsdp_addr = LOADER_ACPI_START,
	};
	cr_assert_eq(loader_boot_params_write(map, LOADER_ZERO_PAGE_START, &cfg), 0);
	cr_assert_eq(vmmem_read(map, LOADER_ZERO_PAGE_START, &bp, sizeof(bp)), 0);
	cr_assert_arr_eq(&bp.hdr.header, "HdrS", 4);
	cr_assert_eq(bp.hdr.version, f.p[0x206] | f.p[0x207] << 8);
	cr_assert_eq(bp.hdr.setup_sects, f.p[0x1f1]);
	cr_assert_eq(bp.hdr.syssize, k.bz.kernel_size / 16);
	cr_assert_eq(bp.hdr.type_of_loader, LOADER_TYPE_OF_LOADER);
	cr_assert_eq(bp.hdr.cmd_line_ptr, LOADER_CMDLINE_START);
	cr_assert_eq(bp.hdr.ramdisk_image, rd.addr);
	cr_assert_eq(bp.hdr.ramdisk_size, rd.size);
	cr_assert_eq(bp.acpi_rsdp_addr, LOADER_ACPI_START);
	cr_assert_eq(bp.e820_entries, 5, "low RAM, EBDA, BIOS, RAM to the hole, high RAM");
	cr_assert_eq(bp.e820_table[4].addr, LOADER_HIGH_RAM_START);
	munmap(f.p, f.n);
}
