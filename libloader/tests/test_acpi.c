// SPDX-License-Identifier: MIT
// ACPI tables: RSDP/XSDT/FADT/MADT/DSDT layout and pointers, every
// checksum, the hardware-reduced FADT with its sleep registers, one MADT
// entry per vCPU, the DSDT devices, and each configuration rejection.
#include <criterion/criterion.h>
#include <errno.h>

#include <loader/acpi.h>
#include <loader/layout.h>

#include "acpi_cfg.h"
#include "fixtures.h"

static uint8_t area[LOADER_ACPI_SIZE];
static struct loader_acpi_layout lay;

static const uint8_t *at(uint64_t gpa)
{
	return area + (gpa - LOADER_ACPI_START);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void build(const struct loader_acpi_cfg *cfg)
{
	memset(area, 0xa5, sizeof(area));
	cr_assert_eq(loader_acpi_build(area, sizeof(area), LOADER_ACPI_START, cfg, &lay), 0);
}

/* Occurrences of a byte string in [p, p+n). */
static size_t count(const uint8_t *p, size_t n, const void *s, size_t slen)
{
	size_t c = 0;

	for (size_t i = 0; i + slen <= n; i++)
		c += memcmp(p + i, s, slen) == 0;
	return c;
}

Test(acpi, rsdp_is_first_and_valid)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(2, 2);
	const uint8_t *r;

	build(&cfg);
	cr_assert_eq(lay.rsdp, LOADER_ACPI_START);
	r = at(lay.rsdp);
	cr_assert_arr_eq(r, "RSD PTR ", 8);
	cr_assert_eq(r[15], 2, "revision 2");
	cr_assert_eq(rd32(r + 20), 36);
	cr_assert_eq(sum(r, 20), 0, "ACPI 1.0 checksum");
	cr_assert_eq(sum(r, 36), 0, "extended checksum");
	cr_assert_eq(rd64(r + 24), lay.xsdt);
	cr_assert_eq(rd32(r + 16), 0, "no RSDT");
}

Test(acpi, every_table_checksums_to_zero)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(4, 8);

	build(&cfg);
	const uint64_t t2[] = { lay.xsdt, lay.fadt, lay.madt, lay.dsdt };

	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(t2[i] % 16, 0);
		cr_assert_eq(sum(at(t2[i]), rd32(at(t2[i]) + 4)), 0, "table %zu", i);
	}
}

Test(acpi, xsdt_points_at_fadt_and_madt)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);
	const uint8_t *x;

	build(&cfg);
	x = at(lay.xsdt);
	cr_assert_arr_eq(x, "XSDT", 4);
	cr_assert_eq(rd32(x + 4), 36 + 16);
	cr_assert_arr_eq(at(rd64(x + 36)), "FACP", 4);
	cr_assert_arr_eq(at(rd64(x + 44)), "APIC", 4);
}

Test(acpi, fadt_is_hardware_reduced_with_sleep_registers)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);
	const uint8_t *f;

	build(&cfg);
	f = at(lay.fadt);
	cr_assert_eq(rd32(f + 4), 276);
	cr_assert_eq(f[8], 6, "FADT revision 6");
	cr_assert(rd32(f + 112) & (1u << 20), "HW_REDUCED_ACPI");
	cr_assert_eq(rd64(f + 140), lay.dsdt, "X_DSDT");
	cr_assert_eq(rd32(f + 40), lay.dsdt, "DSDT equals X_DSDT");
	/* SLEEP_CONTROL_REG / SLEEP_STATUS_REG: SystemIO, 8 bits, byte access */
	cr_assert_eq(f[244], 1);
	cr_assert_eq(f[245], 8);
	cr_assert_eq(f[247], 1);
	cr_assert_eq(rd64(f + 248), LOADER_ACPI_SLEEP_CTL_PORT);
	cr_assert_eq(f[256], 1);
	cr_assert_eq(rd64(f + 260), LOADER_ACPI_SLEEP_STS_PORT);
	cr_assert_eq(rd32(f + 46) & 0xffff, 0, "no SCI in hardware-reduced mode");
}

Test(acpi, fadt_reset_register_when_configured)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);
	const uint8_t *f;

	build(&cfg);
	f = at(lay.fadt);
	cr_assert(rd32(f + 112) & (1u << 10), "RESET_REG_SUP");
	cr_assert_eq(f[116], 1);
	cr_assert_eq(rd64(f + 120), LOADER_ACPI_RESET_PORT);
	cr_assert_eq(f[128], LOADER_ACPI_RESET_VALUE);
	cfg.reset_port = 0;
	build(&cfg);
	cr_assert_not(rd32(at(lay.fadt) + 112) & (1u << 10));
}

Test(acpi, fadt_boot_arch_announces_8042_and_rtc)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);
	uint16_t arch;

	build(&cfg);
	arch = (uint16_t)(at(lay.fadt)[109] | at(lay.fadt)[110] << 8);
	cr_assert(arch & 2, "8042 present");
	cr_assert_not(arch & 0x20, "CMOS RTC present");
	cfg.i8042 = false;
	cfg.rtc = false;
	build(&cfg);
	arch = (uint16_t)(at(lay.fadt)[109] | at(lay.fadt)[110] << 8);
	cr_assert_not(arch & 2);
	cr_assert(arch & 0x20);
}

Test(acpi, custom_sleep_ports)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);

	cfg.sleep_ctl_port = 0x600;
	cfg.sleep_sts_port = 0x601;
	build(&cfg);
	cr_assert_eq(rd64(at(lay.fadt) + 248), 0x600);
	cr_assert_eq(rd64(at(lay.fadt) + 260), 0x601);
}

Test(acpi, madt_has_one_local_apic_per_vcpu)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(5, 0);
	const uint8_t *m, *e, *end;
	unsigned int lapics = 0, ioapics = 0, isos = 0, nmis = 0;

	build(&cfg);
	m = at(lay.madt);
	cr_assert_eq(rd32(m + 36), LOADER_LAPIC_START);
	end = m + rd32(m + 4);
	for (e = m + 44; e < end; e += e[1]) {
		cr_assert_geq(e[1], 2);
		switch (e[0]) {
		case 0:
			cr_assert_eq(e[3], lapics, "APIC ID");
			cr_assert_eq(rd32(e + 4) & 1, 1, "enabled");
			lapics++;
			break;
		case 1:
			cr_assert_eq(e[2], 5, "IOAPIC ID");
			cr_assert_eq(rd32(e + 4), LOADER_IOAPIC_START);
			cr_assert_eq(rd32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			cr_assert_eq(e[3], 9);
			cr_assert_eq(rd32(e + 4), 9);
			cr_assert_eq(e[8] | e[9] << 8, LOADER_IRQ_LEVEL | LOADER_IRQ_ACTIVE_HIGH);
			isos++;
			break;
		case 4:
			cr_assert_eq(e[2], 0xff);
			cr_assert_eq(e[5], 1, "LINT1");
			nmis++;
			break;
		default:
			cr_assert_fail("unexpected MADT entry type %u", e[0]);
		}
	}
	cr_assert_eq(e, end, "entries fill the table exactly");
	cr_assert_eq(lapics, 5);
	cr_assert_eq(ioapics, 1);
	cr_assert_eq(isos, 1);
	cr_assert_eq(nmis, 1);
}

Test(acpi, madt_pcat_compat_flag)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);

	cfg.pcat_compat = true;
	build(&cfg);
	cr_assert_eq(rd32(at(lay.madt) + 40), 1);
}

