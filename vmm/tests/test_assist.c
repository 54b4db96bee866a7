// SPDX-License-Identifier: MIT
// The LDMXCSR/STMXCSR/FNINIT assist: decoding, effective addresses and the
// guest page walk (Intel SDM vol. 2 ch. 2, vol. 3 4.5).
#include <criterion/criterion.h>
#include <errno.h>

#include <vmmem/vmmem.h>

#include "assist_x86_64.h"

Test(assist_decode, ldmxcsr_rsp_disp8_as_linux_emits)
{
	const uint8_t b[] = { 0x0f, 0xae, 0x54, 0x24, 0x04, 0x83, 0xe3 };
	struct vmm_assist_insn in;

	cr_assert_eq(vmm__assist_decode(b, sizeof(b), &in), VMM_ASSIST_LDMXCSR);
	cr_assert_eq(in.len, 5);
	cr_assert(in.has_sib);
	cr_assert_eq(in.disp, 4);
}

Test(assist_decode, stmxcsr_rip_relative)
{
	const uint8_t b[] = { 0x0f, 0xae, 0x1d, 0xf0, 0xff, 0xff, 0xff };
	struct vmm_assist_insn in;

	cr_assert_eq(vmm__assist_decode(b, sizeof(b), &in), VMM_ASSIST_STMXCSR);
	cr_assert_eq(in.len, 7);
	cr_assert(in.rip_relative);
	cr_assert_eq(in.disp, -16);
}

Test(assist_decode, fninit_and_finit)
{
	const uint8_t a[] = { 0xdb, 0xe3 }, b[] = { 0x9b, 0xdb, 0xe3 };
	struct vmm_assist_insn in;

	cr_assert_eq(vmm__assist_decode(a, 2, &in), VMM_ASSIST_FNINIT);
	cr_assert_eq(in.len, 2);
	cr_assert_eq(vmm__assist_decode(b, 3, &in), VMM_ASSIST_FNINIT);
	cr_assert_eq(in.len, 3);
}

Test(assist_decode, rejects_other_0fae_forms_and_truncation)
{
	const uint8_t lfence[] = { 0x0f, 0xae, 0xe8 };		/* register form */
	const uint8_t xrstor[] = { 0x0f, 0xae, 0x2f };		/* /5 */
	const uint8_t cut[] = { 0x0f, 0xae, 0x94, 0x24 };	/* disp32 missing */
	struct vmm_assist_insn in;

	cr_assert_eq(vmm__assist_decode(lfence, 3, &in), VMM_ASSIST_NONE);
	cr_assert_eq(vmm__assist_decode(xrstor, 3, &in), VMM_ASSIST_NONE);
	cr_assert_eq(vmm__assist_decode(cut, 4, &in), VMM_ASSIST_NONE);
	cr_assert_eq(vmm__assist_decode(cut, 0, &in), VMM_ASSIST_NONE);
}

Test(assist_ea, sib_rex_and_segment)
{
	/* gs: ldmxcsr 0x10(%r8,%r9,4) = 65 43 0f ae 54 88 10 */
	const uint8_t b[] = { 0x65, 0x43, 0x0f, 0xae, 0x54, 0x88, 0x10 };
	struct vmm_assist_insn in;
	struct kvm_regs r = { .r8 = 0x1000, .r9 = 0x20 };
	struct kvm_sregs s = { .gs = { .base = 0x100000 } };

	cr_assert_eq(vmm__assist_decode(b, sizeof(b), &in), VMM_ASSIST_LDMXCSR);
	cr_assert_eq(vmm__assist_ea(&in, &r, &s), 0x100000 + 0x1000 + 0x80 + 0x10);
}

Test(assist_ea, rip_relative_counts_from_next_instruction)
{
	const uint8_t b[] = { 0x0f, 0xae, 0x15, 0x10, 0x00, 0x00, 0x00 };
	struct vmm_assist_insn in;
	struct kvm_regs r = { .rip = 0x4000 };
	struct kvm_sregs s = { 0 };

	cr_assert_eq(vmm__assist_decode(b, sizeof(b), &in), VMM_ASSIST_LDMXCSR);
	cr_assert_eq(vmm__assist_ea(&in, &r, &s), 0x4000 + 7 + 0x10);
}

static struct vmmem_map *mem;

static void map_setup(void)
{
	struct vmmem_region_desc d = { .gpa = 0, .size = 16u << 20,
				       .backing = VMMEM_BACKING_ANON };

	cr_assert_eq(vmmem_map_new(&mem), 0);
	cr_assert_eq(vmmem_map_add_region(mem, &d), 0);
}

static void map_teardown(void)
{
	vmmem_map_free(mem);
}

TestSuite(gva, .init = map_setup, .fini = map_teardown);

/* Tables: PML4 at 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static struct kvm_sregs paging(void)
{
	struct kvm_sregs s = { .cr0 = 0x80000001, .cr3 = 0x1000, .cr4 = 0x20, .efer = 0x500 };
	uint64_t kva = 0xffffffff81000000ull;
	unsigned l4 = (kva >> 39) & 511, l3 = (kva >> 30) & 511, l2 = (kva >> 21) & 511;

	cr_assert_eq(vmmem_store_u64(mem, 0x1000 + 8 * l4, 0x2000 | 3), 0);
	cr_assert_eq(vmmem_store_u64(mem, 0x2000 + 8 * l3, 0x3000 | 3), 0);
	/* 2 MiB page for kva → 0x800000; 4 KiB pages for the next 2 MiB. */
	cr_assert_eq(vmmem_store_u64(mem, 0x3000 + 8 * l2, 0x800000 | 0x83), 0);
	cr_assert_eq(vmmem_store_u64(mem, 0x3000 + 8 * (l2 + 1), 0x4000 | 3), 0);
	cr_assert_eq(vmmem_store_u64(mem, 0x4000 + 8 * 5, 0x123000 | 3), 0);
	return s;
}

