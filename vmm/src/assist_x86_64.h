/* SPDX-License-Identifier: MIT */
/*
 * Emulation assists beyond libkvmwrap's int3 / int n / fwait ones, for
 * instructions kvm-pvm's emulator rejects at CPL0 that Linux executes on
 * every boot (kernel_fpu_begin_mask(): LDMXCSR, FNINIT): they touch only
 * FPU state and, for the MXCSR loads/stores, 4 bytes of guest memory, so
 * the VMM can complete them generically from the instruction bytes.
 */
#ifndef VMM_ASSIST_X86_64_H
#define VMM_ASSIST_X86_64_H

#include <stdint.h>

#include <kvmwrap/kvmwrap.h>
#include <vmmem/map.h>

enum vmm_assist_kind {
	VMM_ASSIST_NONE,
	VMM_ASSIST_LDMXCSR,	/* 0f ae /2, memory operand */
	VMM_ASSIST_STMXCSR,	/* 0f ae /3, memory operand */
	VMM_ASSIST_FNINIT,	/* db e3 (9b db e3 is FINIT) */
};

/* Decoded instruction: kind, length, and for memory forms the operand. */
struct vmm_assist_insn {
	enum vmm_assist_kind kind;
	uint8_t len;
	uint8_t seg;		/* 0, or the 0x64/0x65 FS/GS override byte */
	uint8_t rex;
	uint8_t modrm, sib;
	bool has_sib;
	int32_t disp;
	bool rip_relative;
};

/* Pure decoder over up to len bytes; VMM_ASSIST_NONE when unsupported. */
enum vmm_assist_kind vmm__assist_decode(const uint8_t *insn, size_t len,
					struct vmm_assist_insn *out);

/* Effective address of a decoded memory operand (64-bit addressing). */
uint64_t vmm__assist_ea(const struct vmm_assist_insn *in, const struct kvm_regs *regs,
			const struct kvm_sregs *sregs);

/* Guest-virtual → guest-physical through the guest's page tables (none
 * with paging off, 4-level in long mode).  -EFAULT when not mapped. */
int vmm__gva_to_gpa(const struct vmmem_map *mem, const struct kvm_sregs *sregs,
		    uint64_t gva, uint64_t *gpa);

/*
 * The fault the CPU raises before executing the instruction, from CR0/CR4
 * alone (SDM vol. 1 13.2 and vol. 3 2.5 / 13.1, the instructions' "Protected
 * Mode Exceptions"): LDMXCSR/STMXCSR raise #UD when CR0.EM is set or
 * CR4.OSFXSR is clear, else #NM when CR0.TS is set; FNINIT/FINIT raise #NM
 * when CR0.EM or CR0.TS is set.  Returns the vector, or -1 when it runs.
 */
#define VMM_VEC_UD 6
#define VMM_VEC_NM 7
int vmm__assist_fault(enum vmm_assist_kind kind, uint64_t cr0, uint64_t cr4);

/* MXCSR bits a load may set: MXCSR_MASK from the FXSAVE image, or 0xffbf
 * when the image says 0 (SDM vol. 1 11.6.6). */
uint32_t vmm__mxcsr_writable(uint32_t mxcsr_mask);

/* Completes the instruction at the vCPU's RIP: 0 done, -ENOTSUP not one of
 * ours, -EFAULT operand not mapped (the caller reports the failure).  A
 * fault vmm__assist_fault() predicts, or #GP(0) for reserved MXCSR bits, is
 * injected instead and RIP stays on the instruction, as on hardware.
 * xsave_buf: KVMW_XSAVE_MAX_SIZE bytes of room for the vCPU's XSAVE image. */
int vmm__assist_run(struct kvmw_vcpu *vcpu, struct vmmem_map *mem,
		    const uint8_t *insn, size_t len, uint64_t *xsave_buf,
		    enum vmm_assist_kind *kind);

#endif