Test(acpi, dsdt_describes_the_devices)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(2, 8);
	const uint8_t *d;
	uint32_t n;

	build(&cfg);
	d = at(lay.dsdt);
	n = rd32(d + 4);
	cr_assert_arr_eq(d, "DSDT", 4);
	cr_assert_eq(d[8], 2);
	cr_assert_eq(count(d, n, "LNRO0005", 8), 8);
	cr_assert_eq(count(d, n, "\x41\xd0\x05\x01", 4), 1, "PNP0501");
	cr_assert_eq(count(d, n, "\x41\xd0\x03\x03", 4), 1, "PNP0303");
	cr_assert_eq(count(d, n, "\x41\xd0\x0f\x13", 4), 1, "PNP0F13");
	cr_assert_eq(count(d, n, "\x41\xd0\x0b\x00", 4), 1, "PNP0B00");
	cr_assert_eq(count(d, n, "_S5_", 4), 1);
	cr_assert_eq(count(d, n, "\x86\x09\x00\x01\x00\x70\x00\xd0", 8), 1,
		     "Memory32Fixed of device 7");
}

Test(acpi, dsdt_leaves_out_disabled_devices)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);
	const uint8_t *d;

	cfg.com1 = cfg.i8042 = cfg.rtc = false;
	build(&cfg);
	d = at(lay.dsdt);
	cr_assert_eq(count(d, rd32(d + 4), "\x41\xd0", 2), 0);
	cr_assert_eq(count(d, rd32(d + 4), "LNRO", 4), 0);
}

Test(acpi, many_virtio_devices_fit)
{
	static struct loader_acpi_virtio_mmio v[200];
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);
	const uint8_t *d;

	for (size_t i = 0; i < 200; i++)
		v[i] = (struct loader_acpi_virtio_mmio){ .base = 0xd0000000 + i * 0x1000,
			.size = 0x1000, .gsi = 16 + (uint32_t)(i % 8) };
	cfg.virtio = v;
	cfg.n_virtio = 200;
	build(&cfg);
	d = at(lay.dsdt);
	cr_assert_eq(count(d, rd32(d + 4), "LNRO0005", 8), 200);
	cr_assert_eq(sum(d, rd32(d + 4)), 0);
}

Test(acpi, write_puts_the_tables_in_guest_memory)
{
	struct vmmem_map *m = fx_map(0x100000, 0);
	struct loader_acpi_cfg cfg = fx_acpi_cfg(2, 1);
	uint8_t sig[8];

	cr_assert_eq(loader_acpi_write(m, LOADER_ACPI_START, LOADER_ACPI_SIZE, &cfg, &lay), 0);
	cr_assert_eq(vmmem_read(m, lay.rsdp, sig, 8), 0);
	cr_assert_arr_eq(sig, "RSD PTR ", 8);
	cr_assert_eq(vmmem_read(m, lay.dsdt, sig, 4), 0);
	cr_assert_arr_eq(sig, "DSDT", 4);
	cr_assert_leq(lay.size, LOADER_ACPI_SIZE);
	vmmem_map_free(m);
}

Test(acpi, write_rejects_unbacked_area)
{
	struct vmmem_map *m = fx_map(0x80000, 0);
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);

	cr_assert_eq(loader_acpi_write(m, LOADER_ACPI_START, LOADER_ACPI_SIZE, &cfg, &lay), -EFAULT);
	vmmem_map_free(m);
}

Test(acpi, rejects_zero_cpus)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);

	cfg.cpus = 0;
	cr_assert_eq(loader_acpi_build(area, sizeof(area), LOADER_ACPI_START, &cfg, &lay), -EINVAL);
}

Test(acpi, rejects_too_many_cpus)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);

	cfg.cpus = LOADER_ACPI_MAX_CPUS + 1;
	cfg.ioapic_id = 0xfe;
	cr_assert_eq(loader_acpi_build(area, sizeof(area), LOADER_ACPI_START, &cfg, &lay), -EINVAL);
}

Test(acpi, rejects_ioapic_id_shared_with_a_cpu)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(4, 0);

	cfg.ioapic_id = 3;
	cr_assert_eq(loader_acpi_build(area, sizeof(area), LOADER_ACPI_START, &cfg, &lay), -EINVAL);
}

Test(acpi, rejects_virtio_window_above_4g)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 1);

	fx_virtio[0].base = 0xfffff800;
	cr_assert_eq(loader_acpi_build(area, sizeof(area), LOADER_ACPI_START, &cfg, &lay), -EINVAL);
}

