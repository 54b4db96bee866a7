// SPDX-License-Identifier: MIT
// Host facts: CPU virtualization flags from /proc/cpuinfo and the KVM
// backend from /sys/module (docs/kvm-pvm.md: kvm-pvm hosts show no vmx/svm and
// load kvm_pvm).  Parsing works on caller text so it is testable on fixtures.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kvmwrap/host.h>

/* Is word (wlen bytes) one of the space-separated tokens of line? */
static bool has_token(const char *line, size_t len, const char *word)
{
	size_t wlen = strlen(word), i = 0;

	while (i < len) {
		size_t start, end;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		end = i;
		if (end - start == wlen && memcmp(line + start, word, wlen) == 0)
			return true;
	}
	return false;
}

/* Finds the value part of the first line whose key is "flags". */
static const char *find_flags(const char *text, size_t len, size_t *vlen)
{
	size_t i = 0;

	while (i < len) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i;
		const char *colon = memchr(line, ':', ll);

		i += ll + 1;
		if (!colon || ll < 5 || memcmp(line, "flags", 5) != 0)
			continue;
		/* "flags\t\t: ..." but not "vmx flags" or "flagsx". */
		for (const char *p = line + 5; p < colon; p++)
			if (*p != ' ' && *p != '\t')
				goto next;
		*vlen = ll - (size_t)(colon + 1 - line);
		return colon + 1;
next:;
	}
	return NULL;
}

int kvmw_host_parse_cpuinfo(const char *text, size_t len, struct kvmw_cpu_flags *out)
{
	const char *v;
	size_t vlen = 0;

	if (!text || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	v = find_flags(text, len, &vlen);
	if (!v)
		return -ENOENT;
	out->vmx = has_token(v, vlen, "vmx");
	out->svm = has_token(v, vlen, "svm");
	out->hypervisor = has_token(v, vlen, "hypervisor");
	out->popcnt = has_token(v, vlen, "popcnt");
	out->cx16 = has_token(v, vlen, "cx16");
	out->smap = has_token(v, vlen, "smap");
	out->xsave = has_token(v, vlen, "xsave");
	return 0;
}

enum kvmw_host_kind kvmw_host_classify(const struct kvmw_host_facts *f)
{
	if (!f)
		return KVMW_HOST_UNKNOWN;
	/* kvm_pvm is decisive: it can be loaded next to kvm_intel on a VMX host and still serve /dev/kvm. */
	if (f->mod_kvm_pvm)
		return KVMW_HOST_PVM;
	if (f->mod_kvm_intel && f->cpu.vmx)
		return KVMW_HOST_HW_VMX;
	if (f->mod_kvm_amd && f->cpu.svm)
		return KVMW_HOST_HW_SVM;
	if (!f->mod_kvm && !f->dev_kvm)
		return KVMW_HOST_NO_KVM;
	return KVMW_HOST_UNKNOWN;
}

static bool is_dir(const char *base, const char *name)
{
	char path[4096];
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/%s", base, name);

	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* cpuinfo of a many-core host is large, but the first processor's flags come early. */
#define CPUINFO_READ_MAX (256u * 1024u)

static bool read_cpuinfo(const char *path, struct kvmw_cpu_flags *cpu)
{
	char *buf = malloc(CPUINFO_READ_MAX);
	size_t len = 0;
	bool ok = false;
	int fd;

	if (!buf)
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t r;

		while (len < CPUINFO_READ_MAX &&
		       (r = read(fd, buf + len, CPUINFO_READ_MAX - len)) > 0)
			len += (size_t)r;
		close(fd);
		ok = kvmw_host_parse_cpuinfo(buf, len, cpu) == 0;
	}
	free(buf);
	return ok;
}

int kvmw_host_probe_paths(const char *cpuinfo, const char *sysmodule, const char *dev_kvm,
			  struct kvmw_host_facts *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->cpuinfo_read = read_cpuinfo(cpuinfo ? cpuinfo : "/proc/cpuinfo", &out->cpu);
	sysmodule = sysmodule ? sysmodule : "/sys/module";
	out->mod_kvm = is_dir(sysmodule, "kvm");
	out->mod_kvm_intel = is_dir(sysmodule, "kvm_intel");
	out->mod_kvm_amd = is_dir(sysmodule, "kvm_amd");
	out->mod_kvm_pvm = is_dir(sysmodule, "kvm_pvm");
	out->dev_kvm = access(dev_kvm ? dev_kvm : KVMW_DEV_KVM, F_OK) == 0;
	out->kind = kvmw_host_classify(out);
	return 0;
}

int kvmw_host_probe(struct kvmw_host_facts *out)
{
	return kvmw_host_probe_paths(NULL, NULL, NULL, out);
}

const char *kvmw_host_kind_name(enum kvmw_host_kind kind)
{
	switch (kind) {
	case KVMW_HOST_NO_KVM: return "no KVM";
	case KVMW_HOST_HW_VMX: return "hardware (Intel VMX)";
	case KVMW_HOST_HW_SVM: return "hardware (AMD SVM)";
	case KVMW_HOST_PVM: return "kvm-pvm (software, CPL0 emulated)";
	case KVMW_HOST_UNKNOWN: return "unknown KVM backend";
	}
	return "?";
}
