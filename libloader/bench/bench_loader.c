// SPDX-License-Identifier: MIT
// Microbenchmarks: loading Debian's cloud kernel as bzImage and as ELF
// vmlinux into a guest map (the image already in host memory, as a VMM
// holds it after mmap), and building the ACPI tables and the boot
// information a VMM writes before the first instruction.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cvmm_bench.h>
#include <loader/loader.h>
#include <vmmem/vmmem.h>

struct image {
	struct vmmem_map *map;
	const void *data;
	size_t size;
};

static void load(void *ctx, uint64_t ops)
{
	struct image *img = ctx;
	struct loader_kernel k;

	for (uint64_t i = 0; i < ops; i++)
		if (loader_kernel_load(img->map, img->data, img->size, NULL, &k))
			abort();
}

static uint8_t acpi_buf[LOADER_ACPI_SIZE];

static void acpi(void *ctx, uint64_t ops)
{
	const struct loader_acpi_cfg *cfg = ctx;
	struct loader_acpi_layout lay;

	for (uint64_t i = 0; i < ops; i++)
		if (loader_acpi_build(acpi_buf, sizeof(acpi_buf), LOADER_ACPI_START, cfg, &lay))
			abort();
}

static void boot_info(void *ctx, uint64_t ops)
{
	struct image *img = ctx;
	struct loader_kernel k = { .format = LOADER_FORMAT_ELF, .cmdline_max = 2047 };
	struct loader_e820 e820;
	char buf[2048];
	struct loader_cmdline c;

	for (uint64_t i = 0; i < ops; i++) {
		loader_cmdline_init(&c, buf, sizeof(buf));
		if (loader_cmdline_add_line(&c, "console=ttyS0 reboot=k panic=1") ||
		    loader_cmdline_add_virtio_mmio(&c, 0x1000, 0xd0000000, 16) ||
		    loader_cmdline_write(img->map, LOADER_CMDLINE_START, &c) ||
		    loader_e820_build(img->map, &e820))
			abort();
		struct loader_boot_params_cfg bp = { .kernel = &k, .e820 = &e820,
			.cmdline_addr = LOADER_CMDLINE_START, .cmdline_len = (uint32_t)c.len };
		if (loader_boot_params_write(img->map, LOADER_ZERO_PAGE_START, &bp))
			abort();
	}
}

static void fetch(char *bz, char *elf, size_t n)
{
	const char *script = getenv("CVMM_FETCH_KERNEL");
	char cmd[1024], line[1024];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s cloud", script ? script : "tests/artifacts/fetch-debian-kernel.sh");
	p = popen(cmd, "r");
	if (!p)
		abort();
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "cloud-bzimage=", 14))
			snprintf(bz, n, "%s", line + 14);
		if (!strncmp(line, "cloud-vmlinux=", 14))
			snprintf(elf, n, "%s", line + 14);
	}
	if (pclose(p) || !bz[0] || !elf[0]) {
		fprintf(stderr, "cannot fetch the cloud kernel\n");
		exit(1);
	}
}

static struct image open_image(struct vmmem_map *map, const char *path)
{
	struct image img = { .map = map };
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		abort();
	img.size = (size_t)st.st_size;
	img.data = mmap(NULL, img.size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (img.data == MAP_FAILED)
		abort();
	close(fd);
	return img;
}

int main(void)
{
	static struct loader_acpi_virtio_mmio v[8];
	char bz[1024] = "", elf[1024] = "";
	struct vmmem_map *map;
	struct vmmem_region_desc d = { .gpa = 0, .size = 512u << 20,
				       .backing = VMMEM_BACKING_ANON };
	struct image bzi, elfi;

	fetch(bz, elf, sizeof(bz));
	if (vmmem_map_new(&map) || vmmem_map_add_region(map, &d))
		abort();
	bzi = open_image(map, bz);
	elfi = open_image(map, elf);
	cvmm_bench_run("loader-load-cloud-bzimage", load, &bzi, 1, 15);
	cvmm_bench_run("loader-load-cloud-elf", load, &elfi, 1, 15);
	for (size_t i = 0; i < 8; i++)
		v[i] = (struct loader_acpi_virtio_mmio){ .base = 0xd0000000 + i * 0x1000,
			.size = 0x1000, .gsi = 16 + (uint32_t)i };
	struct loader_acpi_cfg cfg = {
		.cpus = 4, .lapic_addr = LOADER_LAPIC_START, .ioapic_addr = LOADER_IOAPIC_START,
		.ioapic_id = 4, .com1 = true, .i8042 = true, .rtc = true,
		.virtio = v, .n_virtio = 8,
	};
	cvmm_bench_run("loader-acpi-build-4cpu-8virtio", acpi, &cfg, 1000, 15);
	cvmm_bench_run("loader-cmdline-e820-bootparams", boot_info, &elfi, 1000, 15);
	vmmem_map_free(map);
	return 0;
}