Test(acpi, rejects_empty_virtio_window)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 1);

	fx_virtio[0].size = 0;
	cr_assert_eq(loader_acpi_build(area, sizeof(area), LOADER_ACPI_START, &cfg, &lay), -EINVAL);
}

Test(acpi, rejects_gsi_beyond_the_ioapic)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 1);

	fx_virtio[0].gsi = LOADER_IOAPIC_PINS;
	cr_assert_eq(loader_acpi_build(area, sizeof(area), LOADER_ACPI_START, &cfg, &lay), -EINVAL);
}

Test(acpi, rejects_override_of_a_non_isa_irq)
{
	static const struct loader_irq_override bad = { .isa_irq = 16, .gsi = 16 };
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);

	cfg.overrides = &bad;
	cr_assert_eq(loader_acpi_build(area, sizeof(area), LOADER_ACPI_START, &cfg, &lay), -EINVAL);
}

Test(acpi, rejects_unaligned_or_high_address)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);

	cr_assert_eq(loader_acpi_build(area, sizeof(area), LOADER_ACPI_START + 8, &cfg, &lay), -EINVAL);
	cr_assert_eq(loader_acpi_build(area, sizeof(area), 0x100000000ull, &cfg, &lay), -EINVAL);
}

Test(acpi, rejects_small_buffer)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(2, 2);

	build(&cfg);
	cr_assert_eq(loader_acpi_build(area, lay.size - 1, LOADER_ACPI_START, &cfg, &lay), -ENOSPC);
	cr_assert_eq(loader_acpi_build(area, 100, LOADER_ACPI_START, &cfg, &lay), -ENOSPC);
}

Test(acpi, poweroff_value_is_slp_en_with_s5_type)
{
	cr_assert(loader_acpi_is_poweroff((5 << 2) | 0x20));
	cr_assert_not(loader_acpi_is_poweroff(5 << 2), "SLP_EN clear");
	cr_assert_not(loader_acpi_is_poweroff((3 << 2) | 0x20), "S3");
}

Test(acpi, checksum_makes_bytes_sum_to_zero)
{
	uint8_t b[5] = { 1, 2, 3, 250, 0 };

	b[4] = loader_acpi_checksum(b, 4);
	cr_assert_eq(sum(b, 5), 0);
	cr_assert_eq(loader_acpi_checksum(NULL, 0), 0);
}

Test(acpi, write_spans_adjacent_regions)
{
	struct vmmem_map *m;
	struct vmmem_region_desc a = { .gpa = 0, .size = 0xe1000, .backing = VMMEM_BACKING_ANON };
	struct vmmem_region_desc b = { .gpa = 0xe1000, .size = 0x1f000,
				       .backing = VMMEM_BACKING_ANON };
	static struct loader_acpi_virtio_mmio v[100];
	struct loader_acpi_cfg cfg = fx_acpi_cfg(8, 0);
	uint8_t sig[4];

	for (size_t i = 0; i < 100; i++)
		v[i] = (struct loader_acpi_virtio_mmio){ .base = 0xd0000000 + i * 0x1000,
			.size = 0x1000, .gsi = 16 + (uint32_t)(i % 8) };
	cfg.virtio = v;
	cfg.n_virtio = 100;
	cr_assert_eq(vmmem_map_new(&m), 0);
	cr_assert_eq(vmmem_map_add_region(m, &a), 0);
	cr_assert_eq(vmmem_map_add_region(m, &b), 0);
	cr_assert_eq(loader_acpi_write(m, LOADER_ACPI_START, LOADER_ACPI_SIZE, &cfg, &lay), 0);
	cr_assert_gt(lay.size, 0x1000, "the tables cross the region boundary");
	cr_assert_eq(vmmem_read(m, lay.dsdt, sig, 4), 0);
	cr_assert_arr_eq(sig, "DSDT", 4);
	vmmem_map_free(m);
}
