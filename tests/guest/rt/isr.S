/* SPDX-License-Identifier: MIT */
/*
 * The 256 interrupt entry stubs (Intel SDM vol. 3, 6.14 "64-bit mode
 * exception and interrupt handling").  Each stub is 16 bytes apart so the IDT
 * can be filled from gk_isr_table + 16 * vector; vectors without a CPU error
 * code push a zero so every frame has one shape (struct gk_frame).
 */
	.text
	.balign 16
	.globl gk_isr_table
gk_isr_table:
	.set gk_v, 0
	.rept 256
	.balign 16
	.if (gk_v == 8) || ((gk_v >= 10) && (gk_v <= 14)) || (gk_v == 17) || (gk_v == 21) || (gk_v == 29) || (gk_v == 30)
	.else
	pushq $0
	.endif
	pushq $gk_v
	jmp gk_isr_common
	.set gk_v, gk_v + 1
	.endr

gk_isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld
	call gk_trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq
