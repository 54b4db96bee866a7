/* SPDX-License-Identifier: MIT */
/*
 * The guest kit's runtime interface: what every freestanding test program may
 * use.  Port and MMIO accessors, a printf to the COM1 console, the GK result
 * lines (issue 7 format), the clean VM end, timing, interrupts and the PVH
 * command line.  Everything runs at CPL0 with a flat identity map.
 */
#ifndef GK_H
#define GK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GK_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define GK_NORETURN __attribute__((noreturn))
#define GK_ALIGNED(n) __attribute__((aligned(n)))
#define GK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Port 0x80 milestones, readable from outside to time the boot. */
enum gk_milestone {
	GK_MS_FIRST = 0x01,	/* written by the boot stub */
	GK_MS_C = 0x02,
	GK_MS_DONE = 0x03,
};

/* ---- port and MMIO access ------------------------------------------ */
static inline void gk_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void gk_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void gk_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline uint8_t gk_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline uint16_t gk_inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
static inline uint32_t gk_inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t gk_mmio_r32(uint64_t a)
{
	return *(volatile uint32_t *)(uintptr_t)a;
}
static inline uint16_t gk_mmio_r16(uint64_t a)
{
	return *(volatile uint16_t *)(uintptr_t)a;
}
static inline uint8_t gk_mmio_r8(uint64_t a)
{
	return *(volatile uint8_t *)(uintptr_t)a;
}
static inline void gk_mmio_w32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)a = v;
}
static inline void gk_mmio_w16(uint64_t a, uint16_t v)
{
	*(volatile uint16_t *)(uintptr_t)a = v;
}
static inline void gk_mmio_w8(uint64_t a, uint8_t v)
{
	*(volatile uint8_t *)(uintptr_t)a = v;
}

/* Compiler barrier: x86 keeps store order, so rings need only this. */
static inline void gk_barrier(void)
{
	__asm__ volatile("" : : : "memory");
}
/* Full barrier, for "publish avail idx, then read avail_event" (EVENT_IDX). */
static inline void gk_mb(void)
{
	__asm__ volatile("mfence" : : : "memory");
}
static inline void gk_pause(void)
{
	__asm__ volatile("pause");
}
static inline uint64_t gk_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
static inline void gk_cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}
static inline void gk_sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}
uint64_t gk_rdmsr(uint32_t msr);
void gk_wrmsr(uint32_t msr, uint64_t v);
void gk_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]);
uint64_t gk_read_cr0(void);
uint64_t gk_read_cr4(void);
void gk_write_cr0(uint64_t v);
void gk_write_cr4(uint64_t v);
#define GK_CR0_MP (1ull << 1)
#define GK_CR0_EM (1ull << 2)
#define GK_CR0_TS (1ull << 3)
#define GK_CR4_OSFXSR (1ull << 9)
#define GK_CR4_OSXMMEXCPT (1ull << 10)
/*
 * Enables x87/SSE the way an OS must before its first SSE instruction (SDM
 * vol. 3 13.1.3-13.1.4): CR0.EM clear, CR0.MP set, CR0.TS clear,
 * CR4.OSFXSR and CR4.OSXMMEXCPT set.  Without OSFXSR real CPUs raise #UD.
 */
void gk_fpu_init(void);

/* ---- strings -------------------------------------------------------- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* The value of a hex digit (either case), 99 for anything else. */
int gk_digit_value(char c);
/* Parses like Linux memparse(): base 0 number, optional K/M/G suffix. */
uint64_t gk_memparse(const char *s, const char **end);

/* ---- console and reports ------------------------------------------- */
#define GK_COM1 0x3f8
void gk_console_init(void);
void gk_putc(char c);
/*
 * Waits until every console byte has left the UART (LSR.THRE and TEMT).
 * Call it before anything that would discard or divert queued output: an
 * FCR write with CLEAR_XMIT, or MCR loopback (the transmitter then feeds
 * the receiver instead of the line).
 */
void gk_console_drain(void);
/* One received byte, or -1 when none is waiting (polled, LSR.DR). */
int gk_console_getc(void);
int gk_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int gk_snprintf(char *buf, size_t size, const char *fmt, ...) GK_PRINTF(3, 4);
void gk_printf(const char *fmt, ...) GK_PRINTF(1, 2);