Test(gva, paging_off_is_identity)
{
	struct kvm_sregs s = { .cr0 = 1 };
	uint64_t gpa;

	cr_assert_eq(vmm__gva_to_gpa(mem, &s, 0x12345, &gpa), 0);
	cr_assert_eq(gpa, 0x12345);
}

Test(gva, large_and_small_pages)
{
	struct kvm_sregs s = paging();
	uint64_t gpa;

	cr_assert_eq(vmm__gva_to_gpa(mem, &s, 0xffffffff81012345ull, &gpa), 0);
	cr_assert_eq(gpa, 0x812345);
	cr_assert_eq(vmm__gva_to_gpa(mem, &s, 0xffffffff81205abcull, &gpa), 0);
	cr_assert_eq(gpa, 0x123abc);
}

Test(gva, not_present_and_unbacked_tables_fault)
{
	struct kvm_sregs s = paging();
	uint64_t gpa;

	cr_assert_eq(vmm__gva_to_gpa(mem, &s, 0xffffffff81206000ull, &gpa), -EFAULT);
	cr_assert_eq(vmm__gva_to_gpa(mem, &s, 0x7000000000ull, &gpa), -EFAULT);
	s.cr3 = 0x40000000;	/* table outside guest RAM */
	cr_assert_eq(vmm__gva_to_gpa(mem, &s, 0x1000, &gpa), -EFAULT);
}

Test(gva, five_level_paging_unsupported)
{
	struct kvm_sregs s = paging();
	uint64_t gpa;

	s.cr4 |= 1u << 12;
	cr_assert_eq(vmm__gva_to_gpa(mem, &s, 0x1000, &gpa), -ENOTSUP);
}

/*
 * Faults decided from CR0/CR4 before the instruction runs (SDM vol. 2
 * LDMXCSR/STMXCSR/FNINIT "Protected Mode Exceptions", vol. 3 table 2-2).
 */
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR0_OK (CR0_MP | 1ull | (1ull << 31))
#define CR4_OK (CR4_OSFXSR | CR4_OSXMMEXCPT | (1ull << 5))

Test(assist_fault, sse_runs_when_enabled)
{
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_LDMXCSR, CR0_OK, CR4_OK), -1);
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_STMXCSR, CR0_OK, CR4_OK), -1);
	/* OSXMMEXCPT only picks #XM over #UD for unmasked SIMD exceptions. */
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_LDMXCSR, CR0_OK, CR4_OSFXSR), -1);
}

Test(assist_fault, sse_without_osfxsr_is_ud)
{
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_LDMXCSR, CR0_OK, CR4_OK & ~CR4_OSFXSR),
		     VMM_VEC_UD);
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_STMXCSR, CR0_OK, CR4_OK & ~CR4_OSFXSR),
		     VMM_VEC_UD);
}

Test(assist_fault, sse_with_em_is_ud)
{
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_LDMXCSR, CR0_OK | CR0_EM, CR4_OK), VMM_VEC_UD);
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_STMXCSR, CR0_OK | CR0_EM, CR4_OK), VMM_VEC_UD);
}

Test(assist_fault, sse_with_ts_is_nm)
{
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_LDMXCSR, CR0_OK | CR0_TS, CR4_OK), VMM_VEC_NM);
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_STMXCSR, CR0_OK | CR0_TS, CR4_OK), VMM_VEC_NM);
}

Test(assist_fault, sse_ud_outranks_nm)
{
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_LDMXCSR, CR0_OK | CR0_TS,
				       CR4_OK & ~CR4_OSFXSR), VMM_VEC_UD);
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_STMXCSR, CR0_OK | CR0_TS | CR0_EM, CR4_OK),
		     VMM_VEC_UD);
}

Test(assist_fault, fninit_runs_when_enabled_and_ignores_osfxsr)
{
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_FNINIT, CR0_OK, CR4_OK), -1);
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_FNINIT, CR0_OK, 0), -1);
	/* MP alone only concerns WAIT/FWAIT, which needs TS too. */
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_FNINIT, CR0_MP, 0), -1);
}

Test(assist_fault, fninit_with_em_is_nm_not_ud)
{
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_FNINIT, CR0_OK | CR0_EM, CR4_OK), VMM_VEC_NM);
}

Test(assist_fault, fninit_with_ts_is_nm)
{
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_FNINIT, CR0_OK | CR0_TS, CR4_OK), VMM_VEC_NM);
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_FNINIT, CR0_TS, CR4_OK), VMM_VEC_NM);
}

Test(assist_fault, not_ours_never_faults)
{
	cr_assert_eq(vmm__assist_fault(VMM_ASSIST_NONE, CR0_EM | CR0_TS, 0), -1);
}

Test(assist_mxcsr, writable_bits_follow_mxcsr_mask)
{
	/* MXCSR_MASK 0 in the FXSAVE image means the default 0xffbf: DAZ
	 * (bit 6) is reserved and loading it raises #GP. */
	cr_assert_eq(vmm__mxcsr_writable(0), 0xffbfu);
	cr_assert_eq(vmm__mxcsr_writable(0xffff), 0xffffu);
}
