// SPDX-License-Identifier: MIT
// Validates the generated tables with Debian's acpica-tools: `iasl -d`
// must disassemble each one without an error or warning, and the
// disassembly must compile back (0 errors, 0 warnings); for the data
// tables (XSDT, FADT, MADT) the recompiled bytes must equal ours, except
// the creator fields iasl stamps.  iasl 20200925 cannot disassemble a
// standalone RSDP (it reads "PTR " as a table length), so the RSDP is
// validated the other way round: iasl compiles an RSDP from its data-table
// description (our XSDT address, zero checksums) and must produce exactly
// our 36 bytes, checksums included.
#define _GNU_SOURCE /* strcasestr */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <loader/acpi.h>
#include <loader/layout.h>

#include "acpi_cfg.h"

static uint8_t area[LOADER_ACPI_SIZE];
static char dir[] = "/tmp/loader-iasl-XXXXXX";

static void setup(void)
{
	if (system("command -v iasl >/dev/null 2>&1") != 0)
		cr_assert_fail("iasl not found: run tests/install-deps.sh (acpica-tools)");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

TestSuite(iasl, .init = setup, .fini = teardown);

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	static char buf[1 << 16];

	cr_assert_not_null(f, "%s missing", path);
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[*len] = 0;
	fclose(f);
	return buf;
}

static void save(const char *name, uint64_t gpa, uint32_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(area + (gpa - LOADER_ACPI_START), 1, len, f), len);
	fclose(f);
}

/* Runs iasl in dir: "d" disassembles NAME.dat, "c" compiles NAME.dsl
 * to re_NAME.aml; returns the exit status, *out the output. */
static int run(const char *what, const char *name, char **out)
{
	char cmd[512], log[256];
	size_t n;
	int st;

	snprintf(log, sizeof(log), "%s/%s.%s.log", dir, name, what);
	if (what[0] == 'd')
		snprintf(cmd, sizeof(cmd), "cd %s && iasl -d %s.dat > %s 2>&1", dir, name, log);
	else
		snprintf(cmd, sizeof(cmd), "cd %s && iasl -p re_%s %s.dsl > %s 2>&1", dir,
			 name, name, log);
	st = system(cmd);
	*out = slurp(log, &n);
	return st;
}

static void check_table(const char *name, uint64_t gpa, uint32_t len, bool same_bytes)
{
	char *out, path[256];
	size_t n;
	int st;

	save(name, gpa, len);
	st = run("d", name, &out);
	cr_assert_eq(st, 0, "iasl -d %s failed:\n%s", name, out);
	cr_assert_null(strcasestr(out, "error"), "iasl -d %s:\n%s", name, out);
	cr_assert_null(strcasestr(out, "warning"), "iasl -d %s:\n%s", name, out);
	cr_assert_null(strstr(out, "does not contain a valid"), "%s", out);
	snprintf(path, sizeof(path), "%s/%s.dsl", dir, name);
	out = slurp(path, &n);
	cr_assert_null(strstr(out, "Incorrect checksum"), "%s", out);
	cr_assert_null(strstr(out, "**** "), "iasl flagged %s:\n%s", name, out);
	st = run("c", name, &out);
	cr_assert_eq(st, 0, "recompiling %s failed:\n%s", name, out);
	cr_assert_not_null(strstr(out, "0 Errors, 0 Warnings"), "%s", out);
	if (same_bytes) {
		snprintf(path, sizeof(path), "%s/re_%s.aml", dir, name);
		out = slurp(path, &n);
		const uint8_t *ours = area + (gpa - LOADER_ACPI_START);

		/* iasl stamps its own creator ID and revision (bytes 28-35)
		 * and so recomputes the checksum (byte 9); all else must match. */
		cr_assert_eq(n, len);
		cr_assert_arr_eq(out, ours, 9, "%s header differs", name);
		cr_assert_arr_eq(out + 10, ours + 10, 18, "%s header differs", name);
		cr_assert_arr_eq(out + 36, ours + 36, len - 36,
				 "%s recompiles to different bytes", name);
	}
}

static void check_rsdp(const struct loader_acpi_layout *lay)
{
	const uint8_t *ours = area + (lay->rsdp - LOADER_ACPI_START);
	char path[256], cmd[512], *out;
	size_t n;
	FILE *f;

	cr_assert_eq(lay->rsdp_len, 36);
	snprintf(path, sizeof(path), "%s/rsdp.asl", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "[0008] Signature : \"RSD PTR \"\n"
		   "[0001] Checksum : 00\n"
		   "[0006] Oem ID : \"%.6s\"\n"
		   "[0001] Revision : 02\n"
		   "[0004] RSDT Address : 00000000\n"
		   "[0004] Length : 00000024\n"
		   "[0008] XSDT Address : %016llX\n"
		   "[0001] Extended Checksum : 00\n"
		   "[0003] Reserved : 000000\n",
		(const char *)ours + 9, (unsigned long long)lay->xsdt);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl rsdp.asl > rsdp.log 2>&1", dir);
	cr_assert_eq(system(cmd), 0, "iasl could not compile the RSDP");
	snprintf(path, sizeof(path), "%s/rsdp.log", dir);
	out = slurp(path, &n);
	cr_assert_not_null(strstr(out, "0 Errors, 0 Warnings"), "%s", out);
	snprintf(path, sizeof(path), "%s/rsdp.aml", dir);
	out = slurp(path, &n);
	cr_assert_eq(n, 36);
	cr_assert_arr_eq(out, ours, 36, "our RSDP differs from iasl's");
}

static void check_all(const struct loader_acpi_cfg *cfg)
{
	struct loader_acpi_layout lay;

	cr_assert_eq(loader_acpi_build(area, sizeof(area), LOADER_ACPI_START, cfg, &lay), 0);
	check_rsdp(&lay);
	check_table("XSDT", lay.xsdt, lay.xsdt_len, true);
	check_table("FACP", lay.fadt, lay.fadt_len, true);
	check_table("APIC", lay.madt, lay.madt_len, true);
	check_table("DSDT", lay.dsdt, lay.dsdt_len, false);
}

Test(iasl, minimal_platform)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(1, 0);

	cfg.com1 = cfg.i8042 = cfg.i8042_aux = cfg.rtc = false;
	cfg.n_overrides = 0;
	cfg.reset_port = 0;
	check_all(&cfg);
}

Test(iasl, full_platform)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(8, 8);

	check_all(&cfg);
}

Test(iasl, many_cpus)
{
	struct loader_acpi_cfg cfg = fx_acpi_cfg(LOADER_ACPI_MAX_CPUS, 2);

	cfg.ioapic_id = LOADER_ACPI_MAX_CPUS;
	check_all(&cfg);
}
