// SPDX-License-Identifier: MIT
// Built by tests/check-install.sh against the installed libloader alone:
// builds a command line and the ACPI tables into a small guest map, and
// links the ELF loader so that libelf must come from pkg-config too.
#include <errno.h>
#include <stdio.h>

#include <loader/loader.h>
#include <vmmem/vmmem.h>

int main(void)
{
	struct vmmem_map *map;
	struct vmmem_region_desc d = { .gpa = 0, .size = 0x100000,
				       .backing = VMMEM_BACKING_ANON };
	struct loader_acpi_cfg cfg = { .cpus = 1, .ioapic_id = 1,
				       .lapic_addr = LOADER_LAPIC_START,
				       .ioapic_addr = LOADER_IOAPIC_START, .com1 = true };
	struct loader_acpi_layout lay;
	struct loader_cmdline c;
	struct loader_kernel k;
	char buf[64];

	loader_cmdline_init(&c, buf, sizeof(buf));
	if (vmmem_map_new(&map) || vmmem_map_add_region(map, &d) ||
	    loader_cmdline_add_kv(&c, "console", "ttyS0") ||
	    loader_acpi_write(map, LOADER_ACPI_START, LOADER_ACPI_SIZE, &cfg, &lay) ||
	    loader_elf_parse(map, "not an ELF", 10, &k) != -ENOEXEC)
		return 1;
	vmmem_map_free(map);
	printf("libloader %s: %s, RSDP at %#llx\n", LOADER_VERSION_STRING,
	       loader_cmdline_str(&c), (unsigned long long)lay.rsdp);
	return 0;
}
