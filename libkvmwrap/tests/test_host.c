// SPDX-License-Identifier: MIT
// Host facts from fixture files: cpuinfo parsing and the hardware vs
// kvm-pvm classification (docs/kvm-pvm.md), with /sys/module simulated by a
// scratch directory.
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kvmwrap/kvmwrap.h>

#ifndef KVMW_FIXTURES
#error "KVMW_FIXTURES must name the fixture directory"
#endif

static char moddir[64];

static void setup(void)
{
	strcpy(moddir, "/tmp/kvmw-modules-XXXXXX");
	cr_assert_not_null(mkdtemp(moddir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", moddir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(host, .init = setup, .fini = teardown);

static void add_module(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", moddir, name);
	cr_assert_eq(mkdir(path, 0755), 0);
}

/* Probes with a cpuinfo fixture, the scratch module dir and a device path. */
static struct kvmw_host_facts probe(const char *fixture, const char *dev)
{
	struct kvmw_host_facts f;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", KVMW_FIXTURES, fixture);
	cr_assert_eq(kvmw_host_probe_paths(path, moddir, dev, &f), 0);
	return f;
}

static char *slurp(const char *fixture, size_t *len)
{
	char path[256];
	FILE *fp;
	char *buf = calloc(1, 8192);

	snprintf(path, sizeof(path), "%s/%s", KVMW_FIXTURES, fixture);
	fp = fopen(path, "r");
	cr_assert_not_null(fp);
	*len = fread(buf, 1, 8191, fp);
	fclose(fp);
	return buf;
}

Test(host, parse_pvm_flags)
{
	struct kvmw_cpu_flags c;
	size_t len;
	char *text = slurp("cpuinfo-pvm.txt", &len);

	cr_assert_eq(kvmw_host_parse_cpuinfo(text, len, &c), 0);
	cr_assert(!c.vmx, "the second processor's vmx must not leak into the first");
	cr_assert(!c.svm);
	cr_assert(c.hypervisor);
	cr_assert(c.popcnt);
	cr_assert(c.cx16);
	cr_assert(c.smap);
	cr_assert(c.xsave);
	free(text);
}

Test(host, parse_vmx_flags_ignores_vmx_flags_line)
{
	struct kvmw_cpu_flags c;
	size_t len;
	char *text = slurp("cpuinfo-vmx.txt", &len);

	cr_assert_eq(kvmw_host_parse_cpuinfo(text, len, &c), 0);
	cr_assert(c.vmx);
	cr_assert(!c.hypervisor);
	cr_assert(!c.smap);
	free(text);
}

Test(host, parse_svm_flags)
{
	struct kvmw_cpu_flags c;
	size_t len;
	char *text = slurp("cpuinfo-svm.txt", &len);

	cr_assert_eq(kvmw_host_parse_cpuinfo(text, len, &c), 0);
	cr_assert(c.svm);
	cr_assert(!c.vmx);
	free(text);
}

Test(host, parse_needs_a_flags_line)
{
	struct kvmw_cpu_flags c;
	size_t len;
	char *text = slurp("cpuinfo-noflags.txt", &len);

	cr_assert_eq(kvmw_host_parse_cpuinfo(text, len, &c), -ENOENT);
	cr_assert_eq(kvmw_host_parse_cpuinfo(NULL, 0, &c), -EINVAL);
	free(text);
}

Test(host, parse_does_not_match_token_prefixes)
{
	static const char t[] = "flags : vmxx svm_lock hypervisors";
	struct kvmw_cpu_flags c;

	cr_assert_eq(kvmw_host_parse_cpuinfo(t, sizeof(t) - 1, &c), 0);
	cr_assert(!c.vmx && !c.svm && !c.hypervisor);
}

Test(host, parse_honours_length_without_nul)
{
	static const char t[] = "flags : fpu vmx";
	struct kvmw_cpu_flags c;

	/* Cut before "vmx": the parser must not read on to the terminator. */
	cr_assert_eq(kvmw_host_parse_cpuinfo(t, 12, &c), 0);
	cr_assert(!c.vmx);
}

Test(host, classify_pvm)
{
	struct kvmw_host_facts f;

	add_module("kvm");
	add_module("kvm_pvm");
	f = probe("cpuinfo-pvm.txt", "/dev/null");
	cr_assert(f.cpuinfo_read);
	cr_assert(f.mod_kvm && f.mod_kvm_pvm && !f.mod_kvm_intel);
	cr_assert(f.dev_kvm);
	cr_assert_eq(f.kind, KVMW_HOST_PVM);
}

Test(host, classify_vmx)
{
	struct kvmw_host_facts f;

	add_module("kvm");
	add_module("kvm_intel");
	f = probe("cpuinfo-vmx.txt", "/dev/null");
	cr_assert_eq(f.kind, KVMW_HOST_HW_VMX);
}

Test(host, classify_svm)
{
	struct kvmw_host_facts f;

	add_module("kvm");
	add_module("kvm_amd");
	f = probe("cpuinfo-svm.txt", "/dev/null");
	cr_assert_eq(f.kind, KVMW_HOST_HW_SVM);
}

Test(host, pvm_wins_over_a_loaded_kvm_intel)
{
	struct kvmw_host_facts f;

	add_module("kvm");
	add_module("kvm_intel");
	add_module("kvm_pvm");
	f = probe("cpuinfo-vmx.txt", "/dev/null");
	cr_assert_eq(f.kind, KVMW_HOST_PVM);
}

Test(host, classify_no_kvm)
{
	struct kvmw_host_facts f = probe("cpuinfo-vmx.txt", "/nonexistent/kvm");

	cr_assert(!f.dev_kvm);
	cr_assert_eq(f.kind, KVMW_HOST_NO_KVM);
}

Test(host, kvm_intel_without_vmx_flag_is_unknown)
{
	struct kvmw_host_facts f;

	add_module("kvm");
	add_module("kvm_intel");
	f = probe("cpuinfo-svm.txt", "/dev/null");
	cr_assert_eq(f.kind, KVMW_HOST_UNKNOWN);
}

Test(host, missing_cpuinfo_is_a_fact)
{
	struct kvmw_host_facts f;

	cr_assert_eq(kvmw_host_probe_paths("/nonexistent/cpuinfo", moddir, "/nonexistent", &f), 0);
	cr_assert(!f.cpuinfo_read);
	cr_assert_eq(kvmw_host_probe_paths(NULL, NULL, NULL, NULL), -EINVAL);
}

Test(host, kind_names)
{
	for (int k = KVMW_HOST_NO_KVM; k <= KVMW_HOST_UNKNOWN; k++)
		cr_assert_str_neq(kvmw_host_kind_name((enum kvmw_host_kind)k), "?");
	cr_assert_not_null(strstr(kvmw_host_kind_name(KVMW_HOST_PVM), "kvm-pvm"));
}
