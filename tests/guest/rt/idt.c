// SPDX-License-Identifier: MIT
/*
 * The IDT (Intel SDM vol. 3, 6.14.1): every vector goes through one dispatch.
 * CPU exceptions are reported as a failed test with vector, error code, RIP
 * and CR2, then the VM ends, so a wild guest is a visible failure and never a
 * hang.  Vectors from 32 up call the handler registered for them and end with
 * a LAPIC EOI; 0xff is the LAPIC spurious vector and gets no EOI.
 */
#include "gk.h"

#define SPURIOUS_VECTOR 0xff

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};

static struct idt_entry idt[256] GK_ALIGNED(16);
static struct {
	gk_irq_fn *fn;
	void *ctx;
} handlers[256];

extern const char gk_isr_table[];

volatile uint64_t gk_fault_resume, gk_fault_vec, gk_fault_err, gk_fault_cr2;

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "-",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void gk_idt_init(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} desc = { sizeof(idt) - 1, (uintptr_t)idt };

	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = (uintptr_t)gk_isr_table + 16u * v;

		idt[v].off_lo = (uint16_t)a;
		idt[v].sel = 0x08;
		idt[v].ist = 0;
		idt[v].type = 0x8e;	/* present, DPL0, 64-bit interrupt gate */
		idt[v].off_mid = (uint16_t)(a >> 16);
		idt[v].off_hi = (uint32_t)(a >> 32);
		idt[v].zero = 0;
	}
	__asm__ volatile("lidt %0" : : "m"(desc));
}

void gk_irq_set(uint8_t vec, gk_irq_fn *fn, void *ctx)
{
	handlers[vec].ctx = ctx;
	handlers[vec].fn = fn;
}

static uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static GK_NORETURN void exception(const struct gk_frame *f)
{
	const char *name = exc_names[f->vec] ? exc_names[f->vec] : "?";

	gk_report("kit.exception", GK_FAIL,
		  "vector=%lu(%s) err=0x%lx rip=0x%lx cr2=0x%lx rsp=0x%lx",
		  f->vec, name, f->err, f->rip, read_cr2(), f->rsp);
	gk_finish();
}

void gk_trap_dispatch(struct gk_frame *f)
{
	if (f->vec < 32 && gk_fault_resume) {
		gk_fault_vec = f->vec;
		gk_fault_err = f->err;
		gk_fault_cr2 = read_cr2();
		f->rip = gk_fault_resume;
		gk_fault_resume = 0;
		return;
	}
	if (f->vec < 32)
		exception(f);
	if (handlers[f->vec].fn)
		handlers[f->vec].fn(handlers[f->vec].ctx);
	if (f->vec != SPURIOUS_VECTOR)
		gk_lapic_eoi();
}
