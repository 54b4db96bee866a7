// SPDX-License-Identifier: MIT
// Host CPU identity and the feature check of snapshot restore
// (snap_hostcpu.h, docs/snapshot.md "Host CPU").  Family and model are the
// display values: the extended family is added when the base family is 15,
// the extended model is prepended when the family is 6 or 15 (Intel SDM
// vol. 2A, CPUID leaf 1, "Display Family/Model"; AMD uses the same rule for
// family 15 and above).
#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "snap_codec.h"
#include "snap_hostcpu.h"

#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_HTT (1u << 28)
#define CPUID7_ECX_OSPKE (1u << 4)

const struct vmm__snap_feature_word vmm__snap_feature_words[VMM__SNAP_NFEATURE_WORDS] = {
	{ 1, 0, VMM__CPUID_ECX, CPUID1_ECX_OSXSAVE | CPUID1_ECX_HYPERVISOR },
	{ 1, 0, VMM__CPUID_EDX, CPUID1_EDX_HTT },
	{ 7, 0, VMM__CPUID_EBX, 0 },
	{ 7, 0, VMM__CPUID_ECX, CPUID7_ECX_OSPKE },
	{ 7, 0, VMM__CPUID_EDX, 0 },
	{ 0xd, 1, VMM__CPUID_EAX, 0 },
	{ 0x80000001u, 0, VMM__CPUID_ECX, 0 },
	{ 0x80000001u, 0, VMM__CPUID_EDX, 0 },
};

static const char *const reg_names[] = { "eax", "ebx", "ecx", "edx" };

uint32_t vmm__snap_cpuid_word(const struct kvmw_cpuid *id, uint32_t function,
			      uint32_t index, enum vmm__cpuid_reg reg)
{
	uint32_t n = id->nent < KVMW_CPUID_MAX_ENTRIES ? id->nent : KVMW_CPUID_MAX_ENTRIES;

	for (uint32_t i = 0; i < n; i++) {
		const struct kvm_cpuid_entry2 *e = &id->entries[i];

		/* Leaves without KVM_CPUID_FLAG_SIGNIFCANT_INDEX ignore index. */
		if (e->function != function ||
		    ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index))
			continue;
		switch (reg) {
		case VMM__CPUID_EAX: return e->eax;
		case VMM__CPUID_EBX: return e->ebx;
		case VMM__CPUID_ECX: return e->ecx;
		case VMM__CPUID_EDX: return e->edx;
		}
	}
	return 0;
}

void vmm__snap_host_cpu_read(struct vmm__snap_host_cpu *out,
			     const struct kvmw_cpuid *supported)
{
	unsigned int a = 0, b = 0, c = 0, d = 0, base, ext;

	memset(out, 0, sizeof(*out));
	__cpuid(0, a, b, c, d);
	memcpy(out->vendor, &b, 4);
	memcpy(out->vendor + 4, &d, 4);
	memcpy(out->vendor + 8, &c, 4);
	__cpuid(1, a, b, c, d);
	base = (a >> 8) & 0xf;
	ext = (a >> 20) & 0xff;
	out->family = base == 0xf ? base + ext : base;
	out->model = (a >> 4) & 0xf;
	if (base == 0x6 || base == 0xf)
		out->model |= ((a >> 16) & 0xf) << 4;
	out->stepping = a & 0xf;
	for (unsigned i = 0; supported && i < VMM__SNAP_NFEATURE_WORDS; i++) {
		const struct vmm__snap_feature_word *f = &vmm__snap_feature_words[i];

		out->features[i] = vmm__snap_cpuid_word(supported, f->function,
							 f->index, f->reg);
	}
}

void vmm__snap_put_host_cpu(struct vmm__snapw *w, const struct vmm__snap_host_cpu *h)
{
	vmm__snapw_begin(w, VMM__SNAP_HOST_CPU, 0, VMM__SNAP_HOST_CPU_V);
	vmm__snapw_string(w, h->vendor);
	vmm__snapw_u32(w, h->family);
	vmm__snapw_u32(w, h->model);
	vmm__snapw_u32(w, h->stepping);
	vmm__snapw_u32(w, VMM__SNAP_NFEATURE_WORDS);
	for (unsigned i = 0; i < VMM__SNAP_NFEATURE_WORDS; i++) {
		const struct vmm__snap_feature_word *f = &vmm__snap_feature_words[i];

		/* Self-describing, so a reader can tell which word is which. */
		vmm__snapw_u32(w, f->function);
		vmm__snapw_u32(w, f->index);
		vmm__snapw_u32(w, (uint32_t)f->reg);
		vmm__snapw_u32(w, h->features[i]);
	}
	vmm__snapw_end(w);
}