enum gk_result { GK_PASS, GK_FAIL, GK_SKIP };
/* One "GK <name> PASS|FAIL|SKIP <detail>" line; name is "suite.test". */
void gk_report(const char *name, enum gk_result r, const char *fmt, ...)
	GK_PRINTF(3, 4);
/* Convenience: PASS when ok, FAIL otherwise, same detail either way. */
bool gk_check(const char *name, bool ok, const char *fmt, ...) GK_PRINTF(3, 4);
unsigned gk_failures(void);
/* Prints GK-SUMMARY and milestone GK_MS_DONE; the last summary counts. */
void gk_summary(void);
/* Prints GK-SUMMARY, milestone GK_MS_DONE, then ends the VM. */
GK_NORETURN void gk_finish(void);
/* The VM end: isa-debug-exit, i8042 reset, triple fault, in that order. */
GK_NORETURN void gk_vm_end(int failed);
GK_NORETURN void gk_triple_fault(void);
void gk_i8042_reset_pulse(void);

/*
 * Prints "GK-WANT-INPUT <id> <token>" and waits until the host writes the
 * line "<token>" to the serial input (the runner's side of a step is done);
 * poll(ctx) runs between checks.  False on timeout.
 */
bool gk_host_step(const char *id, const char *token, uint64_t timeout_us,
		  void (*poll)(void *ctx), void *ctx);

/* ---- timing ---------------------------------------------------------- */
extern uint64_t gk_boot_tsc;
extern uint64_t gk_tsc_khz;
void gk_tsc_calibrate(void);
uint64_t gk_now_ns(void);
uint64_t gk_tsc_to_ns(uint64_t ticks);
void gk_udelay(uint64_t us);
/*
 * Waits until done(ctx) is true or timeout_us passes; interrupts are enabled
 * while waiting (sti;hlt with a LAPIC one-shot wake-up when available).
 */
bool gk_wait(bool (*done)(void *ctx), void *ctx, uint64_t timeout_us);
/*
 * Sleeps until the next interrupt, at most about 1 ms (the LAPIC one-shot
 * of gk_wait()): a polling loop's pause that leaves the CPU to the host.
 */
void gk_nap(void);

/* ---- interrupts ------------------------------------------------------ */
struct gk_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vec, err, rip, cs, rflags, rsp, ss;
};
typedef void gk_irq_fn(void *ctx);
void gk_idt_init(void);
void gk_irq_set(uint8_t vec, gk_irq_fn *fn, void *ctx);
/*
 * Expected-fault support for the kit's own tests: when gk_fault_resume is
 * non-zero, a CPU exception records its vector, error code and CR2 and
 * resumes at that address instead of ending the run.
 */
extern volatile uint64_t gk_fault_resume, gk_fault_vec, gk_fault_err,
	gk_fault_cr2;
void gk_trap_dispatch(struct gk_frame *f);

void gk_lapic_init(void);
void gk_lapic_eoi(void);
uint32_t gk_lapic_id(void);
bool gk_lapic_timer_ok(void);
extern volatile unsigned gk_lapic_ticks;
void gk_lapic_oneshot_us(uint64_t us);

void gk_ioapic_init(void);
unsigned gk_ioapic_pins(void);
/* Routes a GSI to vec on this CPU; level-triggered active-high when level. */
int gk_ioapic_route(unsigned gsi, uint8_t vec, bool level);
void gk_ioapic_mask(unsigned gsi, bool masked);

/* ---- boot information ----------------------------------------------- */
extern uint64_t gk_start_info_pa;
const char *gk_cmdline(void);
/* Value of key=value on the command line, or NULL; *len gets its length. */
const char *gk_cmdline_get(const char *key, size_t *len);
uint64_t gk_cmdline_u64(const char *key, uint64_t dflt);
bool gk_cmdline_mac(const char *key, uint8_t out[6]);
bool gk_parse_mac(const char *s, size_t len, uint8_t out[6]);

struct gk_mmio_dev {
	uint64_t base, size;
	unsigned irq;
};
/* Parses every virtio_mmio.device=<size>@<addr>:<irq>[:<id>] entry. */
unsigned gk_virtio_mmio_devices(struct gk_mmio_dev *out, unsigned max);
unsigned gk_parse_mmio_devices(const char *line, struct gk_mmio_dev *out,
			       unsigned max);

/* ---- program entry --------------------------------------------------- */
/* Every program defines gk_main(); the runtime sets everything up first. */
void gk_main(void);
extern const char gk_program_name[];

#endif
