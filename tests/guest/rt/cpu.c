// SPDX-License-Identifier: MIT
/*
 * MSR, CPUID and control-register access (Intel SDM vol. 2), out of line to
 * keep call sites small, and the x87/SSE enable every program runs first.
 */
#include "gk.h"

uint64_t gk_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

void gk_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

void gk_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

uint64_t gk_read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

uint64_t gk_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

void gk_write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

void gk_write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

void gk_fpu_init(void)
{
	gk_write_cr0((gk_read_cr0() & ~(GK_CR0_EM | GK_CR0_TS)) | GK_CR0_MP);
	gk_write_cr4(gk_read_cr4() | GK_CR4_OSFXSR | GK_CR4_OSXMMEXCPT);
}