int vmm__snap_get_host_cpu(const struct vmm__snapr *r, struct vmm__snap_host_cpu *h,
			   char *err, size_t errlen)
{
	struct vmm__snapc c;
	uint32_t n = 0;

	if (vmm__snapr_open_version(r, VMM__SNAP_HOST_CPU, 0, VMM__SNAP_HOST_CPU_V, &c,
				    err, errlen))
		return c.err;
	memset(h, 0, sizeof(*h));
	vmm__snapc_string(&c, h->vendor, sizeof(h->vendor), "vendor");
	vmm__snapc_u32(&c, &h->family);
	vmm__snapc_u32(&c, &h->model);
	vmm__snapc_u32(&c, &h->stepping);
	if (!vmm__snapc_u32(&c, &n) && n != VMM__SNAP_NFEATURE_WORDS)
		vmm__snapc_fail(&c, "%u feature words, this cvmm has %u", n,
				VMM__SNAP_NFEATURE_WORDS);
	for (unsigned i = 0; i < VMM__SNAP_NFEATURE_WORDS && !c.err; i++) {
		const struct vmm__snap_feature_word *f = &vmm__snap_feature_words[i];
		uint32_t fn = 0, idx = 0, reg = 0;

		vmm__snapc_u32(&c, &fn);
		vmm__snapc_u32(&c, &idx);
		vmm__snapc_u32(&c, &reg);
		vmm__snapc_u32(&c, &h->features[i]);
		if (!c.err && (fn != f->function || idx != f->index || reg != f->reg))
			vmm__snapc_fail(&c, "feature word %u is CPUID 0x%x.%u %u, expected 0x%x.%u %s",
					i, fn, idx, reg, f->function, f->index,
					reg_names[f->reg]);
	}
	return vmm__snapc_done(&c);
}

static int check_identity(const struct vmm__snap_host_cpu *saved,
			  const struct vmm__snap_host_cpu *here, char *err, size_t errlen)
{
	if (!strcmp(saved->vendor, here->vendor) && saved->family == here->family &&
	    saved->model == here->model)
		return 0;
	snprintf(err, errlen,
		 "snapshot taken on a %s family 0x%x model 0x%x CPU, this host is %s family 0x%x model 0x%x",
		 saved->vendor, saved->family, saved->model, here->vendor,
		 here->family, here->model);
	return -ENOTSUP;
}

static uint32_t offered_word(const struct vmm__snap_host_offer *offer,
			     const struct vmm__snap_feature_word *f)
{
	uint32_t v = vmm__snap_cpuid_word(offer->supported, f->function, f->index, f->reg);

	if (offer->given)
		v |= vmm__snap_cpuid_word(offer->given, f->function, f->index, f->reg);
	return v;
}

int vmm__snap_host_check(const struct vmm__snap_host_cpu *saved,
			 const struct vmm__snap_host_cpu *here,
			 const struct kvmw_cpuid *guest_cpuid,
			 const struct vmm__snap_host_offer *offer, char *err, size_t errlen)
{
	int rc = check_identity(saved, here, err, errlen);

	if (rc)
		return rc;
	for (unsigned i = 0; i < VMM__SNAP_NFEATURE_WORDS; i++) {
		const struct vmm__snap_feature_word *f = &vmm__snap_feature_words[i];
		uint32_t want = vmm__snap_cpuid_word(guest_cpuid, f->function, f->index, f->reg);
		uint32_t missing = want & ~offered_word(offer, f) & ~f->ignore;

		if (missing) {
			snprintf(err, errlen,
				 "snapshot guest CPUID 0x%x.%u %s has bits 0x%08x that this host's KVM does not support",
				 f->function, f->index, reg_names[f->reg], missing);
			return -ENOTSUP;
		}
	}
	return 0;
}

int vmm__snap_host_check_vcpus(const struct vmm__snap_host_cpu *saved,
			       const struct vmm__snap_host_cpu *here,
			       const struct kvmw_vcpu_state *vcpus, unsigned int n,
			       const struct vmm__snap_host_offer *offer, char *err,
			       size_t errlen)
{
	for (unsigned int i = 0; i < n; i++) {
		int rc = vmm__snap_host_check(saved, here, &vcpus[i].cpuid, offer, err,
					      errlen);

		if (rc)
			return rc;
	}
	return 0;
}
