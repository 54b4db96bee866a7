/* SPDX-License-Identifier: MIT */
/*
 * Boot stub of every guest-kit program.  It follows the PVH boot ABI (Xen
 * docs/misc/pvh.pandoc, Linux Documentation/arch/x86/boot.rst): the VMM enters
 * gk_pvh_entry in 32-bit protected mode, paging off, flat segments, %ebx
 * holding the physical address of struct hvm_start_info.  The stub switches
 * to long mode on its own page tables (built at link time, so no ring-0 loop
 * runs before C: kvm-pvm emulates every CPL0 instruction) and calls gk_start.
 * Port 0x80 gets milestone 0x01 at the very first instruction.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define GK_MS_FIRST 0x01

	.section .note.Xen, "a"
	.balign 4
	.long 4			/* namesz: "Xen\0" */
	.long 8			/* descsz: QEMU reads a 64-bit value for ELF64 */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.quad gk_pvh_entry

	.section .text.boot, "ax"
	.code32
	.globl gk_pvh_entry
gk_pvh_entry:
	movb $GK_MS_FIRST, %al
	outb %al, $0x80
	/* The boot TSC lets bench-boot time entry -> summary from inside. */
	rdtsc
	movl %eax, gk_boot_tsc
	movl %edx, gk_boot_tsc + 4
	movl %ebx, gk_start_info_pa
	movl $gk_stack_top, %esp

	lgdt gk_gdt_ptr
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl $gk_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax		/* PG | PE */
	movl %eax, %cr0
	ljmp $0x08, $gk_long_entry

	.code64
gk_long_entry:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $gk_stack_top, %rsp
	xorl %ebp, %ebp
	call gk_start
1:	hlt
	jmp 1b

	.section .rodata
	.balign 16
gk_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
gk_gdt_end:
	.balign 4
gk_gdt_ptr:
	.word gk_gdt_end - gk_gdt - 1
	.long gk_gdt

	/*
	 * Identity map of the low 4 GiB with 2 MiB pages.  The last GiB holds
	 * the MMIO hole (virtio-mmio, IOAPIC, LAPIC) and is mapped uncached
	 * (PCD|PWT) so device registers are never cached on any VMM.
	 */
	.section .data.pagetables, "aw"
	.balign 4096
gk_pml4:
	.quad gk_pdpt + 0x3
	.fill 511, 8, 0
gk_pdpt:
	.quad gk_pd + 0x0003
	.quad gk_pd + 0x1003
	.quad gk_pd + 0x2003
	.quad gk_pd + 0x3003
	.fill 508, 8, 0
gk_pd:
	.set gk_i, 0
	.rept 2048
	.if gk_i >= 1536
	.quad (gk_i << 21) | 0x9b	/* P|RW|PWT|PCD|PS */
	.else
	.quad (gk_i << 21) | 0x83	/* P|RW|PS */
	.endif
	.set gk_i, gk_i + 1
	.endr

	.section .bss
	.balign 16
	.globl gk_boot_tsc, gk_start_info_pa
gk_boot_tsc:
	.skip 8
gk_start_info_pa:
	.skip 8
	.balign 4096
gk_stack:
	.skip 65536
gk_stack_top:
