// SPDX-License-Identifier: MIT
// PVH hvm_start_info v1: magic, version, command line, RSDP, the initrd as
// module 0 and the memory map, all inside the caller's area.
#include <criterion/criterion.h>
#include <errno.h>

#include <loader/layout.h>
#include <loader/pvh.h>

#include "fixtures.h"

static struct vmmem_map *map;
static struct loader_e820 e820;

static void setup(void)
{
	map = fx_map(0x4000000, 0);
	cr_assert_eq(loader_e820_build(map, &e820), 0);
}

static void teardown(void)
{
	vmmem_map_free(map);
}

TestSuite(pvh, .init = setup, .fini = teardown);

static uint32_t u32(uint64_t gpa)
{
	uint32_t v;

	cr_assert_eq(vmmem_load_u32(map, gpa, &v), 0);
	return v;
}

static uint64_t u64(uint64_t gpa)
{
	uint64_t v;

	cr_assert_eq(vmmem_load_u64(map, gpa, &v), 0);
	return v;
}

#define SI LOADER_PVH_INFO_START

Test(pvh, start_info_fields)
{
	struct loader_pvh_cfg cfg = { .cmdline_addr = LOADER_CMDLINE_START,
				      .rsdp_addr = LOADER_ACPI_START, .e820 = &e820 };

	cr_assert_eq(loader_pvh_write(map, SI, LOADER_PVH_INFO_SIZE, &cfg), 0);
	cr_assert_eq(u32(SI + 0), LOADER_PVH_MAGIC);
	cr_assert_eq(u32(SI + 4), 1, "version 1 carries the memory map");
	cr_assert_eq(u32(SI + 12), 0, "no modules without an initrd");
	cr_assert_eq(u64(SI + 24), LOADER_CMDLINE_START);
	cr_assert_eq(u64(SI + 32), LOADER_ACPI_START);
}

Test(pvh, memory_map_matches_e820)
{
	struct loader_pvh_cfg cfg = { .e820 = &e820 };
	uint64_t mm;

	cr_assert_eq(loader_pvh_write(map, SI, LOADER_PVH_INFO_SIZE, &cfg), 0);
	mm = u64(SI + 40);
	cr_assert_eq(u32(SI + 48), e820.count);
	cr_assert_geq(mm, SI + 56);
	cr_assert_leq(mm + 24 * e820.count, SI + LOADER_PVH_INFO_SIZE);
	for (size_t i = 0; i < e820.count; i++) {
		cr_assert_eq(u64(mm + 24 * i), e820.entry[i].addr);
		cr_assert_eq(u64(mm + 24 * i + 8), e820.entry[i].size);
		cr_assert_eq(u32(mm + 24 * i + 16), e820.entry[i].type);
		cr_assert_eq(u32(mm + 24 * i + 20), 0);
	}
}

Test(pvh, initrd_is_module_zero)
{
	struct loader_pvh_cfg cfg = { .initrd_addr = 0x3000000, .initrd_size = 0x4321,
				      .e820 = &e820 };
	uint64_t mod;

	cr_assert_eq(loader_pvh_write(map, SI, LOADER_PVH_INFO_SIZE, &cfg), 0);
	cr_assert_eq(u32(SI + 12), 1);
	mod = u64(SI + 16);
	cr_assert_neq(mod, 0);
	cr_assert_eq(u64(mod), 0x3000000);
	cr_assert_eq(u64(mod + 8), 0x4321);
	cr_assert_eq(u64(mod + 16), 0, "module has no command line");
	cr_assert_geq(u64(SI + 40), mod + 32, "memory map after the module");
}

Test(pvh, rejects_area_too_small)
{
	struct loader_pvh_cfg cfg = { .e820 = &e820 };

	cr_assert_eq(loader_pvh_write(map, SI, 56 + 24 * e820.count - 1, &cfg), -ENOSPC);
}

Test(pvh, rejects_missing_e820)
{
	struct loader_pvh_cfg cfg = { 0 };

	cr_assert_eq(loader_pvh_write(map, SI, LOADER_PVH_INFO_SIZE, &cfg), -EINVAL);
}

Test(pvh, rejects_unbacked_area)
{
	struct loader_pvh_cfg cfg = { .e820 = &e820 };

	cr_assert_eq(loader_pvh_write(map, 0x4000000 - 64, 0x1000, &cfg), -EFAULT);
}
