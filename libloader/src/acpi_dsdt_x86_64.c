// SPDX-License-Identifier: MIT
// The DSDT (ACPI 6.4 §5.2.11.1): the platform devices Linux cannot find
// any other way on a hardware-reduced machine.  COM1 (PNP0501) binds
// 8250_pnp; the keyboard controller (PNP0303, plus PNP0F13 for the aux
// port) makes i8042 probe 0x60/0x64; the RTC (PNP0B00) binds rtc_cmos;
// each virtio-mmio window is a LNRO0005 device, the _HID Linux's
// virtio_mmio driver matches.  \_S5 gives the SLP_TYP a guest writes to
// the sleep control register to power off (§7.4.2.5).
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <loader/aml.h>
#include <loader/layout.h>

#include "acpi_internal.h"
#include "spec_acpi.h"
#include "util.h"

static void com1(struct loader_aml *a)
{
	loader_aml_device(a, "COM1");
	loader_aml_name_eisaid(a, "_HID", "PNP0501");
	loader_aml_name_int(a, "_UID", 1);
	loader_aml_resources(a, "_CRS");
	loader_aml_io(a, LOADER_COM1_PORT, LOADER_COM1_PORT, 1, 8);
	loader_aml_irq_noflags(a, LOADER_COM1_IRQ);
	loader_aml_resources_end(a);
	loader_aml_end(a);
}

static void i8042(struct loader_aml *a, bool aux)
{
	loader_aml_device(a, "PS2K");
	loader_aml_name_eisaid(a, "_HID", "PNP0303");
	loader_aml_resources(a, "_CRS");
	loader_aml_io(a, LOADER_I8042_DATA_PORT, LOADER_I8042_DATA_PORT, 1, 1);
	loader_aml_io(a, LOADER_I8042_CMD_PORT, LOADER_I8042_CMD_PORT, 1, 1);
	loader_aml_irq_noflags(a, LOADER_I8042_KBD_IRQ);
	loader_aml_resources_end(a);
	loader_aml_end(a);
	if (!aux)
		return;
	loader_aml_device(a, "PS2M");
	loader_aml_name_eisaid(a, "_HID", "PNP0F13");
	loader_aml_resources(a, "_CRS");
	loader_aml_irq_noflags(a, LOADER_I8042_AUX_IRQ);
	loader_aml_resources_end(a);
	loader_aml_end(a);
}

static void rtc(struct loader_aml *a)
{
	loader_aml_device(a, "RTC_");
	loader_aml_name_eisaid(a, "_HID", "PNP0B00");
	loader_aml_resources(a, "_CRS");
	loader_aml_io(a, LOADER_RTC_PORT, LOADER_RTC_PORT, 1, 2);
	loader_aml_irq_noflags(a, LOADER_RTC_IRQ);
	loader_aml_resources_end(a);
	loader_aml_end(a);
}

static void virtio(struct loader_aml *a, size_t i,
		   const struct loader_acpi_virtio_mmio *v)
{
	char name[5];

	snprintf(name, sizeof(name), "V%03zX", i & 0xfff);
	loader_aml_device(a, name);
	loader_aml_name_string(a, "_HID", "LNRO0005");
	loader_aml_name_int(a, "_UID", i);
	loader_aml_resources(a, "_CRS");
	loader_aml_mem32_fixed(a, true, (uint32_t)v->base, v->size);
	loader_aml_interrupt(a, v->level, false, false, v->gsi);
	loader_aml_resources_end(a);
	loader_aml_end(a);
}

int loader__acpi_build_dsdt(uint8_t *buf, size_t cap,
			    const struct loader_acpi_cfg *cfg, size_t *len)
{
	static const uint64_t s5[] = { LOADER_ACPI_S5_SLP_TYP, LOADER_ACPI_S5_SLP_TYP, 0, 0 };
	struct loader_aml a;
	size_t aml_len;
	uint32_t total;
	int err;

	if (cap < SDT_HEADER_SIZE)
		return -ENOSPC;
	loader_aml_init(&a, buf + SDT_HEADER_SIZE, cap - SDT_HEADER_SIZE);
	loader_aml_scope(&a, "\\_SB");
	if (cfg->com1)
		com1(&a);
	if (cfg->i8042)
		i8042(&a, cfg->i8042_aux);
	if (cfg->rtc)
		rtc(&a);
	for (size_t i = 0; i < cfg->n_virtio; i++)
		virtio(&a, i, &cfg->virtio[i]);
	loader_aml_end(&a);
	loader_aml_name_package(&a, "\\_S5", s5, 4);
	err = loader_aml_finish(&a, &aml_len);
	if (err)
		return err;
	total = (uint32_t)(SDT_HEADER_SIZE + aml_len);
	loader__acpi_sdt_header(buf, "DSDT", total, DSDT_REVISION);
	loader__acpi_sdt_checksum(buf, total);
	*len = total;
	return 0;
}
