// SPDX-License-Identifier: MIT
// kvm-caps: prints what a VMM needs to know about this host's KVM in a
// readable table: the backend (hardware VMX/SVM or kvm-pvm, from
// /proc/cpuinfo and /sys/module), the API version, the vCPU mmap size,
// CPUID and MSR counts, and every capability libkvmwrap knows by name.
// Usage: kvm-caps [--all]   (--all also lists absent capabilities)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kvmwrap/kvmwrap.h>

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static void print_host(const struct kvmw_host_facts *f)
{
	printf("Host\n");
	printf("  %-28s %s\n", "KVM backend", kvmw_host_kind_name(f->kind));
	printf("  %-28s %s\n", "/dev/kvm present", yes(f->dev_kvm));
	printf("  %-28s vmx=%s svm=%s hypervisor=%s\n", "CPU flags", yes(f->cpu.vmx),
	       yes(f->cpu.svm), yes(f->cpu.hypervisor));
	printf("  %-28s kvm=%s kvm_intel=%s kvm_amd=%s kvm_pvm=%s\n", "modules", yes(f->mod_kvm),
	       yes(f->mod_kvm_intel), yes(f->mod_kvm_amd), yes(f->mod_kvm_pvm));
	if (f->kind == KVMW_HOST_PVM)
		printf("  %-28s %s\n", "note",
		       "CPL0 guest code is emulated; int3/int n/fwait need assists, "
		       "clac/popcnt/cmpxchg16b/xrstor must be avoided");
}

static int print_system(struct kvmw_system *sys)
{
	struct kvmw_cpuid *cpuid = calloc(1, sizeof(*cpuid));
	struct kvmw_msr_list *msrs = calloc(1, sizeof(*msrs));
	int err;

	if (!cpuid || !msrs) {
		free(cpuid);
		free(msrs);
		return -ENOMEM;
	}
	printf("\nSystem\n");
	printf("  %-28s %d\n", "API version", kvmw_system_api_version(sys));
	printf("  %-28s %d bytes\n", "vCPU mmap size", kvmw_system_vcpu_mmap_size(sys));
	err = kvmw_system_supported_cpuid(sys, cpuid);
	if (!err)
		printf("  %-28s %u leaves\n", "supported CPUID", cpuid->nent);
	if (!err && (err = kvmw_system_emulated_cpuid(sys, cpuid)) == 0)
		printf("  %-28s %u leaves\n", "emulated CPUID", cpuid->nent);
	if (!err && (err = kvmw_system_msr_index_list(sys, msrs)) == 0)
		printf("  %-28s %u\n", "saveable MSRs", msrs->nmsrs);
	if (!err && kvmw_system_feature_msr_index_list(sys, msrs) == 0)
		printf("  %-28s %u\n", "feature MSRs", msrs->nmsrs);
	free(cpuid);
	free(msrs);
	return err;
}

static int print_cap(void *ctx, const struct kvmw_cap_info *cap, int value)
{
	bool all = *(bool *)ctx;
	char v[16] = "";

	if (value <= 0 && !all)
		return 0;
	/* Many capabilities answer 1 for "present"; larger answers are counts or bit sets. */
	if (value > 1)
		snprintf(v, sizeof(v), "%d", value);
	printf("  %-34s %-8s %s\n", cap->name, value > 0 ? "yes" : "no", v);
	return 0;
}

int main(int argc, char **argv)
{
	bool all = argc > 1 && strcmp(argv[1], "--all") == 0;
	struct kvmw_host_facts facts;
	struct kvmw_system *sys;
	int err;

	if (kvmw_host_probe(&facts)) {
		fprintf(stderr, "kvm-caps: cannot probe the host\n");
		return 1;
	}
	print_host(&facts);
	err = kvmw_system_open(&sys);
	if (err) {
		printf("\n/dev/kvm: %s\n", strerror(-err));
		return 0;
	}
	err = print_system(sys);
	if (!err) {
		printf("\nCapabilities (%s)\n  %-34s %-8s %s\n", all ? "all known" : "present only",
		       "KVM_CAP_", "present", "value (when > 1)");
		err = kvmw_system_for_each_cap(sys, print_cap, &all);
	}
	kvmw_system_free(sys);
	if (err) {
		fprintf(stderr, "kvm-caps: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
